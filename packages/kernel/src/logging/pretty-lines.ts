/**
 * Log lines for a person at a terminal: `12:04:05.123 INFO  tessera is ready port=7512 storage=sqlite`, then each
 * error's stack, and the stack of each cause under it. It rewrites the JSON lines pino produces, so redaction,
 * levels and child bindings are exactly those of the JSON output.
 *
 * Ours rather than pino-pretty: about sixty lines against thirteen more packages, one of which (an ESM-only
 * strip-json-comments) the CommonJS runtime this project keeps to could not load in-process; and a terminal is
 * the one place these lines go (a file or a collector gets JSON).
 */
export interface LineSink {
  write(text: string): unknown;
}

/** The fields every line has, shown in the line's head or not at all (pid and hostname are the same on each). */
const HEAD_FIELDS = new Set(['time', 'level', 'msg', 'pid', 'hostname']);

const LEVEL_COLOURS: Readonly<Record<string, number>> = { debug: 90, info: 32, warn: 33, error: 31 };

/** A pino destination that writes each JSON line to `sink` as a pretty one; `colours`: ANSI colours. */
export function prettyLines(sink: LineSink, colours: boolean): LineSink {
  return {
    write(line: string) {
      return sink.write(prettyLine(JSON.parse(line) as Record<string, unknown>, colours));
    },
  };
}

export function prettyLine(record: Record<string, unknown>, colours: boolean): string {
  const paint = (code: number, text: string) => (colours ? `\u001b[${code}m${text}\u001b[39m` : text);
  const level = String(record.level);
  const head = [
    paint(90, clockTime(record.time)),
    paint(LEVEL_COLOURS[level] ?? 0, level.toUpperCase().padEnd(5)),
    typeof record.msg === 'string' ? record.msg : inline(record.msg ?? ''),
  ];
  const fields: string[] = [];
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (HEAD_FIELDS.has(key)) continue;
    if (isLoggedError(value)) {
      fields.push(`${key}=${inline(value.id ?? value.message)}`);
      stacks.push(...errorLines(value));
    } else {
      fields.push(`${key}=${inline(value)}`);
    }
  }
  return `${[...head, ...fields].join(' ')}\n${stacks.map((text) => `    ${text}\n`).join('')}`;
}

/** An error as the JSON line holds it (see redact.ts). */
interface LoggedError {
  message: string;
  id?: string;
  stack?: string;
  cause?: unknown;
}

function isLoggedError(value: unknown): value is LoggedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LoggedError).message === 'string' &&
    typeof (value as LoggedError).stack === 'string'
  );
}

/** The error's stack, then each cause's, prefixed `caused by:`. */
function errorLines(error: LoggedError): string[] {
  const lines = (error.stack ?? error.message).split('\n');
  if (error.cause === undefined) return lines;
  const cause = isLoggedError(error.cause) ? errorLines(error.cause) : [inline(error.cause)];
  return [...lines, `caused by: ${cause[0]!}`, ...cause.slice(1)];
}

function inline(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** HH:MM:SS.mmm in the machine's time zone: what a person compares with the clock on their screen. */
function clockTime(time: unknown): string {
  const date = new Date(typeof time === 'string' || typeof time === 'number' ? time : Date.now());
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}
