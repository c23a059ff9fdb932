/** Structured JSON-lines logging with redaction of secrets. */
export { createLogger, createSilentLogger, redact, isSecretName, type LoggerOptions } from './create-logger';
