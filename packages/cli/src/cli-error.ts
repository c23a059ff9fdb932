/**
 * CliError: a client-side failure (bad arguments, bad JSON, unreachable server) reported without an error id.
 */
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}
