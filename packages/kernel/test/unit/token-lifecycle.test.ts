import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createEventBus, createSilentLogger } from '@tessera/kernel';
import type { LogFields, Logger, TokenEvent } from '@tessera/plugin-sdk';
import type { ClientConnections } from '../../src/realtime/client-connections';
import { createTokenLifecycle, createTokenLinks } from '../../src/realtime';
import type { AuthToken } from '../../src/security/tokens';

const T0 = 1_700_000_000_000;
const NODE = 'node-1';
const EXPIRED = (reason: string) =>
  `{"status":200,"info":"This is an automated server notification","message":"Authentication Token Expired",` +
  `"type":"TokenExpired","node":"${NODE}","room":"kuzzle:notification:server","reason":"${reason}"}`;
const EXPIRING = (expiresAt: number) =>
  `{"status":200,"info":"This is an automated server notification","message":"Authentication Token Expiring",` +
  `"type":"TokenExpiring","expiresAt":${expiresAt},"node":"${NODE}","room":"kuzzle:notification:server"}`;

/** What happened to connections, in order: frames as sent on the wire, and subscription drops. */
type Happening = { at: number; connectionId: string } & ({ frame: string } | { dropped: true });

function recordingConnections(timeline: Happening[]): ClientConnections {
  const send = (connectionId: string, frame: object): boolean => {
    timeline.push({ at: Date.now(), connectionId, frame: JSON.stringify(frame) });
    return true;
  };
  return {
    send,
    sendRaw: (connectionIds, json) => {
      for (const connectionId of connectionIds) timeline.push({ at: Date.now(), connectionId, frame: json });
    },
    has: () => true,
  };
}

function token(sessionId: string, expiresAt: number, extra: Partial<AuthToken> = {}): AuthToken {
  return {
    jwt: `kauth-${sessionId}`,
    kuid: 'mylehuong',
    sessionId,
    type: 'authToken',
    expiresAt,
    ttl: expiresAt === -1 ? -1 : expiresAt - T0,
    singleUse: false,
    ...extra,
  };
}

function setup({ expiryWarning = 0 } = {}) {
  const errors: { message: string; fields?: LogFields }[] = [];
  const log: Logger = {
    ...createSilentLogger(),
    error: (message, fields) => void errors.push({ message, fields }),
  };
  const bus = createEventBus(createSilentLogger());
  const timeline: Happening[] = [];
  const events: { event: string; payload: TokenEvent }[] = [];
  for (const name of ['token:expiring', 'token:expired'] as const) {
    bus.hook(name, (payload: TokenEvent, event) => void events.push({ event, payload }));
  }
  const links = createTokenLinks();
  const lifecycle = createTokenLifecycle({
    links,
    connections: recordingConnections(timeline),
    bus,
    log,
    nodeId: NODE,
    expiryWarning,
    dropSubscriptions: (connectionId) => void timeline.push({ at: Date.now(), connectionId, dropped: true }),
  });
  const of = (connectionId: string) =>
    timeline.filter((h) => h.connectionId === connectionId).map((h) => ('frame' in h ? h.frame : 'dropped'));
  return { bus, links, lifecycle, timeline, events, errors, of };
}

/** Advances fake time and lets the notification pipelines settle. */
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

const revoke = (bus: ReturnType<typeof setup>['bus'], t: AuthToken) =>
  bus.emit('token:revoked', {
    kuid: t.kuid,
    sessionId: t.sessionId,
    type: t.type,
    expiresAt: t.expiresAt,
    reason: 'global-logout',
    author: t.kuid,
  });

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('token lifecycle: expiry', () => {
  it("sends Kuzzle's exact TokenExpired frame at expiry, then drops the subscriptions and the link; once", async () => {
    const { lifecycle, links, timeline, events, of } = setup();
    const t = token('s1', T0 + 2000);
    lifecycle.link('c1', t);
    await advance(1999);
    expect(timeline).toEqual([]);
    await advance(1);
    expect(of('c1')).toEqual([EXPIRED('expired'), 'dropped']);
    expect(timeline.every((h) => h.at === T0 + 2000)).toBe(true);
    expect(links.tokenOf('c1')).toBeUndefined();
    expect(events).toEqual([
      {
        event: 'token:expired',
        payload: { kuid: 'mylehuong', sessionId: 's1', type: 'authToken', expiresAt: T0 + 2000 },
      },
    ]);
    await advance(60_000);
    expect(timeline).toHaveLength(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sends TokenExpiring expiryWarning ms before the expiry, then TokenExpired at it', async () => {
    const { lifecycle, timeline, events, of } = setup({ expiryWarning: 1000 });
    const t = token('s1', T0 + 3000);
    lifecycle.link('c1', t);
    await advance(1999);
    expect(timeline).toEqual([]);
    await advance(1);
    expect(of('c1')).toEqual([EXPIRING(T0 + 3000)]);
    expect(events.map((e) => e.event)).toEqual(['token:expiring']);
    await advance(1000);
    expect(of('c1')).toEqual([EXPIRING(T0 + 3000), EXPIRED('expired'), 'dropped']);
    expect(timeline.map((h) => h.at)).toEqual([T0 + 2000, T0 + 3000, T0 + 3000]);
    expect(events.map((e) => e.event)).toEqual(['token:expiring', 'token:expired']);
  });

  it('sends no TokenExpiring when expiryWarning is 0', async () => {
    const { lifecycle, events, of } = setup({ expiryWarning: 0 });
    lifecycle.link('c1', token('s1', T0 + 3000));
    await advance(3000);
    expect(of('c1')).toEqual([EXPIRED('expired'), 'dropped']);
    expect(events.map((e) => e.event)).toEqual(['token:expired']);
  });

  it('sends no TokenExpiring when its moment had already passed at link time', async () => {
    const { lifecycle, events, of } = setup({ expiryWarning: 1000 });
    lifecycle.link('c1', token('s1', T0 + 500));
    await advance(500);
    expect(of('c1')).toEqual([EXPIRED('expired'), 'dropped']);
    expect(events.map((e) => e.event)).toEqual(['token:expired']);
  });

  it('notifies every connection linked to the token, each once', async () => {
    const { lifecycle, events, of } = setup({ expiryWarning: 1000 });
    const t = token('s1', T0 + 3000);
    for (const id of ['c1', 'c2', 'c3']) lifecycle.link(id, t);
    lifecycle.link('c2', t);
    await advance(3000);
    for (const id of ['c1', 'c2', 'c3']) {
      expect(of(id)).toEqual([EXPIRING(T0 + 3000), EXPIRED('expired'), 'dropped']);
    }
    expect(events.map((e) => e.event)).toEqual(['token:expiring', 'token:expired']);
  });

  it('links but never notifies tokens that never expire, and keeps no timer for them', async () => {
    const { lifecycle, links, timeline } = setup({ expiryWarning: 1000 });
    lifecycle.link('c1', token('forever', -1));
    lifecycle.link('c2', token('key', -1, { type: 'apiKey', jwt: 'kapikey-x' }));
    expect(links.tokenOf('c1')?.sessionId).toBe('forever');
    expect(links.tokenOf('c2')?.type).toBe('apiKey');
    expect(jest.getTimerCount()).toBe(0);
    await advance(365 * 86_400_000);
    expect(timeline).toEqual([]);
  });

  it('never links anonymous or single-use tokens', () => {
    const { lifecycle, links } = setup();
    lifecycle.link('c1', null);
    lifecycle.link('c2', token('once', T0 + 1000, { singleUse: true }));
    lifecycle.link('c3', token('anon', T0 + 1000, { kuid: '-1' }));
    expect(links.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps the existing link when the connection makes an anonymous request', async () => {
    const { lifecycle, links, of } = setup();
    lifecycle.link('c1', token('s1', T0 + 1000));
    lifecycle.link('c1', null);
    expect(links.tokenOf('c1')?.sessionId).toBe('s1');
    await advance(1000);
    expect(of('c1')).toEqual([EXPIRED('expired'), 'dropped']);
  });
});

describe('token lifecycle: revocation', () => {
  it('pushes TokenExpired with reason "revoked" to every connection of that session, and only those', async () => {
    const { bus, lifecycle, links, events, of } = setup({ expiryWarning: 1000 });
    const revoked = token('s1', T0 + 5000);
    const other = token('s2', T0 + 5000);
    lifecycle.link('c1', revoked);
    lifecycle.link('c2', revoked);
    lifecycle.link('c3', other);
    revoke(bus, revoked);
    await advance(0);
    expect(of('c1')).toEqual([EXPIRED('revoked'), 'dropped']);
    expect(of('c2')).toEqual([EXPIRED('revoked'), 'dropped']);
    expect(of('c3')).toEqual([]);
    expect(links.tokenOf('c1')).toBeUndefined();
    expect(links.tokenOf('c3')?.sessionId).toBe('s2');
    await advance(5000);
    // The revoked token's own deadlines are gone: no warning, no second TokenExpired, no token:expired.
    expect(of('c1')).toEqual([EXPIRED('revoked'), 'dropped']);
    expect(of('c3')).toEqual([EXPIRING(T0 + 5000), EXPIRED('expired'), 'dropped']);
    expect(events.map((e) => `${e.event} ${e.payload.sessionId}`)).toEqual([
      'token:expiring s2',
      'token:expired s2',
    ]);
  });

  it('ignores the revocation of a token no connection is linked to', async () => {
    const { bus, lifecycle, timeline } = setup();
    lifecycle.link('c1', token('s1', T0 + 5000));
    revoke(bus, token('elsewhere', T0 + 5000));
    await advance(0);
    expect(timeline).toEqual([]);
  });

  it('does not tell a connection unlinked before the revocation (a logout on that connection)', async () => {
    const { bus, lifecycle, of } = setup();
    const t = token('s1', T0 + 5000);
    lifecycle.link('c1', t);
    lifecycle.link('c2', t);
    lifecycle.unlink('c1');
    revoke(bus, t);
    await advance(0);
    expect(of('c1')).toEqual([]);
    expect(of('c2')).toEqual([EXPIRED('revoked'), 'dropped']);
  });
});

describe('token lifecycle: refresh and close', () => {
  it("moves a connection's link on refresh: it never sees the old token's end, and does see the new one's", async () => {
    const { bus, lifecycle, links, events, of } = setup({ expiryWarning: 1000 });
    const old = token('old', T0 + 3000);
    const fresh = token('new', T0 + 10_000);
    lifecycle.link('c1', old);
    lifecycle.link('c2', old);
    await advance(2000);
    expect(of('c1')).toEqual([EXPIRING(T0 + 3000)]);
    // What the kernel does on auth:refreshToken over c1.
    bus.emit('token:refreshed', { ...fresh, previousSessionId: old.sessionId });
    lifecycle.link('c1', fresh);
    expect(links.tokenOf('c1')?.sessionId).toBe('new');
    await advance(1000);
    expect(of('c1')).toEqual([EXPIRING(T0 + 3000)]);
    expect(of('c2')).toEqual([EXPIRING(T0 + 3000), EXPIRED('expired'), 'dropped']);
    await advance(7000);
    expect(of('c1')).toEqual([EXPIRING(T0 + 3000), EXPIRING(T0 + 10_000), EXPIRED('expired'), 'dropped']);
    expect(events.map((e) => `${e.event} ${e.payload.sessionId}`)).toEqual([
      'token:expiring old',
      'token:expired old',
      'token:expiring new',
      'token:expired new',
    ]);
  });

  it('stops watching the old token when the refreshing connection was its only one', async () => {
    const { lifecycle, events, timeline } = setup();
    lifecycle.link('c1', token('old', T0 + 1000));
    lifecycle.link('c1', token('new', T0 + 9000));
    expect(jest.getTimerCount()).toBe(1);
    await advance(8999);
    expect(timeline).toEqual([]);
    expect(events).toEqual([]);
  });

  it('unlinks a connection that closes and stops watching a token left without connections', async () => {
    const { bus, lifecycle, links, timeline, events } = setup({ expiryWarning: 1000 });
    lifecycle.link('c1', token('s1', T0 + 3000));
    bus.emit('connection:remove', { id: 'c1', protocol: 'websocket', address: null, ips: [], headers: {} });
    expect(links.tokenOf('c1')).toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
    await advance(3000);
    expect(timeline).toEqual([]);
    expect(events).toEqual([]);
  });

  it("keeps a token's deadline while another connection still holds it", async () => {
    const { bus, lifecycle, of } = setup();
    const t = token('s1', T0 + 3000);
    lifecycle.link('c1', t);
    lifecycle.link('c2', t);
    bus.emit('connection:remove', { id: 'c1', protocol: 'websocket', address: null, ips: [], headers: {} });
    await advance(3000);
    expect(of('c1')).toEqual([]);
    expect(of('c2')).toEqual([EXPIRED('expired'), 'dropped']);
  });

  it('stop() stops listening and cancels every deadline', async () => {
    const { bus, lifecycle, timeline } = setup({ expiryWarning: 1000 });
    const t = token('s1', T0 + 3000);
    lifecycle.link('c1', t);
    lifecycle.stop();
    expect(jest.getTimerCount()).toBe(0);
    revoke(bus, t);
    await advance(3000);
    expect(timeline).toEqual([]);
  });
});

describe('token lifecycle: realtime:beforeServerNotification', () => {
  it('lets a pipe alter a frame or drop it; a dropped TokenExpired still ends the link and subscriptions', async () => {
    const { bus, lifecycle, links, of } = setup();
    bus.pipe('realtime:beforeServerNotification', ({ connectionId, notification }) => ({
      connectionId,
      notification:
        connectionId === 'c1' || notification === null ? null : { ...notification, message: 'Session over' },
    }));
    const t = token('s1', T0 + 1000);
    lifecycle.link('c1', t);
    lifecycle.link('c2', t);
    await advance(1000);
    expect(of('c1')).toEqual(['dropped']);
    expect(of('c2')).toEqual([
      EXPIRED('expired').replace('Authentication Token Expired', 'Session over'),
      'dropped',
    ]);
    expect(links.size).toBe(0);
  });

  it('treats a failing pipe as a drop, logs it, and still drops the subscriptions', async () => {
    const { bus, lifecycle, errors, of } = setup();
    bus.pipe('realtime:beforeServerNotification', () => {
      throw new Error('plugin failure');
    });
    lifecycle.link('c1', token('s1', T0 + 1000));
    await advance(1000);
    expect(of('c1')).toEqual(['dropped']);
    expect(errors).toEqual([
      {
        message: 'token notification failed',
        fields: { connectionId: 'c1', error: new Error('plugin failure') },
      },
    ]);
  });
});

describe('token lifecycle: at scale', () => {
  it('notifies each connection once when thousands of tokens end at the same millisecond', async () => {
    const { bus, lifecycle, timeline, events } = setup();
    const tokens = Array.from({ length: 5000 }, (_, i) => token(`s${i}`, T0 + 1000));
    tokens.forEach((t, i) => lifecycle.link(`c${i}`, t));
    // A plugin revoking a token of the same batch while it runs: that token's connections hear it once.
    bus.hook('token:expired', ({ sessionId }) => {
      if (sessionId === 's0') revoke(bus, tokens[4999]!);
    });
    await advance(1000);
    expect(timeline).toHaveLength(10_000);
    const heard = new Map<string, string[]>();
    for (const h of timeline)
      heard.set(h.connectionId, [...(heard.get(h.connectionId) ?? []), 'frame' in h ? h.frame : 'dropped']);
    expect(heard.get('c4999')).toEqual([EXPIRED('revoked'), 'dropped']);
    for (let i = 0; i < 4999; i++) expect(heard.get(`c${i}`)).toEqual([EXPIRED('expired'), 'dropped']);
    expect(events).toHaveLength(4999);
  });

  it("notifies each of 10,000 tokens' connections exactly once, on time, with one timer at most", async () => {
    const { lifecycle, links, timeline, events } = setup({ expiryWarning: 500 });
    const tokens = Array.from({ length: 10_000 }, (_, i) => token(`s${i}`, T0 + 1000 + (i % 1000) * 7));
    const connectionsOf = new Map<string, AuthToken>();
    // Shuffled (deterministically), ten tokens per expiry millisecond, every tenth token on two connections.
    const order = tokens.map((_, i) => (i * 7919) % tokens.length);
    for (const i of order) {
      const t = tokens[i]!;
      lifecycle.link(`c${i}`, t);
      connectionsOf.set(`c${i}`, t);
      if (i % 10 === 0) {
        lifecycle.link(`c${i}b`, t);
        connectionsOf.set(`c${i}b`, t);
      }
    }
    expect(jest.getTimerCount()).toBe(1);
    for (let elapsed = 0; elapsed < 8000; elapsed += 50) {
      await advance(50);
      expect(jest.getTimerCount()).toBeLessThanOrEqual(1);
    }
    expect(connectionsOf.size).toBe(11_000);
    const byConnection = new Map<string, Happening[]>();
    for (const h of timeline)
      byConnection.set(h.connectionId, [...(byConnection.get(h.connectionId) ?? []), h]);
    expect(byConnection.size).toBe(11_000);
    for (const [connectionId, t] of connectionsOf) {
      expect(byConnection.get(connectionId)).toEqual([
        { at: t.expiresAt - 500, connectionId, frame: EXPIRING(t.expiresAt) },
        { at: t.expiresAt, connectionId, frame: EXPIRED('expired') },
        { at: t.expiresAt, connectionId, dropped: true },
      ]);
    }
    const sessions = (event: string) =>
      new Set(events.filter((e) => e.event === event).map((e) => e.payload.sessionId));
    expect(events).toHaveLength(20_000);
    expect(sessions('token:expiring').size).toBe(10_000);
    expect(sessions('token:expired').size).toBe(10_000);
    expect(links.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});
