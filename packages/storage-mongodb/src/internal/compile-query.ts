/**
 * Compiles the Store port's Filter, sort and cursor to MongoDB filter documents and aggregation stages, over
 * the stored shape of documents.ts (`s` the source, `t` its strings, `p` its paths holding a value).
 *
 * MongoDB's own query semantics already give most of the port's: a condition on a field holding an array holds
 * when it holds for an element; comparison operators only compare values of one type (`"1"` never equals 1,
 * `{$gt: 5}` skips strings); strings compare by their UTF-8 bytes, i.e. by code point, under the default
 * (simple) collation. Where they differ the compiler adds what is needed:
 * - a dotted path descends into arrays in MongoDB, never in the port: each proper prefix of the path must not
 *   be an array;
 * - `{field: null}` also matches a missing field: a term on null asks for the null type instead;
 * - several bounds of a range must hold for one element, not each for some element: `$elemMatch` on arrays;
 * - `exists` and `matchAnyField` look at any depth, which a filter cannot: they read `p` and `t`, written with
 *   the document;
 * - MongoDB sorts missing values and nulls first ascending, and objects between strings and booleans: a sort
 *   on a source field is an aggregation computing each key (documents without one last in both directions).
 */
import type { Document } from 'mongodb';
import type { FieldPath, Filter, Scalar, SortField } from '@tessera/store';
import { ORDER, PATHS, SOURCE, STRINGS } from './documents';

type Range = Extract<Filter, { kind: 'range' }>;

/** Matches no document: `_id` is always a string. */
const NOTHING: Document = { _id: { $in: [] } };

export function compileFilter(filter: Filter): Document {
  switch (filter.kind) {
    case 'all':
      return {};
    case 'ids':
      return { _id: { $in: [...filter.values] } };
    case 'term':
      return terms(filter.field, [filter.value]);
    case 'terms':
      return terms(filter.field, filter.values);
    case 'range':
      return range(filter);
    case 'prefix':
      return onField(filter.field, { $regex: `^${escapeRegExp(filter.value)}` });
    case 'match':
      return onField(filter.field, { $regex: escapeRegExp(filter.value), $options: 'i' });
    case 'matchAnyField':
      return { [STRINGS]: { $regex: escapeRegExp(filter.value), $options: 'i' } };
    case 'regexp':
      // The namespace checked the pattern against RE2's syntax and bounds first; `\z` is the very end (`$`
      // would also accept a final newline), `s` lets `.` take newlines.
      return onField(filter.field, {
        $regex: `^(?:${filter.pattern})\\z`,
        $options: filter.caseInsensitive ? 'is' : 's',
      });
    case 'exists':
      return filter.field === '_id' ? {} : { [PATHS]: filter.field };
    case 'and':
      return filter.filters.length === 0 ? {} : { $and: filter.filters.map(compileFilter) };
    case 'or':
      return filter.filters.length === 0 ? NOTHING : { $or: filter.filters.map(compileFilter) };
    case 'not':
      // $nor holds where its filter does not, a missing field included.
      return { $nor: [compileFilter(filter.filter)] };
  }
}

/** Escapes every character PCRE reads as an operator, so that `text` matches itself. */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** The stored path of a source field. */
export function sourcePath(field: FieldPath): string {
  return `${SOURCE}.${field}`;
}

/** `condition` on the field, with no proper prefix of its path being an array (a path never descends into one). */
function onField(field: FieldPath, condition: Document): Document {
  if (field === '_id') return { _id: condition };
  const segments = field.split('.');
  const guards = segments
    .slice(0, -1)
    .map((_, i) => ({ [sourcePath(segments.slice(0, i + 1).join('.'))]: { $not: { $type: 'array' } } }));
  const own = { [sourcePath(field)]: condition };
  return guards.length === 0 ? own : { $and: [...guards, own] };
}

/** term and terms: the field holds one of `values` (or an array holding one), type-strictly. */
function terms(field: FieldPath, values: readonly Scalar[]): Document {
  if (field === '_id') {
    return { _id: { $in: values.filter((value) => typeof value === 'string') } };
  }
  const present = values.filter((value) => value !== null);
  const branches: Document[] = [];
  if (present.length === 1) branches.push(onField(field, { $eq: present[0] }));
  else if (present.length > 1) branches.push(onField(field, { $in: present }));
  // `{field: null}` would also match a missing field; the null type matches null, and arrays holding one.
  if (present.length < values.length) branches.push(onField(field, { $type: 'null' }));
  if (branches.length === 0) return NOTHING;
  return branches.length === 1 ? (branches[0] as Document) : { $or: branches };
}

function range(filter: Range): Document {
  const bounds: Document = {};
  for (const name of ['gt', 'gte', 'lt', 'lte'] as const) {
    const bound = filter[name];
    if (bound !== undefined) bounds[`$${name}`] = bound;
  }
  if (filter.field === '_id') return { _id: bounds };
  // One bound alone holds for some element either way; several must hold for the same element.
  if (Object.keys(bounds).length === 1) return onField(filter.field, bounds);
  return {
    $or: [
      onField(filter.field, { $not: { $type: 'array' }, ...bounds }),
      onField(filter.field, { $elemMatch: bounds }),
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Sort and cursor

/** How a search reads its page: a plain find, or an aggregation computing sort keys. */
export type CompiledSearch =
  | { readonly kind: 'find'; readonly filter: Document; readonly sort: Document }
  | { readonly kind: 'aggregate'; readonly pipeline: Document[] };

/** The computed fields of sort key `i`: whether it is missing (0 or 1), and its value. */
export const missingKey = (i: number): string => `__tessera_missing_${i}`;
export const valueKey = (i: number): string => `__tessera_key_${i}`;

/**
 * The search's reading of documents, before paging: with no sort, creation order; sorts on `_id` alone, a
 * find on the id index; any sort on a source field, an aggregation.
 */
export function compileSearch(
  filter: Filter,
  sort: readonly SortField[],
  after: readonly Scalar[] | undefined,
): CompiledSearch {
  const match = compileFilter(filter);
  if (sort.length === 0) return { kind: 'find', filter: match, sort: { [ORDER]: 1 } };
  if (sort.every(({ field }) => field === '_id')) {
    const [first] = sort;
    const order = first?.order === 'desc' ? -1 : 1;
    const [value] = after ?? [];
    const cursor =
      typeof value === 'string' ? { _id: { [order === 1 ? '$gt' : '$lt']: value } } : after ? NOTHING : null;
    return {
      kind: 'find',
      filter: cursor === null ? match : { $and: [match, cursor] },
      sort: { _id: order },
    };
  }
  const keys: Document = {};
  const order: Document = {};
  sort.forEach(({ field, order: direction }, i) => {
    if (field === '_id') {
      order._id = direction === 'asc' ? 1 : -1;
      return;
    }
    keys[valueKey(i)] = sortKey(field, direction);
    keys[missingKey(i)] = { $cond: [{ $eq: [{ $ifNull: [`$${valueKey(i)}`, null] }, null] }, 1, 0] };
    order[missingKey(i)] = 1;
    order[valueKey(i)] = direction === 'asc' ? 1 : -1;
  });
  // Two stages: the missing flags read the keys computed by the first.
  const values = Object.fromEntries(
    Object.entries(keys).filter(([name]) => name.startsWith('__tessera_key_')),
  );
  const flags = Object.fromEntries(
    Object.entries(keys).filter(([name]) => name.startsWith('__tessera_missing_')),
  );
  const pipeline: Document[] = [{ $match: match }, { $addFields: values }, { $addFields: flags }];
  if (after !== undefined) pipeline.push({ $match: { $expr: compileAfter(sort, after) } });
  pipeline.push({ $sort: order });
  return { kind: 'aggregate', pipeline };
}

/**
 * A document's key for a field, as an aggregation expression: a scalar itself, on an array its smallest
 * (ascending) or largest (descending) scalar element; null when there is none. `$min`/`$max` order numbers,
 * then strings, then booleans, as the port does, and skip nulls.
 */
export function sortKey(field: FieldPath, order: 'asc' | 'desc'): Document {
  const scalars = {
    $filter: {
      input: { $cond: [{ $isArray: '$$value' }, '$$value', ['$$value']] },
      as: 'element',
      cond: { $in: [{ $type: '$$element' }, SCALAR_TYPES] },
    },
  };
  return {
    $let: { vars: { value: fieldExpression(field) }, in: { [order === 'asc' ? '$min' : '$max']: scalars } },
  };
}

const SCALAR_TYPES = ['double', 'int', 'long', 'decimal', 'string', 'bool'];

/**
 * The field's value as an expression: each segment read with $getField (any name, `$` or not), only from an
 * object. Each level binds its input once ($let), so the expression grows linearly with the path.
 */
export function fieldExpression(field: FieldPath): Document | string {
  let expression: Document | string = `$${SOURCE}`;
  for (const segment of field.split('.')) {
    expression = {
      $let: {
        vars: { parent: expression },
        in: {
          $cond: [
            { $eq: [{ $type: '$$parent' }, 'object'] },
            { $getField: { field: { $literal: segment }, input: '$$parent' } },
            null,
          ],
        },
      },
    };
  }
  return expression;
}

/**
 * The cursor condition, an aggregation expression: the document's keys come strictly after `after`, compared
 * key by key. A missing value comes after every value in both directions, so nothing comes strictly after it
 * but later keys. `$gt`/`$lt` in an expression compare across types in the port's order (numbers, strings,
 * booleans).
 */
export function compileAfter(sort: readonly SortField[], after: readonly Scalar[]): Document {
  const branches: Document[] = [];
  after.forEach((value, i) => {
    const key = sort[i];
    if (key === undefined || value === null) return;
    const equalBefore = sort.slice(0, i).map((earlier, j) => equalTo(earlier, j, after[j] ?? null));
    branches.push({ $and: [...equalBefore, beyond(key, i, value)] });
  });
  return branches.length === 0 ? { $literal: false } : { $or: branches };
}

function equalTo(key: SortField, i: number, value: Scalar): Document {
  if (key.field === '_id') return { $eq: ['$_id', value] };
  if (value === null) return { $eq: [`$${missingKey(i)}`, 1] };
  return { $and: [{ $eq: [`$${missingKey(i)}`, 0] }, { $eq: [`$${valueKey(i)}`, { $literal: value }] }] };
}

function beyond(key: SortField, i: number, value: Exclude<Scalar, null>): Document {
  const operator = key.order === 'asc' ? '$gt' : '$lt';
  if (key.field === '_id') return { [operator]: ['$_id', value] };
  return {
    $or: [
      { $eq: [`$${missingKey(i)}`, 1] },
      { $and: [{ $eq: [`$${missingKey(i)}`, 0] }, { [operator]: [`$${valueKey(i)}`, { $literal: value }] }] },
    ],
  };
}
