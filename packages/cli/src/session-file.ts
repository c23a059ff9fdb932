/**
 * The sessions `tessera login` keeps, so that a sequence of commands logs in once: one token per server
 * (`host:port`), in `$XDG_CONFIG_HOME/tessera/sessions.json` (else `~/.config/tessera/sessions.json`). The token
 * is a password for its lifetime, so the file is its owner's alone (0600, in a 0700 folder), written whole
 * through a rename, and refused when others may read it (as ssh refuses a readable private key).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './cli-error';

export interface SavedSession {
  /** The token `auth:login` answered. */
  jwt: string;
  kuid: string;
  /** Epoch milliseconds; the token is useless afterwards. */
  expiresAt: number;
}

type SessionsByServer = Record<string, SavedSession>;

export function sessionFilePath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'tessera', 'sessions.json');
}

export function serverKey(host: string, port: number): string {
  return `${host}:${port}`;
}

export function readSession(file: string, server: string): SavedSession | undefined {
  return readAll(file)[server];
}

export function saveSession(file: string, server: string, session: SavedSession): void {
  writeAll(file, { ...readAll(file), [server]: session });
}

/** True when there was a session to forget. */
export function forgetSession(file: string, server: string): boolean {
  const sessions = readAll(file);
  if (!(server in sessions)) return false;
  delete sessions[server];
  writeAll(file, sessions);
  return true;
}

function readAll(file: string): SessionsByServer {
  let text: string;
  try {
    if ((statSync(file).mode & 0o077) !== 0) {
      throw new CliError(`${file} holds tokens and others may read it: chmod 600 it, or delete it`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as SessionsByServer;
    }
  } catch {
    // Reported below, with the same advice.
  }
  throw new CliError(`${file} is not a sessions file (delete it and log in again)`);
}

function writeAll(file: string, sessions: SessionsByServer): void {
  const folder = path.dirname(file);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  // `mode` applies only when the file is created; the chmod covers a leftover temporary file.
  writeFileSync(temporary, `${JSON.stringify(sessions, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
