/**
 * Command-line parsing, kourou's syntax: `<controller>:<action> [positionals] [-a key=value]... [--flag value]`.
 * Small and our own: the grammar is a handful of flags.
 */
import { CliError } from './cli-error';

/** Flags that take a value, by long name. */
const VALUE_FLAGS = [
  'host',
  'port',
  'protocol',
  'username',
  'password',
  'api-key',
  'as',
  'body',
  'id',
  'index',
  'collection',
  'arg',
  'dir',
] as const;
const BOOLEAN_FLAGS = ['json', 'help'] as const;
const SHORT_FLAGS: Record<string, string> = { a: 'arg', h: 'help' };

export type ValueFlag = (typeof VALUE_FLAGS)[number];

export interface ParsedArgv {
  /** `controller:action`, or a bare controller (for `--help`), or undefined. */
  command?: string;
  positionals: string[];
  /** Last value of each value flag (except `arg`). */
  flags: Partial<Record<ValueFlag, string>>;
  /** `-a key=value` pairs, raw, in order. */
  args: Array<[string, string]>;
  json: boolean;
  help: boolean;
}

export function parseArgv(argv: readonly string[]): ParsedArgv {
  const parsed: ParsedArgv = { positionals: [], flags: {}, args: [], json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    const flag = readFlag(token);
    if (!flag) {
      if (parsed.command === undefined) parsed.command = token;
      else parsed.positionals.push(token);
      continue;
    }
    const { name, inline } = flag;
    if ((BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      if (inline !== undefined) throw new CliError(`--${name} takes no value`);
      parsed[name as (typeof BOOLEAN_FLAGS)[number]] = true;
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) throw new CliError(`unknown option ${token}`);
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new CliError(`option --${name} needs a value`);
      value = argv[++i]!;
    }
    if (name === 'arg') {
      const equals = value.indexOf('=');
      if (equals <= 0) throw new CliError(`-a expects key=value, got "${value}"`);
      parsed.args.push([value.slice(0, equals), value.slice(equals + 1)]);
    } else {
      parsed.flags[name as ValueFlag] = value;
    }
  }
  return parsed;
}

/** `--name`, `--name=value`, `-a`: the long name and an inline value; undefined for a positional. */
function readFlag(token: string): { name: string; inline?: string } | undefined {
  if (token.startsWith('--') && token.length > 2) {
    const equals = token.indexOf('=');
    return equals < 0
      ? { name: token.slice(2) }
      : { name: token.slice(2, equals), inline: token.slice(equals + 1) };
  }
  // A lone "-" or a negative number is a positional.
  if (/^-[a-zA-Z]$/.test(token)) {
    const name = SHORT_FLAGS[token.slice(1)];
    if (!name) throw new CliError(`unknown option ${token}`);
    return { name };
  }
  return undefined;
}
