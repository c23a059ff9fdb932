/**
 * The kernel's logger, on pino: one JSON object per line (`level` as its name, `time` in ISO 8601, `msg`, pino's
 * `pid` and `hostname`, then the child loggers' bindings and the line's fields), or pretty lines for a person at
 * a terminal (`log.format`: `auto` picks pretty when the destination is a TTY).
 *
 * Secrets never reach a line: bindings and fields go through `redact` (secret-named fields at any depth, errors
 * as `{message, id, code, stack, cause}` with their cause chain). `time`, `level` and `msg` are the line's own:
 * a field or binding of that name is left out, so that no caller can forge them.
 *
 * Writes are asynchronous on standard output (pino's destination, flushed when the process exits); a
 * destination given here (a test's stream) is written to as each line is made.
 */
import pino, { type DestinationStream } from 'pino';
import type { LogFields, LogLevel, Logger } from '@tessera/plugin-sdk';
import { prettyLines, type LineSink } from './pretty-lines';
import { redact } from './redact';

export type LogFormat = 'json' | 'pretty' | 'auto';

export interface LoggerOptions {
  /** The least severe level written. */
  level: LogLevel;
  /** Standard output unless given. */
  destination?: LineSink & { isTTY?: boolean };
  /** Fields every line carries. */
  bindings?: LogFields;
  /** `json` unless given; `auto`: pretty when the destination is a TTY, JSON otherwise. */
  format?: LogFormat;
}

const LINE_KEYS = ['time', 'level', 'msg'];

export function createLogger(options: LoggerOptions): Logger {
  const { level, bindings = {}, format = 'json' } = options;
  const destination = options.destination ?? process.stdout;
  const pretty = format === 'pretty' || (format === 'auto' && destination.isTTY === true);
  const json: DestinationStream =
    options.destination ?? (pretty ? process.stdout : pino.destination({ dest: 1, sync: false }));
  const root = pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => fieldsOf(fields),
      },
      // Errors are already plain objects (see redact): pino's own `err` serializer must not reshape them.
      serializers: { err: (value: unknown) => value },
      // Redaction has already made every value finite and acyclic; a cause chain runs deep.
      depthLimit: 64,
      edgeLimit: 10_000,
    },
    pretty ? prettyLines(json, destination.isTTY === true) : json,
  );
  return Object.keys(bindings).length > 0 ? wrap(root).child(bindings) : wrap(root);
}

/** A logger that writes nothing, for code under test that needs one. */
export function createSilentLogger(): Logger {
  const noop = (): void => {};
  const silent: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silent };
  return silent;
}

/** The plugin SDK's Logger over a pino logger: (message, fields) rather than pino's (fields, message). */
function wrap(logger: pino.Logger): Logger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
    // pino applies no formatter to a child's bindings: they are made safe here.
    child: (bindings) => wrap(logger.child(fieldsOf(bindings))),
  };
}

function fieldsOf(fields: Record<string, unknown>): Record<string, unknown> {
  const safe = redact(fields) as Record<string, unknown>;
  for (const key of LINE_KEYS) delete safe[key];
  return safe;
}
