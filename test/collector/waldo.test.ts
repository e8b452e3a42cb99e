/** barnyard2's waldo: the real sample parses; import/export carries the place exactly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { corpusPath } from '../helpers/corpus.js';
import { tempDir } from '../helpers/store.js';
import { formatWaldo, offsetAfterRecords, parseWaldo, recordsBefore } from '../../src/collector/waldo.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const snarf = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('the real barnyard2 waldo parses and formats back byte for byte', () => {
  const buf = fs.readFileSync(corpusPath('unified2', 'waldo', 'barnyard.waldo'));
  const w = parseWaldo(buf);
  assert.deepEqual(w, { spoolDir: '/var/log/snort', fileBase: 'merged.log', timestamp: 1426175522, recordIdx: 119879 });
  assert.deepEqual(formatWaldo(w), buf);
  assert.throws(() => parseWaldo(buf.subarray(0, 100)), /2056 bytes/);
});

test('waldo import sets the collector bookmark after record N; export gives N back', () => {
  const dir = tempDir();
  const spool = path.join(dir, 'spool');
  fs.mkdirSync(spool);
  const u2 = path.join(spool, 'merged.log.1426175522');
  fs.copyFileSync(corpusPath('unified2', 'py-idstools', 'merged.log'), u2);
  assert.equal(offsetAfterRecords(u2, 0), 0);
  assert.equal(recordsBefore(u2, offsetAfterRecords(u2, 7)), 7);
  assert.throws(() => offsetAfterRecords(u2, 13), /only 12 whole records/);
  const waldo = path.join(dir, 'barnyard.waldo');
  fs.writeFileSync(waldo, formatWaldo({ spoolDir: '/var/log/snort', fileBase: 'merged.log', timestamp: 1426175522, recordIdx: 5 }));
  const db = path.join(dir, 'snarf.db');
  const imp = snarf('waldo', 'import', waldo, '--db', db, '--spool-dir', spool);
  assert.equal(imp.status, 0, imp.stderr);
  const store = new SqliteStore(db);
  const bm = store.db.prepare('SELECT * FROM bookmarks').get() as { input: string; file: string; offset: number; records: number };
  store.db.close();
  assert.equal(bm.input, `spool:${path.join(spool, 'merged.log')}`);
  assert.equal(bm.file, u2);
  assert.equal(bm.offset, offsetAfterRecords(u2, 5));
  const out = path.join(dir, 'out.waldo');
  const exp = snarf('waldo', 'export', '--db', db, '--spool', path.join(spool, 'merged.log'), '--out', out);
  assert.equal(exp.status, 0, exp.stderr);
  assert.deepEqual(parseWaldo(fs.readFileSync(out)), { spoolDir: spool, fileBase: 'merged.log', timestamp: 1426175522, recordIdx: 5 });
  const missing = snarf('waldo', 'import', waldo, '--db', db);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /\/var\/log\/snort\/merged\.log\.1426175522, which does not exist/);
});
