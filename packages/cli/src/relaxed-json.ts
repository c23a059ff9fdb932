/**
 * Relaxed JSON (JSON5) for bodies and `-a` values, as in the product docs' examples: unquoted keys, single
 * quotes, trailing commas.
 */
import JSON5 from 'json5';
import { CliError } from './cli-error';

export type JsonObject = Record<string, unknown>;

/** Parses a body or filters: it must be an object. `what` names the argument in the error message. */
export function parseJsonObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON5.parse(text);
  } catch (error) {
    throw new CliError(`invalid JSON in ${what}: ${(error as Error).message}`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(`${what} must be a JSON object`);
  }
  return value as JsonObject;
}

/** Parses an `-a` value: JSON5 when it is valid JSON5 (`5`, `true`, `[1]`), the raw string otherwise. */
export function parseArgValue(text: string): unknown {
  try {
    return JSON5.parse(text);
  } catch {
    return text;
  }
}
