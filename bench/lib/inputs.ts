/**
 * Generated benchmark inputs, cached in a directory so the scenarios of one `bench/run.ts` run
 * share them (run.ts passes `--inputs DIR` and deletes DIR at the end). A file is written under
 * a temporary name and renamed with a metadata sidecar, so a half-written file is never reused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, flag, parseSizes } from './measure.js';
import { writeSnortText } from './text-generator.js';
import { writeUnified2File } from './u2-generator.js';

export interface BenchInput {
  file: string;
  /** Alerts (text) or events (unified2) in the file. */
  count: number;
  bytes: number;
  /** unified2 records (events + packets + extra data). */
  records?: number;
  /** Seconds spent generating it in this process (0 when reused). */
  generatedSeconds: number;
}

async function cached(dir: string, name: string, make: (tmp: string) => Promise<Omit<BenchInput, 'file' | 'generatedSeconds'>>): Promise<BenchInput> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const meta = `${file}.meta.json`;
  if (fs.existsSync(file) && fs.existsSync(meta)) {
    const m = JSON.parse(fs.readFileSync(meta, 'utf8')) as Omit<BenchInput, 'file' | 'generatedSeconds'>;
    if (fs.statSync(file).size === m.bytes) return { file, ...m, generatedSeconds: 0 };
  }
  const tmp = `${file}.partial-${process.pid}`;
  const t0 = process.hrtime.bigint();
  try {
    const m = await make(tmp);
    const size = fs.statSync(tmp).size;
    if (size !== m.bytes) throw new Error(`generator reported ${m.bytes} bytes, wrote ${size}`);
    fs.renameSync(tmp, file);
    fs.writeFileSync(meta, JSON.stringify(m));
    return { file, ...m, generatedSeconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export function textInput(dir: string, format: 'fast' | 'full', alerts: number, seed = 42): Promise<BenchInput> {
  return cached(dir, `alert_${format}-${alerts}-s${seed}.log`, async (tmp) => {
    const bytes = await writeSnortText(tmp, { alerts, format, seed });
    return { count: alerts, bytes };
  });
}

export function unified2Input(dir: string, events: number, seed = 1): Promise<BenchInput> {
  // Named like a Snort spool file; the importer recognises unified2 by content, not by name.
  return cached(dir, `snort.u2.1795168800-${events}-s${seed}`, async (tmp) => {
    const g = writeUnified2File(tmp, { events, seed });
    return { count: g.events, bytes: g.bytes, records: g.records };
  });
}

/**
 * The input loop the import scenarios share: `--file F` (one size) or inputs generated per size
 * (in `--inputs DIR`, else a temp dir removed afterwards unless `--keep`), `--seed`, `--repeat`,
 * and `--cpu-prof DIR` for the largest size only (that is where time and memory go).
 */
export async function forEachBenchInput(
  o: { countOption: string; defaultSizes: string; defaultSeed: number; dirPrefix: string; generate(dir: string, n: number, seed: number): Promise<BenchInput> },
  each: (input: BenchInput, run: { repeat: number; cpuProfDir?: string }) => void | Promise<void>,
): Promise<void> {
  const sizes = parseSizes(arg(o.countOption, o.defaultSizes));
  const given = arg('file');
  if (given && sizes.length !== 1) throw new Error(`--file needs --${o.countOption} N (the number it holds)`);
  const ownDir = arg('inputs') ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), o.dirPrefix));
  const inputs = arg('inputs') ?? ownDir!;
  const seed = Number(arg('seed', String(o.defaultSeed)));
  const repeat = Number(arg('repeat', '1'));
  const prof = arg('cpu-prof');
  try {
    for (const n of sizes) {
      const input: BenchInput = given
        ? { file: given, count: n, bytes: fs.statSync(given).size, generatedSeconds: 0 }
        : await o.generate(inputs, n, seed);
      await each(input, { repeat, cpuProfDir: prof && n === Math.max(...sizes) ? prof : undefined });
    }
  } finally {
    if (ownDir && !flag('keep')) fs.rmSync(ownDir, { recursive: true, force: true });
  }
}
