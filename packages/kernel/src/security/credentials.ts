/**
 * Credentials: the one path to a strategy's credential methods for the auth and security controllers. It
 * picks the strategy (`security.credentials.unknown_strategy`), validates before writing, emits the
 * `credentials:*` events after the write (`credentials:updated` as a pipeline, so that what hangs on it, the
 * revocation of the user's other tokens, is done before the answer).
 */
import type { ApiRequest, EventBus, JsonObject, SearchBody } from '@tessera/plugin-sdk';
import { tesseraError } from '@tessera/plugin-sdk';
import type { StrategyRegistry } from './strategies';

export interface CredentialsOptions {
  readonly strategies: StrategyRegistry;
  readonly bus: EventBus;
}

export class Credentials {
  constructor(private readonly options: CredentialsOptions) {}

  validate(request: ApiRequest, strategy: string, kuid: string, credentials: JsonObject, isUpdate = false) {
    return this.methods(strategy).validate(request, credentials, kuid, strategy, isUpdate);
  }

  async create(
    request: ApiRequest,
    strategy: string,
    kuid: string,
    credentials: JsonObject,
  ): Promise<JsonObject> {
    const methods = this.methods(strategy);
    await methods.validate(request, credentials, kuid, strategy, false);
    const result = await methods.create(request, credentials, kuid, strategy);
    this.options.bus.emit('credentials:created', { kuid, strategy, author: authorOf(request) });
    return result;
  }

  /**
   * Validates and updates, then runs the `credentials:updated` pipeline (token revocation hangs on it), saying
   * whether a secret changed as the strategy judges it (`changesSecret`; every update, for a strategy without).
   */
  async update(
    request: ApiRequest & { token?: { kuid: string; sessionId: string } | null },
    strategy: string,
    kuid: string,
    credentials: JsonObject,
  ) {
    const methods = this.methods(strategy);
    await methods.validate(request, credentials, kuid, strategy, true);
    const result = await methods.update(request, credentials, kuid, strategy);
    const secretChanged = methods.changesSecret
      ? await methods.changesSecret(request, credentials, kuid, strategy)
      : true;
    const keepSessionId = request.token?.kuid === kuid ? request.token.sessionId : undefined;
    await this.options.bus.pipeline('credentials:updated', {
      kuid,
      strategy,
      author: authorOf(request),
      secretChanged,
      ...(keepSessionId ? { keepSessionId } : {}),
    });
    return result;
  }

  /**
   * The caller's own credentials (`auth:createMyCredentials`, `auth:updateMyCredentials`). A strategy whose
   * credentials only a sign-in elsewhere proves (it has `startLink`) answers where to send the browser, and
   * nothing is written now; any other creates or updates them from the body.
   */
  createOwn(request: ApiRequest, strategy: string, kuid: string, body: JsonObject): Promise<JsonObject> {
    const methods = this.methods(strategy);
    return methods.startLink
      ? methods.startLink(request, body, kuid, strategy, false)
      : this.create(request, strategy, kuid, body);
  }

  updateOwn(
    request: ApiRequest & { token?: { kuid: string; sessionId: string } | null },
    strategy: string,
    kuid: string,
    body: JsonObject,
  ): Promise<JsonObject> {
    const methods = this.methods(strategy);
    return methods.startLink
      ? methods.startLink(request, body, kuid, strategy, true)
      : this.update(request, strategy, kuid, body);
  }

  async delete(request: ApiRequest, strategy: string, kuid: string): Promise<void> {
    await this.methods(strategy).delete(request, kuid, strategy);
    this.options.bus.emit('credentials:deleted', { kuid, strategy, author: authorOf(request) });
  }

  exists(request: ApiRequest, strategy: string, kuid: string): Promise<boolean> {
    return this.methods(strategy).exists(request, kuid, strategy);
  }

  /** The strategies holding credentials for `kuid`. */
  async strategiesOf(request: ApiRequest, kuid: string): Promise<string[]> {
    const names = this.options.strategies.names();
    const held = await Promise.all(names.map((name) => this.exists(request, name, kuid)));
    return names.filter((_name, index) => held[index]);
  }

  /** `getInfo`, or `{}` for a strategy without it. */
  async info(request: ApiRequest, strategy: string, kuid: string): Promise<JsonObject> {
    const methods = this.methods(strategy);
    return methods.getInfo ? methods.getInfo(request, kuid, strategy) : {};
  }

  /** `getById` (the strategy's own id, e.g. a username), or `{}` for a strategy without it. */
  async byId(request: ApiRequest, strategy: string, id: string): Promise<JsonObject> {
    const methods = this.methods(strategy);
    return methods.getById ? methods.getById(request, id, strategy) : {};
  }

  search(strategy: string, body: SearchBody, page: { from: number; size: number }) {
    const methods = this.methods(strategy);
    if (!methods.search) throw tesseraError('plugin.strategy.missing_optional_method', 'search', strategy);
    return methods.search(body, page);
  }

  fields(strategy: string): readonly string[] {
    return this.options.strategies.get(strategy).fields;
  }

  private methods(strategy: string) {
    return this.options.strategies.get(strategy).methods;
  }
}

function authorOf(request: ApiRequest): string {
  return request.user?._id ?? '-1';
}
