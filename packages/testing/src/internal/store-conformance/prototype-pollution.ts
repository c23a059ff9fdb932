/**
 * Conformance: input parsed with JSON.parse can carry own `__proto__` (and `constructor`/`prototype`) keys. As a
 * document source, an update, a query keyword, a field or a sort key, it is refused cleanly, and nothing
 * reaches Object.prototype.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ErrorId, JsonObject, SearchBody, SearchOptions } from '@tessera/plugin-sdk';
import { expectError, expectPrototypesUntouched, useStore, type StoreSetup } from './store-fixture';

const SOURCES = [
  '{"__proto__": {"polluted": "yes"}}',
  '{"a": {"__proto__": {"polluted": "yes"}}}',
  '{"list": [{"__proto__": {"polluted": "yes"}}]}',
  '{"constructor": {"prototype": {"polluted": "yes"}}}',
  '{"a": {"prototype": {"polluted": "yes"}}}',
];

const QUERIES: readonly (readonly [json: string, lang: SearchOptions['lang'], error: ErrorId])[] = [
  [
    '{"query": {"__proto__": {"polluted": "yes"}}}',
    'elasticsearch',
    'services.storage.unknown_query_keyword',
  ],
  ['{"query": {"constructor": {}}}', 'koncorde', 'api.assert.koncorde_unknown_keyword'],
  ['{"query": {"term": {"__proto__": "yes"}}}', 'elasticsearch', 'services.storage.invalid_field_path'],
  [
    '{"query": {"term": {"a.constructor.prototype": "yes"}}}',
    'elasticsearch',
    'services.storage.invalid_field_path',
  ],
  [
    '{"query": {"exists": {"field": "__proto__.polluted"}}}',
    'elasticsearch',
    'services.storage.invalid_field_path',
  ],
  ['{"query": {"bool": {"__proto__": {"polluted": "yes"}}}}', 'elasticsearch', 'api.assert.invalid_argument'],
  ['{"query": {"term": {"a": {"__proto__": "yes"}}}}', 'elasticsearch', 'api.assert.invalid_argument'],
  ['{"query": {"range": {"a": {"__proto__": {"gt": 1}}}}}', 'elasticsearch', 'api.assert.invalid_argument'],
  ['{"query": {"equals": {"__proto__": "yes"}}}', 'koncorde', 'services.storage.invalid_field_path'],
  ['{"query": {"ids": {"__proto__": ["a"]}}}', 'koncorde', 'api.assert.invalid_argument'],
  ['{"sort": {"__proto__": "asc"}}', 'elasticsearch', 'services.storage.invalid_field_path'],
  ['{"sort": [{"a": {"__proto__": {"order": "asc"}}}]}', 'elasticsearch', 'api.assert.invalid_argument'],
  ['{"sort": "constructor"}', 'elasticsearch', 'services.storage.invalid_field_path'],
  ['{"__proto__": {"polluted": "yes"}}', 'elasticsearch', 'services.storage.invalid_search_query'],
];

export function describePrototypePollution(setup: StoreSetup): void {
  describe('prototype pollution attempts', () => {
    const store = useStore(setup);
    afterEach(expectPrototypesUntouched);

    it.each(SOURCES)('refuses the source %s on create, replace and createOrReplace', async (json) => {
      const collection = await store().collection('documents');
      await collection.create({ safe: true }, 'doc');
      await expectError(collection.create(JSON.parse(json) as JsonObject), 'api.assert.invalid_argument');
      await expectError(
        collection.replace('doc', JSON.parse(json) as JsonObject),
        'api.assert.invalid_argument',
      );
      await expectError(
        collection.createOrReplace('doc', JSON.parse(json) as JsonObject),
        'api.assert.invalid_argument',
      );
      expect(await collection.count()).toBe(1);
      expect((await collection.get('doc'))?._source).toEqual({ safe: true });
    });

    it.each(SOURCES)('refuses the update %s, leaving the document as it was', async (json) => {
      const collection = await store().collection('documents');
      await collection.create({ safe: true, a: { b: 1 }, list: [] }, 'doc');
      await expectError(
        collection.update('doc', JSON.parse(json) as JsonObject),
        'api.assert.invalid_argument',
      );
      expect((await collection.get('doc'))?._source).toEqual({ safe: true, a: { b: 1 }, list: [] });
    });

    it.each(QUERIES)('refuses the search body %s', async (json, lang, error) => {
      const collection = await store().collection('documents');
      await collection.create({ a: 1 }, 'doc');
      await expectError(collection.search(JSON.parse(json) as SearchBody, { lang }), error);
    });
  });
}
