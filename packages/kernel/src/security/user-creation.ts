/**
 * createUserWithCredentials: the one way a user comes to exist with credentials (createUser,
 * createRestrictedUser, createFirstAdmin, upsertUser), all or nothing.
 *
 * Every strategy's credentials are checked before anything is written; then the creation is written down in the
 * journal (user-creation-journal.ts), the user document is created, then each strategy's credentials, and the
 * journal entry is crossed out. If any step fails, what was written is undone (credentials first, then the
 * user) and the original error is rethrown; if the process dies instead, the next boot undoes it. The strategies' own stores decide races: the local strategy has a
 * unique username, so of two concurrent creations with one username, the second fails at its credentials and
 * takes its user document away with it. `user:created` fires only once everything is in place.
 */
import {
  isTesseraError,
  tesseraError,
  type ApiRequest,
  type ErrorId,
  type JsonObject,
} from '@tessera/plugin-sdk';
import { generateKuid, type KuidFormat } from './accounts';
import { ANONYMOUS_KUID, type SecurityDocument, type UserContent } from './model';
import type { SecurityServices } from './security-services';

export interface NewUser {
  /** The kuid; generated in the `kuid` format when absent. */
  readonly id?: string;
  readonly kuid?: KuidFormat;
  /** The user document's content, `profileIds` included. */
  readonly content: JsonObject;
  /** Strategy name -> the credentials to create with it. Never stored in the user document. */
  readonly credentials?: Readonly<Record<string, JsonObject>>;
}

export type UserCreationServices = Pick<
  SecurityServices,
  'accounts' | 'credentials' | 'creations' | 'bus' | 'log'
>;

/** Draws of a generated kuid before giving up: one collision is rare, five in a row means a bug. */
const GENERATED_KUID_ATTEMPTS = 5;

/** Errors saying a kuid is taken, by a user or by credentials left without one. */
const TAKEN: ReadonlySet<string> = new Set<ErrorId>([
  'security.user.already_exists',
  'security.credentials.database_inconsistency',
]);

type StrategyCredentials = readonly (readonly [strategy: string, credentials: JsonObject])[];

export async function createUserWithCredentials(
  services: UserCreationServices,
  request: ApiRequest,
  user: NewUser,
): Promise<SecurityDocument<UserContent>> {
  const strategies = Object.entries(user.credentials ?? {});
  const created = await createDocument(services, request, user, strategies);
  await attachCredentials(services, request, created._id, strategies);
  await crossOut(services, request, created._id, strategies);
  services.bus.emit('user:created', { kuid: created._id, author: authorOf(request) });
  return created;
}

/** Checks the credentials for the kuid, then creates the user document. A generated kuid found taken is drawn again. */
async function createDocument(
  services: UserCreationServices,
  request: ApiRequest,
  user: NewUser,
  strategies: StrategyCredentials,
): Promise<SecurityDocument<UserContent>> {
  for (let attempt = 1; ; attempt += 1) {
    const kuid = user.id ?? generateKuid(user.kuid);
    try {
      await checkCredentials(services, request, kuid, strategies);
      return await createJournaled(services, kuid, strategies, () =>
        services.accounts.users.create(user.content, authorOf(request), { id: kuid }),
      );
    } catch (error) {
      const drawAgain =
        user.id === undefined &&
        attempt < GENERATED_KUID_ATTEMPTS &&
        isTesseraError(error) &&
        TAKEN.has(error.id);
      if (!drawAgain) throw error;
    }
  }
}

/**
 * Nothing is written yet: an unknown strategy (`security.credentials.unknown_strategy`), credentials the kuid
 * already has, or credentials a strategy refuses stop the creation here.
 */
async function checkCredentials(
  services: UserCreationServices,
  request: ApiRequest,
  kuid: string,
  strategies: StrategyCredentials,
): Promise<void> {
  for (const [strategy, credentials] of strategies) {
    if (await services.credentials.exists(request, strategy, kuid)) {
      // Credentials of an existing user mean the id is taken; of no user, that the stores disagree.
      throw (await services.accounts.users.find(kuid)) === null
        ? tesseraError('security.credentials.database_inconsistency', kuid)
        : tesseraError('security.user.already_exists', kuid);
    }
    await services.credentials.validate(request, strategy, kuid, credentials);
  }
}

async function attachCredentials(
  services: UserCreationServices,
  request: ApiRequest,
  kuid: string,
  strategies: StrategyCredentials,
): Promise<void> {
  const attached: string[] = [];
  try {
    for (const [strategy, credentials] of strategies) {
      await services.credentials.create(request, strategy, kuid, credentials);
      attached.push(strategy);
    }
  } catch (error) {
    await rollBack(services, request, kuid, attached);
    throw error;
  }
}

/**
 * Writes the creation down (when it has credentials: a user without any cannot be left half-made), then runs
 * `create`; the entry goes if `create` fails.
 */
async function createJournaled<T>(
  services: UserCreationServices,
  kuid: string,
  strategies: StrategyCredentials,
  create: () => Promise<T>,
): Promise<T> {
  if (strategies.length === 0) return create();
  await services.creations.begin(
    kuid,
    strategies.map(([strategy]) => strategy),
  );
  try {
    return await create();
  } catch (error) {
    await services.creations.end(kuid);
    throw error;
  }
}

/**
 * Crosses the finished creation out. An entry already gone was claimed by a node recovering from a crash, which
 * may have undone part of this creation: the rest is undone here, and the caller is told to try again.
 */
async function crossOut(
  services: UserCreationServices,
  request: ApiRequest,
  kuid: string,
  strategies: StrategyCredentials,
): Promise<void> {
  if (strategies.length === 0) return;
  const attached = strategies.map(([strategy]) => strategy);
  let ended: boolean;
  try {
    ended = await services.creations.end(kuid);
  } catch (error) {
    // Left written down, the creation would be undone at the next boot: undo it now, and say it failed.
    await rollBack(services, request, kuid, attached);
    throw error;
  }
  if (!ended) {
    await rollBack(services, request, kuid, attached);
    throw tesseraError('security.user.creation_interrupted', kuid);
  }
}

/**
 * Undoes a creation that failed halfway: the credentials created, newest first, then the user document. Every
 * step is tried; the caller hears the error that stopped the creation, not these. A step that fails because the
 * database is away (the usual reason the creation stopped halfway) is tried again in the background, in order,
 * until the database answers: a lost database leaves no user without credentials behind once it is back. A step
 * that fails otherwise, or is still failing after ROLLBACK_RETRY_DELAYS_MS, is logged with what is left to clean.
 */
async function rollBack(
  services: UserCreationServices,
  request: ApiRequest,
  kuid: string,
  attached: readonly string[],
): Promise<void> {
  const steps: RollbackStep[] = [
    ...[...attached].reverse().map((strategy) => ({
      what: `credentials "${strategy}"`,
      run: () => services.credentials.delete(request, strategy, kuid),
    })),
    { what: 'user document', run: () => services.accounts.users.delete(kuid) },
    // Last, with the same retries: a creation undone leaves no journal entry that would block its kuid.
    { what: 'journal entry', run: () => services.creations.end(kuid) },
  ];
  const left = await runSteps(services, kuid, steps, false);
  if (left.length > 0) retryLater(services, kuid, left, 0);
}

interface RollbackStep {
  readonly what: string;
  run(): Promise<unknown>;
}

/** Backoff between background attempts, about 4 minutes in all; the last one gives up and logs. */
const ROLLBACK_RETRY_DELAYS_MS = [100, 200, 500, 1000, 2000, 5000, ...Array<number>(46).fill(5000)];

/** Runs the steps in order; answers those that failed because the database is away (from the first on). */
async function runSteps(
  services: UserCreationServices,
  kuid: string,
  steps: readonly RollbackStep[],
  lastAttempt: boolean,
): Promise<RollbackStep[]> {
  for (const [index, step] of steps.entries()) {
    try {
      await step.run();
    } catch (error) {
      // Already gone (a recovering node undid it first): nothing left to clean.
      if (isTesseraError(error) && error.status === 404) continue;
      const away = isTesseraError(error) && error.id === 'services.storage.not_connected';
      if (away && !lastAttempt) return steps.slice(index);
      services.log.error(`user creation rollback could not delete the ${step.what}; remove it by hand`, {
        kuid,
        error,
      });
    }
  }
  return [];
}

function retryLater(
  services: UserCreationServices,
  kuid: string,
  steps: readonly RollbackStep[],
  attempt: number,
): void {
  const delay = ROLLBACK_RETRY_DELAYS_MS[attempt] ?? 0;
  const lastAttempt = attempt === ROLLBACK_RETRY_DELAYS_MS.length - 1;
  // Unref'd: a pending retry never keeps a stopping node alive.
  setTimeout(() => {
    void runSteps(services, kuid, steps, lastAttempt).then((left) => {
      if (left.length > 0) retryLater(services, kuid, left, attempt + 1);
    });
  }, delay).unref();
}

/** The kuid a write is made in the name of: the caller's (anonymous when there is none). */
export function authorOf(request: ApiRequest): string {
  return request.user?._id ?? ANONYMOUS_KUID;
}
