/** A bookmark as both stores keep it (same column names in SQLite and PostgreSQL). */
import type { Bookmark } from './store.js';

export interface BookmarkRow {
  input: string; file: string; dev: number; inode: number; size: number; offset: number; records: number;
  last_event: number | null; warnings: number; errors: number; updated: number;
}

export function bookmarkFromRow(r: BookmarkRow): Bookmark {
  return {
    input: r.input, file: r.file, dev: r.dev, inode: r.inode, size: r.size, offset: r.offset, records: r.records,
    lastEventUs: r.last_event, warnings: r.warnings, errors: r.errors, updatedUs: r.updated,
  };
}
