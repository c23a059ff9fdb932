/**
 * Raw clients for the security tests, which send what kuzzle-sdk never would: HTTP through fetch or, for bytes
 * fetch refuses to send, straight over a TCP socket; and a WebSocket that hands back its frames one by one.
 */
import { connect } from 'node:net';
import WebSocket from 'ws';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body; null when it is not JSON. */
  readonly json: any;
}

export async function httpCall(baseUrl: string, path: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseOrNull(text) };
}

/** A JSON POST. */
export function postJson(baseUrl: string, path: string, body: string, headers: Record<string, string> = {}) {
  return httpCall(baseUrl, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
}

export interface RawHttpAnswer {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly json: any;
}

/** Sends `head` (request line and headers, without the blank line) as latin1 bytes over a fresh connection. */
export function rawHttp(port: number, head: string): Promise<RawHttpAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(Buffer.from(`${head}\r\nConnection: close\r\n\r\n`, 'latin1')),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [headText = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...headerLines] = headText.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, json: parseOrNull(body) });
    });
  });
}

export interface RawSocket {
  send(frame: string | object): void;
  /** The next frame, parsed; rejects when none comes within `waitMs` (an unanswered frame fails the test). */
  next(waitMs?: number): Promise<any>;
  close(): void;
}

export async function openSocket(port: number): Promise<RawSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  const frames: unknown[] = [];
  const waiters: ((frame: unknown) => void)[] = [];
  socket.on('message', (data) => {
    const frame = parseOrNull((data as Buffer).toString('utf8'));
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return {
    send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: (waitMs = 5000) =>
      frames.length > 0
        ? Promise.resolve(frames.shift())
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(settle), 1);
              reject(new Error(`no answer within ${waitMs} ms`));
            }, waitMs);
            const settle = (frame: unknown) => {
              clearTimeout(timer);
              resolve(frame);
            };
            waiters.push(settle);
          }),
    close: () => socket.close(),
  };
}

/** JSON text of `leaf` wrapped in `depth` objects `{"a": ...}`. */
export function nested(depth: number, leaf = '1'): string {
  return `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
