import {
  DEFAULT_SEARCH_LIMITS,
  QUERY_LIMITS,
  assertFieldPath,
  parseBodyFilter,
  parseFilter,
  parseSearch,
} from '@tessera/store';
import { isTesseraError, type ErrorId } from '@tessera/plugin-sdk';

/** The error `action` throws, checked to be the catalog error `id`. */
function thrown(action: () => unknown, id: ErrorId): { message: string; props: string[] } {
  try {
    action();
  } catch (error) {
    expect(isTesseraError(error) ? error.id : error).toBe(id);
    return error as { message: string; props: string[] };
  }
  throw new Error(`expected ${id}, nothing was thrown`);
}

describe('parseSearch', () => {
  it('defaults to every document, no sort, from 0 and size 10', () => {
    const everything = { filter: { kind: 'all' }, sort: [], from: 0, size: 10, total: true };
    expect(parseSearch(undefined)).toEqual(everything);
    expect(parseSearch({}, {})).toEqual(everything);
    expect(parseSearch({ query: {} }).filter).toEqual({ kind: 'all' });
  });

  it('reads every sort form, in order, and ends a sort with _id unless it names _id', () => {
    const { sort } = parseSearch({
      sort: ['name', { age: 'desc' }, { 'a.b': { order: 'asc' } }, { _id: {} }],
    });
    expect(sort).toEqual([
      { field: 'name', order: 'asc' },
      { field: 'age', order: 'desc' },
      { field: 'a.b', order: 'asc' },
      { field: '_id', order: 'asc' },
    ]);
    expect(parseSearch({ sort: { age: 'desc' } }).sort).toEqual([
      { field: 'age', order: 'desc' },
      { field: '_id', order: 'asc' },
    ]);
    expect(parseSearch({ sort: [{ _id: 'desc' }, 'age'] }).sort).toEqual([
      { field: '_id', order: 'desc' },
      { field: 'age', order: 'asc' },
    ]);
    expect(parseSearch({ sort: [] }).sort).toEqual([]);
  });

  it('reads search_after as a cursor along the sort, its _id optional', () => {
    const sort = [{ age: 'desc' }, 'name'];
    expect(parseSearch({ sort, search_after: [36, null, 'ada'] })).toMatchObject({
      sort: [
        { field: 'age', order: 'desc' },
        { field: 'name', order: 'asc' },
        { field: '_id', order: 'asc' },
      ],
      after: [36, null, 'ada'],
    });
    expect(parseSearch({ sort, search_after: [true] }).after).toEqual([true]);
  });

  it.each([
    ['without a sort', { search_after: ['a'] }, {}, 'search_after'],
    ['empty', { sort: 'a', search_after: [] }, {}, 'search_after'],
    ['longer than the sort and _id', { sort: 'a', search_after: [1, 'x', 'y'] }, {}, 'search_after'],
    ['holding an object', { sort: 'a', search_after: [{}] }, {}, 'search_after[0]'],
    ['with a number for _id', { sort: 'a', search_after: [1, 2] }, {}, 'search_after[1]'],
    ['not an array', { sort: 'a', search_after: 'x' }, {}, 'search_after'],
    ['with from', { sort: 'a', search_after: [1] }, { from: 10 }, 'from'],
  ])('refuses a search_after %s', (_, body, options, argument) => {
    const error = thrown(() => parseSearch(body, options), 'api.assert.invalid_argument');
    expect(error.message).toContain(`"${argument}"`);
  });

  it('takes from and size, up to the configured limit', () => {
    expect(parseSearch({}, { from: 5, size: 0 })).toMatchObject({ from: 5, size: 0 });
    expect(parseSearch({}, { size: DEFAULT_SEARCH_LIMITS.maxSize }).size).toBe(10_000);
    expect(parseSearch({}, { size: 50 }, { maxSize: 50 }).size).toBe(50);
    thrown(() => parseSearch({}, { size: 10_001 }), 'services.storage.get_limit_exceeded');
    thrown(() => parseSearch({}, { size: 51 }, { maxSize: 50 }), 'services.storage.get_limit_exceeded');
  });

  it.each([
    ['from', { from: -1 }],
    ['from', { from: 0.5 }],
    ['size', { size: -3 }],
    ['size', { size: Number.NaN }],
    ['size', { size: '10' }],
  ])('refuses an invalid %s', (name, options) => {
    const error = thrown(() => parseSearch({}, options as never), 'api.assert.invalid_argument');
    expect(error.message).toBe(`Invalid argument "${name}". Expected: a non-negative integer`);
  });

  it('refuses body keys other than query, sort and search_after', () => {
    const error = thrown(() => parseSearch({ query: {}, aggs: {} }), 'services.storage.invalid_search_query');
    expect(error.message).toBe('The argument "aggs" is not allowed at this level of a search query.');
    thrown(() => parseSearch('query'), 'api.assert.invalid_argument');
    thrown(() => parseSearch([]), 'api.assert.invalid_argument');
  });

  it.each([
    [{ a: 'up' }, 'api.assert.invalid_argument'],
    [{ a: 'ASC' }, 'api.assert.invalid_argument'],
    [{ a: 'asc', b: 'desc' }, 'api.assert.invalid_argument'],
    [{ a: { order: 'desc', missing: '_first' } }, 'api.assert.invalid_argument'],
    [[42], 'api.assert.invalid_argument'],
    ['a..b', 'services.storage.invalid_field_path'],
    [{ 'a.__proto__': 'asc' }, 'services.storage.invalid_field_path'],
  ] as const)('refuses the sort %j', (sort, id) => {
    thrown(() => parseSearch({ sort }), id);
  });

  it('refuses an unknown lang', () => {
    const error = thrown(() => parseSearch({}, { lang: 'sql' as never }), 'api.assert.invalid_argument');
    expect(error.message).toBe('Invalid argument "lang". Expected: "elasticsearch" or "koncorde"');
  });
});

describe('parseFilter (elasticsearch)', () => {
  it('builds the query model', () => {
    expect(
      parseFilter({
        bool: {
          must: { term: { 'a.b': { value: 1 } } },
          filter: [{ range: { n: { gte: 1, lt: 5 } } }, { ids: { values: ['x'] } }],
          must_not: [{ exists: { field: 'c' } }, { prefix: { d: 'p' } }],
          should: { match: { e: 'text' } },
        },
      }),
    ).toEqual({
      kind: 'and',
      filters: [
        { kind: 'term', field: 'a.b', value: 1 },
        { kind: 'range', field: 'n', gte: 1, lt: 5 },
        { kind: 'ids', values: ['x'] },
        {
          kind: 'not',
          filter: {
            kind: 'or',
            filters: [
              { kind: 'exists', field: 'c' },
              { kind: 'prefix', field: 'd', value: 'p' },
            ],
          },
        },
      ],
    });
  });

  it('requires should alone, or with minimum_should_match 1', () => {
    const should = { term: { a: 1 } };
    expect(parseFilter({ bool: { should: [should] } })).toEqual({ kind: 'term', field: 'a', value: 1 });
    expect(parseFilter({ bool: { must: { match_all: {} }, should } })).toEqual({ kind: 'all' });
    expect(parseFilter({ bool: { filter: [], should, minimum_should_match: 1 } })).toEqual({
      kind: 'term',
      field: 'a',
      value: 1,
    });
    expect(parseFilter({ bool: { should, minimum_should_match: '0' } })).toEqual({ kind: 'all' });
    expect(parseFilter({ bool: { minimum_should_match: 1 } })).toEqual({ kind: 'or', filters: [] });
  });

  it('reads terms, match long forms and _id', () => {
    expect(parseFilter({ terms: { _id: ['a', 'b'] } })).toEqual({
      kind: 'terms',
      field: '_id',
      values: ['a', 'b'],
    });
    expect(parseFilter({ match: { t: { query: 'x' } } })).toEqual({ kind: 'match', field: 't', value: 'x' });
    expect(parseFilter({ prefix: { _id: { value: 'a' } } })).toEqual({
      kind: 'prefix',
      field: '_id',
      value: 'a',
    });
  });

  it.each([
    [
      'nope',
      'The keyword "nope" is not part of Elasticsearch Query DSL. Are you trying to use a Koncorde query?',
    ],
    [
      'equals',
      'The keyword "equals" is not part of Elasticsearch Query DSL. Are you trying to use a Koncorde query?',
    ],
    [
      '__proto__',
      'The keyword "__proto__" is not part of Elasticsearch Query DSL. Are you trying to use a Koncorde query?',
    ],
    [
      'constructor',
      'The keyword "constructor" is not part of Elasticsearch Query DSL. Are you trying to use a Koncorde query?',
    ],
  ])('refuses the unknown keyword %s', (keyword, message) => {
    const error = thrown(
      () => parseFilter(JSON.parse(`{"${keyword}": {}}`)),
      'services.storage.unknown_query_keyword',
    );
    expect(error.message).toBe(message);
  });

  it.each(['wildcard', 'query_string', 'fuzzy', 'nested', 'span_term'])(
    'refuses %s, a keyword of the DSL we do not support, as unsupported',
    (keyword) => {
      const error = thrown(
        () => parseFilter(JSON.parse(`{"${keyword}": {}}`)),
        'services.storage.unsupported_query_keyword',
      );
      expect(error.message).toBe(
        `The keyword "${keyword}" of Elasticsearch Query DSL is not supported by this server.`,
      );
    },
  );

  it('reads the full-text queries as a case-insensitive substring, on one field or every field', () => {
    expect(parseFilter({ match_phrase_prefix: { t: { query: 'x', max_expansions: 5 } } })).toEqual({
      kind: 'match',
      field: 't',
      value: 'x',
    });
    expect(parseFilter({ multi_match: { query: 'x', type: 'phrase_prefix', fields: ['*'] } })).toEqual({
      kind: 'matchAnyField',
      value: 'x',
    });
    expect(parseFilter({ multi_match: { query: 'x', fields: ['a^3', 'b.c'] } })).toEqual({
      kind: 'or',
      filters: [
        { kind: 'match', field: 'a', value: 'x' },
        { kind: 'match', field: 'b.c', value: 'x' },
      ],
    });
    thrown(() => parseFilter({ multi_match: { query: 'x', type: 'fuzzy' } }), 'api.assert.invalid_argument');
    thrown(() => parseFilter({ multi_match: { fields: ['a'] } }), 'api.assert.missing_argument');
  });

  it.each([
    ['a.c', 'a.c'],
    ['"a.c"', 'a\\.c'],
    ['[^a-c]+|x{2,3}', '[^a-c]+|x{2,3}'],
    ['a**', '(?:a*)*'],
    ['(ab)?c', '(?:ab)?c'],
    ['x@', 'x.*'],
    ['\\d\\W', '[0-9][^a-zA-Z0-9_]'],
    ['^$', '\\^\\$'],
    ['[\\]-]', '[\\]\\-]'],
    ['(a|b)c', '(?:a|b)c'],
    ['()x', 'x'],
  ])('translates the Lucene regexp %s into the RE2/PostgreSQL pattern %s', (source, pattern) => {
    expect(parseFilter({ regexp: { f: source } })).toEqual({
      kind: 'regexp',
      field: 'f',
      pattern,
      caseInsensitive: false,
    });
  });

  it('finds unknown keywords nested in bool', () => {
    thrown(() => parseFilter({ bool: { must: [{ nope: {} }] } }), 'services.storage.unknown_query_keyword');
  });

  it.each([
    [{ term: {} }, 'term'],
    [{ term: { a: 1, b: 2 } }, 'term'],
    [{ term: { a: [1] } }, 'term.a'],
    [{ term: { a: null } }, 'term.a'],
    [{ term: { a: { value: 1, boost: 2 } } }, 'term.boost'],
    [{ term: { a: { val: 1 } } }, 'term.val'],
    [{ terms: { a: 'x' } }, 'terms.a'],
    [{ terms: { a: [{}] } }, 'terms.a'],
    [{ match: { a: 1 } }, 'match.a'],
    [{ prefix: { a: true } }, 'prefix.a'],
    [{ range: { a: {} } }, 'range.a'],
    [{ range: { a: { gt: 1, lt: 'z' } } }, 'range.a'],
    [{ range: { a: { gt: true } } }, 'range.a'],
    [{ range: { a: { from: 1 } } }, 'range.from'],
    [{ ids: { values: 'a' } }, 'ids'],
    [{ ids: { values: [1] } }, 'ids'],
    [{ exists: { field: 'a', boost: 1 } }, 'exists.boost'],
    [{ bool: { must: 'x' } }, 'bool.must'],
    [{ bool: { must_not: [1] } }, 'query'],
    [{ bool: { should: [], minimum_should_match: 2 } }, 'bool.minimum_should_match'],
    [{ bool: { whatever: [] } }, 'bool.whatever'],
    [{ match_all: [] }, 'match_all'],
    [{ term: { a: 1 }, match_all: {} }, 'query'],
  ])('refuses the malformed clause %j, naming %s', (query, argument) => {
    const error = thrown(() => parseFilter(query), 'api.assert.invalid_argument');
    expect(error.props[0]).toBe(argument);
    expect(error.message).toMatch(
      new RegExp(`^Invalid argument "${argument.replace('.', '\\.')}"\\. Expected: .+`),
    );
  });

  it('explains what a clause expects', () => {
    expect(thrown(() => parseFilter({ term: { a: [1] } }), 'api.assert.invalid_argument').message).toBe(
      'Invalid argument "term.a". Expected: a string, a finite number or a boolean',
    );
    expect(thrown(() => parseFilter({ term: { a: 1, b: 2 } }), 'api.assert.invalid_argument').message).toBe(
      'Invalid argument "term". Expected: exactly one field: {"<field>": <value> | {"value": <value>}}',
    );
    expect(thrown(() => parseFilter({ term: 1, match_all: {} }), 'api.assert.invalid_argument').message).toBe(
      'Invalid argument "query". Expected: a single keyword per query object, got "term", "match_all"',
    );
  });

  it('says which argument is missing', () => {
    const error = thrown(() => parseFilter({ exists: {} }), 'api.assert.missing_argument');
    expect(error.message).toBe('Missing argument "exists.field".');
    thrown(() => parseFilter({ ids: {} }), 'api.assert.missing_argument');
  });

  it.each(['', 'a..b', '.a', 'a.', 'a b', 'a"b', '__proto__', 'a.constructor', 'prototype.x', 'é'])(
    'refuses the field path %j',
    (field) => {
      const error = thrown(
        () => parseFilter({ term: { [field]: 1 } }),
        'services.storage.invalid_field_path',
      );
      expect(error.message).toBe(`Invalid field path "${field}".`);
      thrown(() => parseFilter({ exists: { field } }), 'services.storage.invalid_field_path');
    },
  );

  it('refuses a query that is not an object', () => {
    thrown(() => parseFilter('a:1'), 'api.assert.invalid_argument');
    thrown(() => parseFilter([{ match_all: {} }]), 'api.assert.invalid_argument');
  });

  it('never touches Object.prototype, whatever the keys', () => {
    const attempts = [
      '{"__proto__": {"polluted": 1}}',
      '{"bool": {"__proto__": {"polluted": 1}}}',
      '{"term": {"__proto__": {"polluted": 1}}}',
      '{"range": {"a": {"__proto__": {"polluted": 1}}}}',
    ];
    for (const json of attempts) {
      expect(() => parseFilter(JSON.parse(json))).toThrow();
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('parseFilter (koncorde)', () => {
  it('builds the query model', () => {
    expect(
      parseFilter(
        {
          and: [
            { equals: { a: null } },
            { in: { b: ['x', 2] } },
            { or: [{ exists: 'c' }, { missing: { field: 'd' } }] },
            { not: { range: { e: { lte: 'm' } } } },
          ],
        },
        'koncorde',
      ),
    ).toEqual({
      kind: 'and',
      filters: [
        { kind: 'term', field: 'a', value: null },
        { kind: 'terms', field: 'b', values: ['x', 2] },
        {
          kind: 'or',
          filters: [
            { kind: 'exists', field: 'c' },
            { kind: 'not', filter: { kind: 'exists', field: 'd' } },
          ],
        },
        { kind: 'not', filter: { kind: 'range', field: 'e', lte: 'm' } },
      ],
    });
    expect(parseFilter({}, 'koncorde')).toEqual({ kind: 'all' });
  });

  it.each(['geoBoundingBox', 'geoDistance', 'nothing', 'select', 'match'])(
    'refuses %s, a keyword searches do not take, as Kuzzle does',
    (keyword) => {
      const error = thrown(
        () => parseFilter(JSON.parse(`{"${keyword}": {}}`), 'koncorde'),
        'api.assert.koncorde_restricted_keyword',
      );
      expect(error.message).toBe(
        `The keyword "${keyword}" of Koncorde DSL is not supported for search queries.`,
      );
    },
  );

  it.each(['term', 'match_all', '__proto__'])('refuses the unknown keyword %s', (keyword) => {
    const error = thrown(
      () => parseFilter(JSON.parse(`{"${keyword}": {}}`), 'koncorde'),
      'api.assert.koncorde_unknown_keyword',
    );
    expect(error.message).toBe(
      `The keyword "${keyword}" is not part of Koncorde filters DSL keywords. Are you trying to use an Elasticsearch query?`,
    );
  });

  it.each([
    [{ equals: { a: [1] } }, 'equals.a'],
    [{ equals: { a: {} } }, 'equals.a'],
    [{ in: { a: [] } }, 'in.a'],
    [{ in: { a: 'x' } }, 'in.a'],
    [{ and: [] }, 'and'],
    [{ or: {} }, 'or'],
    [{ not: [] }, 'not'],
    [{ exists: 1 }, 'exists'],
    [{ missing: { name: 'a' } }, 'missing.name'],
  ])('refuses the malformed filter %j, naming %s', (query, argument) => {
    expect(thrown(() => parseFilter(query, 'koncorde'), 'api.assert.invalid_argument').props[0]).toBe(
      argument,
    );
  });
});

describe('query limits', () => {
  const nested = (keyword: string, depth: number, leaf: object): object => {
    let query: object = leaf;
    for (let i = 1; i < depth; i++) query = { [keyword]: keyword === 'not' ? query : [query] };
    return query;
  };
  const leaf = { equals: { a: 1 } };

  it('accepts queries at the limits: depth, clauses and listed values', () => {
    expect(() => parseFilter(nested('not', QUERY_LIMITS.maxDepth, leaf), 'koncorde')).not.toThrow();
    const wide = Array.from({ length: QUERY_LIMITS.maxClauses - 1 }, (_, n) => ({ equals: { a: n } }));
    expect(parseFilter({ or: wide }, 'koncorde')).toMatchObject({ kind: 'or' });
    const values = Array.from({ length: QUERY_LIMITS.maxValues }, (_, n) => n);
    expect(parseFilter({ terms: { a: values } })).toMatchObject({ kind: 'terms' });
  });

  it.each([
    ['1,100 nested nots', () => parseFilter(nested('not', 1100, leaf), 'koncorde'), 'nested levels'],
    [
      'one level too deep',
      () => parseFilter(nested('and', QUERY_LIMITS.maxDepth + 1, leaf), 'koncorde'),
      'nested levels',
    ],
    [
      'bools nested too deep',
      () => {
        let query: object = { term: { a: 1 } };
        for (let i = 0; i < QUERY_LIMITS.maxDepth; i++) query = { bool: { must: [query] } };
        return parseFilter(query);
      },
      'nested levels',
    ],
    [
      'one clause too many',
      () => parseFilter({ or: Array.from({ length: QUERY_LIMITS.maxClauses }, () => leaf) }, 'koncorde'),
      'clauses',
    ],
    [
      'too many values over several clauses',
      () =>
        parseFilter({
          bool: {
            should: [
              { terms: { a: Array.from({ length: QUERY_LIMITS.maxValues }, (_, n) => n) } },
              { ids: { values: ['one more'] } },
            ],
          },
        }),
      'values',
    ],
  ])('refuses %s with a clear 400', (_, parse, reason) => {
    const error = thrown(parse, 'services.storage.query_too_complex');
    expect(error.message).toMatch(new RegExp(`^The query is too complex: more than \\d+ ${reason}`));
  });
});

describe('parseBodyFilter', () => {
  it('reads the query of a body and refuses other keys', () => {
    expect(parseBodyFilter({ query: { equals: { a: 1 } } }, 'koncorde')).toEqual({
      kind: 'term',
      field: 'a',
      value: 1,
    });
    expect(parseBodyFilter(undefined)).toEqual({ kind: 'all' });
    thrown(() => parseBodyFilter({ querry: { term: { a: 1 } } }), 'services.storage.invalid_search_query');
  });
});

describe('assertFieldPath', () => {
  it('accepts dotted paths of letters, digits and _$@-, and _id', () => {
    for (const path of ['a', 'a.b.c', '_id', 'A_1.$x.@y.-z', '0.1']) expect(assertFieldPath(path)).toBe(path);
  });

  it('refuses anything else', () => {
    thrown(() => assertFieldPath(42), 'services.storage.invalid_field_path');
    thrown(() => assertFieldPath('a.b.'), 'services.storage.invalid_field_path');
  });
});
