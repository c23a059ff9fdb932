/**
 * Compiles the Store port's Filter and sort to SQL over `(id, body)` rows. A field condition holds when it
 * holds for any element of the field's value (`json_each` yields an array's elements, or a scalar itself),
 * and comparisons are type-strict through json_each's `type` column: "1" never equals 1, true never "true".
 */
import type { FieldPath, Filter, SortField } from '@tessera/store';
import { jsonPath } from './names';
import { join, raw, sql, type Sql } from './sql';

/** A SQL function the store registers: JavaScript's toLowerCase, which SQLite's lower() is not beyond ASCII. */
export const LOWERCASE_FUNCTION = 'tessera_lowercase';

export function lowercase(text: unknown): unknown {
  return typeof text === 'string' ? text.toLowerCase() : text;
}

/** One value of a field, as SQL: its JSON type name and its SQL value. */
interface Element {
  readonly type: Sql;
  readonly value: Sql;
}

type Predicate = (element: Element) => Sql;

// `doc` is the alias names.documents() gives the table.
const DOCUMENT_ID: Element = { type: raw("'text'"), value: raw('doc.id') };
const EACH: Element = { type: raw('e.type'), value: raw('e.value') };

type Range = Extract<Filter, { kind: 'range' }>;

export function compileFilter(filter: Filter): Sql {
  switch (filter.kind) {
    case 'all':
      return raw('1');
    case 'ids':
      return sql`doc.id IN (SELECT value FROM json_each(${JSON.stringify(filter.values)}))`;
    case 'term':
      return anyElement(filter.field, oneOf([filter.value]));
    case 'terms':
      return anyElement(filter.field, oneOf(filter.values));
    case 'range':
      return anyElement(filter.field, inRange(filter));
    case 'prefix':
      return anyElement(
        filter.field,
        ({ type, value }) => sql`${type} = 'text' AND instr(${value}, ${filter.value}) = 1`,
      );
    case 'match': {
      const needle = filter.value.toLowerCase();
      const lower = raw(LOWERCASE_FUNCTION);
      return anyElement(
        filter.field,
        ({ type, value }) => sql`${type} = 'text' AND instr(${lower}(${value}), ${needle}) > 0`,
      );
    }
    case 'exists':
      return exists(filter.field);
    case 'and':
      return combine(filter.filters, ' AND ', '1');
    case 'or':
      return combine(filter.filters, ' OR ', '0');
    case 'not':
      return sql`NOT (${compileFilter(filter.filter)})`;
  }
}

/**
 * ORDER BY terms. On an array, ascending order uses its smallest element and descending its largest, and
 * documents lacking the field come last either way (Elasticsearch's defaults); `id` breaks ties.
 */
export function compileSort(sort: readonly SortField[]): Sql {
  const terms = sort.map(({ field, order }) => {
    const direction = raw(order === 'asc' ? 'ASC' : 'DESC');
    if (field === '_id') return sql`doc.id ${direction}`;
    const pick = raw(order === 'asc' ? 'min' : 'max');
    return sql`(SELECT ${pick}(e.value) FROM ${elementsOf(field)} AND e.type NOT IN ('null', 'object', 'array')) ${direction} NULLS LAST`;
  });
  return join([...terms, raw('doc.id ASC')], ', ');
}

/**
 * The rows `e` of a field's elements, open for more `AND` conditions. Over an object json_each would yield its
 * members, which are not values of the field: their keys are text, an array's are integers, a scalar's null.
 */
function elementsOf(field: FieldPath): Sql {
  return sql`json_each(doc.body, ${jsonPath(field)}) AS e WHERE typeof(e.key) <> 'text'`;
}

function anyElement(field: FieldPath, predicate: Predicate): Sql {
  if (field === '_id') return predicate(DOCUMENT_ID);
  return sql`EXISTS (SELECT 1 FROM ${elementsOf(field)} AND ${predicate(EACH)})`;
}

/** Same JSON type and same value as one of `values` (JSON-encoded so their types survive binding). */
function oneOf(values: readonly unknown[]): Predicate {
  const encoded = JSON.stringify(values);
  return ({ type, value }) =>
    sql`EXISTS (SELECT 1 FROM json_each(${encoded}) AS v WHERE v.type = ${type} AND v.value IS ${value})`;
}

function inRange({ gt, gte, lt, lte }: Range): Predicate {
  const bounds = [
    [gt, '>'],
    [gte, '>='],
    [lt, '<'],
    [lte, '<='],
  ] as const;
  // The parser makes every bound the same type; the element must have it too.
  const textual = typeof (gt ?? gte ?? lt ?? lte) === 'string';
  return ({ type, value }) =>
    join(
      [
        textual ? sql`${type} = 'text'` : sql`${type} IN ('integer', 'real')`,
        ...bounds.flatMap(([bound, operator]) =>
          bound === undefined ? [] : [sql`${value} ${raw(operator)} ${bound}`],
        ),
      ],
      ' AND ',
    );
}

/**
 * Present and not null. Unlike the other conditions this looks into objects too, so an object with at least one
 * non-null member exists, as in Elasticsearch, while `[]`, `[null]` and `{}` do not.
 */
function exists(field: FieldPath): Sql {
  if (field === '_id') return raw('1');
  return sql`EXISTS (SELECT 1 FROM json_each(doc.body, ${jsonPath(field)}) AS e WHERE e.type <> 'null')`;
}

function combine(filters: readonly Filter[], operator: ' AND ' | ' OR ', empty: '1' | '0'): Sql {
  if (filters.length === 0) return raw(empty);
  return join(
    filters.map((filter) => sql`(${compileFilter(filter)})`),
    operator,
  );
}
