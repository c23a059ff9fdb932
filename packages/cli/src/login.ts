/**
 * `tessera login` and `tessera logout`: a token kept for one server, so that the commands that follow log in
 * once instead of once each (every login counts against the server's login throttle).
 */
import type { BaseRequest } from 'kuzzle-sdk';
import { CliError } from './cli-error';
import { connect, type ConnectionOptions } from './connection';
import { forgetSession, readSession, saveSession, serverKey } from './session-file';

interface LoginAnswer {
  _id: string;
  jwt: string;
  expiresAt: number;
}

/** Logs in with the local strategy and saves the token; `args` are auth:login's own (`expiresIn`). */
export async function login(options: ConnectionOptions, args: Record<string, unknown>): Promise<string> {
  const { username, password } = options;
  if (username === undefined || password === undefined) {
    throw new CliError(
      'tessera login needs --username and --password (or TESSERA_USERNAME and TESSERA_PASSWORD)',
    );
  }
  // The login itself goes out without any saved token, API key or --as.
  const session = await connect({
    ...options,
    username: undefined,
    password: undefined,
    apiKey: undefined,
    as: undefined,
  });
  try {
    const { result } = await session.kuzzle.query<BaseRequest, LoginAnswer>({
      ...args,
      controller: 'auth',
      action: 'login',
      strategy: 'local',
      body: { username, password },
    });
    const server = serverKey(options.host, options.port);
    saveSession(options.sessionFile, server, {
      jwt: result.jwt,
      kuid: result._id,
      expiresAt: result.expiresAt,
    });
    return (
      `Logged in to ${server} as ${result._id} until ${new Date(result.expiresAt).toISOString()}; ` +
      `the token is kept in ${options.sessionFile} (tessera logout forgets it)\n`
    );
  } finally {
    await session.close();
  }
}

/** Revokes the saved token on the server (best effort: it may have expired) and forgets it. */
export async function logout(options: ConnectionOptions): Promise<string> {
  const server = serverKey(options.host, options.port);
  const saved = readSession(options.sessionFile, server);
  if (saved === undefined) return `No session saved for ${server}\n`;
  let revoked = true;
  if (saved.expiresAt > Date.now()) {
    try {
      const session = await connect({
        ...options,
        username: undefined,
        password: undefined,
        apiKey: saved.jwt,
        as: undefined,
      });
      try {
        await session.kuzzle.query({ controller: 'auth', action: 'logout' });
      } finally {
        await session.close();
      }
    } catch (error) {
      // A token the server no longer accepts (expired, revoked) is as good as logged out.
      revoked = tokenRefused(error);
    }
  }
  forgetSession(options.sessionFile, server);
  return revoked
    ? `Logged out of ${server}\n`
    : `Forgot the session saved for ${server}; the server could not be told (its token lives until ${new Date(saved.expiresAt).toISOString()})\n`;
}

/** The server refused the token itself (expired, revoked, unknown), as opposed to being unreachable. */
export function tokenRefused(error: unknown): boolean {
  const id = (error as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.startsWith('security.token.');
}
