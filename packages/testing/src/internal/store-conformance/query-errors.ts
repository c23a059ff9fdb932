/** Conformance: malformed and unknown queries are refused cleanly with the catalog's errors. */
import { describe, expect, it } from '@jest/globals';
import type { ErrorId, SearchBody, SearchOptions } from '@tessera/plugin-sdk';
import { expectError, useStore, type StoreSetup } from './store-fixture';

type ErrorCase = readonly [title: string, body: SearchBody, options: SearchOptions, error: ErrorId];

const CASES: readonly ErrorCase[] = [
  ['an unknown keyword', { query: { nope: { a: 'x*' } } }, {}, 'services.storage.unknown_query_keyword'],
  [
    'a keyword of the DSL we do not support, as unsupported',
    { query: { wildcard: { a: 'x*' } } },
    {},
    'services.storage.unsupported_query_keyword',
  ],
  [
    'a Koncorde keyword searches do not take, as restricted',
    { query: { geoDistance: { a: { lat: 0, lon: 0 }, distance: '1km' } } },
    { lang: 'koncorde' },
    'api.assert.koncorde_restricted_keyword',
  ],
  ['a malformed regexp', { query: { regexp: { a: '(x' } } }, {}, 'api.assert.invalid_argument'],
  [
    'a regexp operator no engine has (intersection)',
    { query: { regexp: { a: 'x&y' } } },
    {},
    'api.assert.invalid_argument',
  ],
  [
    'a regexp repetition above 255',
    { query: { regexp: { a: 'x{300}' } } },
    {},
    'api.assert.invalid_argument',
  ],
  [
    'a regexp RE2 finds too large',
    { query: { regexp: { a: '(x{200}){200}' } } },
    {},
    'services.storage.query_too_complex',
  ],
  [
    'a regexp longer than 1000 characters',
    { query: { regexp: { a: 'x'.repeat(1001) } } },
    {},
    'services.storage.query_too_complex',
  ],
  [
    'a multi_match field pattern',
    { query: { multi_match: { query: 'x', fields: ['a.*'] } } },
    {},
    'api.assert.invalid_argument',
  ],
  [
    'a Koncorde keyword in Elasticsearch',
    { query: { equals: { a: 1 } } },
    {},
    'services.storage.unknown_query_keyword',
  ],
  [
    'an Elasticsearch keyword in Koncorde',
    { query: { term: { a: 1 } } },
    { lang: 'koncorde' },
    'api.assert.koncorde_unknown_keyword',
  ],
  ['a malformed clause', { query: { term: {} } }, {}, 'api.assert.invalid_argument'],
  [
    'two keywords in one query object',
    { query: { term: { a: 1 }, ids: { values: [] } } },
    {},
    'api.assert.invalid_argument',
  ],
  ['an invalid field path', { query: { term: { 'a..b': 1 } } }, {}, 'services.storage.invalid_field_path'],
  ['an invalid sort', { sort: { a: 'up' } }, {}, 'api.assert.invalid_argument'],
  ['an unknown body key', { aggregations: {} } as SearchBody, {}, 'services.storage.invalid_search_query'],
  ['an unknown lang', {}, { lang: 'sql' } as unknown as SearchOptions, 'api.assert.invalid_argument'],
];

export function describeQueryErrors(setup: StoreSetup): void {
  describe('query errors', () => {
    const store = useStore(setup);

    it.each(CASES)('refuses %s', async (_, body, options, error) => {
      const collection = await store().collection('documents');
      await collection.create({ a: 1 }, 'kept');
      await expectError(collection.search(body, options), error);
      // count and deleteByQuery read no sort.
      if (body.sort === undefined) {
        await expectError(collection.count(body, options), error);
        await expectError(collection.deleteByQuery(body, options), error);
      }
      expect(await collection.get('kept')).not.toBeNull();
    });
  });
}
