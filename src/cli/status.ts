/**
 * `snarf status [--db PATH] [--json]`: where each collector input stands, read from the
 * bookmarks (no config needed: the bookmark key names the spool or file) and compared with the
 * files as they are now: bytes not yet read, for spools summed over the newer files too.
 * The store and the spool reader are imported when needed (see main.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { Bookmark } from '../store/store.js';
import { DEFAULT_DB, isoMicros } from './options.js';

export interface InputStatus {
  input: string;
  file: string;
  offset: number;
  /** Size of the bookmarked file now (null: gone). */
  size: number | null;
  /** Bytes still to read: rest of the file plus newer spool files (a replaced file counts whole). */
  behind: number;
  /** Newer spool files not started yet. */
  newerFiles: number;
  lastEvent: string | null;
  warnings: number;
  errors: number;
  updated: string | null;
}

function sizeIf(p: string, b: Bookmark): { size: number | null; same: boolean } {
  try {
    const st = fs.statSync(p);
    return { size: st.size, same: st.ino === b.inode && st.dev === b.dev };
  } catch {
    return { size: null, same: false };
  }
}

export async function inputStatus(b: Bookmark): Promise<InputStatus> {
  const { size, same } = sizeIf(b.file, b);
  let behind = size === null ? 0 : same ? Math.max(0, size - b.offset) : size;
  let newerFiles = 0;
  if (b.input.startsWith('spool:')) {
    const { listSpool } = await import('../collector/spool-follower.js');
    const spool = b.input.slice('spool:'.length);
    const base = path.basename(spool);
    const name = path.basename(b.file);
    const suffix = name === base ? -1 : Number(name.slice(base.length + 1));
    for (const f of await listSpool(path.dirname(spool), base)) {
      if (f.suffix <= suffix) continue;
      newerFiles++;
      try {
        behind += fs.statSync(f.path).size;
      } catch {
        // deleted between listing and stat
      }
    }
  }
  return {
    input: b.input, file: b.file, offset: b.offset, size, behind, newerFiles,
    lastEvent: isoMicros(b.lastEventUs), warnings: b.warnings, errors: b.errors, updated: isoMicros(b.updatedUs),
  };
}

export function statusCommand(): Command {
  return new Command('status')
    .description('show where each collector input stands: file, offset, bytes behind, last event, warnings and errors')
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--json', 'print JSON on stdout')
    .action(async (o: { db: string; json?: boolean }) => {
      const { openStore } = await import('../store/open.js');
      const store = await openStore(o.db, { mustExist: true });
      let rows: InputStatus[];
      try {
        rows = await Promise.all((await store.listBookmarks()).map(inputStatus));
      } finally {
        await store.close();
      }
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ db: o.db, inputs: rows }, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no collector inputs recorded yet (run `snarf collect --config FILE`)\n');
        return;
      }
      for (const r of rows) {
        process.stdout.write(
          `${r.input}\n  file ${r.file} @ ${r.offset} of ${r.size ?? 'gone'} bytes; ${r.behind} bytes behind` +
          `${r.newerFiles ? ` (${r.newerFiles} newer files)` : ''}\n  last event ${r.lastEvent ?? '-'}; ` +
          `${r.warnings} warnings, ${r.errors} errors; updated ${r.updated ?? '-'}\n`,
        );
      }
    });
}
