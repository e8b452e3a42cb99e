/** Fresh stores in temp dirs for tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export function tempDir(prefix = 'snarf-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function freshSqlite(): { store: SqliteStore; dir: string; path: string } {
  const dir = tempDir();
  const p = path.join(dir, 'snarf.db');
  return { store: new SqliteStore(p), dir, path: p };
}
