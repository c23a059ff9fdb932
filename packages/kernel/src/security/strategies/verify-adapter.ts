/**
 * The verify callback handed to a passport strategy: runs the plugin's promise-returning `verify` and turns
 * its answer into passport's `done(error, user, info)`, checking the answer's shape on the way.
 */
import type { StrategyMethods } from '@tessera/plugin-sdk';
import { tesseraError } from '@tessera/plugin-sdk';

type Done = (error: unknown, user?: string | false, info?: { message?: string; redirectTo?: string }) => void;

export function createVerifyAdapter(name: string, methods: StrategyMethods): (...args: never[]) => void {
  return (...args: never[]) => {
    const values = args as unknown[];
    const done = values.pop() as Done;
    const [request, ...rest] = values;
    const outcome: unknown = (methods.verify as (...a: unknown[]) => unknown).call(methods, request, ...rest);
    if (!isThenable(outcome)) {
      done(tesseraError('plugin.strategy.invalid_verify_return', name, typeof outcome));
      return;
    }
    outcome.then(
      (result) => settle(name, result, done),
      (error: unknown) => done(error),
    );
  };
}

function settle(name: string, result: unknown, done: Done): void {
  const failure = (message?: unknown) =>
    done(null, false, {
      message: typeof message === 'string' ? message : `Unable to log in using the strategy "${name}"`,
    });
  if (result === false) return failure();
  if (typeof result !== 'object' || result === null)
    return done(tesseraError('plugin.strategy.invalid_verify_resolve', name));
  const { kuid, message, redirectTo } = result as { kuid?: unknown; message?: unknown; redirectTo?: unknown };
  if (kuid === null || kuid === undefined) return failure(message);
  if (typeof kuid !== 'string') return done(tesseraError('plugin.strategy.invalid_kuid', name, typeof kuid));
  if (redirectTo === undefined) return done(null, kuid);
  if (!isWebUrl(redirectTo)) return done(tesseraError('plugin.strategy.invalid_verify_resolve', name));
  done(null, kuid, { redirectTo });
}

function isWebUrl(value: unknown): value is string {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
