/**
 * The kernel's event bus: a typed facade over eventemitter2.
 *
 * Hooks listen and never disturb the emitter: a listener that throws or rejects is logged and isolated.
 * Pipes transform: they run in registration order, each may change the payload or reject it (the rejection
 * propagates to the caller, which is how a plugin refuses a request). After the pipes, the event's hooks fire
 * with the final payload. `*` matches one `:`-separated segment, `**` any number.
 */
import { EventEmitter2 } from 'eventemitter2';
import type {
  EventBus,
  HookListener,
  Logger,
  PayloadOf,
  PipeHandler,
  Unsubscribe,
} from '@tessera/plugin-sdk';

interface RegisteredPipe {
  readonly pattern: RegExp;
  readonly handler: PipeHandler<unknown>;
}

export function createEventBus(log: Logger): EventBus {
  const hooks = new EventEmitter2({ wildcard: true, delimiter: ':', maxListeners: 0, ignoreErrors: true });
  const pipes: RegisteredPipe[] = [];
  // Pipes matching each event name, resolved once: the funnel asks for the same few names on every request.
  const pipesByEvent = new Map<string, PipeHandler<unknown>[]>();

  const reportHookFailure = (event: string, error: unknown): void => {
    log.error('hook listener failed', { event, error });
  };

  const matchingPipes = (event: string): PipeHandler<unknown>[] => {
    let handlers = pipesByEvent.get(event);
    if (!handlers) {
      handlers = pipes.filter((pipe) => pipe.pattern.test(event)).map((pipe) => pipe.handler);
      pipesByEvent.set(event, handlers);
    }
    return handlers;
  };

  const bus: EventBus = {
    hook<E extends string>(event: E, listener: HookListener<PayloadOf<E>>): Unsubscribe {
      const isolated = function (this: { event: string }, payload: PayloadOf<E>): void {
        const name = this.event;
        try {
          const outcome = listener(payload, name);
          if (outcome instanceof Promise) outcome.catch((error: unknown) => reportHookFailure(name, error));
        } catch (error) {
          reportHookFailure(name, error);
        }
      };
      hooks.on(event, isolated);
      return () => {
        hooks.off(event, isolated);
      };
    },

    pipe<E extends string>(event: E, handler: PipeHandler<PayloadOf<E>>): Unsubscribe {
      const registered: RegisteredPipe = {
        pattern: patternToRegExp(event),
        handler: handler as PipeHandler<unknown>,
      };
      pipes.push(registered);
      pipesByEvent.clear();
      return () => {
        const index = pipes.indexOf(registered);
        if (index >= 0) pipes.splice(index, 1);
        pipesByEvent.clear();
      };
    },

    emit<E extends string>(event: E, payload: PayloadOf<E>): void {
      hooks.emit(event, payload);
    },

    async pipeline<E extends string>(event: E, payload: PayloadOf<E>): Promise<PayloadOf<E>> {
      let current: unknown = payload;
      for (const handler of matchingPipes(event)) {
        current = await handler(current, event);
      }
      hooks.emit(event, current);
      return current as PayloadOf<E>;
    },
  };
  return bus;
}

/** The same matching as eventemitter2's wildcards, so hooks and pipes read patterns alike. */
function patternToRegExp(pattern: string): RegExp {
  const segments = pattern.split(':').map((segment) => {
    if (segment === '**') return '.*';
    if (segment === '*') return '[^:]+';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${segments.join(':')}$`);
}
