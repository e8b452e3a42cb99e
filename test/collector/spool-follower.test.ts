/**
 * The spool follower on real and synthetic spools: progressive copies, a cut newest file,
 * rotation with re-created names and truncation, restarts from the bookmark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { memoryLogger } from '../../src/log.js';
import { importFiles } from '../../src/import/import-files.js';
import { listSpool } from '../../src/collector/spool-follower.js';
import { writeUnified2File } from '../../bench/lib/u2-generator.js';
import { alertCount, copyTo, drain, identities, spoolFollower, u2Records } from './helpers.js';

const SPOOL_A = corpusPath('snort', 'out', 'sensor-a', 'spool');
const SYNTH = corpusPath('unified2', 'synthetic', 'spool');
const expected = JSON.parse(fs.readFileSync(corpusPath('snort', 'expected.json'), 'utf8')) as {
  runs: Record<string, { counts_by_format: { unified2_events: number }; unified2_files: string[] }>;
};

test('listSpool sorts by number and skips other suffixes', async () => {
  const dir = tempDir();
  for (const n of ['snort.u2.99', 'snort.u2.100', 'snort.u2.1000', 'snort.u2.100.bak', 'snort.u2.x1', 'snort.u2', 'other.5']) {
    fs.writeFileSync(path.join(dir, n), '');
  }
  assert.deepEqual((await listSpool(dir, 'snort.u2')).map((f) => f.name), ['snort.u2', 'snort.u2.99', 'snort.u2.100', 'snort.u2.1000']);
});

test('sensor-a spool copied progressively, in pieces, with a restart: exactly the unified2 event count', async () => {
  const run = expected.runs['sensor-a/spool']!;
  const { store } = freshSqlite();
  const dir = tempDir();
  let f = spoolFollower(store, dir);
  await f.start();
  let i = 0;
  for (const name of run.unified2_files) {
    const bytes = fs.readFileSync(path.join(SPOOL_A, name));
    const dst = path.join(dir, name);
    // Each file arrives in three uneven writes, so reads end inside records.
    const cuts = [0, Math.floor(bytes.length / 3) + 5, Math.floor((2 * bytes.length) / 3) - 3, bytes.length];
    for (let k = 0; k < 3; k++) {
      fs.appendFileSync(dst, bytes.subarray(cuts[k]!, cuts[k + 1]!));
      await drain(f);
      if (++i === 7) {
        // Restart mid-spool: a new follower on the same store resumes from the bookmark.
        await f.close();
        f = spoolFollower(store, dir);
        await f.start();
      }
    }
  }
  await f.finish();
  await f.close();
  assert.equal(alertCount(store), run.counts_by_format.unified2_events);
  // The same alerts as a one-shot import of the files.
  const ref = freshSqlite();
  await importFiles(ref.store, run.unified2_files.map((n) => path.join(SPOOL_A, n)), { sensor: 's', warn: () => undefined });
  assert.deepEqual(identities(store), identities(ref.store));
  const bm = (await store.listBookmarks())[0]!;
  assert.equal(path.basename(bm.file), run.unified2_files.at(-1));
  assert.equal(bm.offset, fs.statSync(path.join(SPOOL_A, run.unified2_files.at(-1)!)).size);
  await store.close();
  await ref.store.close();
});

test('synthetic spool: waits at the cut record while newest, warns with file+offset once a newer file exists', async () => {
  const { store } = freshSqlite();
  const dir = tempDir();
  const names = (await listSpool(SYNTH, 'snort.u2')).map((x) => x.name);
  for (const n of names) copyTo(path.join(SYNTH, n), dir);
  const logger = memoryLogger();
  const f = spoolFollower(store, dir, 'snort.u2', logger);
  await f.start();
  await drain(f);
  const newest = path.join(dir, names.at(-1)!);
  const size = fs.statSync(newest).size;
  assert.equal(logger.warnings.filter((w) => w.code === 'SNARF_U2_TRUNCATED').length, 0);
  let bm = (await store.listBookmarks())[0]!;
  assert.equal(bm.file, newest);
  assert.ok(bm.offset < size && bm.offset >= size - 200, `bookmark ${bm.offset} waits before the cut record (size ${size})`);
  const waiting = alertCount(store);
  assert.equal(waiting, 300);
  // Polling again changes nothing while the file is the newest.
  await drain(f);
  assert.equal(logger.warnings.length, 0);
  fs.writeFileSync(path.join(dir, 'snort.u2.1700009999'), '');
  await drain(f);
  const cut = logger.warnings.filter((w) => w.code === 'SNARF_U2_TRUNCATED');
  assert.equal(cut.length, 1);
  assert.equal(cut[0]!.file, newest);
  assert.equal(cut[0]!.offset, bm.offset);
  assert.match(cut[0]!.message, new RegExp(`offset ${bm.offset}`));
  // Moved past the cut record: the bookmark is now at the start of the newer file.
  bm = (await store.listBookmarks())[0]!;
  assert.equal(bm.file, path.join(dir, 'snort.u2.1700009999'));
  assert.equal(bm.offset, 0);
  assert.equal(bm.warnings, 1);
  assert.ok(size > 0);
  assert.equal(alertCount(store), 300);
  await f.close();
  await store.close();
});

/** n generated events as separate unified2 record groups (event + its packets/extra). */
function generated(n: number, seed: number, startSecond: number): Buffer {
  const dir = tempDir();
  const p = path.join(dir, 'g.u2');
  writeUnified2File(p, { events: n, seed, startSecond });
  return fs.readFileSync(p);
}

test('re-created names: a shrink (same inode) and a new inode are both read from 0', async () => {
  const { store } = freshSqlite();
  const dir = tempDir();
  const logger = memoryLogger();
  const f = spoolFollower(store, dir, 'snort.u2', logger);
  await f.start();
  const a = path.join(dir, 'snort.u2.100');
  fs.writeFileSync(a, generated(40, 1, 1_800_000_000));
  await drain(f);
  assert.equal(alertCount(store), 40);
  // Snort's `wb` within the same second: the name is truncated in place and rewritten.
  fs.writeFileSync(a, generated(10, 2, 1_800_100_000));
  await drain(f);
  assert.equal(alertCount(store), 50);
  assert.equal(logger.warnings.filter((w) => w.code === 'SNARF_FILE_REPLACED').length, 1);
  // Deleted and created again (a new inode), larger than before.
  fs.unlinkSync(a);
  fs.writeFileSync(a, generated(60, 3, 1_800_200_000));
  await drain(f);
  assert.equal(alertCount(store), 110);
  // Several rotations between two polls, one of them deleted before we saw it.
  fs.writeFileSync(path.join(dir, 'snort.u2.101'), generated(5, 4, 1_800_300_000));
  fs.writeFileSync(path.join(dir, 'snort.u2.102'), generated(7, 5, 1_800_400_000));
  fs.writeFileSync(path.join(dir, 'snort.u2.103'), generated(9, 6, 1_800_500_000));
  fs.unlinkSync(path.join(dir, 'snort.u2.102'));
  await drain(f);
  assert.equal(alertCount(store), 124);
  await f.close();
  await store.close();
});

test('restart keeps the occurrence numbering: a tuple repeated across the bookmark is not lost', async () => {
  const { store } = freshSqlite();
  const dir = tempDir();
  const event = u2Records(generated(1, 7, 1_800_000_000))[0]!;
  // Three events with the same time and tuple (different event ids): three alerts, not one.
  const copy = (id: number): Buffer => {
    const b = Buffer.from(event);
    b.writeUInt32BE(id, 8 + 4);
    return b;
  };
  const file = path.join(dir, 'snort.u2.1');
  fs.writeFileSync(file, Buffer.concat([copy(1), copy(2)]));
  let f = spoolFollower(store, dir);
  await f.start();
  await drain(f);
  await f.close();
  assert.equal(alertCount(store), 2);
  fs.appendFileSync(file, copy(3));
  f = spoolFollower(store, dir);
  await f.start();
  await drain(f);
  await f.close();
  assert.equal(alertCount(store), 3);
  await store.close();
});

test('a bookmark whose file is gone moves to the next newer file; a stale inode restarts the name', async () => {
  const { store } = freshSqlite();
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'snort.u2.10'), generated(20, 8, 1_800_000_000));
  let f = spoolFollower(store, dir);
  await f.start();
  await drain(f);
  await f.close();
  fs.writeFileSync(path.join(dir, 'snort.u2.11'), generated(5, 9, 1_800_100_000));
  fs.unlinkSync(path.join(dir, 'snort.u2.10'));
  f = spoolFollower(store, dir);
  await f.start();
  await drain(f);
  await f.close();
  assert.equal(alertCount(store), 25);
  // Replace snort.u2.11 while stopped (new inode): read again from 0, nothing doubles.
  const b = fs.readFileSync(path.join(dir, 'snort.u2.11'));
  fs.unlinkSync(path.join(dir, 'snort.u2.11'));
  fs.writeFileSync(path.join(dir, 'snort.u2.11'), Buffer.concat([b, generated(3, 10, 1_800_200_000)]));
  f = spoolFollower(store, dir);
  await f.start();
  await drain(f);
  await f.close();
  assert.equal(alertCount(store), 28);
  await store.close();
});
