/**
 * THE exactly-once test: a collector child process is killed with SIGKILL at random moments
 * (at least 20 times) while a writer appends unified2 records, sometimes cut mid-record, and
 * rotates the spool; it is restarted each time. At the end the store holds exactly the events
 * written, with the identities a one-shot import gives: 0 lost, 0 doubled. Also: SIGTERM is a
 * graceful exit 0 with the bookmark committed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/store.js';
import { corpusPath } from '../helpers/corpus.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { importFiles } from '../../src/import/import-files.js';
import { writeUnified2File } from '../../bench/lib/u2-generator.js';
import { alertCount, identities, u2Records } from './helpers.js';
import { rng } from '../../bench/lib/rng.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


function writeConfig(dir: string, spool: string): string {
  const cfg = path.join(dir, 'snarf.yaml');
  fs.writeFileSync(cfg, [
    `db: ${path.join(dir, 'snarf.db')}`, 'default_rules: false', 'poll_ms: 20', 'batch_size: 25', 'event_timeout_ms: 100',
    'inputs:', '  - type: unified2', `    directory: ${spool}`, '    base: snort.u2', '    sensor: crash',
  ].join('\n'));
  return cfg;
}

function collector(cfg: string, ...extra: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'collect', '--config', cfg, '--log-format', 'json', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, done };
}

test('SIGKILL at random moments while the spool grows and rotates: 0 lost, 0 doubled', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const spool = path.join(dir, 'spool');
  fs.mkdirSync(spool);
  const src = path.join(dir, 'source.u2');
  const EVENTS = 2000;
  writeUnified2File(src, { events: EVENTS, seed: 42, startSecond: 1_800_000_000 });
  const records = u2Records(fs.readFileSync(src));
  const cfg = writeConfig(dir, spool);
  const rnd = rng(7);

  let writing = true;
  const writer = (async () => {
    let k = 0;
    let fd = fs.openSync(path.join(spool, `snort.u2.${2_000_000_000 + k}`), 'a');
    let eventsInFile = 0;
    for (let i = 0; i < records.length;) {
      const m = 1 + Math.floor(rnd() * 12);
      const group = records.slice(i, i + m);
      i += group.length;
      eventsInFile += group.filter((r) => r.readUInt32BE(0) === 104 || r.readUInt32BE(0) === 105).length;
      const bytes = Buffer.concat(group);
      if (rnd() < 0.3) {
        // A reader can see a record cut short: write part of it, pause, then the rest.
        const cut = 1 + Math.floor(rnd() * (bytes.length - 1));
        fs.writeSync(fd, bytes.subarray(0, cut));
        await sleep(rnd() * 15);
        fs.writeSync(fd, bytes.subarray(cut));
      } else {
        fs.writeSync(fd, bytes);
      }
      // Rotate like Snort: only between records, at any record (so packets can land in the next file).
      if (eventsInFile >= 250 && i < records.length) {
        fs.closeSync(fd);
        k++;
        fd = fs.openSync(path.join(spool, `snort.u2.${2_000_000_000 + k}`), 'a');
        eventsInFile = 0;
      }
      await sleep(rnd() * 16);
    }
    fs.closeSync(fd);
    writing = false;
  })();

  let kills = 0;
  while (writing || kills < 20) {
    const { child, done } = collector(cfg);
    await sleep(60 + rnd() * 400);
    child.kill('SIGKILL');
    const r = await done;
    assert.equal(r.signal, 'SIGKILL', `the collector died on its own: ${r.stderr}`);
    kills++;
  }
  await writer;
  const last = collector(cfg, '--once');
  const r = await last.done;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(kills >= 20);

  const store = new SqliteStore(path.join(dir, 'snarf.db'));
  const ref = tempDir();
  const refStore = new SqliteStore(path.join(ref, 'ref.db'));
  try {
    assert.equal(alertCount(store), EVENTS, `after ${kills} kills`);
    const files = fs.readdirSync(spool).sort().map((n) => path.join(spool, n));
    await importFiles(refStore, files, { sensor: 'crash', warn: () => undefined });
    assert.equal(alertCount(refStore), EVENTS);
    assert.deepEqual(identities(store), identities(refStore));
  } finally {
    await store.close();
    await refStore.close();
  }
});

test('SIGTERM: graceful exit 0 with the bookmark committed', { timeout: 20_000 }, async () => {
  const dir = tempDir();
  const spool = path.join(dir, 'spool');
  fs.mkdirSync(spool);
  const run = corpusPath('snort', 'out', 'sensor-a', 'spool');
  const names = fs.readdirSync(run).filter((n) => n.startsWith('snort.u2.')).sort();
  for (const n of names) fs.copyFileSync(path.join(run, n), path.join(spool, n));
  const cfg = writeConfig(dir, spool);
  const { child, done } = collector(cfg);
  const lastFile = path.join(spool, names.at(-1)!);
  const size = fs.statSync(lastFile).size;
  // Wait until the daemon has caught up (read the bookmark like `snarf status` does).
  try {
    for (let i = 0; i < 200; i++) {
      await sleep(50);
      let bm;
      try {
        const s = new SqliteStore(path.join(dir, 'snarf.db'), { readonly: true });
        bm = (await s.listBookmarks())[0];
        await s.close();
      } catch {
        continue; // the child has not created the schema yet
      }
      if (bm && bm.file === lastFile && bm.offset === size) break;
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  child.kill('SIGTERM');
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /collector stopped/);
  const store = new SqliteStore(path.join(dir, 'snarf.db'));
  try {
    assert.equal(alertCount(store), 549);
    const bm = (await store.listBookmarks())[0]!;
    assert.equal(bm.file, lastFile);
    assert.equal(bm.offset, size);
    assert.equal(bm.errors, 0);
  } finally {
    await store.close();
  }
});
