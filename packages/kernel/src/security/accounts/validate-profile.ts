/**
 * validateProfile: checks a profile body (reference §3.3) and returns the content to store. Whether the roles
 * exist is the repository's check: it needs the store.
 *
 * Stricter than Kuzzle on purpose: an empty `policies` array is refused, where Kuzzle silently replaced it with
 * the default role (quirk 16) and so granted rights nobody asked for. Empty `restrictedTo` and `collections`
 * arrays are refused for the same reason: they read as "nowhere" but would mean "everywhere".
 */
import { tesseraError, type JsonObject } from '@tessera/plugin-sdk';
import type { Policy, PolicyRestriction, ProfileContent } from '../model';
import {
  assertOnlyKeys,
  readNonEmptyArray,
  readObject,
  readString,
  readStringArray,
} from './argument-checks';

export function validateProfile(id: string, body: JsonObject): ProfileContent {
  const { rateLimit, ...rest } = body;
  const policies = readNonEmptyArray(body.policies, 'body.policies').map((policy, i) =>
    readPolicy(policy, `body.policies[${i}]`),
  );
  // Without the anonymous role, anonymous users could not even log in.
  if (id === 'anonymous' && !policies.some((policy) => policy.roleId === 'anonymous')) {
    throw tesseraError('security.profile.missing_anonymous_role');
  }
  const profile: ProfileContent = { ...rest, policies };
  if (rateLimit !== undefined) profile.rateLimit = readRateLimit(rateLimit);
  return profile;
}

function readPolicy(value: unknown, path: string): Policy {
  const policy = readObject(value, path);
  assertOnlyKeys(policy, ['roleId', 'restrictedTo'], path);
  const roleId = readString(policy.roleId, `${path}.roleId`);
  if (policy.restrictedTo === undefined) return { roleId };
  const restrictedTo = readNonEmptyArray(policy.restrictedTo, `${path}.restrictedTo`).map((restriction, i) =>
    readRestriction(restriction, `${path}.restrictedTo[${i}]`),
  );
  return { roleId, restrictedTo };
}

function readRestriction(value: unknown, path: string): PolicyRestriction {
  const restriction = readObject(value, path);
  assertOnlyKeys(restriction, ['index', 'collections'], path);
  const index = readString(restriction.index, `${path}.index`);
  if (restriction.collections === undefined) return { index };
  return { index, collections: readStringArray(restriction.collections, `${path}.collections`) };
}

/** Requests per second per user; 0 means unlimited. */
function readRateLimit(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw tesseraError('api.assert.invalid_type', 'body.rateLimit', 'integer');
  }
  if (value < 0) throw tesseraError('api.assert.invalid_argument', 'body.rateLimit', 'an integer >= 0');
  return value;
}
