/**
 * The compiler from the Store port's query model to MongoDB filter documents and pipelines, checked without a
 * server: every Filter kind, nesting, sorts and cursors, against the documents MongoDB is to receive. What a
 * MongoDB server answers to them is the conformance suite's (mongo-store.test.ts, with MONGODB_URL).
 */
import { parseFilter, parseSearch } from '@tessera/store';
import { compileFilter, compileSearch } from '../../src/internal/compile-query';
import {
  compileAfter,
  escapeRegExp,
  fieldExpression,
  missingKey,
  sortKey,
  valueKey,
} from '../../src/internal/compile-query';

const NOTHING = { _id: { $in: [] } };
const notArray = { $not: { $type: 'array' } };

describe('compileFilter', () => {
  it('compiles all to the empty filter, and ids to the primary key', () => {
    expect(compileFilter({ kind: 'all' })).toEqual({});
    expect(compileFilter({ kind: 'ids', values: ['a', 'b'] })).toEqual({ _id: { $in: ['a', 'b'] } });
  });

  it('compiles a term on a top-level field to an equality, type-strict as MongoDB is', () => {
    expect(compileFilter({ kind: 'term', field: 'age', value: 1 })).toEqual({ 's.age': { $eq: 1 } });
    expect(compileFilter({ kind: 'term', field: 'age', value: '1' })).toEqual({ 's.age': { $eq: '1' } });
    expect(compileFilter({ kind: 'term', field: 'ok', value: false })).toEqual({ 's.ok': { $eq: false } });
  });

  it('guards every proper prefix of a dotted path against arrays: a path never descends into one', () => {
    expect(compileFilter({ kind: 'term', field: 'a.b.c', value: 'x' })).toEqual({
      $and: [{ 's.a': notArray }, { 's.a.b': notArray }, { 's.a.b.c': { $eq: 'x' } }],
    });
  });

  it('asks for the null type on a term on null, which a missing field does not have', () => {
    expect(compileFilter({ kind: 'term', field: 'x', value: null })).toEqual({ 's.x': { $type: 'null' } });
  });

  it('compiles terms to $in, null apart, and an empty list to nothing', () => {
    expect(compileFilter({ kind: 'terms', field: 'x', values: [1, 'a'] })).toEqual({
      's.x': { $in: [1, 'a'] },
    });
    expect(compileFilter({ kind: 'terms', field: 'x', values: ['a', null] })).toEqual({
      $or: [{ 's.x': { $eq: 'a' } }, { 's.x': { $type: 'null' } }],
    });
    expect(compileFilter({ kind: 'terms', field: 'x', values: [] })).toEqual(NOTHING);
  });

  it('keeps only strings in a term on _id (ids are strings)', () => {
    expect(compileFilter({ kind: 'terms', field: '_id', values: ['a', 1, null] })).toEqual({
      _id: { $in: ['a'] },
    });
  });

  it('compiles a range of one bound to the operator, of several to one element holding all of them', () => {
    expect(compileFilter({ kind: 'range', field: 'n', gt: 3 })).toEqual({ 's.n': { $gt: 3 } });
    expect(compileFilter({ kind: 'range', field: 'n', gte: 'a', lt: 'b' })).toEqual({
      $or: [
        { 's.n': { $not: { $type: 'array' }, $gte: 'a', $lt: 'b' } },
        { 's.n': { $elemMatch: { $gte: 'a', $lt: 'b' } } },
      ],
    });
    expect(compileFilter({ kind: 'range', field: '_id', gte: 'a', lte: 'c' })).toEqual({
      _id: { $gte: 'a', $lte: 'c' },
    });
  });

  it('compiles prefix, match and matchAnyField to escaped regular expressions', () => {
    expect(compileFilter({ kind: 'prefix', field: 'name', value: 'a.b*' })).toEqual({
      's.name': { $regex: '^a\\.b\\*' },
    });
    expect(compileFilter({ kind: 'match', field: 'name', value: '(x)' })).toEqual({
      's.name': { $regex: '\\(x\\)', $options: 'i' },
    });
    expect(compileFilter({ kind: 'matchAnyField', value: 'A|B' })).toEqual({
      t: { $regex: 'A\\|B', $options: 'i' },
    });
  });

  it('anchors a regexp whole, to the very end, with `.` taking newlines', () => {
    expect(compileFilter({ kind: 'regexp', field: 'x', pattern: 'a|b', caseInsensitive: false })).toEqual({
      's.x': { $regex: '^(?:a|b)\\z', $options: 's' },
    });
    expect(compileFilter({ kind: 'regexp', field: 'x', pattern: 'a.', caseInsensitive: true })).toEqual({
      's.x': { $regex: '^(?:a.)\\z', $options: 'is' },
    });
  });

  it('compiles exists to the list of paths holding a value, and exists on _id to everything', () => {
    expect(compileFilter({ kind: 'exists', field: 'a.b' })).toEqual({ p: 'a.b' });
    expect(compileFilter({ kind: 'exists', field: '_id' })).toEqual({});
  });

  it('compiles and, or and not, nested, with the identities of empty lists', () => {
    const a = { kind: 'term', field: 'a', value: 1 } as const;
    const b = { kind: 'exists', field: 'b' } as const;
    expect(
      compileFilter({ kind: 'and', filters: [a, { kind: 'or', filters: [b, { kind: 'not', filter: a }] }] }),
    ).toEqual({ $and: [{ 's.a': { $eq: 1 } }, { $or: [{ p: 'b' }, { $nor: [{ 's.a': { $eq: 1 } }] }] }] });
    expect(compileFilter({ kind: 'and', filters: [] })).toEqual({});
    expect(compileFilter({ kind: 'or', filters: [] })).toEqual(NOTHING);
  });

  it('compiles what the parser makes of Elasticsearch and Koncorde queries', () => {
    expect(compileFilter(parseFilter({ bool: { must_not: [{ term: { 'u.name': 'x' } }] } }))).toEqual({
      $nor: [{ $and: [{ 's.u': notArray }, { 's.u.name': { $eq: 'x' } }] }],
    });
    expect(compileFilter(parseFilter({ equals: { a: 'x' } }, 'koncorde'))).toEqual({ 's.a': { $eq: 'x' } });
  });
});

describe('escapeRegExp', () => {
  it('escapes every PCRE operator, so that the text matches itself', () => {
    const text = 'a\\^$.*+?()[]{}|/-z';
    expect(new RegExp(`^${escapeRegExp(text)}$`).test(text)).toBe(true);
    expect(escapeRegExp('plain text é')).toBe('plain text é');
  });
});

describe('compileSearch', () => {
  const all = { kind: 'all' } as const;

  it('reads in creation order with no sort', () => {
    expect(compileSearch(all, [], undefined)).toEqual({ kind: 'find', filter: {}, sort: { o: 1 } });
  });

  it('reads the id index for a sort on _id alone, a cursor being a bound on the id', () => {
    expect(compileSearch(all, [{ field: '_id', order: 'asc' }], undefined)).toEqual({
      kind: 'find',
      filter: {},
      sort: { _id: 1 },
    });
    expect(compileSearch(all, [{ field: '_id', order: 'desc' }], ['k'])).toEqual({
      kind: 'find',
      filter: { $and: [{}, { _id: { $lt: 'k' } }] },
      sort: { _id: -1 },
    });
  });

  it('computes each source sort key, missing last in both directions, then the id', () => {
    const query = parseSearch({ sort: [{ age: 'desc' }, 'name'] });
    const compiled = compileSearch(query.filter, query.sort, undefined);
    expect(compiled).toEqual({
      kind: 'aggregate',
      pipeline: [
        { $match: {} },
        { $addFields: { [valueKey(0)]: sortKey('age', 'desc'), [valueKey(1)]: sortKey('name', 'asc') } },
        {
          $addFields: {
            [missingKey(0)]: { $cond: [{ $eq: [{ $ifNull: [`$${valueKey(0)}`, null] }, null] }, 1, 0] },
            [missingKey(1)]: { $cond: [{ $eq: [{ $ifNull: [`$${valueKey(1)}`, null] }, null] }, 1, 0] },
          },
        },
        {
          $sort: { [missingKey(0)]: 1, [valueKey(0)]: -1, [missingKey(1)]: 1, [valueKey(1)]: 1, _id: 1 },
        },
      ],
    });
  });

  it('filters by the cursor before sorting', () => {
    const query = parseSearch({ sort: ['age'], search_after: [30, 'u1'] });
    const compiled = compileSearch(query.filter, query.sort, query.after);
    expect(compiled.kind).toBe('aggregate');
    if (compiled.kind !== 'aggregate') return;
    expect(compiled.pipeline[3]).toEqual({ $match: { $expr: compileAfter(query.sort, [30, 'u1']) } });
    expect(Object.keys(compiled.pipeline[4] ?? {})).toEqual(['$sort']);
  });
});

describe('sortKey and fieldExpression', () => {
  const read = (segment: string, input: unknown) => ({
    $let: {
      vars: { parent: input },
      in: {
        $cond: [
          { $eq: [{ $type: '$$parent' }, 'object'] },
          { $getField: { field: { $literal: segment }, input: '$$parent' } },
          null,
        ],
      },
    },
  });

  it('reads each segment with $getField, from an object only, whatever its name', () => {
    expect(fieldExpression('a')).toEqual(read('a', '$s'));
    expect(fieldExpression('a.$b')).toEqual(read('$b', read('a', '$s')));
  });

  it('grows linearly with the depth of the path', () => {
    const depth = (n: number) =>
      JSON.stringify(fieldExpression(Array.from({ length: n }, () => 'x').join('.'))).length;
    expect(depth(20) - depth(10)).toBe(10 * (depth(11) - depth(10)));
  });

  it('takes the smallest scalar element ascending and the largest descending', () => {
    const scalars = {
      $filter: {
        input: { $cond: [{ $isArray: '$$value' }, '$$value', ['$$value']] },
        as: 'element',
        cond: { $in: [{ $type: '$$element' }, ['double', 'int', 'long', 'decimal', 'string', 'bool']] },
      },
    };
    expect(sortKey('a', 'asc')).toEqual({
      $let: { vars: { value: read('a', '$s') }, in: { $min: scalars } },
    });
    expect(sortKey('a', 'desc')).toEqual({
      $let: { vars: { value: read('a', '$s') }, in: { $max: scalars } },
    });
  });
});

describe('compileAfter', () => {
  const sort = [
    { field: 'age', order: 'asc' },
    { field: '_id', order: 'asc' },
  ] as const;

  it('holds when an earlier key is beyond, or equal and a later one beyond', () => {
    expect(compileAfter(sort, [30, 'u1'])).toEqual({
      $or: [
        {
          $and: [
            {
              $or: [
                { $eq: [`$${missingKey(0)}`, 1] },
                { $and: [{ $eq: [`$${missingKey(0)}`, 0] }, { $gt: [`$${valueKey(0)}`, { $literal: 30 }] }] },
              ],
            },
          ],
        },
        {
          $and: [
            { $and: [{ $eq: [`$${missingKey(0)}`, 0] }, { $eq: [`$${valueKey(0)}`, { $literal: 30 }] }] },
            { $gt: ['$_id', 'u1'] },
          ],
        },
      ],
    });
  });

  it('puts nothing strictly after a missing value but later keys', () => {
    expect(compileAfter(sort, [null, 'u1'])).toEqual({
      $or: [{ $and: [{ $eq: [`$${missingKey(0)}`, 1] }, { $gt: ['$_id', 'u1'] }] }],
    });
  });

  it('compares descending keys downwards', () => {
    const compiled = JSON.stringify(compileAfter([{ field: 'age', order: 'desc' }], ['x']));
    expect(compiled).toContain('"$lt"');
    expect(compiled).not.toContain('"$gt"');
  });

  it('matches nothing when every cursor value is missing on the last keys', () => {
    expect(compileAfter([{ field: 'age', order: 'asc' }], [null])).toEqual({ $literal: false });
  });
});
