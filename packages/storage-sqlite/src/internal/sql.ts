/**
 * SQL fragments that carry their bound parameters. Values only ever reach SQLite as `?` parameters: the
 * `sql` tag turns every interpolated value into one, and only fragments built here are inlined as text.
 */

/** What SQLite binds: text, numbers, NULL, and blobs (the keys of boolean values). */
export type SqlParam = string | number | null | Buffer;

export class Sql {
  constructor(
    readonly text: string,
    readonly params: readonly SqlParam[],
  ) {}
}

/** Inlines interpolated Sql fragments; binds every other interpolated value as a parameter. */
export function sql(strings: TemplateStringsArray, ...values: readonly (Sql | SqlParam)[]): Sql {
  let text = strings[0] ?? '';
  const params: SqlParam[] = [];
  values.forEach((value, i) => {
    if (value instanceof Sql) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[i + 1] ?? '';
  });
  return new Sql(text, params);
}

/** Trusted SQL text: keywords and operators chosen by this package, never input. */
export function raw(text: string): Sql {
  return new Sql(text, []);
}

export function join(parts: readonly Sql[], separator: string): Sql {
  return new Sql(
    parts.map((part) => part.text).join(separator),
    parts.flatMap((part) => part.params),
  );
}

/** An identifier (table, index), quoted and escaped: names are validated upstream, this holds regardless. */
export function identifier(name: string): Sql {
  return raw(`"${name.replaceAll('"', '""')}"`);
}

/** A string literal, for the one place parameters are not allowed: index expressions in DDL. */
export function literal(text: string): Sql {
  return raw(`'${text.replaceAll("'", "''")}'`);
}
