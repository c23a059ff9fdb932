/**
 * createRecordingLogger: a Logger that keeps every line it is given (with the bindings of the child logger
 * that wrote it), for tests that check what was logged, or that nothing secret was.
 */
import type { LogFields, Logger, LogLevel } from '@tessera/plugin-sdk';

export interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

export function createRecordingLogger(lines: LogLine[] = [], bindings: LogFields = {}): Logger {
  const writer =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}): void => {
      lines.push({ level, message, fields: { ...bindings, ...fields } });
    };
  return {
    debug: writer('debug'),
    info: writer('info'),
    warn: writer('warn'),
    error: writer('error'),
    child: (more) => createRecordingLogger(lines, { ...bindings, ...more }),
  };
}
