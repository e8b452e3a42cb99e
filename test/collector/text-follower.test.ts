/**
 * The text follower: appended partial lines, alert_full blocks, restarts, logrotate and
 * copytruncate. The bookmark is always at a line end (alert_full: a block boundary).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import { memoryLogger } from '../../src/log.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { TextFollower } from '../../src/collector/text-follower.js';
import { alertCount, drain, identities, textFollower } from './helpers.js';

const RUN = corpusPath('snort', 'out', 'sensor-a', 'spool');

async function bookmarkOffset(store: SqliteStore): Promise<number> {
  return (await store.listBookmarks())[0]?.offset ?? 0;
}

/** Appends the file in pseudo-random pieces (most ending mid-line), polling and restarting. */
async function progressive(name: string, checkBoundary: (bytes: Buffer, off: number) => boolean): Promise<void> {
  const bytes = fs.readFileSync(path.join(RUN, name));
  const { store } = freshSqlite();
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, '');
  let f: TextFollower = textFollower(store, file);
  await f.start();
  let pos = 0;
  let seed = 12345;
  for (let i = 0; pos < bytes.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = Math.min(bytes.length - pos, 1 + (seed % 9000));
    fs.appendFileSync(file, bytes.subarray(pos, pos + n));
    pos += n;
    await drain(f);
    const off = await bookmarkOffset(store);
    assert.ok(checkBoundary(bytes, off), `bookmark ${off} is not at a record boundary`);
    if (i % 7 === 3) {
      await f.close();
      f = textFollower(store, file);
      await f.start();
    }
  }
  await drain(f);
  await f.close();
  assert.equal(alertCount(store), 549);
  const ref = freshSqlite();
  await importFiles(ref.store, [path.join(RUN, name)], { sensor: 's', year: 2026, warn: () => undefined });
  assert.deepEqual(identities(store), identities(ref.store));
  assert.equal(await bookmarkOffset(store), bytes.length);
  await store.close();
  await ref.store.close();
}

test('alert_fast appended in pieces with restarts: 549 alerts, same as import, bookmark at line ends', async () => {
  await progressive('alert.fast', (b, off) => off === 0 || b[off - 1] === 0x0a);
});

test('alert_full appended in pieces with restarts: bookmark only at block boundaries', async () => {
  await progressive('alert.full', (b, off) => off === 0 || off === b.length || b.subarray(off, off + 6).toString() === '[**] [');
});

const LINE = (s: number): string =>
  `11/20-10:00:${String(s).padStart(2, '0')}.000001  [**] [1:1000032:1] BOT IRC bot-style nickname [**] [Classification: A Network Trojan was detected] [Priority: 1] {TCP} 163.221.10.17:42211 -> 203.0.113.66:6667\n`;

test('an unterminated last line is never consumed while the file may grow', async () => {
  const { store } = freshSqlite();
  const file = path.join(tempDir(), 'alert');
  const logger = memoryLogger();
  fs.writeFileSync(file, LINE(1) + LINE(2).slice(0, 50));
  const f = textFollower(store, file, 'alert_fast', logger);
  await f.start();
  await drain(f);
  assert.equal(alertCount(store), 1);
  assert.equal(await bookmarkOffset(store), LINE(1).length);
  fs.appendFileSync(file, LINE(2).slice(50));
  await drain(f);
  assert.equal(alertCount(store), 2);
  assert.equal(logger.warnings.length, 0);
  await f.close();
  await store.close();
});

test('logrotate (rename + new file) and copytruncate lose nothing and double nothing', async () => {
  const { store } = freshSqlite();
  const dir = tempDir();
  const file = path.join(dir, 'alert');
  fs.writeFileSync(file, LINE(1) + LINE(2));
  let f = textFollower(store, file);
  await f.start();
  await drain(f);
  // Rotated; the writer still appends to the old inode, then reopens the name.
  fs.renameSync(file, `${file}.1`);
  fs.appendFileSync(`${file}.1`, LINE(3));
  fs.writeFileSync(file, LINE(4));
  await drain(f);
  assert.equal(alertCount(store), 4);
  // copytruncate: the same inode shrinks to 0 and grows again.
  fs.truncateSync(file, 0);
  fs.appendFileSync(file, LINE(5));
  await drain(f);
  assert.equal(alertCount(store), 5);
  await f.close();
  // Rotated while stopped, with lines the old file got after the bookmark: read from `.1` first.
  fs.appendFileSync(file, LINE(6));
  fs.renameSync(file, `${file}.1`);
  fs.writeFileSync(file, LINE(7));
  f = textFollower(store, file);
  await f.start();
  await drain(f);
  await f.close();
  assert.equal(alertCount(store), 7);
  await store.close();
});
