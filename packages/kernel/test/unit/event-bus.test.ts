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
});
