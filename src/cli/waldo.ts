/**
 * `snarf waldo import FILE` / `snarf waldo export --spool DIR/BASE --out FILE`: carry a
 * barnyard2 bookmark into Snarf's collector (and back), so moving off barnyard2 neither
 * re-reads nor skips events. The store and the waldo format are imported when a command runs
 * (see main.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { SnarfError } from '../errors.js';
import { DEFAULT_DB } from './options.js';

export function waldoCommand(): Command {
  const cmd = new Command('waldo').description("import or export barnyard2's bookmark (waldo) for a unified2 spool");
  cmd.command('import')
    .description('set the collector bookmark of a spool from a barnyard2 waldo file')
    .argument('<file>', 'the 2056-byte waldo')
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--spool-dir <dir>', 'the spool directory here, if it differs from the one in the waldo')
    .action(async (file: string, o: { db: string; spoolDir?: string }) => {
      const { offsetAfterRecords, parseWaldo, waldoFile } = await import('../collector/waldo.js');
      const { openStore } = await import('../store/open.js');
      const w = parseWaldo(fs.readFileSync(file), file);
      const dir = path.resolve(o.spoolDir ?? w.spoolDir);
      const target = waldoFile(w, dir);
      if (!fs.existsSync(target)) throw new SnarfError('SNARF_IO', `the waldo points at ${target}, which does not exist`, { file });
      const offset = offsetAfterRecords(target, w.recordIdx);
      const st = fs.statSync(target);
      const store = await openStore(o.db);
      try {
        const input = `spool:${path.join(dir, w.fileBase)}`;
        await store.ingest([], {
          input, file: target, dev: st.dev, inode: st.ino, size: st.size, offset, records: w.recordIdx,
          lastEventUs: null, warnings: 0, errors: 0, updatedUs: Date.now() * 1000,
        });
        process.stdout.write(`${JSON.stringify({ input, file: target, offset, records: w.recordIdx })}\n`);
      } finally {
        await store.close();
      }
    });
  cmd.command('export')
    .description("write a barnyard2 waldo from the collector's bookmark of a spool")
    .requiredOption('--spool <dir/base>', 'the spool as in the config: directory joined with the file base, e.g. /var/log/snort/snort.u2')
    .requiredOption('--out <file>', 'where to write the waldo')
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .action(async (o: { spool: string; out: string; db: string }) => {
      const { formatWaldo, recordsBefore } = await import('../collector/waldo.js');
      const { openStore } = await import('../store/open.js');
      const store = await openStore(o.db, { mustExist: true });
      try {
        const spool = path.resolve(o.spool);
        const bm = await store.getBookmark(`spool:${spool}`);
        if (!bm) throw new SnarfError('SNARF_CONFIG_INVALID', `no bookmark for spool ${spool} in ${o.db}`);
        const base = path.basename(spool);
        const name = path.basename(bm.file);
        const ts = Number(name.slice(base.length + 1));
        if (!name.startsWith(`${base}.`) || !Number.isInteger(ts)) {
          throw new SnarfError('SNARF_CONFIG_INVALID', `${bm.file} has no numeric suffix: barnyard2 cannot follow it`);
        }
        fs.writeFileSync(o.out, formatWaldo({ spoolDir: path.dirname(spool), fileBase: base, timestamp: ts, recordIdx: recordsBefore(bm.file, bm.offset) }));
        process.stdout.write(`wrote ${o.out}\n`);
      } finally {
        await store.close();
      }
    });
  return cmd;
}
