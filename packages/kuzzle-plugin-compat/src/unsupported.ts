/**
 * What of Kuzzle's plugin context Tessera does not serve: an object whose every use (a call, or a read for a
 * data namespace such as `context.config`) throws `plugin.kuzzle.unsupported` naming the member, so a plugin
 * that reaches for it fails on a line that says what is missing rather than on `undefined is not a function`.
 */
import { tesseraError } from '@tessera/plugin-sdk';

/** A namespace of functions (`accessors.trigger`, `accessors.sdk.document`...): calling any member throws. */
export function unsupportedFunctions(plugin: string, path: string): never {
  const refuse = (): never => {
    throw tesseraError('plugin.kuzzle.unsupported', plugin, path);
  };
  return new Proxy(refuse, {
    get: (_target, property) =>
      typeof property === 'symbol' || property === 'then'
        ? undefined
        : unsupportedFunctions(plugin, `${path}.${property}`),
    apply: refuse,
    construct: refuse,
  }) as never;
}

/** A data namespace (`context.config`, `context.secrets`): reading any member throws. */
export function unsupportedData(plugin: string, path: string): Readonly<Record<string, never>> {
  return new Proxy(Object.freeze({}), {
    get: (_target, property) => {
      if (typeof property === 'symbol' || property === 'then' || property === 'toJSON') return undefined;
      throw tesseraError('plugin.kuzzle.unsupported', plugin, `${path}.${property}`);
    },
  });
}
