/**
 * What a credentials search may say. As in Kuzzle's local plugin, clients find users by login (here also by
 * kuid) with a handful of query keywords; nothing may query or sort on the other stored fields (hashes,
 * costs, history), which would let a search probe them.
 */
import type { SearchBody } from '@tessera/plugin-sdk';
import { CREDENTIALS_FIELDS } from './credentials-store';
import { authLocalError } from './errors';

const KEYWORDS: ReadonlySet<string> = new Set([
  'bool',
  'must',
  'filter',
  'should',
  'must_not',
  'minimum_should_match',
  'match_all',
  'match',
  'query',
  'prefix',
  'term',
  'terms',
  'value',
]);
const SEARCHABLE: ReadonlySet<string> = new Set(['username', 'kuid']);
const STORED: ReadonlySet<string> = new Set<string>([...CREDENTIALS_FIELDS, '_id']);

/** Refuses a body naming a field other than username and kuid, or a keyword outside the allowed few. */
export function assertSearchable(body: SearchBody): void {
  checkQuery(body.query);
  checkSort(body.sort);
}

function checkQuery(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(checkQuery);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (!KEYWORDS.has(key)) checkField(key);
    checkQuery(value);
  }
}

function checkSort(sort: unknown): void {
  const entries: unknown[] = sort === undefined || sort === null ? [] : Array.isArray(sort) ? sort : [sort];
  for (const entry of entries) {
    if (typeof entry === 'string') checkField(entry);
    // Anything else malformed is the store's to refuse.
    if (!isObject(entry)) continue;
    for (const [field, order] of Object.entries(entry)) {
      checkField(field);
      const keys = isObject(order) ? Object.keys(order) : [];
      const unknown = keys.find((key) => key !== 'order');
      if (unknown !== undefined) throw authLocalError('forbidden_search_keyword', [unknown]);
    }
  }
}

function checkField(key: string): void {
  if (SEARCHABLE.has(key)) return;
  const stored = STORED.has(key.split('.')[0] ?? key);
  throw authLocalError(stored ? 'forbidden_search_field' : 'forbidden_search_keyword', [key]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
