/**
 * Server benchmark: `snarf serve` (the real CLI, in its own process) over a generated store of N
 * alerts, loaded on loopback by a small bounded load generator (keep-alive, C concurrent
 * clients, at most R requests and S seconds per phase). Phases:
 *   page  - /api/alerts?limit=100, each client following the `next` cursors (unfiltered);
 *   addr  - /api/alerts?limit=100&addr=<random /24 of the sources>;
 *   sig   - /api/alerts?limit=100&sig=<random signature>&sensor=<random sensor> (the scan-bounded plan).
 * Baseline: GET /favicon.ico on the same server (the HTTP stack without a query).
 *
 *   node dist/bench/serve-load.js [--alerts 1M] [--requests 3000] [--concurrency 8] [--seconds 60] [--seed 7] [--keep]
 *
 * Prints one JSON line per phase:
 *   {"bench":"serve-load","phase":"page","alerts":N,"requests":..,"seconds":..,"rps":..,"p50Ms":..,"p99Ms":..,"maxMs":..,"errors":..}
 * Target (issue 7): p99 <= 50 ms for a page of 100 alerts on 1M.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { identityHash } from '../src/model/identity.js';
import type { Alert } from '../src/model/alert.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { IngestItem } from '../src/store/store.js';
import { arg, CLI_MAIN, flag, isMain, parseSizes, round } from './lib/measure.js';
import { rng } from './lib/rng.js';

export const SERVE_TARGET = { p99Ms: 50 };
const TOKEN = 'bench-token-0123456789abcdef';
const SIGS = 50;

async function buildStore(db: string, n: number, seed: number): Promise<void> {
  const rnd = rng(seed);
  const store = new SqliteStore(db);
  await store.beginBulk();
  const t0 = Date.UTC(2026, 10, 1) * 1000;
  let batch: IngestItem[] = [];
  for (let i = 0; i < n; i++) {
    const sid = 1_000_000 + Math.floor(rnd() * rnd() * SIGS);
    const a: Alert = {
      sensor: rnd() < 0.5 ? 'sensor-a' : 'sensor-b', timeUs: t0 + i * 2_000_000 + Math.floor(rnd() * 1000), gid: 1, sid, rev: 1,
      message: `BENCH signature ${sid}`, classification: 'misc-activity', priority: 1 + (sid % 3), protocol: 6,
      srcIp: `10.${Math.floor(rnd() * 16)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`, srcPort: 1024 + Math.floor(rnd() * 60000),
      dstIp: `198.51.${Math.floor(rnd() * 4)}.${Math.floor(rnd() * 256)}`, dstPort: 80, eventId: i, eventSecond: null,
      references: [], packets: [], extra: [], origin: { format: 'unified2', file: 'bench.u2', offset: i },
    };
    const identity = `bench|${i}`;
    batch.push({ alert: a, identity, hash: identityHash(identity) });
    if (batch.length === 20_000) { await store.ingest(batch); batch = []; }
  }
  if (batch.length) await store.ingest(batch);
  await store.endBulk();
  await store.close();
}

function get(agent: http.Agent, port: number, p: string): Promise<{ status: number; body: string; ms: number }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

interface PhaseResult { requests: number; seconds: number; latencies: number[]; errors: number }

/** C clients issuing requests until `total` are done or `maxSeconds` pass. */
async function phase(port: number, total: number, concurrency: number, maxSeconds: number, nextPath: (client: number, lastBody: string | null) => string): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const started = Date.now();
  const deadline = started + maxSeconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, c) => {
    let last: string | null = null;
    while (issued < total && Date.now() < deadline) {
      issued++;
      try {
        const r = await get(agent, port, nextPath(c, last));
        latencies.push(r.ms);
        if (r.status < 200 || r.status > 299) { errors++; last = null; } else last = r.body;
      } catch {
        errors++;
      }
    }
  }));
  agent.destroy();
  return { requests: latencies.length, seconds: (Date.now() - started) / 1000, latencies, errors };
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function measureServe(alerts: number, workDir: string, o: { requests: number; concurrency: number; seconds: number; seed: number }): Promise<Record<string, unknown>[]> {
  const db = path.join(workDir, `serve-${alerts}.db`);
  const tb = Date.now();
  await buildStore(db, alerts, o.seed);
  process.stderr.write(`  store of ${alerts} alerts built in ${round((Date.now() - tb) / 1000, 1)} s\n`);
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--token', TOKEN], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`snarf serve exited ${code}: ${err}`)));
    });
    const rnd = rng(o.seed + 1);
    const cursorOf = (body: string | null): string | null => (body ? (JSON.parse(body) as { next: string | null }).next : null);
    const phases: Array<[string, (c: number, last: string | null) => string]> = [
      ['baseline', () => '/favicon.ico'],
      ['page', (_c, last) => { const n = cursorOf(last); return `/api/alerts?limit=100${n ? `&after=${n}` : ''}`; }],
      ['addr', () => `/api/alerts?limit=100&addr=10.${Math.floor(rnd() * 16)}.${Math.floor(rnd() * 256)}.0/24`],
      ['sig', () => `/api/alerts?limit=100&sig=1:${1_000_000 + Math.floor(rnd() * SIGS)}&sensor=sensor-${rnd() < 0.5 ? 'a' : 'b'}`],
    ];
    const out: Record<string, unknown>[] = [];
    for (const [name, next] of phases) {
      await phase(port, 50, 2, 10, next); // warm-up: statement cache, page cache
      const r = await phase(port, o.requests, o.concurrency, o.seconds, next);
      const s = [...r.latencies].sort((a, b) => a - b);
      const p99 = pct(s, 99);
      out.push({
        bench: 'serve-load', phase: name, alerts, requests: r.requests, concurrency: o.concurrency, seconds: round(r.seconds, 2),
        rps: round(r.requests / r.seconds, 1), p50Ms: round(pct(s, 50), 2), p99Ms: round(p99, 2), maxMs: round(s[s.length - 1] ?? NaN, 2),
        errors: r.errors, targetP99Ms: name === 'baseline' ? null : SERVE_TARGET.p99Ms,
        meetsTarget: name === 'baseline' ? null : p99 <= SERVE_TARGET.p99Ms && r.errors === 0,
      });
    }
    return out;
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const sizes = parseSizes(arg('alerts', '1000000'));
  const o = { requests: Number(arg('requests', '3000')), concurrency: Number(arg('concurrency', '4')), seconds: Number(arg('seconds', '60')), seed: Number(arg('seed', '7')) };
  const workDir = fs.mkdtempSync(path.join(arg('work', os.tmpdir()), 'snarf-serve-bench-'));
  try {
    for (const n of sizes) for (const line of await measureServe(n, workDir, o)) process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    if (!flag('keep')) fs.rmSync(workDir, { recursive: true, force: true });
    else process.stderr.write(`kept ${workDir}\n`);
  }
}

if (isMain(import.meta.url)) await main();
