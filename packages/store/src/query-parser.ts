/**
 * Query parser: turns the search bodies Kuzzle clients send (Elasticsearch's query DSL subset, or Koncorde
 * filters) into the Store port's query model, so adapters never see a DSL. Everything a client controls is
 * validated here: keywords, field paths, value types, paging, and the size of the query itself (QUERY_LIMITS),
 * so that no query shape reaches an engine's own limits as an engine error. Keys are read with Object.keys and
 * dispatched through Maps, never through object lookups, so `__proto__` and friends are only ever unknown names.
 */
import { tesseraError, type SearchOptions, type TesseraError } from '@tessera/plugin-sdk';
import { isPlainObject } from './is-plain-object';
import { LuceneRegexpError, readLuceneFlags, translateLuceneRegexp } from './lucene-regexp';
import { compileRegexp } from './regexp-matcher';
import type { FieldPath, Filter, Scalar, SearchQuery, SortField } from './store-adapter';

export type QueryLang = NonNullable<SearchOptions['lang']>;

export interface SearchLimits {
  /** The largest `size` a search may ask for. */
  readonly maxSize: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = Object.freeze({ maxSize: 10_000 });

/**
 * How large a query may be, whatever the engine: nesting (bool, and, or, not) as Elasticsearch bounds it, query
 * clauses in all (Elasticsearch's historical max_clause_count), and values listed by ids, terms and in (its
 * max_terms_count). Adapters compile within these bounds without reaching their engine's limits.
 */
export const QUERY_LIMITS = Object.freeze({ maxDepth: 32, maxClauses: 1024, maxValues: 65_536 });

const DEFAULT_SIZE = 10;

/** Keys that reach Object.prototype when assigned: refused in field paths and document sources alike. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const FIELD_SEGMENT = /^[A-Za-z0-9_$@-]+$/;

/** Checks a dotted field path (`a.b.c`, or `_id` for the document id); `services.storage.invalid_field_path` otherwise. */
export function assertFieldPath(path: unknown): FieldPath {
  if (typeof path !== 'string') throw tesseraError('services.storage.invalid_field_path', String(path));
  const valid = path
    .split('.')
    .every((segment) => FIELD_SEGMENT.test(segment) && !FORBIDDEN_KEYS.has(segment));
  if (!valid) throw tesseraError('services.storage.invalid_field_path', path);
  return path;
}

/** Parses a search body and its options into the adapter's SearchQuery (counting every match: `total`). */
export function parseSearch(
  body: unknown,
  options: SearchOptions = {},
  limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
): SearchQuery {
  const { query, sort, searchAfter } = readBody(body);
  const from = readCount('from', options.from, 0);
  const size = readCount('size', options.size, DEFAULT_SIZE);
  if (size > limits.maxSize) throw tesseraError('services.storage.get_limit_exceeded');
  const sortFields = parseSort(sort);
  const search = { filter: parseFilter(query, options.lang), sort: sortFields, from, size, total: true };
  if (searchAfter === undefined) return search;
  if (from !== 0) throw invalid('from', '0 with search_after: the cursor says where the page starts');
  return { ...search, after: parseSearchAfter(searchAfter, sortFields) };
}

/**
 * Parses the query of a body that carries no paging, as count and deleteByQuery take: the body's keys are
 * checked too, so a misspelt `query` is refused rather than read as "every document".
 */
export function parseBodyFilter(body: unknown, lang?: QueryLang): Filter {
  return parseFilter(readBody(body).query, lang);
}

/** Parses a query alone (a body's `query`). Absent or `{}` means every document. */
export function parseFilter(query: unknown, lang: QueryLang = 'elasticsearch'): Filter {
  if (lang !== 'elasticsearch' && lang !== 'koncorde') {
    throw invalid('lang', '"elasticsearch" or "koncorde"');
  }
  if (query === undefined || query === null) return ALL;
  return dialects[lang].parse(query);
}

// ---------------------------------------------------------------------------------------------------------
// Body, paging, sort

const BODY_KEYS: ReadonlySet<string> = new Set(['query', 'sort', 'search_after']);

function readBody(body: unknown): { query: unknown; sort: unknown; searchAfter: unknown } {
  if (body === undefined || body === null)
    return { query: undefined, sort: undefined, searchAfter: undefined };
  if (!isPlainObject(body)) throw invalid('body', 'an object {query?, sort?, search_after?}');
  for (const key of Object.keys(body)) {
    if (!BODY_KEYS.has(key)) throw tesseraError('services.storage.invalid_search_query', key);
  }
  return { query: body['query'], sort: body['sort'], searchAfter: body['search_after'] };
}

function readCount(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(name, 'a non-negative integer');
  }
  return value;
}

const SORT_FORMS =
  '"field", {"field": "asc"|"desc"}, {"field": {"order": "asc"|"desc"}} or an array of those';

/** The sort, ended with `_id` (unless it names `_id` already) so that documents never tie. */
function parseSort(sort: unknown): SortField[] {
  if (sort === undefined || sort === null) return [];
  const fields = (Array.isArray(sort) ? sort : [sort]).map(parseSortEntry);
  if (fields.length === 0 || fields.some(({ field }) => field === '_id')) return fields;
  return [...fields, { field: '_id', order: 'asc' }];
}

/** Elasticsearch's cursor: one value per sort key (the trailing `_id` may be left out). */
function parseSearchAfter(values: unknown, sort: readonly SortField[]): Scalar[] {
  const expected = 'the sort values of the last document of the previous page (null for a missing one)';
  if (sort.length === 0) throw invalid('search_after', 'a sort to page along');
  if (!Array.isArray(values) || values.length === 0 || values.length > sort.length) {
    throw invalid('search_after', `an array of 1 to ${sort.length} values: ${expected}`);
  }
  return values.map((value: unknown, i) => {
    const id = sort[i]?.field === '_id';
    if (id ? typeof value !== 'string' : !isScalar(value, true)) {
      throw invalid(`search_after[${i}]`, id ? 'a document id' : `${ES_SCALAR} or null: ${expected}`);
    }
    return value as Scalar;
  });
}

function parseSortEntry(entry: unknown): SortField {
  if (typeof entry === 'string') return { field: assertFieldPath(entry), order: 'asc' };
  if (!isPlainObject(entry)) throw invalid('sort', SORT_FORMS);
  const [field, spec] = singleEntry('sort', entry, SORT_FORMS);
  if (isPlainObject(spec)) {
    const [order] = readKeys('sort', spec, [], ['order']);
    return { field, order: readOrder(order ?? 'asc') };
  }
  return { field, order: readOrder(spec) };
}

function readOrder(order: unknown): SortField['order'] {
  if (order !== 'asc' && order !== 'desc') throw invalid('sort', SORT_FORMS);
  return order;
}

// ---------------------------------------------------------------------------------------------------------
// Dialects: one Map of clause parsers per language

/** Parses a clause's content; `sub` parses nested queries in the same language. */
type ClauseParser = (content: unknown, sub: (query: unknown) => Filter) => Filter;

class Dialect {
  constructor(
    private readonly clauses: ReadonlyMap<string, ClauseParser>,
    private readonly unknownKeyword:
      'services.storage.unknown_query_keyword' | 'api.assert.koncorde_unknown_keyword',
    /** Keywords of the language that we do not serve: refused as unsupported, not as unknown. */
    private readonly unsupported: (keyword: string) => TesseraError | null,
  ) {}

  parse(query: unknown): Filter {
    const filter = this.parseAt(query, 1, { clauses: 0 });
    countValues(filter);
    return filter;
  }

  private parseAt(query: unknown, depth: number, seen: { clauses: number }): Filter {
    if (depth > QUERY_LIMITS.maxDepth) tooComplex(`more than ${QUERY_LIMITS.maxDepth} nested levels`);
    if (!isPlainObject(query)) throw invalid('query', 'an object');
    const keywords = Object.keys(query);
    if (keywords.length === 0) return ALL;
    const [keyword] = keywords;
    if (keywords.length > 1 || keyword === undefined) {
      throw invalid('query', `a single keyword per query object, got "${keywords.join('", "')}"`);
    }
    const clause = this.clauses.get(keyword);
    if (clause === undefined) throw this.unsupported(keyword) ?? tesseraError(this.unknownKeyword, keyword);
    seen.clauses += 1;
    if (seen.clauses > QUERY_LIMITS.maxClauses) tooComplex(`more than ${QUERY_LIMITS.maxClauses} clauses`);
    return clause(query[keyword], (sub) => this.parseAt(sub, depth + 1, seen));
  }
}

function tooComplex(reason: string): never {
  throw tesseraError('services.storage.query_too_complex', reason);
}

/** Refuses a query listing more values (ids, terms, in) than QUERY_LIMITS allows, all clauses together. */
function countValues(filter: Filter): void {
  let values = 0;
  const pending = [filter];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.kind === 'ids' || next.kind === 'terms') values += next.values.length;
    else if (next.kind === 'and' || next.kind === 'or') pending.push(...next.filters);
    else if (next.kind === 'not') pending.push(next.filter);
  }
  if (values > QUERY_LIMITS.maxValues) tooComplex(`more than ${QUERY_LIMITS.maxValues} values listed`);
}

const ALL: Filter = Object.freeze({ kind: 'all' });

function and(filters: Filter[]): Filter {
  if (filters.length === 1 && filters[0] !== undefined) return filters[0];
  return filters.length === 0 ? ALL : { kind: 'and', filters };
}

function or(filters: Filter[]): Filter {
  // An empty `or` matches nothing, which is what an unsatisfiable `should` means.
  return filters.length === 1 && filters[0] !== undefined ? filters[0] : { kind: 'or', filters };
}

const ids: ClauseParser = (content) => {
  const [values] = readKeys('ids', content, ['values'], []);
  if (!Array.isArray(values) || !values.every((v): v is string => typeof v === 'string')) {
    throw invalid('ids', '{"values": [<id>, ...]} with string ids');
  }
  return { kind: 'ids', values };
};

const range: ClauseParser = (content) => {
  const expected =
    '{"<field>": {"gt"|"gte"|"lt"|"lte": <number|string>, ...}}, bounds all numbers or all strings';
  const [field, bounds] = singleEntry('range', content, expected);
  // Elasticsearch reads a null bound as no bound (the admin console sends `{gt: null, lt: 5}`).
  const [gt, gte, lt, lte] = readKeys('range', bounds, [], ['gt', 'gte', 'lt', 'lte']).map((bound) =>
    bound === null ? undefined : bound,
  );
  const given = [gt, gte, lt, lte].filter((bound) => bound !== undefined);
  const sameType = given.every((b) => typeof b === typeof given[0]);
  const typed = given.every((b) => typeof b === 'string' || (typeof b === 'number' && Number.isFinite(b)));
  if (given.length === 0 || !sameType || !typed) throw invalid(`range.${field}`, expected);
  const filter: { -readonly [K in keyof RangeFilter]: RangeFilter[K] } = { kind: 'range', field };
  if (gt !== undefined) filter.gt = gt as number | string;
  if (gte !== undefined) filter.gte = gte as number | string;
  if (lt !== undefined) filter.lt = lt as number | string;
  if (lte !== undefined) filter.lte = lte as number | string;
  return filter;
};

type RangeFilter = Extract<Filter, { kind: 'range' }>;

const BOOL_CLAUSES = ['must', 'filter', 'should', 'must_not'] as const;

/**
 * Elasticsearch's bool. `should` is required (at least one) only when it stands without must/filter, or when
 * `minimum_should_match` says 1: the default is 0 as soon as must or filter is present.
 */
const bool: ClauseParser = (content, sub) => {
  const [must, filter, should, mustNot, minimumShouldMatch] = readKeys(
    'bool',
    content,
    [],
    [...BOOL_CLAUSES, 'minimum_should_match'],
  );
  const list = (name: string, clauses: unknown): Filter[] => {
    if (clauses === undefined) return [];
    if (Array.isArray(clauses)) return clauses.map(sub);
    if (isPlainObject(clauses)) return [sub(clauses)];
    throw invalid(`bool.${name}`, 'a query object or an array of query objects');
  };
  const required = [...list('must', must), ...list('filter', filter)];
  const optional = list('should', should);
  const excluded = list('must_not', mustNot);
  const atLeastOne = readMinimumShouldMatch(minimumShouldMatch, optional.length > 0 && required.length === 0);
  const all = [...required];
  if (atLeastOne) all.push(or(optional));
  if (excluded.length > 0) all.push({ kind: 'not', filter: or(excluded) });
  return and(all);
};

function readMinimumShouldMatch(value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 0 || value === '0') return false;
  if (value === 1 || value === '1') return true;
  throw invalid('bool.minimum_should_match', '0 or 1');
}

const shared: [string, ClauseParser][] = [
  ['ids', ids],
  ['range', range],
  ['bool', bool],
];

// --- Elasticsearch

const ES_SCALAR = 'a string, a finite number or a boolean';

const term: ClauseParser = (content) => {
  const [field, value] = singleEntry('term', content, '{"<field>": <value> | {"value": <value>}}');
  return { kind: 'term', field, value: readScalar(`term.${field}`, unwrap('term', value, 'value'), false) };
};

const terms: ClauseParser = (content) => {
  const [field, values] = singleEntry('terms', content, '{"<field>": [<value>, ...]}');
  return { kind: 'terms', field, values: readScalars(`terms.${field}`, values, false) };
};

const match: ClauseParser = (content) => {
  const [field, value] = singleEntry('match', content, '{"<field>": <text> | {"query": <text>}}');
  return { kind: 'match', field, value: readString(`match.${field}`, unwrap('match', value, 'query')) };
};

/**
 * match_phrase and match_phrase_prefix: with no analyzer, both read as our `match` (the text, contained in any
 * case), which holds wherever Elasticsearch's phrase would on a standard-analyzed field, and on some more.
 */
function phrase(keyword: string, options: readonly string[]): ClauseParser {
  return (content) => {
    const [field, value] = singleEntry(keyword, content, '{"<field>": <text> | {"query": <text>}}');
    const query = isPlainObject(value) ? readKeys(keyword, value, ['query'], options)[0] : value;
    return { kind: 'match', field, value: readString(`${keyword}.${field}`, query) };
  };
}

const MULTI_MATCH_TYPES: ReadonlySet<unknown> = new Set([
  'best_fields',
  'most_fields',
  'cross_fields',
  'phrase',
  'phrase_prefix',
  'bool_prefix',
]);

/**
 * multi_match: `match` on each field listed (a `^boost` suffix is accepted and has no effect: we do not
 * score), or on every field for `"*"`, for an empty list, or without `fields`, as Elasticsearch's default
 * field `*` does. Every `type` reads as match does; field patterns other than `"*"` are refused.
 */
const multiMatch: ClauseParser = (content) => {
  const [query, fields, type] = readKeys(
    'multi_match',
    content,
    ['query'],
    ['fields', 'type', 'max_expansions', 'lenient'],
  );
  const value = readString('multi_match.query', query);
  if (type !== undefined && !MULTI_MATCH_TYPES.has(type)) {
    throw invalid('multi_match.type', [...MULTI_MATCH_TYPES].map((t) => `"${String(t)}"`).join(', '));
  }
  if (fields === undefined) return { kind: 'matchAnyField', value };
  if (!Array.isArray(fields) || !fields.every((f): f is string => typeof f === 'string')) {
    throw invalid('multi_match.fields', 'an array of field names');
  }
  const names = fields.map((field) => field.replace(/\^[0-9]+(\.[0-9]+)?$/, ''));
  if (names.length === 0 || names.includes('*')) return { kind: 'matchAnyField', value };
  return or(names.map((field) => ({ kind: 'match', field: multiMatchField(field), value })));
};

function multiMatchField(field: string): FieldPath {
  if (field.includes('*')) throw invalid('multi_match.fields', 'field names, or "*" for every field');
  return assertFieldPath(field);
}

/**
 * regexp, in Lucene's syntax as Elasticsearch takes it: the whole value matches. Translated here once
 * (lucene-regexp.ts) and compiled with RE2, so a pattern no engine could run safely never reaches one.
 */
const regexp: ClauseParser = (content) => {
  const expected =
    '{"<field>": <regular expression> | {"value": <regular expression>, "flags"?, "case_insensitive"?}}';
  const [field, spec] = singleEntry('regexp', content, expected);
  const argument = `regexp.${field}`;
  const [value, flags, caseInsensitive] = isPlainObject(spec)
    ? readKeys('regexp', spec, ['value'], ['flags', 'case_insensitive', 'max_determinized_states'])
    : [spec, undefined, undefined];
  const source = readString(argument, value);
  if (flags !== undefined && typeof flags !== 'string') throw invalid(`${argument}.flags`, 'a string');
  const operators = readLuceneFlags(flags ?? 'ALL');
  if (operators === null) {
    throw invalid(
      `${argument}.flags`,
      '"ALL", "NONE" or ANYSTRING, COMPLEMENT, EMPTY, INTERSECTION, INTERVAL joined by "|"',
    );
  }
  if (caseInsensitive !== undefined && typeof caseInsensitive !== 'boolean') {
    throw invalid(`${argument}.case_insensitive`, 'a boolean');
  }
  let pattern: string | null;
  try {
    pattern = translateLuceneRegexp(source, operators);
  } catch (error) {
    if (error instanceof LuceneRegexpError) throw invalid(argument, `a regular expression: ${error.message}`);
    throw error;
  }
  // Lucene's `#` can make the whole expression match no string: a query that matches nothing.
  if (pattern === null) return or([]);
  try {
    compileRegexp(pattern, caseInsensitive === true);
  } catch (error) {
    tooComplex(
      `a regular expression RE2 refuses (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return { kind: 'regexp', field, pattern, caseInsensitive: caseInsensitive === true };
};

const matchNone: ClauseParser = (content) => {
  if (!isPlainObject(content)) throw invalid('match_none', '{}');
  return or([]);
};

const prefix: ClauseParser = (content) => {
  const [field, value] = singleEntry('prefix', content, '{"<field>": <text> | {"value": <text>}}');
  return { kind: 'prefix', field, value: readString(`prefix.${field}`, unwrap('prefix', value, 'value')) };
};

const esExists: ClauseParser = (content) => {
  const [field] = readKeys('exists', content, ['field'], []);
  return { kind: 'exists', field: assertFieldPath(field) };
};

const matchAll: ClauseParser = (content) => {
  if (!isPlainObject(content)) throw invalid('match_all', '{}');
  return ALL;
};

// --- Koncorde

const equals: ClauseParser = (content) => {
  const [field, value] = singleEntry('equals', content, '{"<field>": <value>}');
  return { kind: 'term', field, value: readScalar(`equals.${field}`, value, true) };
};

const koncordeIn: ClauseParser = (content) => {
  const [field, values] = singleEntry('in', content, '{"<field>": [<value>, ...]}');
  const scalars = readScalars(`in.${field}`, values, true);
  if (scalars.length === 0) throw invalid(`in.${field}`, 'a non-empty array');
  return { kind: 'terms', field, values: scalars };
};

/** Koncorde accepts both `{exists: "field"}` and `{exists: {field: "field"}}`. */
function koncordeField(keyword: string, content: unknown): FieldPath {
  if (typeof content === 'string') return assertFieldPath(content);
  const [field] = readKeys(keyword, content, ['field'], []);
  return assertFieldPath(field);
}

const koncordeExists: ClauseParser = (content) => ({
  kind: 'exists',
  field: koncordeField('exists', content),
});

const missing: ClauseParser = (content) => ({
  kind: 'not',
  filter: { kind: 'exists', field: koncordeField('missing', content) },
});

function koncordeList(keyword: string, content: unknown, sub: (query: unknown) => Filter): Filter[] {
  if (!Array.isArray(content) || content.length === 0) throw invalid(keyword, 'a non-empty array of filters');
  return content.map(sub);
}

const koncordeAnd: ClauseParser = (content, sub) => ({
  kind: 'and',
  filters: koncordeList('and', content, sub),
});
const koncordeOr: ClauseParser = (content, sub) => ({
  kind: 'or',
  filters: koncordeList('or', content, sub),
});

const not: ClauseParser = (content, sub) => {
  if (!isPlainObject(content)) throw invalid('not', 'a filter object');
  return { kind: 'not', filter: sub(content) };
};

/**
 * Query keywords of Elasticsearch's DSL (8.x) that we do not serve (besides span_*): scoring, joins, geo, text
 * analysis and vectors, which need what a document store without Elasticsearch's indexes does not have.
 */
const ES_UNSUPPORTED: ReadonlySet<string> = new Set([
  'boosting',
  'combined_fields',
  'common',
  'constant_score',
  'dis_max',
  'distance_feature',
  'function_score',
  'fuzzy',
  'geo_bounding_box',
  'geo_distance',
  'geo_grid',
  'geo_polygon',
  'geo_shape',
  'has_child',
  'has_parent',
  'intervals',
  'knn',
  'match_bool_prefix',
  'more_like_this',
  'nested',
  'parent_id',
  'percolate',
  'pinned',
  'query_string',
  'rank_feature',
  'rule',
  'script',
  'script_score',
  'semantic',
  'shape',
  'simple_query_string',
  'sparse_vector',
  'terms_set',
  'text_expansion',
  'type',
  'weighted_tokens',
  'wildcard',
  'wrapper',
]);

/** Koncorde keywords a search does not take (Kuzzle refuses them too, with the same error). */
const KONCORDE_UNSUPPORTED: ReadonlySet<string> = new Set([
  'geoBoundingBox',
  'geoDistance',
  'geoDistanceRange',
  'geoPolygon',
  'match',
  'nothing',
  'select',
]);

const dialects: Record<QueryLang, Dialect> = {
  elasticsearch: new Dialect(
    new Map([
      ...shared,
      ['match_all', matchAll],
      ['term', term],
      ['terms', terms],
      ['match', match],
      ['prefix', prefix],
      ['exists', esExists],
      ['match_none', matchNone],
      ['match_phrase', phrase('match_phrase', ['slop'])],
      ['match_phrase_prefix', phrase('match_phrase_prefix', ['slop', 'max_expansions'])],
      ['multi_match', multiMatch],
      ['regexp', regexp],
    ]),
    'services.storage.unknown_query_keyword',
    (keyword) =>
      ES_UNSUPPORTED.has(keyword) || keyword.startsWith('span_')
        ? tesseraError('services.storage.unsupported_query_keyword', keyword)
        : null,
  ),
  koncorde: new Dialect(
    new Map([
      ...shared,
      ['equals', equals],
      ['in', koncordeIn],
      ['exists', koncordeExists],
      ['missing', missing],
      ['and', koncordeAnd],
      ['or', koncordeOr],
      ['not', not],
      // Kuzzle hands a Koncorde clause it does not translate to Elasticsearch as it is: regexp is ES's.
      ['regexp', regexp],
    ]),
    'api.assert.koncorde_unknown_keyword',
    (keyword) =>
      KONCORDE_UNSUPPORTED.has(keyword)
        ? tesseraError('api.assert.koncorde_restricted_keyword', 'keyword', keyword)
        : null,
  ),
};

// ---------------------------------------------------------------------------------------------------------
// Clause content readers

function invalid(argument: string, expected: string): TesseraError {
  return tesseraError('api.assert.invalid_argument', argument, expected);
}

/** `{"<field>": <value>}` with exactly one field, as term, range, sort... take. */
function singleEntry(keyword: string, content: unknown, expected: string): [FieldPath, unknown] {
  if (!isPlainObject(content)) throw invalid(keyword, expected);
  const fields = Object.keys(content);
  const [field] = fields;
  if (fields.length !== 1 || field === undefined) throw invalid(keyword, `exactly one field: ${expected}`);
  return [assertFieldPath(field), content[field]];
}

/**
 * Reads an object's keys in the given order (required ones first), refusing missing required keys and any
 * key not listed.
 */
function readKeys(
  keyword: string,
  content: unknown,
  required: readonly string[],
  optional: readonly string[],
) {
  const accepted = [...required, ...optional];
  const expected = `an object with ${accepted.map((k) => `"${k}"`).join(', ')}`;
  if (!isPlainObject(content)) throw invalid(keyword, expected);
  for (const key of Object.keys(content)) {
    if (!accepted.includes(key))
      throw invalid(`${keyword}.${key}`, `only ${accepted.join(', ')} in ${keyword}`);
  }
  for (const key of required) {
    if (!Object.hasOwn(content, key)) throw tesseraError('api.assert.missing_argument', `${keyword}.${key}`);
  }
  return accepted.map((key) => (Object.hasOwn(content, key) ? content[key] : undefined));
}

/** ES's long form `{"value": x}` (or `{"query": x}` for match) next to the short form `x`. */
function unwrap(keyword: string, value: unknown, key: string): unknown {
  return isPlainObject(value) ? readKeys(keyword, value, [key], [])[0] : value;
}

function isScalar(value: unknown, nullable: boolean): value is Scalar {
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return nullable && value === null;
}

function readScalar(argument: string, value: unknown, nullable: boolean): Scalar {
  if (isScalar(value, nullable)) return value;
  throw invalid(argument, nullable ? `${ES_SCALAR} or null` : ES_SCALAR);
}

function readScalars(argument: string, values: unknown, nullable: boolean): Scalar[] {
  if (!Array.isArray(values)) throw invalid(argument, 'an array of values');
  return values.map((value) => readScalar(argument, value, nullable));
}

function readString(argument: string, value: unknown): string {
  if (typeof value !== 'string') throw invalid(argument, 'a string');
  return value;
}
