import { Writable } from 'node:stream';
import {
  createLogger,
  createSilentLogger,
  prettyLine,
  redact,
  requestLog,
  type LogFormat,
} from '@tessera/kernel';
import { TesseraError, tesseraError, type LogFields, type LogLevel } from '@tessera/plugin-sdk';

/** A logger writing into memory; `records()` parses each line written so far. */
function capture(level: LogLevel, bindings?: LogFields, format?: LogFormat, isTTY?: boolean) {
  const chunks: string[] = [];
  const destination = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    }),
    { isTTY },
  );
  const logger = createLogger({ level, destination, bindings, format });
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
  it('writes one JSON object per line, with the level by name, an ISO time, msg, bindings and fields', () => {
    const { logger, text, records } = capture('info', { service: 'kernel' });
    logger.info('started', { port: 7512 });
    logger.warn('slow', { ms: 900 });
    expect(text().endsWith('\n')).toBe(true);
    expect(text().trimEnd().split('\n')).toHaveLength(2);
    const [first, second] = records();
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

  it('leaves the fields object it was given as it was', () => {
    const { logger } = capture('info');
    const fields = { password: 'p-1', nested: { token: 't-1' } };
    logger.info('login', fields);
    expect(fields).toEqual({ password: 'p-1', nested: { token: 't-1' } });
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

describe('requestLog', () => {
  it("names the request and its caller's kuid on every line, null before the token is read", () => {
    const { logger, records } = capture('info');
    requestLog(logger, { id: 'r-1', user: { _id: 'alice', profileIds: ['default'] } }).error(
      'request failed',
      {
        status: 500,
      },
    );
    requestLog(logger, { id: 'r-2', user: null }).info('request');
    expect(records()).toEqual([
      expect.objectContaining({ msg: 'request failed', requestId: 'r-1', kuid: 'alice', status: 500 }),
      expect.objectContaining({ msg: 'request', requestId: 'r-2', kuid: null }),
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
    expect(Object.keys(records()[0]!.plain as object).sort()).toEqual(['message', 'stack']);
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

describe('pretty lines', () => {
  it('writes time, level, message and fields on one line, then the stack of each error and of its causes', () => {
    const { logger, text } = capture('info', { plugin: 'oauth' }, 'pretty');
    const root = new Error('disk on fire', { cause: { device: 'sda', password: 'p-9' } });
    logger.error('request failed', {
      requestId: 'r-1',
      status: 500,
      error: new Error('mid', { cause: root }),
    });
    const [head, ...rest] = text().trimEnd().split('\n');
    expect(head).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} ERROR request failed plugin=oauth requestId=r-1 status=500 error=mid$/,
    );
    expect(rest[0]).toBe('    Error: mid');
    expect(rest).toContain('    caused by: Error: disk on fire');
    expect(rest[rest.length - 1]).toBe('    caused by: {"device":"sda","password":"[redacted]"}');
    expect(text()).not.toContain('p-9');
    expect(text()).not.toContain('\u001b[');
  });

  it('names a catalog error by its id, quotes what has spaces, and writes objects as JSON', () => {
    const line = prettyLine(
      {
        level: 'warn',
        time: '2026-01-01T00:00:00.000Z',
        msg: 'slow',
        pid: 1,
        hostname: 'h',
        reason: 'two words',
        nested: { a: [1] },
        error: {
          message: 'Token expired',
          id: 'security.token.expired',
          stack: 'TesseraError: Token expired',
        },
      },
      false,
    );
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d\.000 WARN {2}slow reason="two words" nested={"a":\[1\]} error=security\.token\.expired\n {4}TesseraError: Token expired\n$/,
    );
  });

  it.each<[LogFormat, boolean | undefined, 'json' | 'pretty']>([
    ['auto', true, 'pretty'],
    ['auto', undefined, 'json'],
    ['json', true, 'json'],
    ['pretty', undefined, 'pretty'],
  ])('format %s on a destination whose isTTY is %s writes %s lines', (format, isTTY, written) => {
    const { logger, text } = capture('info', {}, format, isTTY);
    logger.info('started', { port: 7512 });
    const line = text().trimEnd();
    if (written === 'json') expect(JSON.parse(line)).toMatchObject({ msg: 'started', port: 7512 });
    else expect(line).toMatch(/INFO.* started port=7512$/);
    // Colours only for a terminal.
    expect(line.includes('\u001b[')).toBe(written === 'pretty' && isTTY === true);
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
