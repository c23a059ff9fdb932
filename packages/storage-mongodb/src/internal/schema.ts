/**
 * A collection's indexes. Each declared field is one MongoDB index on the field in the source, named after
 * what it declares (`unique:<field>`, `index:<field>`), so that the declarations of every process are read
 * back from the collection's indexes. A unique index is partial: it holds only documents whose field is a
 * string, a number or a boolean, so documents lacking the field or holding null there never collide.
 * Creating an index that exists already, the same, is a no-op in MongoDB: several nodes may call this at once.
 */
import { TesseraError } from '@tessera/plugin-sdk';
import type { CollectionRef, CollectionSchema, FieldPath } from '@tessera/store';
import type { Collection, Document } from 'mongodb';

import { ORDER, type StoredDocument } from './documents';
import { sourcePath } from './compile-query';

type IndexKind = 'unique' | 'index';

const SCALAR = [{ $type: 'string' }, { $type: 'number' }, { $type: 'bool' }];

export function indexName(kind: IndexKind, field: FieldPath): string {
  return `${kind}:${field}`;
}

/** The partial filter of a unique index on `field`: only its non-null scalar values are constrained. */
export function uniqueFilter(field: FieldPath): Document {
  return { $or: SCALAR.map((type) => ({ [sourcePath(field)]: type })) };
}

export async function ensureCollection(
  collection: Collection<StoredDocument>,
  ref: CollectionRef,
  wanted: CollectionSchema,
): Promise<CollectionSchema> {
  // The creation order: searches without a sort read documents by it.
  await collection.createIndex({ [ORDER]: 1 }, { name: 'order' });
  const existing = await declarations(collection);
  const has = (kind: IndexKind, field: FieldPath) =>
    existing.some((declared) => declared.field === field && (declared.kind === kind || kind === 'index'));
  const added = [
    ...wanted.unique
      .filter((field) => !has('unique', field))
      .map((field) => ({ kind: 'unique' as const, field })),
    ...wanted.indexed
      .filter((field) => !has('index', field))
      .map((field) => ({ kind: 'index' as const, field })),
  ];
  for (const { kind, field } of added) {
    await refuseNonScalars(collection, ref, field);
    await collection.createIndex(
      { [sourcePath(field)]: 1 },
      kind === 'unique'
        ? { name: indexName(kind, field), unique: true, partialFilterExpression: uniqueFilter(field) }
        : { name: indexName(kind, field) },
    );
  }
  const all = [...existing, ...added];
  const fields = (kind: IndexKind) =>
    [...new Set(all.filter((d) => d.kind === kind).map((d) => d.field))].sort();
  return { unique: fields('unique'), indexed: fields('index') };
}

async function refuseNonScalars(
  collection: Collection<StoredDocument>,
  ref: CollectionRef,
  field: FieldPath,
): Promise<void> {
  const found = await collection.findOne(
    { [sourcePath(field)]: { $type: ['array', 'object'] } },
    { projection: { _id: 1 } },
  );
  if (found === null) return;
  const array = await collection.findOne(
    { _id: found._id, [sourcePath(field)]: { $type: 'array' } },
    { projection: { _id: 1 } },
  );
  throw new TesseraError('services.storage.indexed_field_not_scalar', [
    field,
    ref.collection,
    array === null ? 'an object' : 'an array',
  ]);
}

/** The declarations of the collection's indexes, read from their names. */
async function declarations(
  collection: Collection<StoredDocument>,
): Promise<{ kind: IndexKind; field: FieldPath }[]> {
  const indexes = await collection.indexes();
  return indexes.flatMap(({ name }) => {
    if (typeof name !== 'string') return [];
    const match = /^(unique|index):(.+)$/.exec(name);
    return match === null ? [] : [{ kind: match[1] as IndexKind, field: match[2] as FieldPath }];
  });
}
