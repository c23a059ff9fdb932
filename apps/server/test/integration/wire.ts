/**
 * Raw clients for the tests that need what kuzzle-sdk hides or would never send: HTTP through fetch or, for bytes
 * fetch refuses to send, straight over a TCP socket; and a WebSocket that keeps every frame it receives, answers a
 * request with the frame in its room, and hands frames back one by one.
 */
import { connect } from 'node:net';
import WebSocket from 'ws';

export interface HttpAnswer {
  readonly response: Response;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body; null when it is not JSON. */
  readonly json: any;
}

/** The headers of a JSON body, as kuzzle-sdk sends them. */
export const JSON_BODY = { 'Content-Type': 'application/json' } as const;

export async function httpCall(baseUrl: string, path: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  return { response, status: response.status, headers: response.headers, text, json: parseOrNull(text) };
}

/** A JSON POST. */
export function postJson(baseUrl: string, path: string, body: string, headers: Record<string, string> = {}) {
  return httpCall(baseUrl, path, { method: 'POST', headers: { ...JSON_BODY, ...headers }, body });
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
  readonly socket: WebSocket;
  /** Every frame received so far, parsed (null when not JSON), in order. */
  readonly frames: any[];
  /** Sends `request` with a fresh `requestId`; resolves with the frame answering it (in its room). */
  readonly query: (request: Record<string, unknown>) => Promise<any>;
  /** Sends a frame as is: a string goes out verbatim, anything else as JSON. */
  readonly send: (frame: string | object) => void;
  /** The next frame not yet taken by `next`; rejects when none comes within `waitMs` (an unanswered frame fails). */
  readonly next: (waitMs?: number) => Promise<any>;
  /** The frames of a server notification type (`TokenExpired`, `TokenExpiring`, `document`...). */
  readonly ofType: (type: string) => any[];
  readonly close: () => void;
}

let requestCount = 0;

/** A WebSocket to the server on `port`; `headers` go on the upgrade request. */
export async function openRawSocket(port: number, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`, { headers });
  const frames: any[] = [];
  const answers = new Map<string, (frame: any) => void>();
  let taken = 0;
  let wakeReader: (() => void) | null = null;
  socket.on('message', (data) => {
    const frame = parseOrNull((data as Buffer).toString('utf8')) as any;
    frames.push(frame);
    const room = typeof frame?.room === 'string' ? frame.room : '';
    answers.get(room)?.(frame);
    answers.delete(room);
    wakeReader?.();
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const send = (frame: string | object) =>
    socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  return {
    socket,
    frames,
    query: (request) =>
      new Promise((resolve) => {
        const requestId = `raw-${++requestCount}`;
        answers.set(requestId, resolve);
        send({ ...request, requestId });
      }),
    send,
    next: (waitMs = 5000) =>
      new Promise((resolve, reject) => {
        const take = () => {
          if (taken >= frames.length) return false;
          clearTimeout(timer);
          wakeReader = null;
          resolve(frames[taken++]);
          return true;
        };
        const timer = setTimeout(() => {
          wakeReader = null;
          reject(new Error(`no frame within ${waitMs} ms`));
        }, waitMs);
        if (!take()) wakeReader = () => void take();
      }),
    ofType: (type) => frames.filter((frame) => frame?.type === type),
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
