/**
 * What a plugin's unit tests hand to its strategy methods and pipes without a server: an API request as the
 * funnel builds it, and the JSON a client would receive for an error.
 */
import { randomUUID } from 'node:crypto';
import type { ApiRequest, JsonObject, SerializedError } from '@tessera/plugin-sdk';
import { isTesseraError } from '@tessera/plugin-sdk';

export interface ApiRequestOptions {
  readonly controller?: string;
  readonly action?: string;
  readonly body?: JsonObject | null;
  readonly args?: Record<string, unknown>;
  /** The caller's kuid; null (the default) for a request without a user. */
  readonly user?: string | null;
}

/** An HTTP request from 127.0.0.1; by default a `security:createCredentials` call. */
export function apiRequest(options: ApiRequestOptions = {}): ApiRequest {
  const {
    controller = 'security',
    action = 'createCredentials',
    body = null,
    args = {},
    user = null,
  } = options;
  return {
    id: randomUUID(),
    input: { controller, action, jwt: null, body, args, volatile: null },
    connection: { id: randomUUID(), protocol: 'http', address: '127.0.0.1', ips: ['127.0.0.1'], headers: {} },
    user: user === null ? null : { _id: user, profileIds: [] },
    result: null,
    error: null,
    status: 200,
    headers: {},
  };
}

/** The JSON form (what a client receives) of the TesseraError `work` rejects with; fails if it resolves. */
export async function wireError(work: Promise<unknown>): Promise<SerializedError & Record<string, unknown>> {
  let result: unknown;
  try {
    result = await work;
  } catch (error) {
    if (!isTesseraError(error)) throw error;
    return JSON.parse(JSON.stringify(error)) as SerializedError & Record<string, unknown>;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(result)}`);
}
