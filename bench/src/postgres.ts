/** The PostgreSQL server the bench groups that need one use, and a database of their own on it. */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

const POSTGRES_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** Runs one statement on `url` over a connection of its own. */
export async function runStatement(url: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A fresh database on the bench's PostgreSQL server, dropped by `drop()`. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `tessera_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await runStatement(POSTGRES_URL, `CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => runStatement(POSTGRES_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
