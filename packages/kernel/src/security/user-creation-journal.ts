/**
 * UserCreationJournal: what makes a user creation all or nothing across a crash. A user and their credentials
 * are written to different collections (the kernel's, each strategy's own), one after the other, with no
 * transaction spanning them; a process killed between two writes would leave a user without credentials (their
 * id taken, nobody able to log in) or credentials without a user. So each creation is written down first, and
 * crossed out once the user and every credential are in place.
 *
 * At boot, before the server listens, every creation still written down is undone: its credentials, then its
 * user. Claiming an entry is deleting it, which only one process can do; a creation whose entry was claimed
 * while it was still running (another node booted meanwhile) finds it gone at the end, undoes its own writes and
 * fails, so the two never leave half a user behind between them.
 */
import { randomUUID } from 'node:crypto';
import {
  TesseraError,
  isTesseraError,
  tesseraError,
  type ApiRequest,
  type DocumentCollection,
  type Logger,
  type StorageNamespace,
} from '@tessera/plugin-sdk';
import { Request } from '../api/request';

/** One creation in progress: the strategies whose credentials it may have written. */
interface Entry {
  strategies: string[];
  [key: string]: unknown;
}

export const USER_CREATIONS_COLLECTION = 'user-creations';

/** How a creation that did not finish is undone: each strategy's credentials, then the user document. */
export interface CreationUndo {
  deleteCredentials(request: ApiRequest, strategy: string, kuid: string): Promise<void>;
  credentialsExist(request: ApiRequest, strategy: string, kuid: string): Promise<boolean>;
  deleteUser(kuid: string): Promise<unknown>;
}

export class UserCreationJournal {
  private constructor(private readonly entries: DocumentCollection<Entry>) {}

  static async open(storage: StorageNamespace): Promise<UserCreationJournal> {
    return new UserCreationJournal(await storage.collection<Entry>(USER_CREATIONS_COLLECTION));
  }

  /**
   * Writes the creation of `kuid` down. An entry already there is another creation of that kuid in progress:
   * `security.user.already_exists`, as if it had finished first.
   */
  async begin(kuid: string, strategies: readonly string[]): Promise<void> {
    try {
      await this.entries.create({ strategies: [...strategies] }, kuid);
    } catch (error) {
      if (isTesseraError(error) && error.id === 'services.storage.document_already_exists') {
        throw tesseraError('security.user.already_exists', kuid);
      }
      throw error;
    }
  }

  /** Crosses the creation out; false when it was no longer written down (someone undid it meanwhile). */
  end(kuid: string): Promise<boolean> {
    return this.entries.delete(kuid);
  }

  /** Undoes every creation still written down; returns the kuids undone. */
  async recover(undo: CreationUndo, log: Logger): Promise<string[]> {
    const undone: string[] = [];
    for (;;) {
      const page = await this.entries.find({}, { size: 100 });
      if (page.length === 0) return undone;
      for (const { _id: kuid, _source: entry } of page) {
        // Deleting the entry is the claim: of two nodes booting together, only one undoes a creation.
        if (!(await this.entries.delete(kuid))) continue;
        await undoCreation(undo, kuid, entry.strategies, log);
        undone.push(kuid);
      }
    }
  }
}

/** Deletes what a creation wrote: the credentials it may have created, newest first, then the user. */
export async function undoCreation(
  undo: CreationUndo,
  kuid: string,
  strategies: readonly string[],
  log: Logger,
  request: ApiRequest = recoveryRequest(kuid),
): Promise<void> {
  const steps = [
    ...[...strategies].reverse().map((strategy) => ({
      what: `credentials "${strategy}"`,
      run: async () => {
        if (await undo.credentialsExist(request, strategy, kuid))
          await undo.deleteCredentials(request, strategy, kuid);
      },
    })),
    { what: 'user document', run: () => undo.deleteUser(kuid) },
  ];
  for (const step of steps) {
    try {
      await step.run();
    } catch (error) {
      if (isTesseraError(error) && error.status === 404) continue;
      log.error(`an unfinished user creation could not be undone: remove its ${step.what} by hand`, {
        kuid,
        error: error instanceof TesseraError || error instanceof Error ? error : String(error),
      });
    }
  }
}

/** The request the kernel makes to a strategy when it undoes a creation nobody is waiting for. */
function recoveryRequest(kuid: string): ApiRequest {
  const request = new Request(
    randomUUID(),
    {
      controller: 'security',
      action: 'createUser',
      jwt: null,
      body: null,
      args: { _id: kuid },
      volatile: null,
    },
    { id: 'kernel:recovery', protocol: 'internal', address: null, ips: [], headers: {} },
  );
  request.user = { _id: kuid, profileIds: [] };
  return request;
}
