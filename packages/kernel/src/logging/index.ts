/** Structured JSON-lines logging with redaction of secrets. */
export { createLogger, createSilentLogger, redact, type LoggerOptions } from './create-logger';
