/**
 * What an audit event keeps of what happened: named scalar fields, never a body, a token or a hash.
 */
import { describe, expect, it } from '@jest/globals';
import { Request } from '@tessera/kernel';
import { fromBusEvent, fromRequest } from '@tessera/audit';

const AT = 1_700_000_000_000;

function request(
  controller: string,
  action: string,
  options: {
    args?: Record<string, unknown>;
    body?: Record<string, unknown>;
    user?: string;
    result?: unknown;
  } = {},
): Request {
  const built = new Request(
    'request-1',
    {
      controller,
      action,
      jwt: 'kauth-secret-token',
      body: (options.body ?? null) as never,
      args: options.args ?? {},
      volatile: null,
    },
    {
      id: 'connection-1',
      protocol: 'websocket',
      address: '203.0.113.7',
      ips: ['203.0.113.7'],
      headers: { authorization: 'Bearer kauth-secret-token' },
    },
  );
  built.user = { _id: options.user ?? 'admin', profileIds: ['admin'] };
  built.result = options.result ?? null;
  return built;
}

describe('events from the bus', () => {
  it('keeps a failed login with its address and reason, and nothing of the attempt', () => {
    const payload = {
      strategy: 'local',
      reason: 'wrong username or password',
      ip: '203.0.113.7',
      connectionId: 'c1',
      password: 'hunter2',
    };
    expect(fromBusEvent('auth:loginFailed', payload, AT)).toEqual({
      event: 'auth:loginFailed',
      at: AT,
      kuid: null,
      author: null,
      strategy: 'local',
      reason: 'wrong username or password',
      ip: '203.0.113.7',
      connectionId: 'c1',
    });
  });

  it('names a revoked token by its session id, with the reason and who revoked it', () => {
    const revoked = {
      kuid: 'alice',
      sessionId: 's1',
      type: 'authToken' as const,
      expiresAt: AT + 1,
      reason: 'password-changed' as const,
      author: 'admin',
    };
    expect(fromBusEvent('token:revoked', revoked, AT)).toEqual({
      event: 'token:revoked',
      at: AT,
      kuid: 'alice',
      author: 'admin',
      sessionId: 's1',
      reason: 'password-changed',
    });
    expect(
      fromBusEvent('token:revoked', { ...revoked, reason: 'refresh-reuse', author: null }, AT),
    ).toMatchObject({ author: null, reason: 'refresh-reuse' });
  });

  it('makes a user the author of their own login', () => {
    expect(
      fromBusEvent('auth:login', { kuid: 'alice', strategy: 'local', sessionId: 's1', ip: '::1' }, AT),
    ).toMatchObject({
      kuid: 'alice',
      author: 'alice',
    });
  });
});

describe('events from successful security requests', () => {
  it('records a profile update by its author, without the body', () => {
    const events = fromRequest(
      request('security', 'updateProfile', {
        args: { _id: 'editors' },
        body: { policies: [{ roleId: 'admin' }] },
      }),
      AT,
    );
    expect(events).toEqual([
      {
        event: 'profile:updated',
        at: AT,
        kuid: null,
        author: 'admin',
        action: 'security:updateProfile',
        target: 'editors',
        ip: '203.0.113.7',
        connectionId: 'connection-1',
      },
    ]);
  });

  it('records the profiles a user update sets, and none of its other content', () => {
    const [event] = fromRequest(
      request('security', 'updateUser', {
        args: { _id: 'alice' },
        body: { profileIds: ['admin'], secret: 'x' },
      }),
      AT,
    );
    expect(event).toMatchObject({
      event: 'user:updated',
      kuid: 'alice',
      author: 'admin',
      profileIds: ['admin'],
    });
    expect(JSON.stringify(event)).not.toContain('secret');
  });

  it('records one event per id an m* delete answers', () => {
    const events = fromRequest(
      request('security', 'mDeleteRoles', { body: { ids: ['a', 'b', 'c'] }, result: ['a', 'c'] }),
      AT,
    );
    expect(events.map((event) => [event.event, event.target])).toEqual([
      ['role:deleted', 'a'],
      ['role:deleted', 'c'],
    ]);
  });

  it('names a created API key by its id, never its token', () => {
    const [event] = fromRequest(
      request('auth', 'createApiKey', {
        user: 'alice',
        body: { description: 'ci' },
        result: { _id: 'key-1', _source: { token: 'kapikey-secret', userId: 'alice' } },
      }),
      AT,
    );
    expect(event).toMatchObject({ event: 'apiKey:created', kuid: 'alice', author: 'alice', target: 'key-1' });
    expect(JSON.stringify(event)).not.toMatch(/kapikey|kauth/);
  });

  it('ignores reads, failures and actions outside the security writes', () => {
    expect(fromRequest(request('security', 'getProfile', { args: { _id: 'x' } }), AT)).toEqual([]);
    expect(fromRequest(request('server', 'now'), AT)).toEqual([]);
  });
});
