import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  defaultConfig,
  loadConfig,
  pluginConfig,
  type DeepPartial,
  type TesseraConfig,
} from '@tessera/kernel';
import { isTesseraError, type TesseraError } from '@tessera/plugin-sdk';

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tessera-config-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Writes `content` at `relative` under the temp root (creating directories) and returns the absolute path. */
function write(relative: string, content: string): string {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

function dir(relative: string): string {
  const absolute = path.join(root, relative);
  mkdirSync(absolute, { recursive: true });
  return absolute;
}

/** Loads with nothing from the real environment or working directory. */
function load(
  options: { cwd?: string; env?: NodeJS.ProcessEnv; overrides?: DeepPartial<TesseraConfig> } = {},
) {
  return loadConfig({ cwd: root, env: {}, ...options });
}

function errorOf(run: () => unknown): TesseraError {
  try {
    run();
  } catch (error) {
    if (isTesseraError(error)) return error;
    throw error;
  }
  throw new Error('expected a TesseraError; nothing was thrown');
}

/** Overrides are typed; these tests feed deliberately wrong values through them. */
function invalid(overrides: unknown): DeepPartial<TesseraConfig> {
  return overrides as DeepPartial<TesseraConfig>;
}

function isPolluted(): boolean {
  return 'polluted' in {} || Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted');
}

describe('defaults', () => {
  it('gives the documented defaults when nothing is configured', () => {
    const config = load();
    expect(config).toEqual({
      server: {
        port: 7512,
        host: '0.0.0.0',
        maxRequestSize: 1024 * 1024,
        cors: { allowOrigin: ['*'] },
        trustedProxies: [],
        http: { acceptTokenInQuery: false },
        websocket: {
          idleTimeout: 60_000,
          maxPayload: 1024 * 1024,
          heartbeat: 30_000,
          maxBufferedBytes: 8 * 1024 * 1024,
        },
        shutdownTimeout: 10_000,
      },
      storage: {
        engine: 'sqlite',
        sqlite: { path: './data/tessera.db', busyTimeout: 5000 },
        postgres: {
          url: null,
          schema: 'public',
          poolSize: 10,
          connectionTimeout: 5000,
          statementTimeout: 10_000,
        },
        mongodb: {
          url: null,
          database: null,
          poolSize: 10,
          connectionTimeout: 5000,
          operationTimeout: 10_000,
        },
      },
      cluster: {
        redis: { url: null, prefix: 'tessera:', stalenessBound: 5000, connectTimeout: 5000 },
      },
      security: {
        jwt: {
          expiresIn: '2h',
          maxTTL: 24 * 60 * 60 * 1000,
          secret: null,
          algorithm: 'HS256',
          gracePeriod: 1000,
          expiryWarning: 60_000,
        },
        login: {
          attemptsPerAddress: 10,
          attemptsPerUsername: 5,
          window: 60_000,
          lockoutThreshold: 0,
          lockoutDuration: 900_000,
        },
        apiKey: { maxTTL: -1 },
        revokeTokensOnCredentialsChange: true,
        cookieAuthentication: true,
        firstAdmin: { restrictRights: 'always' },
      },
      limits: {
        concurrentRequests: 100,
        requestsBufferSize: 50_000,
        maxSearchSize: 10_000,
        subscriptionConditionsCount: 16,
      },
      plugins: { setupTimeout: 10_000, runTimeout: 10_000, paths: [], builtIn: ['auth-local'] },
      log: { level: 'info', format: 'auto', accessLog: false },
      audit: { enabled: true, retention: 90 * 24 * 60 * 60 * 1000 },
      metrics: { token: null },
    });
    expect(defaultConfig()).toEqual(config);
  });

  it('makes websocket.maxPayload follow server.maxRequestSize unless it is set', () => {
    expect(
      load({ overrides: invalid({ server: { maxRequestSize: '2MB' } }) }).server.websocket.maxPayload,
    ).toBe(2 * 1024 * 1024);
    const both = load({
      overrides: invalid({ server: { maxRequestSize: '2MB', websocket: { maxPayload: '64KB' } } }),
    });
    expect(both.server.websocket.maxPayload).toBe(64 * 1024);
  });
});

describe('normalisation', () => {
  it('turns sizes into bytes', () => {
    expect(load({ overrides: invalid({ server: { maxRequestSize: '512KB' } }) }).server.maxRequestSize).toBe(
      524_288,
    );
    expect(load({ overrides: invalid({ server: { maxRequestSize: '1.5mb' } }) }).server.maxRequestSize).toBe(
      1_572_864,
    );
    expect(load({ overrides: { server: { maxRequestSize: 2048 } } }).server.maxRequestSize).toBe(2048);
  });

  it('turns durations into milliseconds but keeps expiresIn as written', () => {
    const config = load({
      overrides: invalid({
        server: { websocket: { idleTimeout: '2m', heartbeat: 500 }, shutdownTimeout: '10s' },
        security: { jwt: { expiresIn: '1 hour', maxTTL: '2 days', gracePeriod: '500ms' } },
      }),
    });
    expect(config.server.websocket).toMatchObject({ idleTimeout: 120_000, heartbeat: 500 });
    expect(config.server.shutdownTimeout).toBe(10_000);
    expect(config.security.jwt).toMatchObject({
      expiresIn: '1 hour',
      maxTTL: 172_800_000,
      gracePeriod: 500,
    });
    expect(load({ overrides: { security: { jwt: { expiresIn: 3_600_000 } } } }).security.jwt.expiresIn).toBe(
      3_600_000,
    );
  });

  it('accepts allowOrigin as one origin, a comma-separated list or an array', () => {
    const origins = (allowOrigin: unknown) =>
      load({ overrides: invalid({ server: { cors: { allowOrigin } } }) }).server.cors.allowOrigin;
    expect(origins('https://a.example')).toEqual(['https://a.example']);
    expect(origins('https://a.example, https://b.example')).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(origins(['https://a.example'])).toEqual(['https://a.example']);
  });

  it("accepts trustedProxies as addresses, CIDR ranges and proxy-addr's names, in a list or one string", () => {
    const proxies = (trustedProxies: unknown) =>
      load({ overrides: invalid({ server: { trustedProxies } }) }).server.trustedProxies;
    expect(proxies('10.0.0.0/8, 192.168.1.7,loopback')).toEqual(['10.0.0.0/8', '192.168.1.7', 'loopback']);
    expect(proxies(['::1', 'fd00::/8', 'uniquelocal'])).toEqual(['::1', 'fd00::/8', 'uniquelocal']);
    expect(proxies('')).toEqual([]);
    expect(proxies([])).toEqual([]);
  });
});

describe('configuration file', () => {
  it('finds .tesserarc by walking up from a nested working directory', () => {
    write('.tesserarc', '{ server: { port: 7600 }, // JSON5: comments, trailing commas\n }');
    expect(load({ cwd: dir('a/b/c') }).server.port).toBe(7600);
  });

  it('takes the nearest file, whichever of the three names it has', () => {
    write('.tesserarc', '{ server: { port: 7600 } }');
    write('a/.tesserarc.json5', "{ server: { host: '127.0.0.1' } }");
    write('a/b/.tesserarc.json', '{ "log": { "level": "debug" } }');
    const fromB = load({ cwd: dir('a/b/c') });
    expect(fromB.log.level).toBe('debug');
    expect(fromB.server).toMatchObject({ port: 7512, host: '0.0.0.0' });
    expect(load({ cwd: dir('a/x') }).server).toMatchObject({ port: 7512, host: '127.0.0.1' });
  });

  it('reads the file TESSERA_CONFIG names, relative to the working directory, instead of any .tesserarc', () => {
    write('.tesserarc', '{ server: { port: 7600 } }');
    write(
      'conf/tessera.json5',
      "{ storage: { engine: 'postgres', postgres: { url: 'postgres://localhost/t' } } }",
    );
    const config = load({ env: { TESSERA_CONFIG: 'conf/tessera.json5' } });
    expect(config.storage).toMatchObject({ engine: 'postgres', postgres: { url: 'postgres://localhost/t' } });
    expect(config.server.port).toBe(7512);
  });

  it('refuses a missing, unparsable or non-object file, naming it', () => {
    const missing = path.join(root, 'nowhere.json5');
    expect(errorOf(() => load({ env: { TESSERA_CONFIG: missing } }))).toMatchObject({
      id: 'core.config.unreadable_file',
      props: [missing, expect.stringContaining('ENOENT')],
    });
    const broken = write('broken.json5', '{ server: { port: 7600 ');
    expect(errorOf(() => load({ env: { TESSERA_CONFIG: broken } }))).toMatchObject({
      id: 'core.config.unreadable_file',
      message: expect.stringContaining(`"${broken}"`),
    });
    const list = write('.tesserarc', '[1, 2]');
    expect(errorOf(() => load())).toMatchObject({
      id: 'core.config.unreadable_file',
      props: [list, expect.any(String)],
    });
  });
});

describe('environment variables', () => {
  it('sets nested keys, reading JSON5 values with their types and anything else as a string', () => {
    const config = load({
      env: {
        tessera_server__port: '7600',
        tessera_server__cors__allowOrigin: "['https://a.example', 'https://b.example']",
        tessera_security__jwt__expiresIn: '30m',
        tessera_security__jwt__secret: 'not json5 at all',
        tessera_storage__postgres__url: 'null',
        tessera_plugins__oauth__enabled: 'true',
        tessera_plugins__oauth__scopes: '["openid"]',
        tessera_plugins__local: '{ cost: 12 }',
        UNRELATED: 'ignored',
        TESSERA_SERVER__PORT: 'ignored: the prefix is lowercase',
      },
    });
    expect(config.server.port).toBe(7600);
    expect(config.server.cors.allowOrigin).toEqual(['https://a.example', 'https://b.example']);
    expect(config.security.jwt).toMatchObject({ expiresIn: '30m', secret: 'not json5 at all' });
    expect(config.storage.postgres.url).toBeNull();
    expect(pluginConfig(config, 'oauth')).toEqual({ enabled: true, scopes: ['openid'] });
    expect(pluginConfig(config, 'local')).toEqual({ cost: 12 });
  });

  it('reads keys case-sensitively', () => {
    expect(errorOf(() => load({ env: { tessera_server__Port: '7600' } }))).toMatchObject({
      id: 'core.config.unknown_key',
      message: 'Unknown configuration key "server.Port".',
    });
  });

  it('wins over the file, and overrides win over both', () => {
    write('.tesserarc', '{ server: { port: 7600, host: "127.0.0.1" }, log: { level: "warn" } }');
    const config = load({
      env: { tessera_server__port: '7700', tessera_log__level: 'error' },
      overrides: { log: { level: 'debug' } },
    });
    expect(config.server).toMatchObject({ port: 7700, host: '127.0.0.1' });
    expect(config.log.level).toBe('debug');
  });
});

describe('security.authToken alias', () => {
  it('reads security.authToken.* as security.jwt.*', () => {
    write('.tesserarc', "{ security: { authToken: { expiresIn: '1h', maxTTL: '1d' } } }");
    expect(load().security.jwt).toMatchObject({ expiresIn: '1h', maxTTL: 86_400_000 });
    expect(load().security).not.toHaveProperty('authToken');
  });

  it('lets security.jwt win within one source, and a later source win over an earlier one', () => {
    write(
      '.tesserarc',
      "{ security: { authToken: { expiresIn: '1h', gracePeriod: 50 }, jwt: { expiresIn: '3h' } } }",
    );
    expect(load().security.jwt).toMatchObject({ expiresIn: '3h', gracePeriod: 50 });
    expect(load({ env: { tessera_security__authToken__expiresIn: '30m' } }).security.jwt.expiresIn).toBe(
      '30m',
    );
  });

  it('refuses an authToken that is not an object', () => {
    expect(errorOf(() => load({ env: { tessera_security__authToken: '5' } }))).toMatchObject({
      id: 'core.config.invalid_value',
      props: ['security.authToken', 'expected an object, got 5'],
    });
  });
});

describe('validation', () => {
  it('refuses a default token lifetime above maxTTL, which every plain login would exceed', () => {
    expect(
      errorOf(() => load({ overrides: invalid({ security: { jwt: { expiresIn: '2d' } } }) })),
    ).toMatchObject({
      id: 'core.config.invalid_value',
      props: [
        'security.jwt.expiresIn',
        'expected a duration of at most security.jwt.maxTTL (86400000 ms), got "2d"',
      ],
    });
    const loose = load({ overrides: invalid({ security: { jwt: { expiresIn: '2d', maxTTL: -1 } } }) });
    expect(loose.security.jwt).toMatchObject({ expiresIn: '2d', maxTTL: -1 });
  });

  it('names the key, what was expected and what it got', () => {
    expect(errorOf(() => load({ env: { tessera_server__port: 'abc' } })).message).toBe(
      'Invalid configuration "server.port": expected an integer between 0 and 65535, got "abc"',
    );
  });

  it.each([
    ['server', 5, 'an object'],
    ['server.port', 65_536, 'an integer between 0 and 65535'],
    ['server.host', '', 'a non-empty string'],
    ['server.maxRequestSize', '1 potato', 'a size'],
    ['server.maxRequestSize', 0, 'a size'],
    ['server.cors.allowOrigin', [], 'an origin'],
    ['server.trustedProxies', ['10.0.0.0/8', 'proxy.example'], 'an address'],
    ['server.trustedProxies', '10.0.0.0/33', 'an address'],
    ['server.trustedProxies', [42], 'an address'],
    ['server.websocket.idleTimeout', '10 parsecs', 'a duration'],
    ['server.websocket.maxPayload', -1, 'a size'],
    ['server.shutdownTimeout', -5, 'a duration'],
    ['storage.engine', 'redis', 'one of "sqlite", "postgres", "mongodb"'],
    ['storage.sqlite.path', 42, 'a non-empty string'],
    ['storage.postgres.url', 5, 'a non-empty string or null'],
    ['security.jwt.expiresIn', 'soon', 'a positive duration'],
    ['security.jwt.expiresIn', 0, 'a positive duration'],
    ['security.jwt.maxTTL', -2, '-1 (no limit) or a duration'],
    ['security.firstAdmin.restrictRights', 'never', 'one of "always", "onReset"'],
    ['security.jwt.secret', 12_345, 'a non-empty string or null'],
    ['security.jwt.algorithm', 'none', 'one of "HS256"'],
    ['security.jwt.gracePeriod', true, 'a duration'],
    ['limits.concurrentRequests', 0, 'an integer of at least 1'],
    ['limits.maxSearchSize', 2.5, 'an integer of at least 1'],
    ['limits.subscriptionConditionsCount', -1, 'an integer of at least 0'],
    ['plugins.setupTimeout', null, 'a duration'],
    ['plugins.paths', './plugins', 'an array, each item a non-empty string'],
    ['plugins.paths', ['./ok', ''], 'an array, each item a non-empty string'],
    ['plugins.builtIn', 'auth-local', 'an array, each item a non-empty string'],
    ['plugins.oauth', 'on', "an object (the plugin's own configuration)"],
    ['log.level', 'verbose', 'one of "debug", "info", "warn", "error"'],
    ['log.format', 'yaml', 'one of "json", "pretty", "auto"'],
  ])('refuses %s = %j', (key, value, expected) => {
    const overrides = key.split('.').reduceRight<unknown>((inner, part) => ({ [part]: inner }), value);
    const error = errorOf(() => load({ overrides: invalid(overrides) }));
    expect(error.id).toBe('core.config.invalid_value');
    expect(error.props[0]).toBe(key);
    expect(error.props[1]).toContain(`expected ${expected}`);
    expect(error.props[1]).toContain(`got ${JSON.stringify(value)}`);
  });

  it.each([
    ['servers', { servers: {} }],
    ['server.prot', { server: { prot: 1 } }],
    ['security.jwt.expiresin', { security: { jwt: { expiresin: '1h' } } }],
    ['storage.redis', { storage: { redis: {} } }],
  ])('refuses the unknown key %s', (key, overrides) => {
    expect(errorOf(() => load({ overrides: invalid(overrides) }))).toMatchObject({
      id: 'core.config.unknown_key',
      message: `Unknown configuration key "${key}".`,
    });
  });

  it('leaves plugins.<name> free-form', () => {
    const config = load({ overrides: { plugins: { oauth: { anything: { nested: [1, 'two'] } } } } });
    expect(pluginConfig(config, 'oauth')).toEqual({ anything: { nested: [1, 'two'] } });
    expect(pluginConfig(config, 'absent')).toEqual({});
  });
});

describe('prototype pollution', () => {
  afterEach(() => {
    // Should a test fail, do not let the pollution leak into the next ones.
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('refuses __proto__ and constructor keys in a file', () => {
    write('.tesserarc', '{ __proto__: { polluted: 1 }, server: { port: 7600 } }');
    expect(errorOf(() => load())).toMatchObject({ id: 'core.config.unknown_key', props: ['__proto__'] });
    write('.tesserarc', '{ plugins: { oauth: { constructor: { prototype: { polluted: 1 } } } } }');
    expect(errorOf(() => load())).toMatchObject({
      id: 'core.config.unknown_key',
      props: ['plugins.oauth.constructor'],
    });
    write('.tesserarc', '{ plugins: { paths: [{ __proto__: { polluted: 1 } }] } }');
    expect(errorOf(() => load())).toMatchObject({
      id: 'core.config.unknown_key',
      props: ['plugins.paths.__proto__'],
    });
    expect(isPolluted()).toBe(false);
  });

  it('refuses them in environment variable names and values', () => {
    expect(errorOf(() => load({ env: { tessera___proto____polluted: '1' } }))).toMatchObject({
      id: 'core.config.unknown_key',
      props: ['tessera___proto____polluted'],
    });
    expect(
      errorOf(() => load({ env: { tessera_plugins__oauth__constructor__prototype__polluted: '1' } })),
    ).toMatchObject({ id: 'core.config.unknown_key', props: ['plugins.oauth.constructor'] });
    expect(
      errorOf(() => load({ env: { tessera_plugins__oauth: '{ __proto__: { polluted: 1 } }' } })),
    ).toMatchObject({
      id: 'core.config.unknown_key',
      props: ['plugins.oauth.__proto__'],
    });
    expect(isPolluted()).toBe(false);
  });
});

describe('the loaded configuration', () => {
  it('is deep-frozen, and does not freeze the overrides it was given', () => {
    const overrides = { plugins: { oauth: { scopes: ['openid'] } } };
    const config = load({ overrides });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server.websocket)).toBe(true);
    expect(Object.isFrozen(config.server.cors.allowOrigin)).toBe(true);
    expect(Object.isFrozen(pluginConfig(config, 'oauth').scopes)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(Object.isFrozen(overrides.plugins.oauth.scopes)).toBe(false);
    expect(Object.isFrozen(defaultConfig().security.jwt)).toBe(true);
  });
});
