/**
 * unified2 decode benchmark. Generates a seeded file of N events in os.tmpdir(), measures
 * `cat FILE > /dev/null` as the baseline in the same run, then decodes it in a child process per
 * scenario (so peak RSS is per scenario) and prints one JSON object per line:
 *   {"bench":"unified2-decode","mode":"push",...,"ratioVsCat":..}
 * Modes: push (Unified2Decoder.push over 1 MiB reads: the decode-only number), batches
 * (decodeUnified2FileBatches), iterator (decodeUnified2File, one await per record), assemble
 * (decode + join into Alerts).
 *
 *   node dist/bench/unified2-decode.js [--events N] [--seed S] [--modes push,batches,iterator,assemble] [--keep]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeUnified2File, decodeUnified2FileBatches, Unified2Decoder } from '../src/inputs/unified2/decoder.js';
import { Unified2Assembler } from '../src/inputs/unified2/assemble.js';
import { writeUnified2File } from './lib/u2-generator.js';

export interface DecodeBenchResult {
  bench: 'unified2-decode';
  mode: string;
  events: number;
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  peakRssMB: number;
  catSeconds: number;
  ratioVsCat: number;
}

type Mode = 'push' | 'batches' | 'iterator' | 'assemble';
interface ChildResult { records: number; alerts: number; seconds: number; peakRssMB: number }

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** Runs in the child: decodes the file and reports time and peak RSS. */
async function child(file: string, mode: Mode): Promise<ChildResult> {
  const t0 = process.hrtime.bigint();
  let records = 0;
  let alerts = 0;
  if (mode === 'iterator') {
    for await (const _r of decodeUnified2File(file, { highWaterMark: 1 << 20 })) records++;
  } else if (mode === 'batches') {
    for await (const batch of decodeUnified2FileBatches(file, { highWaterMark: 1 << 20 })) records += batch.length;
  } else {
    const decoder = new Unified2Decoder({ file });
    const asm = mode === 'assemble' ? new Unified2Assembler({ sensor: 'bench', onAlert: () => { alerts++; } }) : undefined;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      const recs = decoder.push(chunk as Buffer);
      records += recs.length;
      if (asm) for (let i = 0; i < recs.length; i++) asm.push(recs[i]!, file);
    }
    decoder.end(true);
    asm?.flush();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { records, alerts, seconds, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

function timeCat(file: string): number {
  const devnull = fs.openSync('/dev/null', 'w');
  try {
    let best = Infinity;
    for (let i = 0; i < 2; i++) { // the first run may still be warming the page cache
      const t0 = process.hrtime.bigint();
      const r = spawnSync('cat', [file], { stdio: ['ignore', devnull, 'inherit'] });
      if (r.status !== 0) throw new Error(`cat failed: ${r.status}`);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return best;
  } finally {
    fs.closeSync(devnull);
  }
}

/** Generates, measures the baseline and every mode; returns one result per mode. */
export function runDecodeBench(opts: { events: number; seed?: number; modes?: Mode[]; keep?: boolean }): DecodeBenchResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-u2-bench-'));
  const file = path.join(dir, `snort.u2.${1795168800}`);
  const results: DecodeBenchResult[] = [];
  try {
    const gen = writeUnified2File(file, { events: opts.events, seed: opts.seed ?? 1 });
    const catSeconds = timeCat(file);
    const self = fileURLToPath(import.meta.url);
    for (const mode of opts.modes ?? ['push', 'batches', 'iterator', 'assemble']) {
      const r = spawnSync(process.execPath, [self, '--child', file, '--mode', mode], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`bench child failed (${mode}): ${r.stderr}`);
      const c = JSON.parse(r.stdout) as ChildResult;
      if (c.records !== gen.records) throw new Error(`decoded ${c.records} records, generated ${gen.records}`);
      if (mode === 'assemble' && c.alerts !== gen.events) throw new Error(`assembled ${c.alerts} alerts, generated ${gen.events}`);
      results.push({
        bench: 'unified2-decode', mode, events: gen.events, records: c.records, bytes: gen.bytes,
        seconds: round(c.seconds), recordsPerSec: Math.round(c.records / c.seconds),
        mbPerSec: round(gen.bytes / 1e6 / c.seconds), peakRssMB: round(c.peakRssMB),
        catSeconds: round(catSeconds), ratioVsCat: round(c.seconds / catSeconds),
      });
    }
  } finally {
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  if (process.argv.includes('--child')) {
    const result = await child(arg('child', ''), arg('mode', 'push') as Mode);
    process.stdout.write(JSON.stringify(result));
  } else {
    const modes = arg('modes', 'push,batches,iterator,assemble').split(',') as Mode[];
    const results = runDecodeBench({ events: Number(arg('events', '1000000')), seed: Number(arg('seed', '1')), modes, keep: process.argv.includes('--keep') });
    for (const r of results) console.log(JSON.stringify(r));
  }
}
