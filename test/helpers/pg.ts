/**
 * PostgreSQL for tests: SNARF_TEST_PG_URL or the default of scripts/start-test-postgres.sh.
 * Never skipped: an unreachable server fails the test with the command that starts one. Each
 * test gets its own schema (`?schema=`), dropped at the end, so tests run in parallel.
 */
import pg from 'pg';

export const DEFAULT_PG_URL = 'postgres://snarf:snarf@127.0.0.1:5432/snarf_test';

export function testPgUrl(): string {
  return process.env.SNARF_TEST_PG_URL || DEFAULT_PG_URL;
}

let checked: Promise<void> | null = null;

/** Fails clearly (once per process) when no PostgreSQL answers at the test URL. */
export function requirePg(): Promise<void> {
  checked ??= (async () => {
    const client = new pg.Client({ connectionString: testPgUrl(), connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (err) {
      throw new Error(`PostgreSQL is not reachable at ${testPgUrl()} (${(err as Error).message}). `
        + 'Start one with `sh scripts/start-test-postgres.sh` (as root) or set SNARF_TEST_PG_URL.');
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return checked;
}

let counter = 0;

/** A URL naming a schema no other test uses, and a function that drops it. */
export async function freshPgSchema(tag = 't'): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  await requirePg();
  const schema = `snarf_${tag}_${process.pid}_${++counter}_${Math.floor(Math.random() * 1e6)}`;
  const url = new URL(testPgUrl());
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    schema,
    drop: async () => {
      const client = new pg.Client({ connectionString: testPgUrl() });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Rows of one query in `schema` (bigint and numeric as numbers, like the store reads them). */
export async function pgRows<T = Record<string, unknown>>(schema: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({
    connectionString: testPgUrl(),
    options: `-c search_path=${schema}`,
    types: { getTypeParser: (oid: number, f?: 'text' | 'binary') => (oid === 20 || oid === 1700 ? Number : pg.types.getTypeParser(oid, f as 'text')) },
  } as pg.ClientConfig);
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
