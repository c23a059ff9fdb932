/**
 * Where the links between provider identities and kuids live: one collection per strategy,
 * `identities-<strategy>`, one document per user: `{identity, kuid, attributes, createdAt, updatedAt}`.
 * Unique indexes on `identity` and `kuid` let the store judge conflicts: one identity links one user, and a
 * user has at most one identity per strategy. Provider tokens are never stored.
 */
import type { DocumentCollection, JsonObject, StorageNamespace, StoredDocument } from '@tessera/plugin-sdk';
import { isTesseraError, tesseraError } from '@tessera/plugin-sdk';

export interface IdentityDocument {
  identity: string;
  kuid: string;
  /** The persisted profile attributes, under their mapped names. */
  attributes: JsonObject;
  createdAt: number;
  updatedAt: number;
}

export type StoredIdentity = StoredDocument<IdentityDocument>;

export class IdentityStore {
  private constructor(
    private readonly documents: DocumentCollection<IdentityDocument>,
    private readonly now: () => number,
  ) {}

  static async open(storage: StorageNamespace, strategy: string, now: () => number): Promise<IdentityStore> {
    const documents = await storage.collection<IdentityDocument>(`identities-${strategy}`, {
      unique: ['identity', 'kuid'],
    });
    return new IdentityStore(documents, now);
  }

  findByKuid(kuid: string): Promise<StoredIdentity | null> {
    return this.findOne('kuid', kuid);
  }

  findByIdentity(identity: string): Promise<StoredIdentity | null> {
    return this.findOne('identity', identity);
  }

  async create(kuid: string, identity: string, attributes: JsonObject): Promise<StoredIdentity> {
    const now = this.now();
    try {
      return await this.documents.create({ identity, kuid, attributes, createdAt: now, updatedAt: now });
    } catch (error) {
      throw conflictOf(error, kuid, identity);
    }
  }

  async update(current: StoredIdentity, identity: string, attributes: JsonObject): Promise<StoredIdentity> {
    try {
      return await this.documents.replace(current._id, {
        ...current._source,
        identity,
        attributes,
        updatedAt: this.now(),
      });
    } catch (error) {
      throw conflictOf(error, current._source.kuid, identity);
    }
  }

  delete(current: StoredIdentity): Promise<boolean> {
    return this.documents.delete(current._id);
  }

  private async findOne(field: 'kuid' | 'identity', value: string): Promise<StoredIdentity | null> {
    const [found] = await this.documents.find({ query: { term: { [field]: value } } }, { size: 1 });
    return found ?? null;
  }
}

function conflictOf(error: unknown, kuid: string, identity: string): unknown {
  if (!isTesseraError(error) || error.id !== 'services.storage.unique_violation') return error;
  const message =
    error.props[1] === 'kuid'
      ? `A strategy already exists for the user "${kuid}".`
      : `IdentifierAttribute "${identity}" is already used.`;
  return tesseraError('security.credentials.rejected', message);
}
