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
import type { ConnectionInfo, Logger, Protocol } from '@tessera/plugin-sdk';
import { TesseraError } from '@tessera/plugin-sdk';
import { Request, type ResponseEnvelope } from '../api/request';
import { requestLog } from '../logging/request-log';

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
  for (const name in message.headers) {
    const value = message.headers[name];
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

/** A request the transport answers itself, outside the funnel (a utility route, a failure before the funnel). */
export function transportRequest(
  connection: ConnectionInfo,
  requestId: string,
  controller = '',
  action = '',
): Request {
  return new Request(
    requestId,
    { controller, action, jwt: null, body: null, args: {}, volatile: null },
    connection,
  );
}

/** A request that failed before it could reach the funnel (unreadable body, oversized frame...). */
export function failedRequest(error: TesseraError, connection: ConnectionInfo, requestId: string): Request {
  const request = transportRequest(connection, requestId);
  request.setError(error);
  return request;
}

/**
 * The JSON of a request's answer, as `format` writes its envelope. An answer that cannot be written (a plugin's
 * result holding a BigInt or a cycle) is logged and replaced by `core.runtime.unexpected_error`, so that every
 * request gets exactly one answer.
 */
export function answerJson(
  request: Request,
  nodeId: string,
  log: Logger,
  format: (envelope: ResponseEnvelope) => string,
): string {
  try {
    return format(request.response(nodeId));
  } catch (error) {
    const unexpected = new TesseraError('core.runtime.unexpected_error', [request.id], { cause: error });
    requestLog(log, request).error('the answer could not be serialized', {
      controller: request.input.controller,
      action: request.input.action,
      error: unexpected,
    });
    request.setError(unexpected);
    // Nothing of the failed answer is written again: the volatile is the only part left that the client chose.
    return format({ ...request.response(nodeId), volatile: null });
  }
}
