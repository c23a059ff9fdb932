/**
 * The kernel's event bus: a typed facade over eventemitter2.
 *
 * Hooks listen and never disturb the emitter: a listener that throws or rejects is logged and isolated.
 * Pipes transform: they run in registration order, each may change the payload or reject it (the rejection
 * propagates to the caller, which is how a plugin refuses a request). After the pipes, the event's hooks fire
 * with the final payload. `*` matches one `:`-separated segment, `**` any number.
 *
 * Who listens to an event is resolved once per event name and kept until a hook or pipe is added or removed:
 * the funnel runs five pipelines per request, usually with nobody listening, and an event nobody listens to
 * must cost nothing (eventemitter2's wildcard tree is searched on every emit otherwise).
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

/** The kernel's own view of the bus: it may ask whether running an event would reach anyone. */
export interface KernelEventBus extends EventBus {
  /** Whether some hook or pipe matches `event` now; when not, emitting it or running its pipeline does nothing. */
  listens(event: string): boolean;
}

interface RegisteredPipe {
  readonly pattern: RegExp;
  readonly handler: PipeHandler<unknown>;
}

/** A hook as registered in the emitter: it never throws. */
type IsolatedHook = (payload: unknown, event: string) => void;

/** What runs for one event name, in order. */
interface Listeners {
  readonly pipes: readonly PipeHandler<unknown>[];
  readonly hooks: readonly IsolatedHook[];
  readonly any: boolean;
}

/**
 * Event names resolved at most: plugins may emit names of their own making, and the resolutions are forgotten
 * (all at once, which is only slower for a moment) rather than kept without bound.
 */
const MAX_RESOLVED_EVENTS = 10_000;

export function createEventBus(log: Logger): KernelEventBus {
  // eventemitter2 keeps the hooks and matches names against their patterns; the bus calls them itself.
  const hooks = new EventEmitter2({ wildcard: true, delimiter: ':', maxListeners: 0, ignoreErrors: true });
  const pipes: RegisteredPipe[] = [];
  const resolved = new Map<string, Listeners>();

  const reportHookFailure = (event: string, error: unknown): void => {
    log.error('hook listener failed', { event, error });
  };

  const listenersOf = (event: string): Listeners => {
    let listeners = resolved.get(event);
    if (listeners === undefined) {
      const matching = pipes.filter((pipe) => pipe.pattern.test(event)).map((pipe) => pipe.handler);
      // A copy: the emitter's own arrays change as hooks come and go, and an emit in progress must not see it.
      const hooked = [...(hooks.listeners(event) as IsolatedHook[])];
      listeners = { pipes: matching, hooks: hooked, any: matching.length > 0 || hooked.length > 0 };
      if (resolved.size >= MAX_RESOLVED_EVENTS) resolved.clear();
      resolved.set(event, listeners);
    }
    return listeners;
  };

  const fire = (event: string, listeners: Listeners, payload: unknown): void => {
    for (const hook of listeners.hooks) hook(payload, event);
  };

  const bus: KernelEventBus = {
    hook<E extends string>(event: E, listener: HookListener<PayloadOf<E>>): Unsubscribe {
      const isolated: IsolatedHook = (payload, name) => {
        try {
          const outcome = listener(payload as PayloadOf<E>, name);
          if (outcome instanceof Promise) outcome.catch((error: unknown) => reportHookFailure(name, error));
        } catch (error) {
          reportHookFailure(name, error);
        }
      };
      hooks.on(event, isolated);
      resolved.clear();
      return () => {
        hooks.off(event, isolated);
        resolved.clear();
      };
    },

    pipe<E extends string>(event: E, handler: PipeHandler<PayloadOf<E>>): Unsubscribe {
      const registered: RegisteredPipe = {
        pattern: patternToRegExp(event),
        handler: handler as PipeHandler<unknown>,
      };
      pipes.push(registered);
      resolved.clear();
      return () => {
        const index = pipes.indexOf(registered);
        if (index >= 0) pipes.splice(index, 1);
        resolved.clear();
      };
    },

    listens(event: string): boolean {
      return listenersOf(event).any;
    },

    emit<E extends string>(event: E, payload: PayloadOf<E>): void {
      const listeners = listenersOf(event);
      if (listeners.hooks.length > 0) fire(event, listeners, payload);
    },

    pipeline<E extends string>(event: E, payload: PayloadOf<E>): Promise<PayloadOf<E>> {
      const listeners = listenersOf(event);
      if (!listeners.any) return Promise.resolve(payload);
      if (listeners.pipes.length === 0) {
        fire(event, listeners, payload);
        return Promise.resolve(payload);
      }
      return runPipes(event, listeners, payload);
    },
  };

  const runPipes = async <P>(event: string, listeners: Listeners, payload: P): Promise<P> => {
    let current: unknown = payload;
    for (const handler of listeners.pipes) current = await handler(current, event);
    fire(event, listeners, current);
    return current as P;
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
