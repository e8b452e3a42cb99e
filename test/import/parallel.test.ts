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
