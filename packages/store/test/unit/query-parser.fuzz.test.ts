/**
 * Property-based fuzzing of the query parser (issue 12): whatever a client puts in a search body, in either
 * language, parsing ends in a filter or in a catalog error of status 4xx, never in another exception. The trees
 * mix the keywords of both languages, at any depth, with arbitrary JSON, so that most inputs get past the first
 * check. `TESSERA_FUZZ_RUNS` and `TESSERA_FUZZ_SEED` make a long run (see docs/security.md).
 */
import fc from 'fast-check';
import { isTesseraError } from '@tessera/plugin-sdk';
import { parseBodyFilter, parseFilter, parseSearch } from '@tessera/store';
import { fuzzParameters } from '@tessera/testing';

// A long run (TESSERA_FUZZ_RUNS) takes as long as it needs; the default one stays within jest's timeout.
if (process.env.TESSERA_FUZZ_RUNS) jest.setTimeout(24 * 60 * 60 * 1000);

const FIELDS = [
  'name',
  'age',
  'tags',
  'a.b',
  'a..b',
  '__proto__',
  'constructor.x',
  '',
  '_id',
  'x'.repeat(300),
];
const KEYWORDS = [
  // Elasticsearch
  'bool',
  'must',
  'should',
  'must_not',
  'filter',
  'minimum_should_match',
  'term',
  'terms',
  'match',
  'match_all',
  'match_none',
  'range',
  'exists',
  'ids',
  'prefix',
  'wildcard',
  'regexp',
  'values',
  'value',
  'query',
  'gt',
  'gte',
  'lt',
  'lte',
  'field',
  'boost',
  // Koncorde
  'equals',
  'in',
  'not',
  'and',
  'or',
  'missing',
  'geoBoundingBox',
  'geoDistance',
  'geoPolygon',
  'nothing',
  // Dangerous names
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
];

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(...FIELDS),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
);

/** Query-shaped trees: objects keyed by the languages' keywords and field names, arrays of subtrees, scalars. */
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYWORDS), fc.constantFrom(...FIELDS)), tie('tree'), {
      maxKeys: 3,
    }),
    fc.array(tie('tree'), { maxLength: 4 }),
  ),
}));

/** A body as a client sends one: usually with a query, sometimes a sort, a cursor, or junk around them. */
const body = fc.oneof(
  fc.record(
    { query: tree, sort: fc.oneof(tree, fc.array(fc.constantFrom(...FIELDS))), search_after: tree },
    { requiredKeys: ['query'] },
  ),
  tree,
  fc.jsonValue({ maxDepth: 4 }),
);

const lang = fc.constantFrom<'elasticsearch' | 'koncorde'>('elasticsearch', 'koncorde');

/** Runs `parse`; a thrown error must be a client error from the catalog. */
function parsesOrRefuses(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    if (!isTesseraError(error)) throw error;
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.status).toBeLessThan(500);
    expect(JSON.stringify(error)).not.toContain('stack');
  }
}

it('parseFilter: any query in either language is a filter or a 4xx catalog error', () => {
  fc.assert(
    fc.property(tree, lang, (query, language) => parsesOrRefuses(() => parseFilter(query, language))),
    fuzzParameters(),
  );
});

it('parseSearch: any body and paging options are a search or a 4xx catalog error', () => {
  const options = fc.record(
    {
      from: fc.oneof(fc.integer(), scalar),
      size: fc.oneof(fc.integer(), scalar),
      lang: fc.oneof(lang, scalar),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(body, options, (searchBody, searchOptions) =>
      parsesOrRefuses(() => parseSearch(searchBody, searchOptions as never)),
    ),
    fuzzParameters(),
  );
});

it('parseBodyFilter: any body is a filter or a 4xx catalog error', () => {
  fc.assert(
    fc.property(body, lang, (countBody, language) =>
      parsesOrRefuses(() => parseBodyFilter(countBody, language)),
    ),
    fuzzParameters(),
  );
});
