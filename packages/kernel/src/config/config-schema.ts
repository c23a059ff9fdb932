/**
 * What a valid server configuration is: its types, its defaults, and one zod schema that checks a merged
 * configuration and normalises it (sizes to bytes, durations to milliseconds, origins to a list).
 * Where the configuration comes from (file, environment) is load-config.ts's business.
 */
import proxyaddr from 'proxy-addr';
import { expected, parseDuration, tesseraError, type LogLevel, type TesseraError } from '@tessera/plugin-sdk';
import { z } from 'zod';
import { isPlainObject } from '../api/envelope';
import { configError } from './config-error';

const STORAGE_ENGINES = ['sqlite', 'postgres', 'mongodb'] as const;
export type StorageEngine = (typeof STORAGE_ENGINES)[number];

// 'none' is deliberately absent: an unsigned token is no token.
const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevel[];

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** Bytes (the file may say `'1MB'` or `'512KB'`). */
  readonly maxRequestSize: number;
  readonly cors: {
    /** Allowed origins; the file may give one string, a comma-separated list or an array. */
    readonly allowOrigin: readonly string[];
  };
  /**
   * Proxies whose forwarded headers (X-Forwarded-For, X-Forwarded-Proto...) are believed: addresses, CIDR
   * ranges, or proxy-addr's `loopback`, `linklocal`, `uniquelocal`. Empty: the TCP peer is the client.
   */
  readonly trustedProxies: readonly string[];
  readonly http: {
    /** Reads a token from `?jwt=` as Kuzzle does; off, such a URL is refused (a URL ends up in logs). */
    readonly acceptTokenInQuery: boolean;
  };
  readonly websocket: {
    /** Milliseconds. */
    readonly idleTimeout: number;
    /** Bytes; `server.maxRequestSize` unless set. */
    readonly maxPayload: number;
    /** Milliseconds. */
    readonly heartbeat: number;
    /** Bytes waiting to be sent to one client past which it is closed as too slow (1011). */
    readonly maxBufferedBytes: number;
  };
  /** Milliseconds. */
  readonly shutdownTimeout: number;
}

export interface StorageConfig {
  readonly engine: StorageEngine;
  readonly sqlite: {
    readonly path: string;
    /** Milliseconds a write waits for another process's lock on the file before answering 503. */
    readonly busyTimeout: number;
  };
  readonly postgres: PostgresConfig;
  readonly mongodb: MongodbConfig;
}

export interface PostgresConfig {
  /** `postgres://user:password@host:port/database`; required when `engine` is `postgres`. */
  readonly url: string | null;
  /** The schema holding Tessera's tables, created when missing. */
  readonly schema: string;
  /** Connections each node keeps open at most. */
  readonly poolSize: number;
  /** Milliseconds a request waits for a connection before answering 503. */
  readonly connectionTimeout: number;
  /** Milliseconds one statement may run before answering 503. */
  readonly statementTimeout: number;
}

export interface MongodbConfig {
  /** `mongodb://user:password@host:port/database` (or `mongodb+srv://`); required when `engine` is `mongodb`. */
  readonly url: string | null;
  /** The database holding Tessera's collections; null: the URL's, else `tessera`. */
  readonly database: string | null;
  /** Connections each node keeps open at most, per server. */
  readonly poolSize: number;
  /** Milliseconds a request waits for a server before answering 503. */
  readonly connectionTimeout: number;
  /** Milliseconds a reply is waited for on a connection before answering 503. */
  readonly operationTimeout: number;
}

/** `security.jwt`; `security.authToken` is read as an alias of it (Kuzzle's name for the same keys). */
export interface JwtConfig {
  /** As configured (ms or an ms-style string such as `'2h'`); checked to be a valid duration. */
  readonly expiresIn: string | number;
  /** Milliseconds; -1 means no limit. */
  readonly maxTTL: number;
  /** null: the kernel generates one. */
  readonly secret: string | null;
  readonly algorithm: JwtAlgorithm;
  /** Milliseconds during which a refreshed token stays valid. */
  readonly gracePeriod: number;
  /** Milliseconds before expiry at which `TokenExpiring` is sent. */
  readonly expiryWarning: number;
}

/** Login throttling and account lockout (`security.login`). */
export interface LoginConfig {
  /** Login attempts one client address may make per `window`; 0 turns the limit off. */
  readonly attemptsPerAddress: number;
  /** Login attempts one username may receive per `window`, from anywhere; 0 turns the limit off. */
  readonly attemptsPerUsername: number;
  /** Milliseconds. */
  readonly window: number;
  /** Consecutive failed logins that lock an account; 0 never locks. */
  readonly lockoutThreshold: number;
  /** Milliseconds a lock lasts (an administrator may lift it sooner). */
  readonly lockoutDuration: number;
}

export interface LimitsConfig {
  readonly concurrentRequests: number;
  readonly requestsBufferSize: number;
  readonly maxSearchSize: number;
  /** Conditions a realtime subscription filter may hold, counted as Kuzzle does; 0: no limit. */
  readonly subscriptionConditionsCount: number;
}

/** One plugin's own configuration, as configured: the plugin's `configSchema` checks it before its setup. */
export type PluginConfig = Readonly<Record<string, unknown>>;

export interface PluginsConfig {
  /** Milliseconds a plugin's `setup` may take. */
  readonly setupTimeout: number;
  /** Milliseconds a plugin's pipe or API action may take before the request is answered 504. */
  readonly runTimeout: number;
  /** Directories of plugins to load, each holding a manifest.json. */
  readonly paths: readonly string[];
  /**
   * The plugins shipped with the server to load (`["auth-local"]`); `[]` lets a plugin listed in `paths` take
   * their place (a strategy of the same name).
   */
  readonly builtIn: readonly string[];
  /** `plugins.<name>`: that plugin's configuration (read it with `pluginConfig`). */
  readonly [pluginName: string]: PluginConfig | number | readonly string[];
}

/** `cluster`: what the nodes of one deployment share (docs/deployment.md). */
export interface ClusterConfig {
  readonly redis: {
    /** `redis://[user:password@]host:port[/db]`; null: one node, nothing shared but the database. */
    readonly url: string | null;
    /** Prefix of every key and channel name, so deployments sharing one Redis never meet. */
    readonly prefix: string;
    /** Milliseconds a node uses what it cached without confirmation (the bound if a message is lost). */
    readonly stalenessBound: number;
    /** Milliseconds to wait for Redis (connection, command) before calling it unreachable. */
    readonly connectTimeout: number;
  };
}

export interface LogConfig {
  readonly level: LogLevel;
  /** `json`: one JSON object per line; `pretty`: lines for a person; `auto`: pretty on a terminal, JSON otherwise. */
  readonly format: 'json' | 'pretty' | 'auto';
  /** One `info` line per API request answered (id, kuid, action, status, duration). */
  readonly accessLog: boolean;
}

/** The audit trail (`@tessera/audit`). */
export interface AuditConfig {
  /** Records security events; off, the events already recorded stay searchable. */
  readonly enabled: boolean;
  /** Milliseconds an event is kept; 0 keeps them all. */
  readonly retention: number;
}

/** The metrics (`@tessera/metrics`). */
export interface MetricsConfig {
  /** A bearer token a Prometheus scraper presents for `GET /_metrics`; null: only the rights decide. */
  readonly token: string | null;
}

export interface TesseraConfig {
  readonly server: ServerConfig;
  readonly storage: StorageConfig;
  readonly cluster: ClusterConfig;
  readonly security: {
    readonly jwt: JwtConfig;
    readonly login: LoginConfig;
    /** Longest lifetime of an API key created by its own user (`auth:createApiKey`); -1: no limit. */
    readonly apiKey: { readonly maxTTL: number };
    /** Revoke a user's other tokens when their credentials change. */
    readonly revokeTokensOnCredentialsChange: boolean;
    /** Over HTTP, `cookieAuth` keeps the token in the HttpOnly `authToken` cookie (Kuzzle's `http.cookieAuthentication`). */
    readonly cookieAuthentication: boolean;
    readonly firstAdmin: {
      /**
       * When `security:createFirstAdmin` replaces the open rights of a fresh store with the standard ones:
       * `always` (locked down once an admin exists), or `onReset`, only when asked to (Kuzzle's way).
       */
      readonly restrictRights: 'always' | 'onReset';
    };
  };
  readonly limits: LimitsConfig;
  readonly plugins: PluginsConfig;
  readonly log: LogConfig;
  readonly audit: AuditConfig;
  readonly metrics: MetricsConfig;
}

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

const KB = 1024;

/** The defaults, before normalisation (the first layer every configuration starts from). */
export const CONFIG_DEFAULTS: DeepPartial<TesseraConfig> = {
  server: {
    port: 7512,
    host: '0.0.0.0',
    maxRequestSize: KB * KB,
    cors: { allowOrigin: ['*'] },
    trustedProxies: [],
    http: { acceptTokenInQuery: false },
    // No maxPayload here: it follows maxRequestSize unless set (see validateConfig).
    websocket: { idleTimeout: 60_000, heartbeat: 30_000, maxBufferedBytes: 8 * KB * KB },
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
      // One day: a token is a bearer credential, this bounds what a leaked one is worth (docs/configuration.md).
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
  // Ninety days: long enough to look into an incident reported late, short enough to bound the table.
  audit: { enabled: true, retention: 90 * 24 * 60 * 60 * 1000 },
  metrics: { token: null },
};

const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: KB, mb: KB ** 2, gb: KB ** 3 };
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;

/** Whole bytes in a number of bytes or a string such as `'512KB'` or `'1MB'` (1KB = 1024B); NaN otherwise. */
function parseSize(value: unknown): number {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? SIZE.exec(value.trim()) : null;
  return match ? Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!) : NaN;
}

// ---------------------------------------------------------------------------------------------------------
// The schema, in zod: sections are strict objects (an unknown key is refused, named), leaves say what they expect
// in the words of the error message. Values with a grammar of their own (durations, sizes, lists an operator may
// write as one comma-separated string) go through `normalised`, which keeps the key as written in the message.

/** A value `normalise` turns into what the configuration holds, or undefined when it is not one. */
const normalised = <T>(what: string, normalise: (value: unknown) => T | undefined) =>
  z.unknown().transform((value, ctx) => {
    const result = normalise(value);
    if (result !== undefined) return result;
    ctx.addIssue({ code: 'custom', message: expected(what)({ input: value }) });
    return z.NEVER;
  });

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .int({
      error: expected(
        max === Number.MAX_SAFE_INTEGER
          ? `an integer of at least ${min}`
          : `an integer between ${min} and ${max}`,
      ),
    })
    .min(min)
    .max(max);

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: expected(`one of ${values.map(show).join(', ')}`) });

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

const text = (what = 'a non-empty string') => z.string({ error: expected(what) }).refine(isText);
const nullableText = text('a non-empty string or null').nullable();
const boolean = z.boolean({ error: expected('true or false') });
const section = <Shape extends z.core.$ZodLooseShape>(shape: Shape) =>
  z.strictObject(shape, { error: expected('an object') });

/** An array whose every item passes `item`; refused as a whole, the message showing the whole list. */
const listOf = (what: string, item: (value: unknown) => boolean) =>
  normalised(`an array, each item ${what}`, (value) =>
    Array.isArray(value) && value.every(item) ? (value as string[]) : undefined,
  );

const toMilliseconds = (value: unknown): number => parseDuration(value) ?? NaN;
const wholeAtLeast = (min: number) => (ms: number) =>
  Number.isSafeInteger(ms) && ms >= min ? ms : undefined;

const DURATION_FORMS = '(milliseconds, or a string such as "500ms", "30s", "10m", "2h", "1 day")';

const duration = normalised(`a duration ${DURATION_FORMS}`, (value) =>
  wholeAtLeast(0)(toMilliseconds(value)),
);

/** A positive duration, left as written (a token's `expiresIn` is handed to the token signer as is). */
const durationAsWritten = normalised(`a positive duration ${DURATION_FORMS}`, (value) =>
  toMilliseconds(value) > 0 ? (value as string | number) : undefined,
);

const maxTTL = normalised(`-1 (no limit) or a duration ${DURATION_FORMS}`, (value) =>
  value === -1 ? -1 : wholeAtLeast(0)(toMilliseconds(value)),
);

const size = normalised('a size (bytes, or a string such as "512KB", "1MB")', (value) =>
  wholeAtLeast(1)(parseSize(value)),
);

/** A list the file may also write as one string of comma-separated items; each item passes `item`. */
const commaList = (one: string, things: string, item: (value: unknown) => boolean, minLength: number) =>
  normalised(`${one}, a comma-separated list of ${things} or an array of ${things}`, (value) => {
    const list =
      typeof value !== 'string'
        ? value
        : value.trim() === ''
          ? []
          : value.split(',').map((entry) => entry.trim());
    return Array.isArray(list) && list.length >= minLength && list.every(item)
      ? (list as string[])
      : undefined;
  });

/** What proxy-addr compiles: an IP address, a CIDR range or one of its names (`loopback`...). */
const isProxyAddress = (value: unknown): boolean => {
  if (typeof value !== 'string' || value === '') return false;
  try {
    proxyaddr.compile(value);
    return true;
  } catch {
    return false;
  }
};

const CONFIG_SCHEMA = section({
  server: section({
    port: integer(0, 65535),
    host: text(),
    maxRequestSize: size,
    cors: section({ allowOrigin: commaList('an origin', 'origins', isText, 1) }),
    trustedProxies: commaList('an address', 'addresses (IPs or CIDR ranges)', isProxyAddress, 0),
    http: section({ acceptTokenInQuery: boolean }),
    websocket: section({
      idleTimeout: duration,
      maxPayload: size.optional(),
      heartbeat: duration,
      maxBufferedBytes: size,
    }),
    shutdownTimeout: duration,
  }),
  storage: section({
    engine: oneOf(STORAGE_ENGINES),
    sqlite: section({ path: text(), busyTimeout: duration }),
    postgres: section({
      url: nullableText,
      schema: text(),
      poolSize: integer(1),
      connectionTimeout: duration,
      statementTimeout: duration,
    }),
    mongodb: section({
      url: nullableText,
      database: nullableText,
      poolSize: integer(1),
      connectionTimeout: duration,
      operationTimeout: duration,
    }),
  }),
  cluster: section({
    redis: section({ url: nullableText, prefix: text(), stalenessBound: duration, connectTimeout: duration }),
  }),
  security: section({
    jwt: section({
      expiresIn: durationAsWritten,
      maxTTL,
      secret: nullableText,
      algorithm: oneOf(JWT_ALGORITHMS),
      gracePeriod: duration,
      expiryWarning: duration,
    }),
    login: section({
      attemptsPerAddress: integer(0),
      attemptsPerUsername: integer(0),
      window: duration,
      lockoutThreshold: integer(0),
      lockoutDuration: duration,
    }),
    apiKey: section({ maxTTL }),
    revokeTokensOnCredentialsChange: boolean,
    cookieAuthentication: boolean,
    firstAdmin: section({ restrictRights: oneOf(['always', 'onReset']) }),
  }),
  limits: section({
    concurrentRequests: integer(1),
    requestsBufferSize: integer(1),
    maxSearchSize: integer(1),
    subscriptionConditionsCount: integer(0),
  }),
  plugins: z
    .strictObject({
      setupTimeout: duration,
      runTimeout: duration,
      paths: listOf('a non-empty string', isText),
      builtIn: listOf('a non-empty string', isText),
    })
    // Any other key is a plugin's own section, which the plugin's configSchema checks at boot.
    .catchall(
      z.record(z.string(), z.unknown(), { error: expected("an object (the plugin's own configuration)") }),
    ),
  log: section({ level: oneOf(LOG_LEVELS), format: oneOf(['json', 'pretty', 'auto']), accessLog: boolean }),
  audit: section({ enabled: boolean, retention: duration }),
  metrics: section({ token: nullableText }),
});

/**
 * Checks a whole merged configuration against the schema and returns it normalised (new objects throughout).
 * Throws `core.config.unknown_key` or `core.config.invalid_value`, naming the dotted key.
 */
export function validateConfig(raw: unknown): TesseraConfig {
  const result = CONFIG_SCHEMA.safeParse(raw);
  if (!result.success) throw configError('', result.error.issues[0]);
  const config = result.data as unknown as TesseraConfig;
  // The keys that depend on another; the schema built these objects, so they are still ours to fill.
  const websocket = config.server.websocket as { maxPayload?: number };
  websocket.maxPayload ??= config.server.maxRequestSize;
  // Every login without expiresIn would otherwise be refused.
  const { expiresIn, maxTTL } = config.security.jwt;
  if (maxTTL !== -1 && toMilliseconds(expiresIn) > maxTTL) {
    throw invalidValue(
      ['security', 'jwt', 'expiresIn'],
      `a duration of at most security.jwt.maxTTL (${maxTTL} ms)`,
      expiresIn,
    );
  }
  return config;
}

/** Reads `plugins.<name>`: that plugin's configuration, `{}` when the server config has none. */
export function pluginConfig(config: TesseraConfig, name: string): PluginConfig {
  const section = config.plugins[name];
  return isPlainObject(section) ? section : Object.freeze({});
}

export function invalidValue(path: readonly string[], expected: string, value: unknown): TesseraError {
  return tesseraError(
    'core.config.invalid_value',
    path.join('.'),
    `expected ${expected}, got ${show(value)}`,
  );
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
