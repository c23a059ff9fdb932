/** The PostgreSQL server the bench groups that need one use, and a database of their own on it. */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { KERNEL_VERSION } from '@tessera/kernel';

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

/** `url` (the bench's server) on database `name`. */
function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh database on the bench's PostgreSQL server (a copy of `template`, if given), dropped by `drop()`. */
export async function createBenchDatabase(options: { template?: string } = {}): Promise<BenchDatabase> {
  const name = `tessera_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const template = options.template === undefined ? '' : ` TEMPLATE ${options.template}`;
  await runStatement(POSTGRES_URL, `CREATE DATABASE ${name}${template}`);
  return {
    url: databaseUrl(name),
    drop: () => runStatement(POSTGRES_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/**
 * The database `tessera_bench_cache_<name>_k<kernel version>` on the bench's server, built by `build` (given its
 * URL) when missing: documents slow to write, kept between runs for `createBenchDatabase({ template })` to copy
 * (drop it to rebuild). Built under another name and renamed once complete: an interrupted build is no cache.
 */
export async function cachedDatabase(
  name: string,
  build: (url: string) => Promise<void>,
): Promise<{ name: string; builtInSeconds: number | null }> {
  const cached = `tessera_bench_cache_${name}_k${KERNEL_VERSION}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [cached]);
    if (rowCount !== null && rowCount > 0) return { name: cached, builtInSeconds: null };
  } finally {
    await client.end();
  }
  const started = performance.now();
  const building = `${cached}_building`;
  await runStatement(POSTGRES_URL, `DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
  await runStatement(POSTGRES_URL, `CREATE DATABASE ${building}`);
  await build(databaseUrl(building));
  await runStatement(POSTGRES_URL, `ALTER DATABASE ${building} RENAME TO ${cached}`);
  return { name: cached, builtInSeconds: Math.round((performance.now() - started) / 1000) };
}
