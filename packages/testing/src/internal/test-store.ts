/**
 * The store a test kernel runs on, chosen the way an operator chooses it: the `tessera_storage__*` environment
 * variables (`tessera_storage__engine=postgres`, `tessera_storage__postgres__url=...`), nothing else of the
 * developer's environment. SQLite gets a file in the kernel's fresh folder; PostgreSQL a fresh schema of its own
 * in the configured database, dropped when the kernel stops. A schema rather than a database: creating and
 * dropping a database costs about two seconds on a loaded 2-core machine, times every kernel of the suite,
 * while a schema isolates the store just as well (the adapter reaches only its own schema).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { StoreAdapter, TesseraConfig } from '@tessera/kernel';
import { createPostgresStore } from '@tessera/storage-postgres';
import { createSqliteStore } from '@tessera/storage-sqlite';

/** The storage settings of the environment, as `loadConfig` reads them: `tessera_storage__*` only. */
export function storageEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => key.toLowerCase().startsWith('tessera_storage__')),
  );
}

export interface TestStore {
  readonly adapter: StoreAdapter;
  /** Removes what the store left behind (its PostgreSQL schema); the kernel has closed the adapter. */
  dispose(): Promise<void>;
}

/** `storage` after loadConfig (its SQLite path in the kernel's own fresh folder). */
export function createTestStore(storage: TesseraConfig['storage']): TestStore {
  switch (storage.engine) {
    case 'sqlite':
      return {
        adapter: createSqliteStore({
          path: storage.sqlite.path,
          busyTimeoutMs: storage.sqlite.busyTimeout,
        }),
        dispose: () => Promise.resolve(),
      };
    case 'postgres': {
      const { url, poolSize, connectionTimeout, statementTimeout } = storage.postgres;
      if (url === null)
        throw new Error('tessera_storage__postgres__url is required with the postgres engine');
      const schema = `tessera_test_${randomBytes(6).toString('hex')}`;
      return {
        adapter: createPostgresStore({
          url,
          schema,
          poolSize,
          connectionTimeoutMs: connectionTimeout,
          statementTimeoutMs: statementTimeout,
        }),
        dispose: () => dropSchema(url, schema),
      };
    }
    default:
      throw new Error(`the test kernel does not run on the "${storage.engine}" engine`);
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
