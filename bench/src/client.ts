/**
 * The bench's client side: Kuzzle-API calls over HTTP (fetch) and over WebSocket (ws, Kuzzle's wire format:
 * one JSON envelope per frame, answered with the same `requestId`), and the accounts every figure logs in with.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface KuzzleAnswer<R = unknown> {
  readonly requestId?: string;
  readonly status: number;
  readonly error: { id?: string; message?: string } | null;
  readonly result: R;
  readonly type?: string;
}

export const ADMIN = { kuid: 'bench-admin', username: 'bench-admin', password: 'bench-admin-password' };
export const USER = { kuid: 'bench-user', username: 'bench-user', password: 'bench-user-password' };

/** One HTTP call; throws on a non-2xx answer, with the server's error id. */
export async function http<R>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; jwt?: string } = {},
): Promise<R> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.jwt !== undefined) headers['authorization'] = `Bearer ${options.jwt}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const answer = (await response.json()) as KuzzleAnswer<R>;
  if (answer.error !== null || response.status >= 300) {
    throw new Error(`${method} ${path}: ${response.status} ${answer.error?.id} ${answer.error?.message}`);
  }
  return answer.result;
}

export async function login(
  baseUrl: string,
  account: { username: string; password: string },
  expiresIn?: string,
): Promise<{ jwt: string; expiresAt: number }> {
  const query = expiresIn === undefined ? '' : `?expiresIn=${expiresIn}`;
  return http(baseUrl, 'POST', `/_login/local${query}`, {
    body: { username: account.username, password: account.password },
  });
}

/**
 * `amount` logins of the bench user, `connections` at a time, per second. Timed here rather than by autocannon,
 * which ends a run of a fixed number of requests on its next whole-second tick: 16 logins in 0.4 s read as 16 a
 * second.
 */
export async function loginsPerSecond(baseUrl: string, connections: number, amount: number): Promise<number> {
  const started = performance.now();
  await forEachLimited(amount, connections, async () => {
    await login(baseUrl, USER);
  });
  return amount / ((performance.now() - started) / 1000);
}

/**
 * The accounts of the figures, through the public API: a first admin (with `reset`: the standard rights, as a
 * deployment has them), and a user holding only the `default` profile, so every request of theirs runs the
 * rights check. The standard `default` profile allows 10 requests per second per user (`rateLimit`); the
 * bench lifts that to unlimited (0), or it would measure the budget, not the server.
 */
export async function setUpAccounts(baseUrl: string): Promise<{ adminJwt: string; userJwt: string }> {
  await http(baseUrl, 'POST', `/_createFirstAdmin?_id=${ADMIN.kuid}&reset=true`, {
    body: { content: {}, credentials: { local: { username: ADMIN.username, password: ADMIN.password } } },
  });
  const adminJwt = (await login(baseUrl, ADMIN)).jwt;
  await http(baseUrl, 'PUT', '/profiles/default/_update', {
    jwt: adminJwt,
    body: { policies: [{ roleId: 'default' }], rateLimit: 0 },
  });
  await http(baseUrl, 'POST', `/users/_create?_id=${USER.kuid}`, {
    jwt: adminJwt,
    body: {
      content: { profileIds: ['default'] },
      credentials: { local: { username: USER.username, password: USER.password } },
    },
  });
  const userJwt = (await login(baseUrl, USER)).jwt;
  return { adminJwt, userJwt };
}

/** A WebSocket speaking Kuzzle's wire format: `call` resolves with the answer carrying its requestId. */
export class KuzzleSocket {
  private readonly pending = new Map<string, (answer: KuzzleAnswer) => void>();
  private next = 0;
  /** Server notifications (no pending requestId), with the client's receive time (epoch ms). */
  onNotification: (frame: KuzzleAnswer, receivedAt: number) => void = () => undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const receivedAt = performance.timeOrigin + performance.now();
      const frame = JSON.parse(data.toString('utf8')) as KuzzleAnswer;
      const id = frame.requestId;
      const resolve = id === undefined ? undefined : this.pending.get(id);
      if (resolve === undefined) {
        this.onNotification(frame, receivedAt);
        return;
      }
      this.pending.delete(id!);
      resolve(frame);
    });
  }

  static open(url: string): Promise<KuzzleSocket> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new KuzzleSocket(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends the envelope as one frame; resolves with the answer (an error answer too). */
  send(envelope: Record<string, unknown>): Promise<KuzzleAnswer> {
    const requestId = `r${this.next++}`;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      this.socket.send(JSON.stringify({ ...envelope, requestId }));
    });
  }

  /** As send, but throws on an error answer. */
  async call<R>(envelope: Record<string, unknown>): Promise<R> {
    const answer = await this.send(envelope);
    if (answer.error !== null) {
      throw new Error(`${String(envelope['controller'])}:${String(envelope['action'])}: ${answer.error.id}`);
    }
    return answer.result as R;
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/** Opens `count` sockets, `batch` at a time (a burst of thousands of handshakes only measures the backlog). */
export async function openSockets(url: string, count: number, batch = 200): Promise<KuzzleSocket[]> {
  const sockets: KuzzleSocket[] = [];
  for (let i = 0; i < count; i += batch) {
    const size = Math.min(batch, count - i);
    sockets.push(...(await Promise.all(Array.from({ length: size }, () => KuzzleSocket.open(url)))));
  }
  return sockets;
}

/** Runs `work(i)` for i in [0, count), at most `concurrency` at a time. */
export async function forEachLimited(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
