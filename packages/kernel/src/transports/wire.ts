/**
 * What both transports share: connection descriptions and the JSON that goes out.
 *
 * The client's address comes from proxy-addr: the TCP peer, or, when the peer is a trusted proxy, what the
 * proxies forwarded in X-Forwarded-For, read from the right up to the first address that is not a trusted proxy
 * (what a client writes itself sits further left and is never believed). Forwarded headers from a peer that is
 * not trusted are dropped from the connection's headers, so nothing downstream (the cookie's `Secure` flag, a
 * plugin) can be fooled by them.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { ConnectionInfo, Protocol, TesseraError } from '@tessera/plugin-sdk';
import { Request } from '../api/request';

/** proxy-addr's compiled `trust` function: is the hop at `addr` (the `i`-th, 0 being the peer) a trusted proxy? */
export type ProxyTrust = (addr: string, i: number) => boolean;

/** Headers only a proxy should write; believed only from a trusted one. */
const FORWARDED_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-real-ip',
];

export function describeConnection(
  protocol: Protocol,
  message: IncomingMessage,
  trust: ProxyTrust,
): ConnectionInfo {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const peer = message.socket.remoteAddress;
  // A closed socket has no address left; nothing it forwarded can be believed either.
  const ips = peer === undefined ? [] : proxyaddr.all(message, trust);
  if (peer === undefined || !trust(peer, 0)) for (const name of FORWARDED_HEADERS) delete headers[name];
  return Object.freeze({
    id: randomUUID(),
    protocol,
    address: ips.at(-1) ?? null,
    ips: Object.freeze(ips),
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
