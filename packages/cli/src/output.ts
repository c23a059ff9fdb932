/**
 * What the command prints: results as JSON on stdout, errors as one line on stderr.
 */
import { CliError } from './cli-error';

export function formatResult(result: unknown, compact: boolean): string {
  return (compact ? JSON.stringify(result) : JSON.stringify(result, null, 2)) ?? 'null';
}

/** `tessera: <error id>: <message>` for API errors, `tessera: <message>` for client-side ones; one line. */
export function formatError(error: unknown): string {
  let line: string;
  if (error instanceof CliError) {
    line = error.message;
  } else if (error instanceof Error) {
    const id = (error as Error & { id?: unknown }).id;
    line = typeof id === 'string' && id !== '' ? `${id}: ${error.message}` : error.message;
  } else {
    line = String(error);
  }
  return `tessera: ${line.replace(/\s*\n\s*/g, ' ')}`;
}
