import { Writable } from 'node:stream';
import { createLogger, createSilentLogger, redact } from '@tessera/kernel';
import { TesseraError, tesseraError, type LogFields, type LogLevel } from '@tessera/plugin-sdk';

/** A logger writing into memory; `records()` parses each line written so far. */
function capture(level: LogLevel, bindings?: LogFields) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level, destination, bindings });
  const text = () => chunks.join('');
  const records = () =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, text, records };
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('lines', () => {
  it('writes one JSON object per line: time, level, msg, then bindings and fields', () => {
    const { logger, text, records } = capture('info', { service: 'kernel' });
    logger.info('started', { port: 7512 });
    logger.warn('slow', { ms: 900 });
    expect(text().split('\n')).toHaveLength(3); // two lines, each ending with a newline
    const [first, second] = records();
    expect(Object.keys(first!)).toEqual(['time', 'level', 'msg', 'service', 'port']);
    expect(first).toMatchObject({ level: 'info', msg: 'started', service: 'kernel', port: 7512 });
    expect(new Date(first!.time as string).toISOString()).toBe(first!.time);
    expect(second).toMatchObject({ level: 'warn', msg: 'slow', service: 'kernel', ms: 900 });
  });

  it('lets fields override bindings but never time, level or msg', () => {
    const { logger, records } = capture('info', { service: 'kernel', level: 'bound' });
    logger.error('real message', { service: 'override', msg: 'fake', level: 'debug', time: 'never' });
    const [record] = records();
    expect(record).toMatchObject({ level: 'error', msg: 'real message', service: 'override' });
    expect(record!.time).not.toBe('never');
  });

  it('writes to process.stdout by default', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    createLogger({ level: 'info' }).info('to stdout');
    expect(write).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(write.mock.calls[0]![0]))).toMatchObject({ level: 'info', msg: 'to stdout' });
  });
});

describe('levels', () => {
  it.each<[LogLevel, LogLevel[]]>([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ])('at %s, writes only %j', (level, written) => {
    const { logger, records } = capture(level);
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(records().map((record) => record.level)).toEqual(written);
  });
});

describe('child', () => {
  it('adds bindings to every line, keeps the level, and leaves the parent unchanged', () => {
    const { logger, records } = capture('warn', { service: 'kernel' });
    const child = logger.child({ plugin: 'oauth' });
    const grandchild = child.child({ requestId: 'r1' });
    child.info('filtered out');
    grandchild.warn('from grandchild');
    logger.warn('from parent');
    expect(records()).toEqual([
      expect.objectContaining({
        msg: 'from grandchild',
        service: 'kernel',
        plugin: 'oauth',
        requestId: 'r1',
      }),
      expect.not.objectContaining({ plugin: 'oauth' }),
    ]);
  });
});

describe('redaction', () => {
  const secrets = {
    user: {
      name: 'ann',
      password: 'p-1',
      credentials: { local: { Password: 'p-2', passwordHash: 'h-1' } },
    },
    headers: { Authorization: 'Bearer t-1', cookie: 'c-1', 'x-api-key': 'k-1', accept: 'application/json' },
    sessions: [{ id: 's1', token: 't-2' }, { refresh_token: 't-3' }],
    apiKey: 'k-2',
    jwt: 't-4',
    secret: 's-1',
    hash: 'h-2',
    tokenCount: 3,
  };

  it('replaces every secret-named field at any depth, case-insensitively, and keeps the rest', () => {
    expect(redact(secrets)).toEqual({
      user: {
        name: 'ann',
        password: '[redacted]',
        credentials: { local: { Password: '[redacted]', passwordHash: '[redacted]' } },
      },
      headers: {
        Authorization: '[redacted]',
        cookie: '[redacted]',
        'x-api-key': '[redacted]',
        accept: 'application/json',
      },
      sessions: [{ id: 's1', token: '[redacted]' }, { refresh_token: '[redacted]' }],
      apiKey: '[redacted]',
      jwt: '[redacted]',
      secret: '[redacted]',
      hash: '[redacted]',
      tokenCount: 3,
    });
  });

  it('keeps secrets out of the lines, in fields and in bindings alike', () => {
    const { logger, text, records } = capture('debug', { token: 't-0' });
    logger.child({ auth: { authorization: 'Bearer t-5' } }).info('login', secrets);
    for (const secret of [
      't-0',
      't-1',
      't-2',
      't-3',
      't-4',
      't-5',
      'p-1',
      'p-2',
      'h-1',
      'h-2',
      'c-1',
      'k-1',
      'k-2',
      's-1',
    ]) {
      expect(text()).not.toContain(secret);
    }
    expect(records()[0]).toMatchObject({
      token: '[redacted]',
      auth: { authorization: '[redacted]' },
      tokenCount: 3,
    });
  });

  it('survives circular structures and bigints', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    expect(redact({ loop, big: 10n })).toEqual({ loop: { name: 'loop', self: '[circular]' }, big: '10' });
  });
});

describe('errors', () => {
  const expired = tesseraError('security.token.expired');
  const missing = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: '/secret/path' });

  it('writes errors as {message, id, code, stack} at any level and depth, their other properties left out', () => {
    const { logger, text, records } = capture('info');
    logger.error('failed', { error: expired, context: { cause: missing }, plain: new Error('plain') });
    expect(records()[0]).toMatchObject({
      error: {
        message: 'Token expired',
        id: 'security.token.expired',
        code: 0x07010006,
        stack: expired.stack,
      },
      context: { cause: { message: 'ENOENT: no such file', code: 'ENOENT', stack: missing.stack } },
      plain: { message: 'plain' },
    });
    expect(Object.keys(records()[0]!.plain as object)).toEqual(['message', 'stack']);
    expect(text()).not.toContain('/secret/path');
  });

  it('follows the cause chain to its end, redacting a cause that is no error', () => {
    const { logger, text, records } = capture('info');
    const root = new Error('root', { cause: { detail: 'disk', password: 'p-9' } });
    const wrapped = new TesseraError('core.runtime.unexpected_error', ['r1'], {
      cause: new Error('mid', { cause: root }),
    });
    logger.error('failed', { error: wrapped });
    expect(records()[0]).toMatchObject({
      error: {
        id: 'core.runtime.unexpected_error',
        stack: wrapped.stack,
        cause: {
          message: 'mid',
          cause: { message: 'root', stack: root.stack, cause: { detail: 'disk', password: '[redacted]' } },
        },
      },
    });
    expect(text()).not.toContain('p-9');
  });

  it('survives an error that is its own cause', () => {
    const loop = new Error('loop');
    loop.cause = loop;
    expect(redact(loop)).toMatchObject({ message: 'loop', cause: '[circular]' });
  });
});

describe('createSilentLogger', () => {
  it('writes nothing, and its children are silent too', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const silent = createSilentLogger();
    const child = silent.child({ plugin: 'oauth' });
    for (const logger of [silent, child]) {
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e', { error: new Error('x') });
    }
    expect(write).not.toHaveBeenCalled();
    expect(child).toBe(silent);
  });
});
