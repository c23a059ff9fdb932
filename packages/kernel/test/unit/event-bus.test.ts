import { createEventBus } from '@tessera/kernel';
import { TesseraError, type Logger } from '@tessera/plugin-sdk';

function recordingLogger() {
  const errors: { message: string; fields?: Record<string, unknown> }[] = [];
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (message, fields) => errors.push({ message, fields }),
    child: () => log,
  };
  return { log, errors };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('event bus', () => {
  it('delivers hooks by exact name and by one-segment wildcard', () => {
    const bus = createEventBus(recordingLogger().log);
    const seen: string[] = [];
    bus.hook('auth:custom', (_payload, event) => void seen.push(`exact ${event}`));
    bus.hook('auth:*', (_payload, event) => void seen.push(`wildcard ${event}`));
    bus.hook('**', (_payload, event) => void seen.push(`any ${event}`));
    bus.emit('auth:custom', { kuid: 'a' });
    bus.emit('security:createUser', {});
    expect(seen).toEqual([
      'exact auth:custom',
      'wildcard auth:custom',
      'any auth:custom',
      'any security:createUser',
    ]);
  });

  it('isolates a throwing or rejecting hook and logs it', async () => {
    const { log, errors } = recordingLogger();
    const bus = createEventBus(log);
    const reached: string[] = [];
    bus.hook('x:y', () => {
      throw new Error('sync boom');
    });
    bus.hook('x:y', () => Promise.reject(new Error('async boom')));
    bus.hook('x:y', () => void reached.push('third'));
    expect(() => bus.emit('x:y', 1)).not.toThrow();
    await flush();
    expect(reached).toEqual(['third']);
    expect(errors.map((entry) => entry.fields?.event)).toEqual(['x:y', 'x:y']);
  });

  it('runs pipes in registration order, each changing the payload, then fires hooks with the result', async () => {
    const bus = createEventBus(recordingLogger().log);
    bus.pipe('doc:*', (payload) => (payload as number[]).concat(1));
    bus.pipe('doc:write', (payload) => Promise.resolve((payload as number[]).concat(2)));
    let hooked: unknown;
    bus.hook('doc:write', (payload) => {
      hooked = payload;
    });
    await expect(bus.pipeline('doc:write', [0])).resolves.toEqual([0, 1, 2]);
    expect(hooked).toEqual([0, 1, 2]);
  });

  it('propagates a pipe rejection to the caller and skips the hooks', async () => {
    const bus = createEventBus(recordingLogger().log);
    const refusal = new TesseraError('security.rights.forbidden', ['a', 'b', 'c']);
    bus.pipe('a:b', () => {
      throw refusal;
    });
    const hook = jest.fn();
    bus.hook('a:b', hook);
    await expect(bus.pipeline('a:b', {})).rejects.toBe(refusal);
    expect(hook).not.toHaveBeenCalled();
  });

  it('stops delivering after unsubscribe, for hooks and pipes', async () => {
    const bus = createEventBus(recordingLogger().log);
    const hook = jest.fn();
    const offHook = bus.hook('a:b', hook);
    const offPipe = bus.pipe('a:b', () => 'piped');
    offHook();
    offPipe();
    await expect(bus.pipeline('a:b', 'original')).resolves.toBe('original');
    expect(hook).not.toHaveBeenCalled();
  });

  it('does not treat regular expression characters in names as patterns', async () => {
    const bus = createEventBus(recordingLogger().log);
    bus.pipe('a.b:c', () => 'matched');
    await expect(bus.pipeline('axb:c', 'untouched')).resolves.toBe('untouched');
    await expect(bus.pipeline('a.b:c', 'untouched')).resolves.toBe('matched');
  });

  describe('who listens, resolved once per event and kept until a hook or pipe comes or goes', () => {
    it('fires a hook added after the event was first emitted, and a wildcard one', async () => {
      const bus = createEventBus(recordingLogger().log);
      const seen: string[] = [];
      bus.emit('auth:custom', 1);
      await bus.pipeline('auth:custom', 2);
      expect(bus.listens('auth:custom')).toBe(false);
      bus.hook('auth:custom', (payload) => void seen.push(`exact ${String(payload)}`));
      bus.emit('auth:custom', 3);
      bus.hook('auth:*', (payload) => void seen.push(`one segment ${String(payload)}`));
      bus.hook('**', (payload) => void seen.push(`any ${String(payload)}`));
      await bus.pipeline('auth:custom', 4);
      expect(seen).toEqual(['exact 3', 'exact 4', 'one segment 4', 'any 4']);
      expect(bus.listens('auth:custom')).toBe(true);
    });

    it('stops firing a hook removed after it fired, and forgets a wildcard pipe once removed', async () => {
      const bus = createEventBus(recordingLogger().log);
      const hook = jest.fn();
      const offHook = bus.hook('a:*', hook);
      const offPipe = bus.pipe('**', (payload) => `${String(payload)} piped`);
      await expect(bus.pipeline('a:b', 'first')).resolves.toBe('first piped');
      expect(hook).toHaveBeenCalledTimes(1);
      offHook();
      bus.emit('a:b', 'second');
      await expect(bus.pipeline('a:b', 'third')).resolves.toBe('third piped');
      expect(hook).toHaveBeenCalledTimes(1);
      offPipe();
      await expect(bus.pipeline('a:b', 'fourth')).resolves.toBe('fourth');
      expect(bus.listens('a:b')).toBe(false);
    });

    it('says an event is listened to by a pipe alone, and only for the names its pattern matches', () => {
      const bus = createEventBus(recordingLogger().log);
      bus.pipe('request:*', (payload) => payload);
      expect(bus.listens('request:onSuccess')).toBe(true);
      expect(bus.listens('request:on:success')).toBe(false);
      expect(bus.listens('server:afterNow')).toBe(false);
    });

    it('does not let a hook added or removed during an emit change that emit', () => {
      const bus = createEventBus(recordingLogger().log);
      const seen: string[] = [];
      let offSecond = (): void => undefined;
      bus.hook('a:b', () => {
        seen.push('first');
        offSecond();
        bus.hook('a:b', () => void seen.push('late'));
      });
      offSecond = bus.hook('a:b', () => void seen.push('second'));
      bus.emit('a:b', null);
      expect(seen).toEqual(['first', 'second']);
      bus.emit('a:b', null);
      expect(seen).toEqual(['first', 'second', 'first', 'late']);
    });
  });
});
