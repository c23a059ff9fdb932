/**
 * Connection settings (flags win over TESSERA_* environment variables) and a connected, optionally logged-in,
 * kuzzle-sdk client.
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { CliError } from './cli-error';
import type { ParsedArgv } from './parse-argv';

export interface ConnectionOptions {
  host: string;
  port: number;
  protocol: 'http' | 'websocket';
  username?: string;
  password?: string;
  apiKey?: string;
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
  if (parsed.flags.as !== undefined) throw new CliError('--as is not supported yet');

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
  return { host: pick('host') ?? 'localhost', port, protocol, username, password, apiKey: pick('api-key') };
}

/** Connects, then logs in with the local strategy or installs the API key. The caller disconnects. */
export async function connect(options: ConnectionOptions): Promise<Kuzzle> {
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
  if (options.apiKey !== undefined) kuzzle.jwt = options.apiKey;
  if (options.username !== undefined && options.password !== undefined) {
    await kuzzle.auth.login('local', { username: options.username, password: options.password });
  }
  return kuzzle;
}
