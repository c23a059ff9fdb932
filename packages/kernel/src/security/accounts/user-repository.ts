/**
 * UserRepository: the users of the kernel namespace (reference §3.1, §4.1). A user is a kuid, profile ids and
 * free content; never credentials, which the strategies own. The anonymous user is built in: reading `-1` or
 * `anonymous` gives it, and neither id can be written.
 */
import { isTesseraError, tesseraError, type JsonObject, type SearchBody } from '@tessera/plugin-sdk';
import {
  ANONYMOUS_KUID,
  ANONYMOUS_USER,
  type ProfileContent,
  type SecurityDocument,
  type UserContent,
} from '../model';
import { readStringArray } from './argument-checks';
import { generateKuid, type KuidFormat } from './generate-kuid';
import type { Actor, SecurityCollection } from './security-collection';
import { SecurityReads } from './security-reads';

export interface CreateUserOptions {
  /** The kuid; generated in the `kuid` format when absent. */
  readonly id?: string;
  readonly kuid?: KuidFormat;
}

const ANONYMOUS_IDS: ReadonlySet<string> = new Set([ANONYMOUS_KUID, 'anonymous']);

/** How many generated kuids to try before giving up: one collision is rare, five in a row means a bug. */
const KUID_ATTEMPTS = 5;

export class UserRepository extends SecurityReads<UserContent> {
  constructor(
    private readonly users: SecurityCollection<UserContent>,
    private readonly profiles: SecurityCollection<ProfileContent>,
  ) {
    super(users);
  }

  override find(id: string): Promise<SecurityDocument<UserContent> | null> {
    return ANONYMOUS_IDS.has(id) ? Promise.resolve(ANONYMOUS_USER) : this.users.find(id);
  }

  /**
   * What `find` answers when the user is in memory (the anonymous user always is), at once: the funnel asks on
   * every request, and a cached user needs no turn of the event loop.
   */
  cached(id: string): SecurityDocument<UserContent> | undefined {
    return ANONYMOUS_IDS.has(id) ? ANONYMOUS_USER : this.users.cached(id);
  }

  /** The user if it is in memory (the anonymous user always is), without reading the store. */
  override peek(id: string): SecurityDocument<UserContent> | undefined {
    return ANONYMOUS_IDS.has(id) ? ANONYMOUS_USER : this.users.peek(id);
  }

  /** `security.user.not_found` when there is no such user. */
  override get(id: string): Promise<SecurityDocument<UserContent>> {
    return ANONYMOUS_IDS.has(id) ? Promise.resolve(ANONYMOUS_USER) : this.users.get(id);
  }

  /** The users found, in the order of `ids`; unknown ids are skipped. */
  override async mGet(ids: readonly string[]): Promise<SecurityDocument<UserContent>[]> {
    const stored = new Map((await this.users.mGet(ids)).map((user) => [user._id, user]));
    return ids.flatMap((id) => (ANONYMOUS_IDS.has(id) ? [ANONYMOUS_USER] : (stored.get(id) ?? [])));
  }

  invalidateCache(id?: string): void {
    this.users.invalidate(id);
  }

  /** `content` is createUser's `body.content`. A taken id is `security.user.already_exists`. */
  async create(
    content: JsonObject,
    actor: Actor,
    options: CreateUserOptions = {},
  ): Promise<SecurityDocument<UserContent>> {
    const user = await this.readUser(content, 'body.content');
    if (options.id !== undefined) return this.users.create(writable(options.id), user, actor);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.users.create(generateKuid(options.kuid), user, actor);
      } catch (error) {
        const collided = isTesseraError(error) && error.id === 'security.user.already_exists';
        if (!collided || attempt === KUID_ATTEMPTS) throw error;
      }
    }
  }

  async createOrReplace(
    id: string,
    content: JsonObject,
    actor: Actor,
  ): Promise<SecurityDocument<UserContent>> {
    return this.users.createOrReplace(writable(id), await this.readUser(content, 'body.content'), actor);
  }

  /** replaceUser: `content` is the whole new content (the request body); the user must exist. */
  async replace(id: string, content: JsonObject, actor: Actor): Promise<SecurityDocument<UserContent>> {
    return this.users.replace(writable(id), await this.readUser(content, 'body'), actor);
  }

  /** updateUser: a shallow merge `{...old, ...changes}`, as Kuzzle. */
  async update(id: string, changes: JsonObject, actor: Actor): Promise<SecurityDocument<UserContent>> {
    return this.users.update(
      writable(id),
      (current) => this.readUser({ ...current, ...changes }, 'body'),
      actor,
    );
  }

  /** Deletes the user document only: credentials, tokens and API keys are the caller's to remove. */
  async delete(id: string): Promise<void> {
    return this.users.delete(writable(id));
  }

  /** Whether some user has the `admin` profile (server:adminExists, createFirstAdmin). */
  async adminExists(): Promise<boolean> {
    return (await this.countWithProfile('admin')) > 0;
  }

  countWithProfile(profileId: string): Promise<number> {
    return this.users.count(withProfile(profileId));
  }

  /**
   * Takes `profileId` away from every user who has it (deleteProfile with `onAssignedUsers: "remove"`); a user
   * left without profiles gets `anonymous`, since a user must have one. Returns how many users changed.
   */
  async removeProfile(profileId: string, actor: Actor): Promise<number> {
    const ids: string[] = [];
    // Ids first: paging through a result set while changing it would skip documents.
    for await (const user of this.users.scan(withProfile(profileId))) ids.push(user._id);
    for (const id of ids) {
      await this.users
        .update(id, (current) => ({ ...current, profileIds: without(current.profileIds, profileId) }), actor)
        .catch(ignoreMissingUser);
    }
    return ids.length;
  }

  /** Checks `profileIds` and that every profile exists. `path` names the content as the API caller sent it. */
  private async readUser(content: JsonObject, path: string): Promise<UserContent> {
    const profileIds = readStringArray(content.profileIds, `${path}.profileIds`);
    await this.profiles.assertExist(profileIds);
    return { ...content, profileIds };
  }
}

function writable(id: string): string {
  if (ANONYMOUS_IDS.has(id)) {
    throw tesseraError(
      'api.assert.invalid_argument',
      '_id',
      'a kuid other than "-1" and "anonymous" (built in)',
    );
  }
  return id;
}

function withProfile(profileId: string): SearchBody {
  return { query: { term: { profileIds: profileId } } };
}

function without(profileIds: readonly string[], profileId: string): string[] {
  const rest = profileIds.filter((id) => id !== profileId);
  return rest.length > 0 ? rest : ['anonymous'];
}

/** A user deleted while its profile was being removed has nothing left to change. */
function ignoreMissingUser(error: unknown): void {
  if (!isTesseraError(error) || error.id !== 'security.user.not_found') throw error;
}
