/**
 * The funnel: the one path every API request takes, whatever its transport.
 *
 *   envelope -> request:beforeExecution -> find action -> authorize (token, user, rights)
 *   -> argument checks -> <controller>:before<Action> -> action -> <controller>:after<Action>
 *   -> request:onSuccess | request:onError -> request:afterExecution
 *
 * `execute` never rejects: the returned Request carries either a result or a Kuzzle error.
 */
import type { ConnectionInfo, Logger } from '@tessera/plugin-sdk';
import { tesseraError } from '@tessera/plugin-sdk';
import type { KernelEventBus } from '../events/event-bus';
import { requestLog } from '../logging/request-log';
import type { ActionRegistry } from './action-registry';
import { parseArgs } from './args';
import { ConcurrencyGate } from './concurrency-gate';
import { requestFromEnvelope } from './envelope';
import type { Request } from './request';

/** Resolves the request's token into a user and decides whether that user may run the action. */
export interface RequestAuthorizer {
  authorize(request: Request): Promise<void>;
}

export interface FunnelOptions {
  readonly registry: ActionRegistry;
  readonly bus: KernelEventBus;
  readonly log: Logger;
  readonly authorizer: RequestAuthorizer;
  readonly limits: { readonly concurrentRequests: number; readonly requestsBufferSize: number };
}

export class Funnel {
  private readonly gate: ConcurrencyGate;
  private accepting = true;
  private readonly drained = new Set<() => void>();
  /** `<controller>:before<Action>` and `:after<Action>` by controller and action, built once per registered action. */
  private readonly eventNames = new Map<string, Map<string, { before: string; after: string }>>();

  constructor(private readonly options: FunnelOptions) {
    this.gate = new ConcurrencyGate(options.limits.concurrentRequests, options.limits.requestsBufferSize);
  }

  /** Kuzzle's `server:metrics` `api` section: requests running, and requests waiting their turn. */
  metrics(): { concurrentRequests: number; pendingRequests: number } {
    return { concurrentRequests: this.gate.runningCount, pendingRequests: this.gate.waitingCount };
  }

  /** False once shutdown began, or while the waiting line is full. */
  get ready(): boolean {
    return this.accepting && !this.gate.saturated;
  }

  async execute(envelope: unknown, connection: ConnectionInfo): Promise<Request> {
    const request = requestFromEnvelope(envelope, connection);
    if (request.error) {
      await this.finish(request);
      return request;
    }
    if (!this.accepting) {
      request.setError(tesseraError('api.process.shutting_down'));
      return request;
    }
    if (!this.gate.tryAcquire()) {
      try {
        await this.gate.acquire();
      } catch (error) {
        request.setError(error);
        return request;
      }
    }
    try {
      await this.run(request);
    } finally {
      this.gate.release();
      if (this.gate.inFlight === 0) for (const notify of this.drained) notify();
    }
    return request;
  }

  /**
   * Runs a request on behalf of one already in flight (a plugin executing an action for its caller), without
   * taking another place in the concurrency gate: the request it serves holds one, and waiting for a second
   * could deadlock a full gate. Not refused while draining either: it is part of a request being finished.
   */
  async executeWithin(envelope: unknown, connection: ConnectionInfo): Promise<Request> {
    const request = requestFromEnvelope(envelope, connection);
    if (request.error) await this.finish(request);
    else await this.run(request);
    return request;
  }

  /** Refuses new requests from now on and resolves once in-flight ones are done, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    this.accepting = false;
    if (this.gate.inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.drained.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.drained.add(done);
    });
  }

  private async run(request: Request): Promise<void> {
    const { bus, registry, authorizer } = this.options;
    const { controller, action } = request.input;
    request.startedAt = performance.now();
    try {
      // Each pipeline is awaited only when some pipe or hook listens: most requests meet none on most of their
      // five events, and those must cost a lookup, not a turn of the event loop.
      if (bus.listens('request:beforeExecution')) await bus.pipeline('request:beforeExecution', request);
      const definition = registry.find(controller, action);
      await authorizer.authorize(request);
      const args = parseArgs(definition.args ?? {}, request.input.args, request.connection.protocol);
      if (definition.body === 'required' && request.input.body === null)
        throw tesseraError('api.assert.body_required');
      const { before, after } = this.actionEvents(controller, action);
      if (bus.listens(before)) await bus.pipeline(before, request);
      const result: unknown = await definition.handler(request, args);
      request.setResult(result, request.status);
      if (bus.listens(after)) await bus.pipeline(after, request);
    } catch (error) {
      request.setError(error);
    }
    await this.finish(request);
  }

  /** Asked only once the action was found: the names a client can make this build are the registered ones. */
  private actionEvents(controller: string, action: string): { before: string; after: string } {
    let ofController = this.eventNames.get(controller);
    if (ofController === undefined) {
      ofController = new Map<string, { before: string; after: string }>();
      this.eventNames.set(controller, ofController);
    }
    let names = ofController.get(action);
    if (names === undefined) {
      const suffix = action.charAt(0).toUpperCase() + action.slice(1);
      names = { before: `${controller}:before${suffix}`, after: `${controller}:after${suffix}` };
      ofController.set(action, names);
    }
    return names;
  }

  /** The closing pipes. A failure here must not lose the answer: it replaces the result with the error. */
  private async finish(request: Request): Promise<void> {
    const { bus } = this.options;
    const outcome = request.error ? 'request:onError' : 'request:onSuccess';
    try {
      if (bus.listens(outcome)) await bus.pipeline(outcome, request);
    } catch (error) {
      request.setError(error);
    }
    this.logUnexpected(request);
    try {
      if (bus.listens('request:afterExecution')) await bus.pipeline('request:afterExecution', request);
    } catch (error) {
      requestLog(this.options.log, request).error('request:afterExecution pipe failed', { error });
    }
  }

  /** Every 5xx, with the error's stack and cause chain: the client only ever sees the error's id and message. */
  private logUnexpected(request: Request): void {
    const error = request.error;
    if (!error || error.status < 500) return;
    requestLog(this.options.log, request).error('request failed', {
      controller: request.input.controller,
      action: request.input.action,
      status: error.status,
      error,
    });
  }
}
