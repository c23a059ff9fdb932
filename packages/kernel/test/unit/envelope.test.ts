import { MAX_NESTING_DEPTH, requestFromEnvelope } from '@tessera/kernel';
import type { ConnectionInfo } from '@tessera/plugin-sdk';

const connection: ConnectionInfo = {
  id: 'c1',
  protocol: 'websocket',
  address: '127.0.0.1',
  ips: ['127.0.0.1'],
  headers: {},
};

describe('request envelope', () => {
  it('splits the envelope into input fields and arguments, dropping nulls', () => {
    const request = requestFromEnvelope(
      {
        controller: 'auth',
        action: 'login',
        requestId: 'r1',
        jwt: null,
        body: { username: 'a' },
        volatile: { sdkName: 'js@7' },
        strategy: 'local',
        force: null,
        index: 'i',
      },
      connection,
    );
    expect(request.error).toBeNull();
    expect(request.id).toBe('r1');
    expect(request.input).toEqual({
      controller: 'auth',
      action: 'login',
      jwt: null,
      body: { username: 'a' },
      volatile: { sdkName: 'js@7' },
      args: { strategy: 'local', index: 'i' },
    });
  });

  it('generates a request id when none is given', () => {
    const request = requestFromEnvelope({ controller: 'server', action: 'now' }, connection);
    expect(request.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    [[1, 2], 'api.assert.invalid_type', 'Wrong type for argument "request" (expected: object)'],
    ['text', 'api.assert.invalid_type', 'Wrong type for argument "request" (expected: object)'],
    [{ action: 'now' }, 'api.assert.missing_argument', 'Missing argument "controller".'],
    [{ controller: 'server' }, 'api.assert.missing_argument', 'Missing argument "action".'],
    [
      { controller: 42, action: 'now' },
      'api.assert.invalid_type',
      'Wrong type for argument "controller" (expected: string)',
    ],
    [
      { controller: 'server', action: ['now'] },
      'api.assert.invalid_type',
      'Wrong type for argument "action" (expected: string)',
    ],
    [
      { controller: 'a', action: 'b', requestId: 5 },
      'api.assert.invalid_type',
      'Wrong type for argument "requestId" (expected: string)',
    ],
    [
      { controller: 'a', action: 'b', jwt: 5 },
      'api.assert.invalid_type',
      'Wrong type for argument "jwt" (expected: string)',
    ],
    [
      { controller: 'a', action: 'b', body: [1] },
      'api.assert.invalid_type',
      'Wrong type for argument "body" (expected: object)',
    ],
    [
      { controller: 'a', action: 'b', volatile: 'x' },
      'api.assert.invalid_type',
      'Wrong type for argument "volatile" (expected: object)',
    ],
  ])('refuses %j with %s', (envelope, id, message) => {
    const request = requestFromEnvelope(envelope, connection);
    expect(request.error?.toJSON()).toMatchObject({ id, message, status: 400 });
    expect(request.response('node').error).not.toHaveProperty('stack');
  });

  it('keeps the client request id on an invalid envelope so the answer reaches the pending call', () => {
    const request = requestFromEnvelope({ requestId: 'mine', action: 'now' }, connection);
    expect(request.id).toBe('mine');
    expect(request.error?.id).toBe('api.assert.missing_argument');
  });

  it('refuses a __proto__ key at any depth without polluting any prototype', () => {
    const raw: unknown = JSON.parse(
      '{"controller":"a","action":"b","body":{"deep":{"__proto__":{"polluted":true}}},"__proto__":{"polluted":true}}',
    );
    const request = requestFromEnvelope(raw, connection);
    expect(request.error?.id).toBe('api.assert.invalid_argument');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(request.input.args)).toBe(Object.prototype);
  });

  it.each([
    ['CR/LF', 'a\r\nSet-Cookie: x=1'],
    ['non-ASCII', 'café'],
    ['a control character', 'a\u0000b'],
  ])('refuses a request id with %s under a request id of its own', (_, requestId) => {
    const request = requestFromEnvelope({ controller: 'server', action: 'now', requestId }, connection);
    expect(request.error?.toJSON()).toMatchObject({
      id: 'api.assert.invalid_argument',
      props: ['requestId', 'printable ASCII characters only'],
    });
    expect(request.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  /** `leaf` wrapped in `depth` arrays. */
  const nested = (depth: number, leaf: unknown = 1): unknown => {
    let value = leaf;
    for (let level = 0; level < depth; level++) value = [value];
    return value;
  };

  it(`accepts fields nested ${MAX_NESTING_DEPTH} levels, the field itself included`, () => {
    const request = requestFromEnvelope(
      {
        controller: 'a',
        action: 'b',
        body: { x: nested(MAX_NESTING_DEPTH - 1) },
        extra: nested(MAX_NESTING_DEPTH),
      },
      connection,
    );
    expect(request.error).toBeNull();
  });

  it.each(['body', 'volatile', 'extra'])('refuses a %s nested one level deeper, naming it', (field) => {
    const deep = field === 'extra' ? nested(MAX_NESTING_DEPTH + 1) : { x: nested(MAX_NESTING_DEPTH) };
    const request = requestFromEnvelope({ controller: 'a', action: 'b', [field]: deep }, connection);
    expect(request.error?.toJSON()).toMatchObject({
      status: 400,
      id: 'api.assert.invalid_argument',
      props: [field, `at most ${MAX_NESTING_DEPTH} levels of nested objects and arrays`],
    });
  });

  it('walks input nested 100,000 levels without exhausting the stack, and does not echo its volatile', () => {
    const volatile = { deep: nested(100_000) };
    const request = requestFromEnvelope(
      { controller: 'a', action: 'b', requestId: 'r', volatile },
      connection,
    );
    expect(request.error?.id).toBe('api.assert.invalid_argument');
    expect(request.input.volatile).toBeNull();
    expect(() => JSON.stringify(request.response('node'))).not.toThrow();
  });
});
