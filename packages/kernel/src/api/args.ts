/**
 * Argument schemas for API actions. Each action declares its arguments once; the funnel checks and converts
 * them before the action runs, and the handler receives them typed. Over HTTP every query value arrives as a
 * string and a boolean is a flag (present means true), as Kuzzle does; other protocols must send real types.
 */
import type { Protocol } from '@tessera/plugin-sdk';
import { tesseraError } from '@tessera/plugin-sdk';

export interface ArgSpec<T> {
  /** Shown in publicApi and in error messages. */
  readonly type: string;
  readonly required: boolean;
  /** Converts a present, non-null value; throws an `api.assert.*` error when it does not fit. */
  parse(value: unknown, name: string, protocol: Protocol): T;
}

export type ArgsSchema = Readonly<Record<string, ArgSpec<unknown>>>;

export type ArgsOf<S extends ArgsSchema> = {
  [K in keyof S]: S[K] extends ArgSpec<infer T> ? (S[K]['required'] extends true ? T : T | undefined) : never;
};

type Options<R extends boolean> = { required?: R };

function spec<T, R extends boolean>(
  type: string,
  options: Options<R> | undefined,
  parse: ArgSpec<T>['parse'],
): ArgSpec<T> & { required: R } {
  return { type, required: (options?.required ?? false) as R, parse };
}

const invalidType = (name: string, type: string) => tesseraError('api.assert.invalid_type', name, type);

export const arg = {
  string<const R extends boolean = false>(options?: Options<R>) {
    return spec<string, R>('string', options, (value, name) => {
      if (typeof value !== 'string') throw invalidType(name, 'string');
      return value;
    });
  },

  boolean<const R extends boolean = false>(options?: Options<R>) {
    return spec<boolean, R>('boolean', options, (value, name, protocol) => {
      if (protocol === 'http' && typeof value === 'string') return true;
      if (typeof value !== 'boolean') throw invalidType(name, 'boolean');
      return value;
    });
  },

  integer<const R extends boolean = false>(options?: Options<R>) {
    return spec<number, R>('integer', options, (value, name) => {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw invalidType(name, 'integer');
      return number;
    });
  },

  /** A duration as clients send it: milliseconds (a number, or a numeric string over HTTP) or an `ms` string. */
  duration<const R extends boolean = false>(options?: Options<R>) {
    return spec<number | string, R>('duration', options, (value, name) => {
      if (typeof value !== 'number' && typeof value !== 'string') throw invalidType(name, 'number or string');
      return value;
    });
  },

  /** Comma-separated over HTTP (`ids=a,b`), an array of strings elsewhere. */
  stringArray<const R extends boolean = false>(options?: Options<R>) {
    return spec<string[], R>('string[]', options, (value, name) => {
      const list: unknown = typeof value === 'string' ? value.split(',') : value;
      if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
        throw invalidType(name, 'string[]');
      }
      return list;
    });
  },
};

/** Checks and converts `raw` against `schema`; arguments the schema does not name are ignored, as Kuzzle does. */
export function parseArgs<S extends ArgsSchema>(
  schema: S,
  raw: Readonly<Record<string, unknown>>,
  protocol: Protocol,
): ArgsOf<S> {
  const parsed: Record<string, unknown> = {};
  for (const [name, argSpec] of Object.entries(schema)) {
    const value = raw[name];
    if (value === undefined || value === null) {
      if (argSpec.required) throw tesseraError('api.assert.missing_argument', name);
      continue;
    }
    parsed[name] = argSpec.parse(value, name, protocol);
  }
  return parsed as ArgsOf<S>;
}
