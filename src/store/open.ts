/**
 * Picks the store from `--db`: a path (SQLite, the default `./snarf.db`) or a
 * postgres:// URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from './store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export const DEFAULT_DB = 'snarf.db';

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/**
 * `mustExist` is for readers (summary, report): they fail clearly on a missing database instead
 * of creating an empty one. Readers still open it writable, so that a bulk import that was
 * interrupted gets its rollups caught up before anything is read from them.
 */
export async function openStore(spec: string = DEFAULT_DB, opts: { mustExist?: boolean } = {}): Promise<Store> {
  // One central PostgreSQL for collectors on several sensor hosts (docs/postgres.md). Readers
  // need no mustExist check: the URL names a server, and open() applies migrations.
  // Loaded only then: pg and its dependencies would slow every SQLite command's start.
  if (isPostgresUrl(spec)) return (await import('./postgres/pg-store.js')).PostgresStore.open(spec);
  if (opts.mustExist && !fs.existsSync(spec)) {
    throw new Error(`${spec}: no such database (run \`snarf import\` first or pass --db)`);
  }
  const dir = path.dirname(spec);
  if (dir && !fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true });
  return new SqliteStore(spec);
}
