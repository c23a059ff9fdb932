/**
 * SQL fragments that carry their bound parameters, numbered `$1`, `$2`... only when a whole statement is
 * rendered, so fragments compose freely. Values only ever reach PostgreSQL as parameters: the `sql` tag turns
 * every interpolated value into one, and only fragments built here are inlined as text.
 */

export class Sql {
  /** `strings` has one more item than `params`: the text around each parameter. */
  constructor(
    readonly strings: readonly string[],
    readonly params: readonly unknown[],
  ) {}
}

/** Inlines interpolated Sql fragments; binds every other interpolated value as a parameter. */
export function sql(strings: TemplateStringsArray, ...values: readonly unknown[]): Sql {
  const parts: Sql[] = [];
  strings.forEach((text, i) => {
    parts.push(raw(text));
    if (i < values.length) {
      const value = values[i];
      parts.push(value instanceof Sql ? value : new Sql(['', ''], [value]));
    }
  });
  return join(parts, '');
}

/** Trusted SQL text: keywords and operators chosen by this package, never input. */
export function raw(text: string): Sql {
  return new Sql([text], []);
}

export function join(parts: readonly Sql[], separator: string): Sql {
  const texts = [''];
  const params: unknown[] = [];
  parts.forEach((part, i) => {
    texts[texts.length - 1] += (i === 0 ? '' : separator) + (part.strings[0] ?? '');
    part.params.forEach((param, j) => {
      params.push(param);
      texts.push(part.strings[j + 1] ?? '');
    });
  });
  return new Sql(texts, params);
}

/** An identifier (schema, table, index), quoted and escaped: names are validated upstream, this holds regardless. */
export function identifier(name: string): Sql {
  return raw(`"${name.replaceAll('"', '""')}"`);
}

/** A string literal, for where parameters are not allowed or would not match an index: DDL, index expressions. */
export function literal(text: string): Sql {
  return raw(`'${text.replaceAll("'", "''")}'`);
}

/** The statement as pg takes it. */
export function render(statement: Sql): { text: string; values: unknown[] } {
  let text = statement.strings[0] ?? '';
  statement.params.forEach((_param, i) => {
    text += `$${i + 1}${statement.strings[i + 1] ?? ''}`;
  });
  return { text, values: [...statement.params] };
}
