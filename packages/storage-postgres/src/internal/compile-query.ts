/**
 * Compiles the Store port's Filter, sort and cursor to PostgreSQL over `(seq, id, version, body jsonb)` rows.
 *
 * A condition on a declared field (unique or indexed: a scalar, by the port's contract) compares the field's
 * key, the very expression its index holds (names.fieldKey), so PostgreSQL answers it from the index. Any other
 * field holds when any element matches: the elements of an array, or a scalar itself. Equality is jsonb's
 * (type-strict: "1" is not 1) through `=` and containment; ranges, prefixes and matches are SQL/JSON path
 * filters, whose strings compare by code point whatever the database's collation. Neither needs a subquery:
 * a wide `or` of a thousand conditions plans in milliseconds, where as many subqueries would take seconds.
 *
 * Lists of conditions become balanced trees of AND/OR, never a chain, so a wide `or` never nests deep.
 */
import { foldBalanced, type FieldPath, type Filter, type Scalar, type SortField } from '@tessera/store';
import { fieldKey, fieldValue } from './names';
import { join, raw, sql, type Sql } from './sql';

/** Declared fields of the collection a query runs on. */
export type DeclaredFields = ReadonlySet<FieldPath>;

type Range = Extract<Filter, { kind: 'range' }>;

const TRUE = raw('TRUE');
const FALSE = raw('FALSE');
const SCALAR_TYPES = raw("('number', 'string', 'boolean')");

export function compileFilter(filter: Filter, declared: DeclaredFields): Sql {
  switch (filter.kind) {
    case 'all':
      return TRUE;
    case 'ids':
      return sql`doc.id = ANY(${[...filter.values]}::text[])`;
    case 'term':
      return terms(filter.field, [filter.value], declared);
    case 'terms':
      return terms(filter.field, filter.values, declared);
    case 'range':
      return range(filter, declared);
    case 'prefix':
      return anyScalar(filter.field, '@.type() == "string" && @ starts with $prefix', {
        prefix: filter.value,
      });
    case 'match':
      // A regular expression is a literal of the path (flag q: quoted, so a plain substring; i: any case).
      return anyScalar(
        filter.field,
        `@.type() == "string" && @ like_regex ${JSON.stringify(filter.value)} flag "iq"`,
        {},
      );
    case 'matchAnyField':
      // `.**` walks every level of the source: its strings, in objects and arrays alike.
      return sql`jsonb_path_exists(doc.body, ${`strict $.** ? (@.type() == "string" && @ like_regex ${JSON.stringify(filter.value)} flag "iq")`}::jsonpath)`;
    case 'regexp':
      // The pattern's syntax is one PostgreSQL reads as RE2 does (lucene-regexp.ts); flag s: `.` takes newlines.
      return anyScalar(
        filter.field,
        `@.type() == "string" && @ like_regex ${JSON.stringify(`^(?:${filter.pattern})$`)} flag "${filter.caseInsensitive ? 'is' : 's'}"`,
        {},
      );
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
      // A comparison with a missing value is NULL, not FALSE: IS NOT TRUE counts it as not matching.
      return sql`(${compileFilter(filter.filter, declared)}) IS NOT TRUE`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Sort and cursor

/**
 * A sort key: the jsonb element a document sorts by (NULL when it has none), compared through `parts`: its type
 * rank (numbers, strings, booleans), then its value as that type. For a declared field it is the field's key;
 * for another field, the smallest (ascending) or largest (descending) scalar element, picked by a lateral join
 * the query adds (`joins`).
 */
interface SortKey {
  readonly order: 'asc' | 'desc';
  /** `doc.id` for `_id`, a jsonb element otherwise. */
  readonly value: Sql;
  readonly id: boolean;
}

/** The rank, then the value of each type: the columns a key is ordered and compared by. */
function parts(value: Sql): { rank: Sql; number: Sql; text: Sql; boolean: Sql } {
  return {
    rank: sql`(CASE jsonb_typeof(${value}) WHEN 'number' THEN 1 WHEN 'string' THEN 2 WHEN 'boolean' THEN 3 END)`,
    number: sql`(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value})::numeric END)`,
    text: sql`(CASE WHEN jsonb_typeof(${value}) = 'string' THEN ${value} #>> '{}' END) COLLATE "C"`,
    boolean: sql`(CASE WHEN jsonb_typeof(${value}) = 'boolean' THEN (${value})::boolean END)`,
  };
}

export interface CompiledSort {
  /** LATERAL joins picking the element of each undeclared sort field. */
  readonly joins: Sql;
  readonly orderBy: Sql;
  readonly keys: readonly SortKey[];
}

export function compileSort(sort: readonly SortField[], declared: DeclaredFields): CompiledSort {
  if (sort.length === 0) return { joins: raw(''), orderBy: raw('doc.seq ASC'), keys: [] };
  const joins: Sql[] = [];
  const keys = sort.map(({ field, order }, i): SortKey => {
    if (field === '_id') return { order, value: raw('doc.id'), id: true };
    if (declared.has(field)) return { order, value: fieldKey(field), id: false };
    const alias = raw(`sort_${i}`);
    joins.push(sql` LEFT JOIN LATERAL (SELECT e.v FROM ${elementsOf(fieldValue(field))}
      WHERE jsonb_typeof(e.v) IN ${SCALAR_TYPES} ORDER BY ${orderOf(raw('e.v'), order)} LIMIT 1) AS ${alias} ON TRUE`);
    return { order, value: sql`${alias}.v`, id: false };
  });
  const orderBy = join(
    keys.map((key) =>
      key.id ? sql`doc.id ${raw(key.order === 'asc' ? 'ASC' : 'DESC')}` : orderOf(key.value, key.order),
    ),
    ', ',
  );
  return { joins: join(joins, ''), orderBy, keys };
}

function orderOf(value: Sql, order: 'asc' | 'desc'): Sql {
  const direction = raw(order === 'asc' ? 'ASC' : 'DESC');
  const { rank, number, text, boolean } = parts(value);
  return sql`${rank} ${direction} NULLS LAST, ${number} ${direction}, ${text} ${direction}, ${boolean} ${direction}`;
}

/**
 * The cursor condition: the document's sort keys come strictly after `after`, compared key by key. A missing
 * value comes after every value in both directions, so nothing comes strictly after it but later keys.
 */
export function compileAfter(keys: readonly SortKey[], after: readonly Scalar[]): Sql {
  const branches = after.map((value, i) => {
    const key = keys[i];
    if (key === undefined || value === null) return FALSE;
    const equalBefore = keys.slice(0, i).map((earlier, j) => equalTo(earlier, after[j] ?? null));
    return balanced([...equalBefore, beyond(key, value)], 'AND', TRUE);
  });
  return balanced(branches, 'OR', FALSE);
}

function equalTo(key: SortKey, value: Scalar): Sql {
  if (key.id) return sql`doc.id = ${String(value)}`;
  const { rank } = parts(key.value);
  if (value === null) return sql`${rank} IS NULL`;
  return sql`(${rank} = ${rankOf(value)} AND ${typedValue(key.value, value)} = ${value})`;
}

function beyond(key: SortKey, value: Exclude<Scalar, null>): Sql {
  const operator = raw(key.order === 'asc' ? '>' : '<');
  if (key.id) return sql`doc.id ${operator} ${String(value)}`;
  const { rank } = parts(key.value);
  const rankOfValue = rankOf(value);
  return sql`(${rank} IS NULL OR ${rank} ${operator} ${rankOfValue}
    OR (${rank} = ${rankOfValue} AND ${typedValue(key.value, value)} ${operator} ${value}))`;
}

function rankOf(value: Exclude<Scalar, null>): number {
  if (typeof value === 'number') return 1;
  return typeof value === 'string' ? 2 : 3;
}

/** The key's value as the type of `value`, compared with `value` bound as that type. */
function typedValue(key: Sql, value: Exclude<Scalar, null>): Sql {
  const { number, text, boolean } = parts(key);
  if (typeof value === 'number') return sql`${number}`;
  if (typeof value === 'string') return text;
  return boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Conditions

/** The rows `e(v)` of a jsonb value's elements (an array's, or the value itself; none for SQL NULL), for sorts. */
function elementsOf(value: Sql): Sql {
  return sql`jsonb_array_elements(CASE WHEN ${value} IS NULL THEN '[]'::jsonb
    WHEN jsonb_typeof(${value}) = 'array' THEN ${value} ELSE jsonb_build_array(${value}) END) AS e(v)`;
}

function valueOf(field: FieldPath): Sql {
  return field === '_id' ? raw('to_jsonb(doc.id)') : fieldValue(field);
}

/**
 * The field holds a scalar satisfying `condition` (an SQL/JSON path filter on `@`, reading `vars` as `$name`),
 * or is an array with such an element. Strict mode, so that neither nested arrays nor objects are looked into.
 */
function anyScalar(field: FieldPath, condition: string, vars: Record<string, Scalar>): Sql {
  const value = valueOf(field);
  const json = JSON.stringify(vars);
  return sql`(jsonb_path_exists(${value}, ${`strict $ ? (${condition})`}::jsonpath, ${json}::jsonb, TRUE)
    OR jsonb_path_exists(${value}, ${`strict $[*] ? (${condition})`}::jsonpath, ${json}::jsonb, TRUE))`;
}

/** term and terms: the field holds one of `values`, type-strictly (jsonb equality; 1 and 1.0 are one number). */
function terms(field: FieldPath, values: readonly Scalar[], declared: DeclaredFields): Sql {
  if (field === '_id') {
    return sql`doc.id = ANY(${values.filter((value) => typeof value === 'string')}::text[])`;
  }
  if (!declared.has(field)) {
    // The value itself, or an array holding it as an element (containment looks at top-level elements only).
    const value = fieldValue(field);
    const wrapped = values.map((item) => [item]);
    return sql`(${oneOf(value, values)} OR (jsonb_typeof(${value}) = 'array' AND ${value} @> ANY(${wrapped.map((item) => JSON.stringify(item))}::jsonb[])))`;
  }
  // The key holds no JSON null (so that nulls never collide in a unique index): null is looked for apart.
  const present = values.filter((value) => value !== null);
  const branches = [
    ...(present.length === 0 ? [] : [oneOf(fieldKey(field), present)]),
    ...(present.length < values.length ? [sql`${fieldValue(field)} = 'null'::jsonb`] : []),
  ];
  return balanced(branches, 'OR', FALSE);
}

/** `value` equals one of `values`: one comparison for one value, one array parameter for several. */
function oneOf(value: Sql, values: readonly Scalar[]): Sql {
  const json = values.map((item) => JSON.stringify(item));
  const [single] = json;
  return json.length === 1 && single !== undefined
    ? sql`${value} = ${single}::jsonb`
    : sql`${value} = ANY(${json}::jsonb[])`;
}

function range(filter: Range, declared: DeclaredFields): Sql {
  const bounds = (['gt', 'gte', 'lt', 'lte'] as const).filter((name) => filter[name] !== undefined);
  // The parser makes every bound the same type; the value must have it too.
  const textual = typeof (filter.gt ?? filter.gte ?? filter.lt ?? filter.lte) === 'string';
  const operators = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
  if (!textual && filter.field !== '_id' && declared.has(filter.field)) {
    // jsonb orders numbers among themselves as numbers: the index of a declared field serves a numeric range.
    // (It orders strings by the database's collation, not by code point: a string range is a path filter.)
    const key = fieldKey(filter.field);
    const compared = bounds.map(
      (name) => sql`${key} ${raw(operators[name])} ${JSON.stringify(filter[name])}::jsonb`,
    );
    return join([sql`jsonb_typeof(${key}) = 'number'`, ...compared], ' AND ');
  }
  const type = textual ? 'string' : 'number';
  const condition = [`@.type() == "${type}"`, ...bounds.map((name) => `@ ${operators[name]} $${name}`)].join(
    ' && ',
  );
  const vars: Record<string, Scalar> = {};
  for (const name of bounds) vars[name] = filter[name] ?? null;
  return anyScalar(filter.field, condition, vars);
}

/** Holds a value other than null, at any depth of its arrays and objects. */
function exists(field: FieldPath, declared: DeclaredFields): Sql {
  if (field === '_id') return TRUE;
  if (declared.has(field)) return sql`${fieldKey(field)} IS NOT NULL`;
  return sql`coalesce(jsonb_path_exists(${fieldValue(field)},
    'strict $.** ? (@.type() == "number" || @.type() == "string" || @.type() == "boolean")'), FALSE)`;
}

/** `items` joined by `operator` as a balanced tree (engines bound how deep an expression nests). */
function balanced(items: readonly Sql[], operator: 'AND' | 'OR', empty: Sql): Sql {
  return foldBalanced(items, (left, right) => sql`(${left}) ${raw(operator)} (${right})`, empty);
}
