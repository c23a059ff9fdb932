/**
 * What both transports share: connection descriptions and the JSON that goes out.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ConnectionInfo, Protocol, TesseraError } from '@tessera/plugin-sdk';
import { Request } from '../api/request';

export function describeConnection(protocol: Protocol, message: IncomingMessage): ConnectionInfo {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const forwarded = headers['x-forwarded-for']?.split(',').map((ip) => ip.trim()) ?? [];
  const peer = message.socket.remoteAddress;
  return Object.freeze({
    id: randomUUID(),
    protocol,
    ips: Object.freeze(peer ? [peer, ...forwarded] : forwarded),
    headers: Object.freeze(headers),
  });
}

/** A request that failed before it could reach the funnel (unreadable body, oversized frame...). */
export function failedRequest(error: TesseraError, connection: ConnectionInfo, requestId: string): Request {
  const request = new Request(
    requestId,
    { controller: '', action: '', jwt: null, body: null, args: {}, volatile: null },
    connection,
  );
  request.setError(error);
  return request;
}
