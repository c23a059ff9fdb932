/**
 * Compiles the Store port's Filter, sort and cursor to SQL over `(seq, id, version, body)` rows.
 *
 * A condition on a declared field (unique or indexed: a scalar, by the port's contract) compares the field's
 * key, the very expression its index holds (names.fieldKey), so SQLite answers it from the index. Any other
 * field holds when any element matches (`json_each` yields an array's elements, or a scalar itself), with
 * type-strict comparisons through json_each's `type` column: "1" never equals 1, true never "true".
 *
 * Lists of conditions become balanced trees of AND/OR, never a chain: SQLite refuses expressions nested over
 * 1000 deep, and a chain of 1000 ORs is that deep.
 */
import {
  foldBalanced,
  type compileRegexp,
  type FieldPath,
  type Filter,
  type Scalar,
  type SortField,
} from '@tessera/store';
import { fieldKey, jsonPath } from './names';
import { join, raw, sql, type Sql, type SqlParam } from './sql';

/** A SQL function the store registers: JavaScript's toLowerCase, which SQLite's lower() is not beyond ASCII. */
export const LOWERCASE_FUNCTION = 'tessera_lowercase';

export function lowercase(text: unknown): unknown {
  return typeof text === 'string' ? text.toLowerCase() : text;
}

/**
 * A SQL function the store registers, `(pattern, caseInsensitive, value)`: 1 when the Filter's regexp pattern
 * matches the whole value, with RE2 (SQLite has no regular expressions of its own), 0 otherwise.
 */
export const REGEXP_FUNCTION = 'tessera_regexp';

export function regexpFunction(compile: typeof compileRegexp) {
  return (pattern: unknown, caseInsensitive: unknown, value: unknown): number =>
    typeof pattern === 'string' && typeof value === 'string' && compile(pattern, caseInsensitive === 1)(value)
      ? 1
      : 0;
}

/** Declared fields of the collection a query runs on. */
export type DeclaredFields = ReadonlySet<FieldPath>;

/** One value of a field, as SQL: its JSON type name and its SQL value. */
interface Element {
  readonly type: Sql;
  readonly value: Sql;
}

type Predicate = (element: Element) => Sql;

// `doc` is the alias names.documents() gives the table.
const DOCUMENT_ID: Element = { type: raw("'text'"), value: raw('doc.id') };
const EACH: Element = { type: raw('e.type'), value: raw('e.value') };
const TRUE = raw('1');
const FALSE = raw('0');

type Range = Extract<Filter, { kind: 'range' }>;

export function compileFilter(filter: Filter, declared: DeclaredFields): Sql {
  switch (filter.kind) {
    case 'all':
      return TRUE;
    case 'ids':
      return sql`doc.id IN (SELECT value FROM json_each(${JSON.stringify(filter.values)}))`;
    case 'term':
      return terms(filter.field, [filter.value], declared);
    case 'terms':
      return terms(filter.field, filter.values, declared);
    case 'range':
      return range(filter, declared);
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
    case 'matchAnyField': {
      // json_tree walks the whole source; its rows of type 'text' are the strings (object keys are no rows).
      const needle = filter.value.toLowerCase();
      const lower = raw(LOWERCASE_FUNCTION);
      return sql`EXISTS (SELECT 1 FROM json_tree(doc.body) AS e WHERE e.type = 'text' AND instr(${lower}(e.value), ${needle}) > 0)`;
    }
    case 'regexp': {
      const matches = raw(REGEXP_FUNCTION);
      const { pattern } = filter;
      const caseInsensitive = filter.caseInsensitive ? 1 : 0;
      return anyElement(
        filter.field,
        ({ type, value }) =>
          sql`${type} = 'text' AND ${matches}(${pattern}, ${caseInsensitive}, ${value}) = 1`,
      );
    }
    case 'exists':
      return exists(filter.field, declared);
    case 'and':
      return balanced(
        filter.filters.map((f) => compileFilter(f, declared)),
        'AND',
        TRUE,
      );
    case 'or':
      return balanced(
        filter.filters.map((f) => compileFilter(f, declared)),
        'OR',
        FALSE,
      );
    case 'not':
      // A comparison with a missing value is NULL, not false: IS NOT TRUE counts it as not matching.
      return sql`(${compileFilter(filter.filter, declared)}) IS NOT TRUE`;
  }
}

/**
 * A document's sort key for `field`, compared as the port orders values: numbers, then strings (SQLite's
 * BINARY collation: code point order), then booleans (blobs), NULL for a document without one. On an array,
 * ascending takes its smallest element, descending its largest.
 */
function sortKey({ field, order }: SortField, declared: DeclaredFields): Sql {
  if (field === '_id') return raw('doc.id');
  if (declared.has(field)) return fieldKey(field);
  const pick = raw(order === 'asc' ? 'min' : 'max');
  return sql`(SELECT ${pick}(${elementKey(EACH)}) FROM ${elementsOf(field)} AND e.type NOT IN ('null', 'object', 'array'))`;
}

/** ORDER BY: the sort keys, missing values last either way; creation order (`seq`) without a sort. */
export function compileSort(sort: readonly SortField[], declared: DeclaredFields): Sql {
  if (sort.length === 0) return raw('doc.seq ASC');
  return join(
    sort.map((key) => sql`${sortKey(key, declared)} ${raw(key.order === 'asc' ? 'ASC' : 'DESC')} NULLS LAST`),
    ', ',
  );
}

/**
 * The cursor condition: the document's sort keys come strictly after `after`, compared key by key. A missing
 * value (NULL) comes after every value in both directions, so nothing comes strictly after it but later keys.
 */
export function compileAfter(
  sort: readonly SortField[],
  after: readonly Scalar[],
  declared: DeclaredFields,
): Sql {
  const keys = sort.slice(0, after.length).map((key) => sortKey(key, declared));
  const branches = after.map((value, i) => {
    const key = keys[i] ?? raw('NULL');
    const equalBefore = keys
      .slice(0, i)
      .map((earlier, j) => sql`${earlier} IS ${keyParam(after[j] ?? null)}`);
    if (value === null) return FALSE;
    const operator = raw(sort[i]?.order === 'desc' ? '<' : '>');
    const beyond = sql`(${key} ${operator} ${keyParam(value)} OR ${key} IS NULL)`;
    return balanced([...equalBefore, beyond], 'AND', TRUE);
  });
  return balanced(branches, 'OR', FALSE);
}

// ---------------------------------------------------------------------------------------------------------

/** A value as fieldKey and elementKey spell it: booleans as one-byte blobs. */
function keyParam(value: Scalar): SqlParam {
  if (typeof value === 'boolean') return Buffer.from([value ? 1 : 0]);
  return value;
}

function elementKey({ type, value }: Element): Sql {
  return sql`(CASE ${type} WHEN 'true' THEN x'01' WHEN 'false' THEN x'00' ELSE ${value} END)`;
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

/**
 * term and terms: the field holds one of `values`, type-strictly. A single value is compared directly: a
 * list read from json_each costs a subquery per condition, which a wide `or` of terms would multiply.
 */
function terms(field: FieldPath, values: readonly Scalar[], declared: DeclaredFields): Sql {
  if (field === '_id') {
    const ids = values.filter((value) => typeof value === 'string');
    return sql`doc.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
  }
  if (!declared.has(field)) {
    const [single] = values;
    return anyElement(field, values.length === 1 && single !== undefined ? equalTo(single) : oneOf(values));
  }
  // A declared field holds one scalar: an index lookup per value. json_each would hand booleans back as 0
  // and 1, so they are bound one by one, as the blobs the key holds; null is no key (and needs no index).
  const key = fieldKey(field);
  const plain = values.filter((value) => typeof value === 'string' || typeof value === 'number');
  const booleans = [...new Set(values.filter((value) => typeof value === 'boolean'))];
  const branches = [
    ...(plain.length === 1 ? [sql`${key} = ${plain[0] ?? null}`] : []),
    ...(plain.length > 1 ? [sql`${key} IN (SELECT value FROM json_each(${JSON.stringify(plain)}))`] : []),
    ...booleans.map((value) => sql`${key} = ${keyParam(value)}`),
    ...(values.includes(null) ? [sql`json_type(doc.body, ${jsonPath(field)}) = 'null'`] : []),
  ];
  return balanced(branches, 'OR', FALSE);
}

/** Same JSON type and value as `value`: numbers compare as numbers, whatever JSON spelling they had. */
function equalTo(value: Scalar): Predicate {
  if (value === null) return ({ type }) => sql`${type} = 'null'`;
  if (typeof value === 'boolean') return ({ type }) => sql`${type} = ${value ? 'true' : 'false'}`;
  if (typeof value === 'number')
    return ({ type, value: v }) => sql`${type} IN ('integer', 'real') AND ${v} = ${value}`;
  return ({ type, value: v }) => sql`${type} = 'text' AND ${v} = ${value}`;
}

/** Same JSON type and same value as one of `values` (JSON-encoded so their types survive binding). */
function oneOf(values: readonly unknown[]): Predicate {
  const encoded = JSON.stringify(values);
  return ({ type, value }) =>
    sql`EXISTS (SELECT 1 FROM json_each(${encoded}) AS v WHERE v.type = ${type} AND v.value IS ${value})`;
}

function range(filter: Range, declared: DeclaredFields): Sql {
  const { gt, gte, lt, lte } = filter;
  const bounds = [
    [gt, '>'],
    [gte, '>='],
    [lt, '<'],
    [lte, '<='],
  ] as const;
  // The parser makes every bound the same type; the value must have it too.
  const textual = typeof (gt ?? gte ?? lt ?? lte) === 'string';
  const compare = (value: Sql) =>
    bounds.flatMap(([bound, operator]) =>
      bound === undefined ? [] : [sql`${value} ${raw(operator)} ${bound}`],
    );
  if (filter.field !== '_id' && declared.has(filter.field)) {
    // On the key, every number sorts before '' and every string from '' up to the blobs (x'' is the least):
    // the type check is a range too, so the index serves it. Only the ends the bounds leave open get one: SQLite
    // searches an index with one bound per end, and may pick `< ''` over `< 1700000000000`, visiting every number.
    const key = fieldKey(filter.field);
    const upper = lt !== undefined || lte !== undefined;
    const lower = gt !== undefined || gte !== undefined;
    const sameType = textual
      ? [...(lower ? [] : [sql`${key} >= ''`]), ...(upper ? [] : [sql`${key} < x''`])]
      : upper
        ? []
        : [sql`${key} < ''`];
    return join([...sameType, ...compare(key)], ' AND ');
  }
  return anyElement(filter.field, ({ type, value }) =>
    join([textual ? sql`${type} = 'text'` : sql`${type} IN ('integer', 'real')`, ...compare(value)], ' AND '),
  );
}

/**
 * Present and holding a value other than null. On arrays and objects this looks at every depth (json_tree),
 * so `[]`, `[null]`, `{}` and `{"a": null}` do not exist while `{"a": [1]}` does.
 */
function exists(field: FieldPath, declared: DeclaredFields): Sql {
  if (field === '_id') return TRUE;
  if (declared.has(field)) return sql`${fieldKey(field)} IS NOT NULL`;
  return sql`EXISTS (SELECT 1 FROM json_tree(doc.body, ${jsonPath(field)}) AS e WHERE e.type NOT IN ('null', 'object', 'array'))`;
}

/** `items` joined by `operator` as a balanced tree (engines bound how deep an expression nests). */
function balanced(items: readonly Sql[], operator: 'AND' | 'OR', empty: Sql): Sql {
  return foldBalanced(items, (left, right) => sql`(${left}) ${raw(operator)} (${right})`, empty);
}
