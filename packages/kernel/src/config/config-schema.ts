/**
 * What a valid server configuration is: its types, its defaults, and one declarative schema (key -> rule) that
 * checks a merged configuration and normalises it (sizes to bytes, durations to milliseconds, origins to a list).
 * Where the configuration comes from (file, environment) is load-config.ts's business.
 */
import proxyaddr from 'proxy-addr';
import { parseDuration, tesseraError, type LogLevel, type TesseraError } from '@tessera/plugin-sdk';
import { isPlainObject } from '../api/envelope';

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

/** One plugin's own configuration: free-form, the plugin checks it. */
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
// The schema: a tree of sections whose leaves are rules. A rule returns the value normalised, or INVALID.

const INVALID = Symbol('invalid');

class Rule {
  constructor(
    /** Completes "expected ..." in the error message. */
    readonly expected: string,
    readonly normalise: (value: unknown) => unknown,
  ) {}
}

/** In a section, the rule for every key the section does not name (one section per plugin under `plugins`). */
const ANY_OTHER_KEY = Symbol('any other key');

interface Section {
  readonly [key: string]: SchemaNode;
  readonly [ANY_OTHER_KEY]?: Rule;
}

type SchemaNode = Rule | Section;

/** A rule that keeps the value as it is when `predicate` holds. */
const accepting = (expected: string, predicate: (value: unknown) => boolean): Rule =>
  new Rule(expected, (value) => (predicate(value) ? value : INVALID));

const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Rule =>
  accepting(
    max === Number.MAX_SAFE_INTEGER
      ? `an integer of at least ${min}`
      : `an integer between ${min} and ${max}`,
    (value) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max,
  );

const oneOf = (...values: readonly unknown[]): Rule =>
  accepting(`one of ${values.map(show).join(', ')}`, (value) => values.includes(value));

const text = accepting('a non-empty string', (value) => typeof value === 'string' && value.trim() !== '');
const boolean = accepting('true or false', (value) => typeof value === 'boolean');

const nullable = (rule: Rule): Rule =>
  new Rule(`${rule.expected} or null`, (value) => (value === null ? null : rule.normalise(value)));

const optional = (rule: Rule): Rule =>
  new Rule(rule.expected, (value) => (value === undefined ? undefined : rule.normalise(value)));

const listOf = (rule: Rule): Rule =>
  new Rule(`an array, each item ${rule.expected}`, (value) => {
    if (!Array.isArray(value)) return INVALID;
    const items = value.map(rule.normalise);
    return items.includes(INVALID) ? INVALID : items;
  });

const anyObject = (expected: string): Rule => accepting(expected, isPlainObject);

/** A rule accepting what `parse` turns into a number within [min, +inf[; the value becomes that number. */
const parsed = (expected: string, parse: (value: unknown) => number, min: number): Rule =>
  new Rule(expected, (value) => {
    const result = parse(value);
    return Number.isSafeInteger(result) && result >= min ? result : INVALID;
  });

const toMilliseconds = (value: unknown): number => parseDuration(value) ?? NaN;

const DURATION_FORMS = '(milliseconds, or a string such as "500ms", "30s", "10m", "2h", "1 day")';

const duration = parsed(`a duration ${DURATION_FORMS}`, toMilliseconds, 0);

/** A positive duration, left as written (a token's `expiresIn` is handed to the token signer as is). */
const durationAsWritten = new Rule(`a positive duration ${DURATION_FORMS}`, (value) =>
  toMilliseconds(value) > 0 ? value : INVALID,
);

const maxTTL = new Rule(`-1 (no limit) or a duration ${DURATION_FORMS}`, (value) =>
  value === -1 ? -1 : duration.normalise(value),
);

const size = parsed('a size (bytes, or a string such as "512KB", "1MB")', parseSize, 1);

/** A list the file may also write as one string of comma-separated items; each item is checked by `item`. */
const commaList = (one: string, things: string, item: Rule, minLength: number): Rule =>
  new Rule(`${one}, a comma-separated list of ${things} or an array of ${things}`, (value) => {
    const list =
      typeof value !== 'string'
        ? value
        : value.trim() === ''
          ? []
          : value.split(',').map((entry) => entry.trim());
    const normalised = listOf(item).normalise(list);
    return Array.isArray(normalised) && normalised.length >= minLength ? normalised : INVALID;
  });

const origins = commaList('an origin', 'origins', text, 1);

/** What proxy-addr compiles: an IP address, a CIDR range or one of its names (`loopback`...). */
const proxyAddress = accepting('an address', (value) => {
  if (typeof value !== 'string' || value === '') return false;
  try {
    proxyaddr.compile(value);
    return true;
  } catch {
    return false;
  }
});

const proxies = commaList('an address', 'addresses (IPs or CIDR ranges)', proxyAddress, 0);

const SCHEMA: Section = {
  server: {
    port: integer(0, 65535),
    host: text,
    maxRequestSize: size,
    cors: { allowOrigin: origins },
    trustedProxies: proxies,
    http: { acceptTokenInQuery: boolean },
    websocket: {
      idleTimeout: duration,
      maxPayload: optional(size),
      heartbeat: duration,
      maxBufferedBytes: size,
    },
    shutdownTimeout: duration,
  },
  storage: {
    engine: oneOf(...STORAGE_ENGINES),
    sqlite: { path: text, busyTimeout: duration },
    postgres: {
      url: nullable(text),
      schema: text,
      poolSize: integer(1),
      connectionTimeout: duration,
      statementTimeout: duration,
    },
    mongodb: {
      url: nullable(text),
      database: nullable(text),
      poolSize: integer(1),
      connectionTimeout: duration,
      operationTimeout: duration,
    },
  },
  cluster: {
    redis: { url: nullable(text), prefix: text, stalenessBound: duration, connectTimeout: duration },
  },
  security: {
    jwt: {
      expiresIn: durationAsWritten,
      maxTTL,
      secret: nullable(text),
      algorithm: oneOf(...JWT_ALGORITHMS),
      gracePeriod: duration,
      expiryWarning: duration,
    },
    login: {
      attemptsPerAddress: integer(0),
      attemptsPerUsername: integer(0),
      window: duration,
      lockoutThreshold: integer(0),
      lockoutDuration: duration,
    },
    apiKey: { maxTTL },
    revokeTokensOnCredentialsChange: boolean,
    cookieAuthentication: boolean,
    firstAdmin: { restrictRights: oneOf('always', 'onReset') },
  },
  limits: {
    concurrentRequests: integer(1),
    requestsBufferSize: integer(1),
    maxSearchSize: integer(1),
    subscriptionConditionsCount: integer(0),
  },
  plugins: {
    setupTimeout: duration,
    runTimeout: duration,
    paths: listOf(text),
    builtIn: listOf(text),
    [ANY_OTHER_KEY]: anyObject("an object (the plugin's own configuration)"),
  },
  log: { level: oneOf(...LOG_LEVELS), format: oneOf('json', 'pretty', 'auto'), accessLog: boolean },
  audit: { enabled: boolean, retention: duration },
  metrics: { token: nullable(text) },
};

/**
 * Checks a whole merged configuration against the schema and returns it normalised (new objects throughout).
 * Throws `core.config.unknown_key` or `core.config.invalid_value`, naming the dotted key.
 */
export function validateConfig(raw: unknown): TesseraConfig {
  const config = check(SCHEMA, raw, []) as TesseraConfig;
  // The keys that depend on another; `check` built these objects, so they are still ours to fill.
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

function check(node: SchemaNode, value: unknown, path: readonly string[]): unknown {
  if (node instanceof Rule) {
    const result = node.normalise(value);
    if (result === INVALID) throw invalidValue(path, node.expected, value);
    return result;
  }
  if (!isPlainObject(value)) throw invalidValue(path, 'an object', value);
  const section: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(node), ...Object.keys(value)])) {
    const child = Object.hasOwn(node, key) ? node[key] : node[ANY_OTHER_KEY];
    if (child === undefined) throw tesseraError('core.config.unknown_key', [...path, key].join('.'));
    const result = check(child, value[key], [...path, key]);
    if (result !== undefined) section[key] = result;
  }
  return section;
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
