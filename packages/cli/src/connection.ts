/**
 * Connection settings (flags win over TESSERA_* environment variables) and a connected, optionally logged-in,
 * kuzzle-sdk client. Without credentials, the token `tessera login` saved for that server is used.
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { CliError } from './cli-error';
import type { ParsedArgv } from './parse-argv';
import { forgetSession, readSession, serverKey, sessionFilePath } from './session-file';

export interface ConnectionOptions {
  host: string;
  port: number;
  protocol: 'http' | 'websocket';
  username?: string;
  password?: string;
  apiKey?: string;
  /** Act as this kuid, through a short-lived API key the connected identity creates for it (rights apply). */
  as?: string;
  /** Where `tessera login` keeps its tokens. */
  sessionFile: string;
}

/** A connected client, and how to leave: `close` removes what the session created, then disconnects. */
export interface Session {
  readonly kuzzle: Kuzzle;
  /** The token came from `tessera login`'s file. */
  readonly savedSession: boolean;
  close(): Promise<void>;
}

/** Flag name -> environment variable. */
export const ENVIRONMENT = {
  host: 'TESSERA_HOST',
  port: 'TESSERA_PORT',
  protocol: 'TESSERA_PROTOCOL',
  username: 'TESSERA_USERNAME',
  password: 'TESSERA_PASSWORD',
  'api-key': 'TESSERA_API_KEY',
} as const;

export function resolveConnection(parsed: ParsedArgv, env: NodeJS.ProcessEnv): ConnectionOptions {
  const pick = (flag: keyof typeof ENVIRONMENT): string | undefined =>
    parsed.flags[flag] ?? (env[ENVIRONMENT[flag]] || undefined);

  const portText = pick('port') ?? '7512';
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new CliError(`invalid port "${portText}"`);
  const protocol = pick('protocol') ?? 'websocket';
  if (protocol !== 'http' && protocol !== 'websocket') {
    throw new CliError(`invalid protocol "${protocol}" (http or websocket)`);
  }
  const username = pick('username');
  const password = pick('password');
  if ((username === undefined) !== (password === undefined)) {
    throw new CliError('--username and --password go together');
  }
  return {
    host: pick('host') ?? 'localhost',
    port,
    protocol,
    username,
    password,
    apiKey: pick('api-key'),
    as: parsed.flags.as,
    sessionFile: sessionFilePath(env),
  };
}

/** Connects, logs in with the local strategy or installs the API key, then takes on `--as` if asked. */
export async function connect(options: ConnectionOptions): Promise<Session> {
  const transport =
    options.protocol === 'http'
      ? new Http(options.host, { port: options.port })
      : new WebSocket(options.host, { port: options.port, autoReconnect: false });
  const kuzzle = new Kuzzle(transport);
  // The SDK also emits connection failures as events; the rejected connect() below reports them.
  kuzzle.on('networkError', () => undefined);
  try {
    await kuzzle.connect();
  } catch (error) {
    kuzzle.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot reach ${options.host}:${options.port} (${reason})`, { cause: error });
  }
  try {
    let savedSession = false;
    if (options.apiKey !== undefined) kuzzle.jwt = options.apiKey;
    if (options.username !== undefined && options.password !== undefined) {
      await kuzzle.auth.login('local', { username: options.username, password: options.password });
    } else if (options.apiKey === undefined) {
      savedSession = useSavedSession(kuzzle, options);
    }
    const leave = options.as === undefined ? async () => {} : await impersonate(kuzzle, options.as);
    return {
      kuzzle,
      savedSession,
      async close() {
        try {
          await leave();
        } finally {
          kuzzle.disconnect();
        }
      },
    };
  } catch (error) {
    // An open socket would keep the process alive after the error line.
    kuzzle.disconnect();
    throw error;
  }
}

/** Installs the token `tessera login` saved for this server, if any; an expired one is forgotten, loudly. */
function useSavedSession(kuzzle: Kuzzle, options: ConnectionOptions): boolean {
  const server = serverKey(options.host, options.port);
  const saved = readSession(options.sessionFile, server);
  if (saved === undefined) return false;
  if (saved.expiresAt <= Date.now()) {
    forgetSession(options.sessionFile, server);
    throw new CliError(
      `the session of "tessera login" on ${server} expired at ${new Date(saved.expiresAt).toISOString()}; ` +
        'log in again (this command would have run as anonymous)',
    );
  }
  kuzzle.jwt = saved.jwt;
  return true;
}

/**
 * `--as <kuid>`: the connected identity creates a one-minute API key for `kuid` (so only identities allowed to
 * run `security:createApiKey` can impersonate), the command runs with it, and the key is deleted afterwards.
 */
async function impersonate(kuzzle: Kuzzle, kuid: string): Promise<() => Promise<void>> {
  const own: string = kuzzle.jwt as string;
  const key = (await kuzzle.security.createApiKey(kuid, `tessera --as ${kuid}`, { expiresIn: '1m' })) as {
    _id: string;
    _source: { token: string };
  };
  kuzzle.jwt = key._source.token;
  return async () => {
    kuzzle.jwt = own;
    await kuzzle.security.deleteApiKey(kuid, key._id);
  };
}
