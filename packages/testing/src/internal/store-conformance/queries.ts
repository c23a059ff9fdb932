/**
 * Conformance: every Elasticsearch clause and Koncorde keyword the parser accepts, answered the same by every
 * adapter: any array element matches, comparisons are type-strict, nested paths work, `_id` is the id.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { CollectionSpec, DocumentCollection, JsonObject, SearchOptions } from '@tessera/plugin-sdk';
import { EVERYONE, PEOPLE_DECLARED, seedPeople } from './people';
import { idsOf, useStore, type StoreSetup } from './store-fixture';

type Case = readonly [title: string, query: JsonObject | undefined, expected: readonly string[]];

const ES_CASES: readonly Case[] = [
  ['absent query: everyone', undefined, EVERYONE],
  ['empty query: everyone', {}, EVERYONE],
  ['match_all', { match_all: {} }, EVERYONE],
  ['ids, skipping unknown ones', { ids: { values: ['ada', 'grace', 'nobody'] } }, ['ada', 'grace']],
  ['term on a string', { term: { name: 'Ada Lovelace' } }, ['ada']],
  ['term is case-sensitive', { term: { name: 'ada lovelace' } }, []],
  ['term long form', { term: { name: { value: 'Alan Turing' } } }, ['alan']],
  ['term on any array element', { term: { tags: 'math' } }, ['ada', 'alan']],
  ['term on a scalar where others hold arrays', { term: { tags: 'apollo' } }, ['margaret']],
  ['term on a nested path', { term: { 'address.city': 'London' } }, ['ada']],
  ['term on a number', { term: { age: 36 } }, ['ada']],
  ['term 1 is not "1"', { term: { code: 1 } }, ['alan']],
  ['term "1" is not 1', { term: { code: '1' } }, ['ada']],
  ['term true is not "true"', { term: { code: true } }, ['linus']],
  ['term "true" is not true', { term: { code: 'true' } }, ['grace']],
  ['term on a decimal', { term: { code: 1.5 } }, ['margaret']],
  ['term on booleans', { term: { active: true } }, ['ada', 'grace', 'margaret']],
  ['term false', { term: { active: false } }, ['alan', 'edsger']],
  ['term on _id', { term: { _id: 'ada' } }, ['ada']],
  ['term on a missing field', { term: { nothing: 'x' } }, []],
  ['term on an object field matches none of its members', { term: { address: 'London' } }, []],
  ['terms on any array element', { terms: { tags: ['navy', 'crypto'] } }, ['alan', 'grace']],
  ['terms keep types apart', { terms: { code: [1, 'true'] } }, ['alan', 'grace']],
  ['terms on _id', { terms: { _id: ['ada', 'linus', 'nobody'] } }, ['ada', 'linus']],
  ['terms with no values', { terms: { tags: [] } }, []],
  ['match: case-insensitive substring', { match: { name: 'LOVE' } }, ['ada']],
  ['match long form', { match: { name: { query: 'hop' } } }, ['grace']],
  ['match on any array element', { match: { tags: 'COB' } }, ['grace']],
  ['match only strings', { match: { code: '1' } }, ['ada']],
  ['range gte/lt on numbers', { range: { age: { gte: 41, lt: 85 } } }, ['alan', 'linus']],
  ['range gt/lte on numbers', { range: { age: { gt: 41, lte: 85 } } }, ['grace', 'linus']],
  ['range on any array element', { range: { ratings: { gt: 4 } } }, ['ada']],
  ['range lte on any array element', { range: { ratings: { lte: 1 } } }, ['linus']],
  ['range on strings', { range: { name: { gte: 'B', lt: 'H' } } }, ['edsger', 'grace']],
  [
    'range with number bounds skips strings and booleans',
    { range: { code: { gte: 0 } } },
    ['alan', 'margaret'],
  ],
  [
    'range with string bounds skips numbers and booleans',
    { range: { code: { gte: '0' } } },
    ['ada', 'grace'],
  ],
  [
    'range with a number upper bound alone skips strings and booleans',
    { range: { code: { lt: 100 } } },
    ['alan', 'margaret'],
  ],
  [
    'range with a string upper bound alone skips numbers and booleans',
    { range: { code: { lte: 'zzz' } } },
    ['ada', 'grace'],
  ],
  [
    'range with a string lower bound alone skips numbers and booleans',
    { range: { code: { gt: '' } } },
    ['ada', 'grace'],
  ],
  ['range on _id', { range: { _id: { gte: 'g', lt: 'm' } } }, ['grace', 'linus']],
  ['exists skips null', { exists: { field: 'nickname' } }, ['linus']],
  ['exists skips [] and [null]', { exists: { field: 'tags' } }, ['ada', 'alan', 'grace', 'margaret']],
  ['exists on an object skips {}', { exists: { field: 'address' } }, ['ada', 'alan', 'grace', 'margaret']],
  ['exists on a nested path', { exists: { field: 'address.zip' } }, ['ada']],
  ['exists on _id', { exists: { field: '_id' } }, EVERYONE],
  ['prefix', { prefix: { name: 'Al' } }, ['alan']],
  ['prefix is case-sensitive', { prefix: { name: 'al' } }, []],
  ['prefix long form', { prefix: { name: { value: 'Gr' } } }, ['grace']],
  ['prefix on any array element', { prefix: { tags: 'co' } }, ['grace']],
  ['prefix only strings', { prefix: { code: '1' } }, ['ada']],
  ['prefix on _id', { prefix: { _id: 'a' } }, ['ada', 'alan']],
  ['match_phrase: case-insensitive substring', { match_phrase: { name: 'turing' } }, ['alan']],
  ['match_phrase_prefix', { match_phrase_prefix: { name: 'lov' } }, ['ada']],
  ['match_phrase_prefix long form', { match_phrase_prefix: { name: { query: 'HOP' } } }, ['grace']],
  ['match_phrase_prefix on any array element', { match_phrase_prefix: { tags: 'cry' } }, ['alan']],
  ['multi_match on every field', { multi_match: { query: 'lon', fields: ['*'] } }, ['ada']],
  ['multi_match without fields: every field', { multi_match: { query: 'TORVALDS' } }, ['linus']],
  ['multi_match on every field: nested paths', { multi_match: { query: 'w1', fields: ['*'] } }, ['ada']],
  ['multi_match on every field: array elements', { multi_match: { query: 'cob', fields: [] } }, ['grace']],
  ['multi_match on every field: only strings', { multi_match: { query: '1', fields: ['*'] } }, ['ada']],
  [
    'multi_match on listed fields, boosts ignored',
    { multi_match: { query: 'york', fields: ['nickname', 'address.city^2'], type: 'phrase_prefix' } },
    ['grace'],
  ],
  ['multi_match on listed fields only', { multi_match: { query: 'torvalds', fields: ['name'] } }, ['linus']],
  [
    "the admin console's quick search",
    {
      bool: {
        should: [
          { multi_match: { query: 'gra', type: 'phrase_prefix', fields: ['*'] } },
          { match: { _id: 'gra' } },
        ],
      },
    },
    ['grace'],
  ],
  ['match_none', { match_none: {} }, []],
  ['regexp matches the whole value', { regexp: { name: 'A.*' } }, ['ada', 'alan']],
  ['regexp is case-sensitive', { regexp: { name: 'a.*' } }, []],
  [
    'regexp case_insensitive',
    { regexp: { name: { value: 'a.*', case_insensitive: true } } },
    ['ada', 'alan'],
  ],
  ['regexp on any array element', { regexp: { tags: 'c.*' } }, ['alan', 'grace']],
  ['regexp only strings', { regexp: { code: '1' } }, ['ada']],
  ['regexp on _id', { regexp: { _id: 'l.*' } }, ['linus']],
  ['regexp on a nested path, with \\d', { regexp: { 'address.zip': '[A-Z]\\d' } }, ['ada']],
  ["regexp as the admin console's contains", { regexp: { name: '.*[lL][oO][vV][eE].*' } }, ['ada']],
  ['regexp groups, alternation, counts', { regexp: { name: '(Alan|Ada) (Tu|Lo)r?[a-z]{2,5}' } }, ['alan']],
  ['regexp quoted literal and escapes', { regexp: { name: '"Ada"\\ .*' } }, ['ada']],
  ['regexp @ is any string', { regexp: { name: 'G@r' } }, ['grace']],
  ['regexp @ is literal with flags NONE', { regexp: { name: { value: 'G@r', flags: 'NONE' } } }, []],
  ['regexp # matches no string', { regexp: { name: 'Ada Lovelace|#' } }, ['ada']],
  ['regexp of # alone matches nothing', { regexp: { name: '#' } }, []],
  ['range with a null bound', { range: { age: { gt: null, lt: 40 } } }, ['ada']],
  ['empty bool: everyone', { bool: {} }, EVERYONE],
  [
    'bool must and must_not',
    { bool: { must: [{ term: { active: true } }], must_not: { term: { tags: 'navy' } } } },
    ['ada', 'margaret'],
  ],
  ['bool filter as one object', { bool: { filter: { range: { age: { gte: 80 } } } } }, ['grace', 'margaret']],
  [
    'bool must and filter together',
    { bool: { must: { term: { active: true } }, filter: [{ range: { age: { lt: 50 } } }] } },
    ['ada'],
  ],
  [
    'bool should alone: at least one',
    { bool: { should: [{ term: { name: 'Alan Turing' } }, { term: { code: true } }] } },
    ['alan', 'linus'],
  ],
  [
    'bool should beside must: ignored',
    { bool: { must: { term: { active: true } }, should: { term: { tags: 'navy' } } } },
    ['ada', 'grace', 'margaret'],
  ],
  [
    'bool should beside must with minimum_should_match 1',
    {
      bool: { must: { term: { active: true } }, should: { term: { tags: 'navy' } }, minimum_should_match: 1 },
    },
    ['grace'],
  ],
  [
    'bool must_not alone',
    { bool: { must_not: { exists: { field: 'ratings' } } } },
    ['edsger', 'grace', 'margaret'],
  ],
  [
    'bool must_not: none of them',
    { bool: { must_not: [{ term: { active: true } }, { term: { tags: 'crypto' } }] } },
    ['edsger', 'linus'],
  ],
  [
    'nested bools',
    {
      bool: {
        should: [
          { bool: { must: [{ term: { active: false } }, { exists: { field: 'ratings' } }] } },
          { term: { nickname: 'torvalds' } },
        ],
      },
    },
    ['alan', 'linus'],
  ],
];

const KONCORDE_CASES: readonly Case[] = [
  ['{}: everyone', {}, EVERYONE],
  ['equals', { equals: { name: 'Grace Hopper' } }, ['grace']],
  ['equals on any array element', { equals: { tags: 'math' } }, ['ada', 'alan']],
  ['equals 1 is not "1"', { equals: { code: 1 } }, ['alan']],
  ['equals "true" is not true', { equals: { active: 'true' } }, ['linus']],
  ['equals on a nested path', { equals: { 'address.city': 'Boston' } }, ['margaret']],
  ['equals null', { equals: { nickname: null } }, ['grace']],
  ['in', { in: { code: [1, 'true'] } }, ['alan', 'grace']],
  ['in on _id', { in: { _id: ['ada', 'edsger'] } }, ['ada', 'edsger']],
  ['range', { range: { age: { gt: 50 } } }, ['grace', 'linus', 'margaret']],
  ['exists as a string', { exists: 'nickname' }, ['linus']],
  ['exists as an object', { exists: { field: 'address.city' } }, ['ada', 'alan', 'grace', 'margaret']],
  ['missing as a string', { missing: 'ratings' }, ['edsger', 'grace', 'margaret']],
  ['missing as an object', { missing: { field: 'age' } }, ['edsger']],
  ['ids', { ids: { values: ['ada', 'nobody'] } }, ['ada']],
  ['regexp, as Elasticsearch reads it', { regexp: { name: 'Gr.*' } }, ['grace']],
  ['and', { and: [{ equals: { active: true } }, { range: { age: { lt: 50 } } }] }, ['ada']],
  ['or', { or: [{ equals: { code: 1 } }, { equals: { code: true } }] }, ['alan', 'linus']],
  ['not', { not: { equals: { active: true } } }, ['alan', 'edsger', 'linus']],
  [
    'not matches documents lacking the field',
    { not: { equals: { nickname: 'torvalds' } } },
    ['ada', 'alan', 'edsger', 'grace', 'margaret'],
  ],
  ['not of a range', { not: { range: { age: { gte: 50 } } } }, ['ada', 'alan', 'edsger']],
  ['not of or', { not: { or: [{ equals: { active: true } }, { missing: 'ratings' }] } }, ['alan', 'linus']],
  [
    'bool',
    { bool: { must: [{ equals: { active: true } }], must_not: [{ in: { tags: ['navy'] } }] } },
    ['ada', 'margaret'],
  ],
  [
    'bool should',
    { bool: { should: [{ equals: { name: 'Alan Turing' } }, { exists: 'nickname' }] } },
    ['alan', 'linus'],
  ],
];

/** Declared fields change how an engine answers (from an index), never what it answers: run it both ways. */
export function describeQueries(setup: StoreSetup): void {
  describeQueriesOn(setup, 'queries', {});
  describeQueriesOn(setup, 'queries on declared fields', PEOPLE_DECLARED);
}

function describeQueriesOn(setup: StoreSetup, title: string, spec: CollectionSpec): void {
  describe(title, () => {
    const store = useStore(setup, 'all');
    let people: DocumentCollection;
    beforeAll(async () => {
      people = await store().collection('people', spec);
      await seedPeople(people);
    });

    const expectMatches = async (
      query: JsonObject | undefined,
      lang: SearchOptions['lang'],
      expected: readonly string[],
    ) => {
      const body = query === undefined ? {} : { query };
      const result = await people.search(body, { lang, size: 100 });
      expect(idsOf(result).sort()).toEqual([...expected].sort());
      expect(result.total).toBe(expected.length);
      expect(await people.count(body, { lang })).toBe(expected.length);
    };

    it.each(ES_CASES)('elasticsearch: %s', async (_, query, expected) => {
      await expectMatches(query, 'elasticsearch', expected);
    });

    it.each(KONCORDE_CASES)('koncorde: %s', async (_, query, expected) => {
      await expectMatches(query, 'koncorde', expected);
    });

    it('uses elasticsearch when no lang is given', async () => {
      expect(idsOf(await people.search({ query: { term: { tags: 'math' } } })).sort()).toEqual([
        'ada',
        'alan',
      ]);
    });

    it('returns whole documents', async () => {
      const result = await people.search({ query: { ids: { values: ['margaret'] } } });
      expect(result.hits).toEqual([
        {
          _id: 'margaret',
          _source: {
            name: 'Margaret Hamilton',
            age: 88,
            tags: 'apollo',
            active: true,
            code: 1.5,
            address: { city: 'Boston', zip: null },
          },
        },
      ]);
    });
  });
}
