/**
 * SecurityMappings: the mappings of the users, profiles and roles collections that Kuzzle's
 * `security:get*Mapping` and `update*Mapping` read and merge. In Kuzzle they are Elasticsearch's index mappings;
 * here they describe the content fields of those documents to clients (the admin console builds its user form
 * and its search filters from the user mapping), and change neither what a document may hold nor how it is
 * stored, searched or indexed (docs/api.md says why). Each is one document of the kernel namespace, written
 * after a versioned read so that concurrent updates all merge.
 */
import {
  isTesseraError,
  type DocumentCollection,
  type JsonObject,
  type StorageNamespace,
} from '@tessera/plugin-sdk';
import { mergeMapping, type Mapping } from './mapping';

export type MappedCollection = 'users' | 'profiles' | 'roles';

const keyword = { type: 'keyword' };

/** Kuzzle 2.56's mappings of its internal users, profiles and roles collections. */
export const DEFAULT_MAPPINGS: Readonly<Record<MappedCollection, Mapping>> = {
  users: { dynamic: 'false', properties: { profileIds: keyword } },
  profiles: {
    dynamic: 'false',
    properties: {
      tags: keyword,
      policies: {
        properties: {
          roleId: keyword,
          restrictedTo: { type: 'nested', properties: { index: keyword, collections: keyword } },
        },
      },
    },
  },
  roles: {
    dynamic: 'false',
    properties: { tags: keyword, controllers: { type: 'object', dynamic: 'false' } },
  },
};

/** What Kuzzle's every collection maps besides its own fields; getMapping leaves it out, updateMapping not. */
const KUZZLE_INFO_MAPPING: JsonObject = {
  properties: {
    author: keyword,
    createdAt: { type: 'date' },
    updater: keyword,
    updatedAt: { type: 'date' },
  },
};

/** How many times update runs again over a concurrent update before giving up. */
const UPDATE_ATTEMPTS = 100;

type StoredMapping = Mapping & JsonObject;

export class SecurityMappings {
  private constructor(private readonly documents: DocumentCollection<StoredMapping>) {}

  static async open(storage: StorageNamespace): Promise<SecurityMappings> {
    return new SecurityMappings(await storage.collection<StoredMapping>('mappings'));
  }

  /** `security:get*Mapping`'s result: `{mapping: <properties>}`. */
  async get(collection: MappedCollection): Promise<{ mapping: JsonObject }> {
    const stored = await this.documents.get(collection);
    return { mapping: (stored?._source ?? DEFAULT_MAPPINGS[collection]).properties };
  }

  /**
   * Merges `update` (`{properties?, dynamic?, _meta?}`) into the collection's mapping and answers the whole
   * mapping, as Kuzzle's `security:update*Mapping` does (its `properties` with `_kuzzle_info`).
   */
  async update(collection: MappedCollection, update: JsonObject): Promise<Mapping> {
    for (let attempt = 1; ; attempt++) {
      const read = await this.documents.getVersioned(collection);
      const merged = mergeMapping(read?._source ?? DEFAULT_MAPPINGS[collection], update) as StoredMapping;
      try {
        if (read === null) await this.documents.create(merged, collection);
        else await this.documents.replace(collection, merged, { ifVersion: read._version });
        return { ...merged, properties: { ...merged.properties, _kuzzle_info: KUZZLE_INFO_MAPPING } };
      } catch (error) {
        if (!isConcurrentWrite(error) || attempt >= UPDATE_ATTEMPTS) throw error;
      }
    }
  }
}

function isConcurrentWrite(error: unknown): boolean {
  return (
    isTesseraError(error) &&
    (error.id === 'services.storage.version_conflict' ||
      error.id === 'services.storage.document_already_exists')
  );
}
