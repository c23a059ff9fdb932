/** Structured logging on pino, with redaction of secrets, pretty lines on a terminal, request-scoped children. */
export { createLogger, createSilentLogger, type LoggerOptions, type LogFormat } from './create-logger';
export { redact, isSecretName } from './redact';
export { prettyLine } from './pretty-lines';
export { requestLog } from './request-log';
