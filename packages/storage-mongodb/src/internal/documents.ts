/**
 * How a document is stored in MongoDB: `{_id, v, o, s, t, p}`. `_id` is the document's id (MongoDB's primary
 * key index answers gets and id sorts), `v` its version, `o` its place in the creation order, `s` its source.
 * `t` and `p` are derived from the source at each write, for the two conditions a MongoDB filter cannot express
 * because they look at any depth: `t` lists every string of the source (matchAnyField), `p` every field path
 * holding a value other than null, in it or in its arrays and objects at any depth (exists).
 */
import type { JsonObject, JsonValue, VersionedDocument } from '@tessera/plugin-sdk';

export const VERSION = 'v';
export const ORDER = 'o';
export const SOURCE = 's';
export const STRINGS = 't';
export const PATHS = 'p';

export interface StoredDocument {
  _id: string;
  v: number;
  o: number;
  s: JsonObject;
  t: string[];
  p: string[];
}

/** The derived fields of a source. */
export function derivedOf(source: JsonObject): { t: string[]; p: string[] } {
  const strings = new Set<string>();
  const paths = new Set<string>();
  collectStrings(source, strings);
  collectPaths(source, '', paths);
  return { t: [...strings], p: [...paths] };
}

function collectStrings(value: JsonValue, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) collectStrings(item, into);
}

/** Adds the path of every member of `object` holding a value, and recurses into members that are objects. */
function collectPaths(object: JsonObject, prefix: string, into: Set<string>): void {
  for (const [key, value] of Object.entries(object)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (holdsValue(value)) into.add(path);
    // A path never descends into an array: only an object's members have paths of their own.
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) collectPaths(value, path, into);
  }
}

/** A scalar other than null, or one in the value's arrays or objects at any depth. */
function holdsValue(value: JsonValue): boolean {
  if (value === null) return false;
  if (Array.isArray(value)) return value.some(holdsValue);
  if (typeof value === 'object') return Object.values(value).some(holdsValue);
  return true;
}

export function toDocument(stored: Pick<StoredDocument, '_id' | 'v' | 's'>): VersionedDocument {
  return { _id: stored._id, _source: stored.s, _version: stored.v };
}
