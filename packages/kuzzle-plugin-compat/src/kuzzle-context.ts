/**
 * The part of Kuzzle's plugin context (`init(config, context)`) Tessera serves, each member backed by the
 * plugin's own Tessera context and storage namespace, never by the kernel:
 *
 * - `accessors.storage.bootstrap` / `createCollection` and `constructors.Repository`: the plugin's namespace;
 * - `accessors.execute(request)`: `ctx.api.execute`, on behalf of the caller of the request the plugin handles
 *   (that caller's rights apply; Kuzzle skips the rights check, Tessera does not);
 * - `accessors.sdk.security.getUser` / `mGetProfiles`: `ctx.identity` (read-only kuid, profiles and roles);
 * - `accessors.strategies.add` / `remove`: `ctx.strategies`, for the plugin's own authenticators;
 * - `constructors.Request`, `errors`, `errorsManager` / `kerror`, `log` / `logger`.
 *
 * Everything else of Kuzzle's context (`config`, `secrets`, the rest of the embedded SDK, `trigger`,
 * `subscription`, `validation`, `cluster`, Koncorde, Mutex, ESClient...) throws `plugin.kuzzle.unsupported`
 * naming the member when used.
 */
import type { PluginContext, PluginErrors } from '@tessera/plugin-sdk';
import { tesseraError } from '@tessera/plugin-sdk';
import { errorsManagerFor, kuzzleErrorClasses } from './kuzzle-errors';
import { createKuzzleStorage } from './kuzzle-repository';
import { KuzzleRequestConstructor, originalOf, type KuzzleRequest } from './kuzzle-request';
import { unsupportedData, unsupportedFunctions } from './unsupported';

export interface KuzzleContextDeps {
  readonly ctx: PluginContext;
  readonly errors: PluginErrors | undefined;
  /** Registers a strategy the way the plugin's `strategies` member is registered (see kuzzle-plugin.ts). */
  readonly addStrategy: (name: string, strategy: unknown) => void;
  readonly now?: () => number;
}

export function createKuzzleContext({ ctx, errors, addStrategy, now }: KuzzleContextDeps): object {
  const plugin = ctx.name;
  const storage = createKuzzleStorage(ctx.storage, now);
  const errorsManager = errorsManagerFor(plugin, errors);
  const line = (message: unknown): string => (typeof message === 'string' ? message : String(message));
  const log = Object.freeze({
    debug: (message: unknown) => ctx.log.debug(line(message)),
    silly: (message: unknown) => ctx.log.debug(line(message)),
    verbose: (message: unknown) => ctx.log.debug(line(message)),
    info: (message: unknown) => ctx.log.info(line(message)),
    warn: (message: unknown) => ctx.log.warn(line(message)),
    error: (message: unknown) => ctx.log.error(line(message)),
  });

  const execute = async (request: KuzzleRequest): Promise<KuzzleRequest> => {
    const caller = originalOf(request);
    if (!caller) {
      throw tesseraError(
        'plugin.kuzzle.unsupported',
        plugin,
        'accessors.execute with a request made from no request it handles',
      );
    }
    const outcome = await ctx.api.execute(request.toEnvelope(), caller);
    if (outcome.error) throw outcome.error;
    request.setResult(outcome.result, { status: outcome.status });
    return request;
  };

  const security = Object.freeze({
    async getUser(kuid: string) {
      const identity = await ctx.identity.describe(kuid);
      // Kuzzle 2's embedded SDK answers a missing user with the storage error the plugins test for.
      if (!identity) throw tesseraError('services.storage.not_found', kuid, '%kuzzle', 'users');
      const content = { profileIds: [...identity.profileIds] };
      return { _id: identity.kuid, content, _source: content };
    },
    async mGetProfiles(profileIds: readonly string[]) {
      const profiles = await ctx.identity.profiles(profileIds);
      return profiles.map(({ profileId, roleIds }) => ({
        _id: profileId,
        policies: roleIds.map((roleId) => ({ roleId })),
      }));
    },
  });
  const sdk = new Proxy(
    { security },
    {
      get: (target, property) => {
        if (property === 'security') {
          return new Proxy(security, {
            get: (members, name) =>
              typeof name === 'string' && !Object.hasOwn(members, name)
                ? unsupportedFunctions(plugin, `accessors.sdk.security.${name}`)
                : (members as Record<string | symbol, unknown>)[name],
          });
        }
        return typeof property === 'symbol' || property === 'then'
          ? (target as Record<symbol, unknown>)[property as symbol]
          : unsupportedFunctions(plugin, `accessors.sdk.${property}`);
      },
    },
  );

  return {
    accessors: Object.freeze({
      storage: storage.accessors,
      execute,
      sdk,
      strategies: Object.freeze({
        add: (name: string, strategy: unknown) => Promise.resolve().then(() => addStrategy(name, strategy)),
        remove: (name: string) => Promise.resolve().then(() => ctx.strategies.unregister(name)),
      }),
      trigger: unsupportedFunctions(plugin, 'accessors.trigger'),
      subscription: unsupportedFunctions(plugin, 'accessors.subscription'),
      validation: unsupportedFunctions(plugin, 'accessors.validation'),
      cluster: unsupportedFunctions(plugin, 'accessors.cluster'),
    }),
    constructors: Object.freeze({
      Repository: storage.Repository,
      Request: KuzzleRequestConstructor,
      RequestContext: unsupportedFunctions(plugin, 'constructors.RequestContext'),
      RequestInput: unsupportedFunctions(plugin, 'constructors.RequestInput'),
      BaseValidationType: unsupportedFunctions(plugin, 'constructors.BaseValidationType'),
      Koncorde: unsupportedFunctions(plugin, 'constructors.Koncorde'),
      Mutex: unsupportedFunctions(plugin, 'constructors.Mutex'),
      ESClient: unsupportedFunctions(plugin, 'constructors.ESClient'),
    }),
    errors: kuzzleErrorClasses,
    errorsManager,
    kerror: errorsManager,
    log,
    logger: Object.freeze({ ...log, trace: log.debug, fatal: log.error }),
    // Kuzzle hands plugins its whole configuration and its vault's secrets: the kernel's are not a plugin's.
    config: unsupportedData(plugin, 'config'),
    secrets: unsupportedData(plugin, 'secrets'),
  };
}
