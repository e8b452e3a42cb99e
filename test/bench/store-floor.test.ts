/** The benchmark's store floor copies exactly the rows an import stored, and leaves the store alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import { floorSeconds, sqliteFloor } from '../../bench/lib/store-floor.js';

test('sqliteFloor copies every alert and packet of the store and changes nothing in it', async () => {
  const { store, path: file } = freshSqlite();
  const spool = corpusPath('snort', 'out', 'sensor-a', 'spool');
  const u2 = fs.readdirSync(spool).filter((f) => f.startsWith('snort.u2')).map((f) => path.join(spool, f));
  assert.ok(u2.length > 0, 'the corpus has unified2 spool files');
  await importFiles(store, u2, { sensor: 's', warn: () => undefined });
  const counts = (): { a: number; p: number; r: number } => store.db.prepare(
    'SELECT (SELECT count(*) FROM alerts) AS a, (SELECT count(*) FROM packets) AS p, (SELECT count(*) FROM r_sig_src) AS r').get() as { a: number; p: number; r: number };
  const before = counts();
  await store.close();
  assert.ok(before.a > 100 && before.p > 0);
  const scratch = path.join(tempDir(), 'floor.db');
  const f = sqliteFloor(file, scratch);
  assert.equal(f.alerts, before.a);
  assert.equal(f.packets, before.p);
  assert.ok(f.rowsSeconds > 0 && f.indexSeconds > 0 && f.addressRollupSeconds > 0);
  assert.equal(floorSeconds(f), f.rowsSeconds + f.indexSeconds + f.addressRollupSeconds);
  assert.equal(fs.existsSync(scratch), false, 'the scratch database is removed');
  const { SqliteStore } = await import('../../src/store/sqlite/sqlite-store.js');
  const again = new SqliteStore(file, { readonly: true });
  try {
    const after = again.db.prepare('SELECT (SELECT count(*) FROM alerts) AS a, (SELECT count(*) FROM packets) AS p, (SELECT count(*) FROM r_sig_src) AS r').get();
    assert.deepEqual(after, before);
    assert.equal((again.db.prepare("SELECT count(*) AS c FROM pragma_database_list WHERE name = 'f'").get() as { c: number }).c, 0);
  } finally {
    await again.close();
  }
});
