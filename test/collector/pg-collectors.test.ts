/**
 * Three `snarf collect` processes, each following its own spool, all writing into one
 * PostgreSQL at once; one of them is killed with SIGKILL mid-run several times and restarted.
 * Two of the spools hold the same events for the same sensor (the worst case for concurrent
 * dedupe). At the end the database holds exactly the union, by count and by identity, as a
 * one-shot import of every spool into SQLite gives it: nothing lost, nothing doubled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/store.js';
import { freshPgSchema, pgRows } from '../helpers/pg.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { importFiles } from '../../src/import/import-files.js';
import { writeUnified2File } from '../../bench/lib/u2-generator.js';
import { alertCount, identities } from './helpers.js';
import { rng } from '../../bench/lib/rng.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Run { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stderr: string }> }

function collector(cfg: string, ...extra: string[]): Run {
  const child = spawn(process.execPath, [CLI, 'collect', '--config', cfg, '--log-format', 'json', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, done };
}

/** A spool of generated unified2 files (several, so collectors rotate through them). */
function makeSpool(dir: string, seed: number, files: number, events: number): string {
  const spool = path.join(dir, `spool-${seed}`);
  fs.mkdirSync(spool);
  for (let f = 0; f < files; f++) {
    writeUnified2File(path.join(spool, `snort.u2.${1_900_000_000 + f}`), { events, seed: seed * 100 + f, startSecond: 1_800_000_000 + f * 3600 });
  }
  return spool;
}

function writeConfig(dir: string, name: string, url: string, spool: string, sensor: string): string {
  const cfg = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(cfg, [
    `db: "${url}"`, 'default_rules: false', 'poll_ms: 20', 'batch_size: 40', 'event_timeout_ms: 100',
    'inputs:', '  - type: unified2', `    name: ${name}`, `    directory: ${spool}`, '    base: snort.u2', `    sensor: ${sensor}`,
  ].join('\n'));
  return cfg;
}

test('3 collectors into one PostgreSQL, one killed -9 repeatedly: exactly the union', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  const pg = await freshPgSchema('collect');
  try {
    const FILES = 3;
    const EVENTS = 2500;
    const spoolA = makeSpool(dir, 1, FILES, EVENTS);
    const spoolB = makeSpool(dir, 2, FILES, EVENTS);
    // C: its own directory, holding a copy of A's files, for A's sensor: every event is offered twice.
    const spoolC = path.join(dir, 'spool-c');
    fs.mkdirSync(spoolC);
    for (const n of fs.readdirSync(spoolA)) fs.copyFileSync(path.join(spoolA, n), path.join(spoolC, n));
    const cfgA = writeConfig(dir, 'a', pg.url, spoolA, 'sensor-a');
    const cfgB = writeConfig(dir, 'b', pg.url, spoolB, 'sensor-b');
    const cfgC = writeConfig(dir, 'c', pg.url, spoolC, 'sensor-a');

    const rnd = rng(11);
    let kills = 0;
    let midRun = 0;
    const total = FILES * EVENTS;
    const a = collector(cfgA);
    const c = collector(cfgC);
    // A failed assertion must not leave daemons behind: they would keep the test runner waiting.
    const running = [a, c];
    try {
    const countB = async (): Promise<number> => {
      try {
        const r = await pgRows<{ n: number }>(pg.schema, "SELECT count(*) AS n FROM alerts WHERE sensor_id = (SELECT id FROM sensors WHERE name = 'sensor-b')");
        return r[0]!.n;
      } catch {
        return 0; // schema not created yet
      }
    };
    // B is killed at random moments and restarted until it has been cut mid-run several times.
    // Each kill waits until B has committed something new (bounded), so a loaded machine, where
    // start-up alone can take longer than a fixed delay, still gets kills in the middle of a run.
    for (let round = 0; round < 40 && (midRun < 4 || kills < 6); round++) {
      const before = await countB();
      const b = collector(cfgB);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await countB()) === before) await sleep(50);
      await sleep(rnd() * 150);
      b.child.kill('SIGKILL');
      const r = await b.done;
      if (r.signal !== 'SIGKILL') assert.fail(`collector B exited on its own (${r.code}): ${r.stderr}`);
      kills++;
      const n = await countB();
      if (n > 0 && n < total) midRun++;
      if (n === total) break;
    }
    assert.ok(midRun >= 1, `collector B was never killed mid-run (${kills} kills)`);
    t.diagnostic(`collector B: ${kills} kills, ${midRun} of them mid-run`);

    // Let everyone finish: stop the daemons gracefully, then drain all three at once.
    a.child.kill('SIGTERM');
    c.child.kill('SIGTERM');
    for (const r of [await a.done, await c.done]) assert.equal(r.code, 0, r.stderr);
    } finally {
      for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }
    const finals = [cfgA, cfgB, cfgC].map((cfg) => collector(cfg, '--once'));
    for (const f of finals) {
      const r = await f.done;
      assert.equal(r.code, 0, r.stderr);
    }

    const ref = new SqliteStore(path.join(tempDir(), 'ref.db'));
    try {
      await importFiles(ref, fs.readdirSync(spoolA).sort().map((n) => path.join(spoolA, n)), { sensor: 'sensor-a', warn: () => undefined });
      await importFiles(ref, fs.readdirSync(spoolB).sort().map((n) => path.join(spoolB, n)), { sensor: 'sensor-b', warn: () => undefined });
      assert.equal(alertCount(ref), 2 * total);
      const got = await pgRows<{ ts: number; h: number }>(pg.schema, 'SELECT ts, h FROM alerts ORDER BY ts, h');
      assert.equal(got.length, 2 * total, `after ${kills} kills of B (${midRun} mid-run)`);
      assert.deepEqual(got.map((r) => `${r.ts}:${r.h}`), identities(ref));
      // Rollups agree with the rows, and bookmarks stand at the end of each spool.
      const [roll] = await pgRows<{ n: number }>(pg.schema, 'SELECT sum(n) AS n FROM r_sensor');
      assert.equal(roll!.n, 2 * total);
      const [rawSrc] = await pgRows<{ n: number }>(pg.schema, 'SELECT count(DISTINCT (sig_id, src, sensor_id)) AS n FROM alerts WHERE src IS NOT NULL');
      const [rollSrc] = await pgRows<{ n: number }>(pg.schema, 'SELECT count(*) AS n FROM r_sig_src');
      assert.equal(rollSrc!.n, rawSrc!.n);
      const bms = await pgRows<{ input: string; file: string }>(pg.schema, 'SELECT input, file FROM bookmarks ORDER BY input');
      assert.equal(bms.length, 3);
      for (const bm of bms) assert.match(bm.file, new RegExp(`snort\\.u2\\.${1_900_000_000 + FILES - 1}$`));
      const [pk] = await pgRows<{ n: number }>(pg.schema, 'SELECT count(DISTINCT (ts, h)) AS n FROM packets');
      assert.ok(pk!.n > 0, 'packets stored');
    } finally {
      await ref.close();
    }
  } finally {
    await pg.drop();
  }
});
