/**
 * What the security tests attack with: raw HTTP calls and raw WebSocket frames, no SDK in between, so each test
 * sends exactly the bytes an attacker would.
 */
import WebSocket from 'ws';
import type { TestKernel } from '@tessera/testing';

export interface WireAnswer {
  readonly response: Response;
  readonly status: number;
  readonly json: Record<string, any>;
}

/** One HTTP call; the answer's body read as JSON. */
export async function httpCall(
  server: TestKernel,
  path: string,
  init: RequestInit = {},
): Promise<WireAnswer> {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return { response, status: response.status, json: JSON.parse(text) as Record<string, any> };
}

/** The headers of a JSON body, as kuzzle-sdk sends them. */
export const JSON_BODY = { 'Content-Type': 'application/json' } as const;

export interface RawSocket {
  /** Sends one envelope and resolves with the answer in its room. */
  request(envelope: Record<string, unknown>): Promise<Record<string, any>>;
  close(): void;
}

let requestCount = 0;

/** A WebSocket to the server; `headers` go on the upgrade request. */
export async function openSocket(
  server: TestKernel,
  headers: Record<string, string> = {},
): Promise<RawSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}`, { headers });
  const pending = new Map<string, (frame: Record<string, any>) => void>();
  socket.on('message', (data) => {
    const frame = JSON.parse((data as Buffer).toString('utf8')) as Record<string, any>;
    const room = typeof frame.room === 'string' ? frame.room : '';
    pending.get(room)?.(frame);
    pending.delete(room);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return {
    request(envelope) {
      const requestId = `attack-${++requestCount}`;
      return new Promise((resolve) => {
        pending.set(requestId, resolve);
        socket.send(JSON.stringify({ ...envelope, requestId }));
      });
    },
    close: () => socket.close(),
  };
}
