/**
 * createTestDatabase: a fresh PostgreSQL database of its own for a test file (`tessera_test_<random>`), dropped
 * by `drop()`, so parallel runs and leftovers never interfere. The server is the one at
 * TESSERA_TEST_POSTGRES_URL (default: the local one, trust authentication), reached through its `postgres`
 * maintenance database.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const TEST_POSTGRES_URL =
  process.env['TESSERA_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** The database's URL. */
  readonly url: string;
  readonly name: string;
  /** Runs one statement in the database (for tests that look at the schema, or clean up). */
  query(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Drops the database, closing whatever is still connected to it. */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tessera_test_${randomBytes(6).toString('hex')}`;
  await maintenance(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async query(text, values = []) {
      const client = new Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query<Record<string, unknown>>(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    drop: () => maintenance(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function maintenance(statement: string): Promise<void> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
