/**
 * How the audit trail writes: the events of one turn of the event loop in one store write (a revocation of many
 * tokens is one write of one event per token, not one write each), and a write that fails is logged with the
 * events it held, never dropped silently. On a real server, over the store the environment names (SQLite, or
 * PostgreSQL with `tessera_storage__engine=postgres`).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Http, Kuzzle } from 'kuzzle-sdk';
import { AUDIT_COLLECTION, createAuditTrail } from '@tessera/audit';
import type { StoreAdapter } from '@tessera/store';
import { builtInPlugins } from '@tessera/server';
import { createRecordingLogger, startTestKernel, type LogLine, type TestKernel } from '@tessera/testing';
import type { JsonObject } from '@tessera/plugin-sdk';

const ADMIN_PASSWORD = 'an admin password';
const BOB_PASSWORD = 'bob password';
const TOKENS = 20;

interface AuditWrite {
  readonly operation: string;
  readonly events: JsonObject[];
}

let server: TestKernel | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/**
 * A server with the audit trail on, its writes to the trail noted in `writes`; while `failing.now` is true they
 * reject, as a store that went away does.
 */
async function start(writes: AuditWrite[], failing: { now: boolean }, lines: LogLine[] = []) {
  const trail = createAuditTrail({ enabled: true, retention: 0 });
  const isAudit = (ref: unknown) => (ref as { collection?: string }).collection === AUDIT_COLLECTION;
  const wrapStore = (adapter: StoreAdapter): StoreAdapter =>
    new Proxy(adapter, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => Promise<unknown>;
        if (property !== 'create' && property !== 'mCreate') return method.bind(target);
        return (ref: unknown, ...rest: unknown[]) => {
          if (!isAudit(ref)) return method.call(target, ref, ...rest);
          const events =
            property === 'create'
              ? [rest[1] as JsonObject]
              : (rest[0] as { source: JsonObject }[]).map((document) => document.source);
          writes.push({ operation: property, events });
          if (failing.now) return Promise.reject(new Error('the audit store is gone'));
          return method.call(target, ref, ...rest);
        };
      },
    });
  server = await startTestKernel({
    plugins: builtInPlugins(),
    extensions: [trail],
    wrapStore,
    log: createRecordingLogger(lines),
    // Bob logs in TOKENS times in a row: the login throttle would stop him at 5.
    overrides: {
      plugins: { 'auth-local': { bcryptCost: 4 } },
      security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } },
    },
  });
  const admin = await client(server);
  await admin.security.createFirstAdmin(
    'admin',
    { content: {}, credentials: { local: { username: 'admin', password: ADMIN_PASSWORD } } },
    { reset: true },
  );
  await admin.auth.login('local', { username: 'admin', password: ADMIN_PASSWORD });
  await admin.security.createUser('bob', {
    content: { profileIds: ['default'] },
    credentials: { local: { username: 'bob', password: BOB_PASSWORD } },
  });
  // Bob logs in TOKENS times: TOKENS live tokens, as many clients holding one each.
  const bob = await client(server);
  for (let i = 0; i < TOKENS; i++) await bob.auth.login('local', { username: 'bob', password: BOB_PASSWORD });
  bob.disconnect();
  await trail.flush();
  writes.length = 0;
  return { admin, trail };
}

async function client(running: TestKernel): Promise<Kuzzle> {
  const kuzzle = new Kuzzle(new Http('127.0.0.1', { port: running.port }));
  await kuzzle.connect();
  return kuzzle;
}

const revokedOf = (events: JsonObject[]) => events.filter((event) => event.event === 'token:revoked');

describe('the audit trail writes', () => {
  it('one token:revoked event per token of a revocation, all in one write', async () => {
    const writes: AuditWrite[] = [];
    const { admin, trail } = await start(writes, { now: false });

    await admin.query({ controller: 'security', action: 'revokeTokens', _id: 'bob' });
    await trail.flush();

    const withRevocations = writes.filter((write) => revokedOf(write.events).length > 0);
    expect(withRevocations).toHaveLength(1);
    expect(withRevocations[0]?.operation).toBe('mCreate');
    const revoked = revokedOf(withRevocations[0]?.events ?? []);
    expect(revoked).toHaveLength(TOKENS);
    expect(new Set(revoked.map((event) => event.sessionId)).size).toBe(TOKENS);
    for (const event of revoked) {
      expect(event).toMatchObject({ kuid: 'bob', author: 'admin', reason: 'revoke-tokens' });
    }
    // And the trail holds them, as searched.
    const { result } = await admin.query({
      controller: 'security',
      action: 'searchAuditEvents',
      body: {
        query: { bool: { filter: [{ term: { event: 'token:revoked' } }, { term: { kuid: 'bob' } }] } },
      },
      size: 100,
    });
    expect((result as { total: number }).total).toBe(TOKENS);
    admin.disconnect();
  });

  it('logs the events of a write that failed, with the failure', async () => {
    const writes: AuditWrite[] = [];
    const failing = { now: false };
    const lines: LogLine[] = [];
    const { admin, trail } = await start(writes, failing, lines);
    failing.now = true;

    await admin.query({ controller: 'security', action: 'revokeTokens', _id: 'bob' });
    await trail.flush();

    const warnings = lines.filter((line) => line.message === 'audit events could not be stored');
    const logged = warnings.flatMap((line) => line.fields.events as JsonObject[]);
    expect(revokedOf(logged)).toHaveLength(TOKENS);
    expect(warnings.every((line) => String(line.fields.error).includes('the audit store is gone'))).toBe(
      true,
    );
    admin.disconnect();
  });
});
