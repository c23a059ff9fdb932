/**
 * Where local credentials live: collection `credentials` of the plugin's namespace, one document per user.
 * Unique indexes on `username` and `kuid` make the store, not a read-then-write check, the judge of
 * conflicts, so concurrent creations cannot both succeed; its `unique_violation` becomes the plugin's 412s.
 */
import type {
  DocumentCollection,
  SearchBody,
  SearchResult,
  StorageNamespace,
  StoredDocument,
} from '@tessera/plugin-sdk';
import { isTesseraError } from '@tessera/plugin-sdk';
import { authLocalError } from './errors';

export interface ArchivedHash {
  hash: string;
  archivedAt: number;
}

export interface CredentialsDocument {
  username: string;
  kuid: string;
  /** bcrypt hash of the password; never leaves this plugin. */
  hash: string;
  /** The bcrypt cost `hash` was made with. */
  cost: number;
  /** Who last set the password (null: nobody authenticated); the "must change" policy compares it with kuid. */
  updater: string | null;
  createdAt: number;
  /** When the password was last set; password expiry counts from here. */
  updatedAt: number;
  /** Previous hashes, newest first, kept only as long as a reuse policy asks. */
  history: ArchivedHash[];
}

export type StoredCredentials = StoredDocument<CredentialsDocument>;

/** Every field of a credentials document, so searches can tell a stored field from an unknown keyword. */
export const CREDENTIALS_FIELDS: readonly (keyof CredentialsDocument)[] = [
  'username',
  'kuid',
  'hash',
  'cost',
  'updater',
  'createdAt',
  'updatedAt',
  'history',
];

export class CredentialsStore {
  private constructor(private readonly documents: DocumentCollection<CredentialsDocument>) {}

  static async open(storage: StorageNamespace): Promise<CredentialsStore> {
    return new CredentialsStore(
      await storage.collection<CredentialsDocument>('credentials', { unique: ['username', 'kuid'] }),
    );
  }

  findByKuid(kuid: string): Promise<StoredCredentials | null> {
    return this.findOne('kuid', kuid);
  }

  findByUsername(username: string): Promise<StoredCredentials | null> {
    return this.findOne('username', username);
  }

  async create(credentials: CredentialsDocument): Promise<StoredCredentials> {
    try {
      return await this.documents.create(credentials);
    } catch (error) {
      throw conflictOf(error, credentials);
    }
  }

  async update(
    current: StoredCredentials,
    changes: Partial<CredentialsDocument>,
  ): Promise<StoredCredentials> {
    try {
      return await this.documents.update(current._id, changes);
    } catch (error) {
      throw conflictOf(error, { ...current._source, ...changes });
    }
  }

  delete(current: StoredCredentials): Promise<boolean> {
    return this.documents.delete(current._id);
  }

  search(
    body: SearchBody,
    options: { from?: number; size?: number },
  ): Promise<SearchResult<CredentialsDocument>> {
    return this.documents.search(body, options);
  }

  private async findOne(field: 'kuid' | 'username', value: string): Promise<StoredCredentials | null> {
    const [found] = await this.documents.find({ query: { term: { [field]: value } } }, { size: 1 });
    return found ?? null;
  }
}

/** A unique violation on `username` or `kuid` says which conflict it was; any other error passes through. */
function conflictOf(error: unknown, credentials: Pick<CredentialsDocument, 'username' | 'kuid'>): unknown {
  if (!isTesseraError(error) || error.id !== 'services.storage.unique_violation') return error;
  const field = error.props[1];
  if (field === 'username')
    return authLocalError('login_already_used', [credentials.username], { cause: error });
  if (field === 'kuid') return authLocalError('credentials_exist', [credentials.kuid], { cause: error });
  return error;
}
