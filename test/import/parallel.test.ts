/** The worker-thread import gives exactly what the in-process import gives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import type { Warning } from '../../src/errors.js';
import { loadCatalog } from '../../src/cli/catalog.js';

async function importWith(files: string[], parallelBytes: number): Promise<{ summary: unknown; warnings: Warning[]; inserted: number }> {
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  try {
    const r = await importFiles(store, files, { sensor: 's', tz: 'Asia/Tokyo', parallelBytes, warn: (w) => warnings.push(w) });
    const rows = store.db.prepare('SELECT ts, h, sensor_id, sig_id, rev, priority, proto, src, sport, dst, dport, msg, details, offset, line FROM alerts ORDER BY id').all();
    return { summary: { s: await store.summary(), rows }, warnings, inserted: r.totals.inserted };
  } finally {
    await store.close();
  }
}

test('parallel and serial imports store identical rows, rollups and warnings', async () => {
  const dir = tempDir();
  const full = fs.readFileSync(corpusPath('snort', 'out', 'sensor-b', 'spool', 'alert.full'), 'utf8');
  // A damaged block in the middle and a gzip copy exercise warnings and decompression.
  const lines = full.split('\n');
  const header = lines.findIndex((l, i) => i > 30 && l.startsWith('[**] ['));
  lines.splice(header, 1, '[**] [1:x:1] damaged header [**]');
  const plain = path.join(dir, 'alert.full');
  fs.writeFileSync(plain, lines.join('\n'));
  const gz = path.join(dir, 'csv.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(corpusPath('snort', 'out', 'sensor-b', 'spool', 'alert.csv'))));
  const serial = await importWith([plain, gz], Number.MAX_SAFE_INTEGER);
  const parallel = await importWith([plain, gz], 0);
  assert.ok(serial.inserted > 400);
  assert.equal(parallel.inserted, serial.inserted);
  assert.deepEqual(parallel.summary, serial.summary);
  assert.deepEqual(parallel.warnings, serial.warnings);
  assert.ok(serial.warnings.length > 0);
});

test('unified2: the worker-thread import stores the same alerts, packets, extra data and warnings', async () => {
  const dir = tempDir();
  // Synthetic files with every record type and extra data; a real Snort spool file; a copy cut
  // inside a record (a warning) and a gzip copy (decompression in the worker).
  const mixed = corpusPath('unified2', 'synthetic', 'u2gen-mixed-seed1.u2');
  const snort3 = corpusPath('unified2', 'synthetic', 'u2gen-snort3-seed1.u2');
  const web = corpusPath('snort', 'out', 'sensor-a', 'web', 'snort.u2.1795666554');
  const cut = path.join(dir, 'cut.u2');
  const bytes = fs.readFileSync(mixed);
  fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 37));
  const gz = path.join(dir, 'web.u2.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(web)));
  const files = [mixed, snort3, cut, gz];
  const catalog = await loadCatalog([], true, () => undefined);
  const run = async (parallelBytes: number): Promise<{ rows: unknown; warnings: Warning[]; inserted: number; rejected: number }> => {
    const { store } = freshSqlite();
    const warnings: Warning[] = [];
    try {
      const r = await importFiles(store, files, {
        catalog, catalogSource: { paths: [], defaults: true }, parallelBytes, batchSize: 97, warn: (w) => warnings.push(w),
      });
      const q = (sql: string): unknown[] => store.db.prepare(sql).all();
      return {
        rows: {
          summary: await store.summary(),
          alerts: q('SELECT ts, h, sensor_id, sig_id, rev, priority, proto, src, sport, dst, dport, event_id, msg, details, offset FROM alerts ORDER BY id'),
          sigs: q('SELECT gid, sid, rev, message, classification, priority, refs FROM signatures ORDER BY id'),
          packets: q('SELECT alert_id, seq, ts, linktype, length, data FROM packets ORDER BY alert_id, seq'),
          extra: q('SELECT alert_id, seq, type, name, value FROM extra ORDER BY alert_id, seq'),
        },
        warnings, inserted: r.totals.inserted, rejected: r.totals.rejected,
      };
    } finally {
      await store.close();
    }
  };
  const serial = await run(Number.MAX_SAFE_INTEGER);
  const parallel = await run(0);
  const held = serial.rows as { packets: unknown[]; extra: unknown[] };
  assert.ok(serial.inserted > 500 && held.packets.length > 500 && held.extra.length > 10, 'the inputs exercise packets and extra data');
  assert.ok(serial.warnings.some((w) => w.code === 'SNARF_U2_TRUNCATED' && w.file === cut));
  assert.equal(parallel.inserted, serial.inserted);
  assert.equal(parallel.rejected, serial.rejected);
  assert.deepEqual(parallel.rows, serial.rows);
  assert.deepEqual(parallel.warnings, serial.warnings);
});
