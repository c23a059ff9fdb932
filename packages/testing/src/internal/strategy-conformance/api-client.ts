/**
 * The suite's client: Kuzzle's `/_query` route over plain fetch, so that it sees exactly what a client would
 * (the HTTP status and the raw body), and keeps every body it receives for the secrets scan.
 */
import { expect } from '@jest/globals';

export interface WireError {
  readonly status: number;
  readonly id: string;
  readonly code: number;
  readonly message: string;
  readonly [key: string]: unknown;
}

export interface ApiAnswer {
  readonly httpStatus: number;
  /** The Location header of a redirect (a browser flow's start), else null. */
  readonly location: string | null;
  /** The raw body. */
  readonly text: string;
  readonly status: number;
  readonly result: unknown;
  readonly error: WireError | null;
}

export class ApiClient {
  /** Every response body received, as text. */
  readonly seen: string[] = [];

  constructor(private readonly url: string) {}

  async query(request: Record<string, unknown>, jwt?: string): Promise<ApiAnswer> {
    const response = await fetch(`${this.url}/_query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(jwt ? { authorization: `Bearer ${jwt}` } : {}) },
      body: JSON.stringify(request),
      // A browser flow's redirect is an answer to look at, not to follow.
      redirect: 'manual',
    });
    const text = await response.text();
    this.seen.push(text);
    const location =
      response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
    let body: { status?: unknown; result?: unknown; error?: unknown };
    try {
      body =
        location !== null && text === '' ? { status: response.status } : (JSON.parse(text) as typeof body);
    } catch {
      throw new Error(`${String(request.controller)}:${String(request.action)} answered non-JSON: ${text}`);
    }
    return {
      httpStatus: response.status,
      location,
      text,
      status: Number(body.status),
      result: body.result ?? null,
      error: (body.error ?? null) as WireError | null,
    };
  }

  /** The result of a request that must succeed. */
  async ok(request: Record<string, unknown>, jwt?: string): Promise<unknown> {
    const answer = await this.query(request, jwt);
    if (answer.error !== null)
      throw new Error(
        `${String(request.controller)}:${String(request.action)} failed: ${JSON.stringify(answer.error)}`,
      );
    return answer.result;
  }
}

/**
 * A clean Kuzzle error: HTTP status = error status, in `statuses`; `{status, id, code, message}` with an id of
 * the catalog's form, no stack trace anywhere in the body.
 */
export function expectCleanError(answer: ApiAnswer, statuses: readonly number[]): void {
  // The raw answer rides along in each comparison, so a failure shows what the server said.
  const answered = answer.text;
  const error = answer.error;
  expect({ answered, error }).toEqual({
    answered,
    error: expect.objectContaining({
      status: expect.any(Number),
      id: expect.stringMatching(/^[a-z][a-zA-Z0-9_-]*(\.[a-zA-Z0-9_-]+){2,}$/),
      code: expect.any(Number),
      message: expect.stringMatching(/\S/),
    }),
  });
  expect({ answered, statusAllowed: statuses.includes(error?.status ?? 0) }).toEqual({
    answered,
    statusAllowed: true,
  });
  expect({ answered, httpStatus: answer.httpStatus, status: answer.status }).toEqual({
    answered,
    httpStatus: error?.status,
    status: error?.status,
  });
  expect({ answered, stack: /"stack"|\bat .+:\d+:\d+/.test(answer.text) }).toEqual({
    answered,
    stack: false,
  });
}
