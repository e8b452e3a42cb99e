/**
 * Report benchmark on PostgreSQL: `snarf report --no-analysis` of the same generated alert_full
 * store from SQLite and from a fresh schema of the PostgreSQL at --url, in the same run, each in
 * its own child process with the RSS probe. Both sites must have the same files and bytes (the
 * stores give the same site: test/store/pg-report.test.ts checks every byte).
 *
 *   node dist/bench/pg-report.js [--alerts 100k,1M] [--url postgres://...] [--seed 42]
 *
 * The URL defaults as pg-import.js's does. Prints one `pg-report` JSON line per size. No target
 * of its own (the report's are issue 4's, on SQLite): the figure is the ratio to SQLite.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSnortText } from './lib/text-generator.js';
import { arg, CLI_MAIN, isMain, parseSizes, round, runNodeChild } from './lib/measure.js';
import { withSchema } from './pg-import.js';

function cli(args: string[]): ReturnType<typeof runNodeChild> {
  const r = runNodeChild(CLI_MAIN, args);
  if (r.status !== 0) throw new Error(`snarf ${args[0]} failed (${r.status}): ${r.stderr.trim().slice(-2000).replace(/:[^:@/]*@/g, ':***@')}`);
  return r;
}

interface Built { seconds: number; cpuSeconds: number; peakRssMB: number; files: number; bytes: number }

/** Imports `input` into `db`, then times the site build from it. */
function importAndBuild(db: string, input: string, alerts: number, out: string, cwd: string): Built {
  const imp = JSON.parse(cli(['import', '--db', db, '--no-progress', '-q', '--json', input]).stdout) as { totals: { inserted: number } };
  if (imp.totals.inserted !== alerts) throw new Error(`import stored ${imp.totals.inserted} alerts, expected ${alerts}`);
  // PostgreSQL's state, notes and policy files live in the working directory: keep them out of the tree.
  const run = runNodeChild(CLI_MAIN, ['report', '--db', db, '--out', out, '--json', '-q', '--no-analysis'], { cwd });
  if (run.status !== 0) throw new Error(`snarf report failed (${run.status}): ${run.stderr.trim().slice(-2000).replace(/:[^:@/]*@/g, ':***@')}`);
  const res = JSON.parse(run.stdout) as { files: number; bytes: number };
  return { seconds: run.wallSeconds, cpuSeconds: run.cpuSeconds, peakRssMB: run.peakRssMB, files: res.files, bytes: res.bytes };
}

export async function measurePgReport(url: string, alerts: number, workDir: string, seed = 42): Promise<Record<string, unknown>> {
  const input = path.join(workDir, `alerts-${alerts}.full`);
  await writeSnortText(input, { alerts, seed, format: 'full' });
  try {
    const lite = importAndBuild(path.join(workDir, `r-${alerts}.db`), input, alerts, path.join(workDir, `site-sq-${alerts}`), workDir);
    const pgb = await withSchema(url, (u) => importAndBuild(u, input, alerts, path.join(workDir, `site-pg-${alerts}`), workDir));
    if (pgb.files !== lite.files || pgb.bytes !== lite.bytes) {
      throw new Error(`the sites differ: SQLite ${lite.files} files ${lite.bytes} bytes, PostgreSQL ${pgb.files} files ${pgb.bytes} bytes`);
    }
    return {
      bench: 'pg-report', alerts, files: pgb.files, bytes: pgb.bytes,
      pgSeconds: round(pgb.seconds), pgCpuSeconds: round(pgb.cpuSeconds), pgPeakRssMB: round(pgb.peakRssMB, 1),
      sqliteSeconds: round(lite.seconds), sqliteCpuSeconds: round(lite.cpuSeconds), sqlitePeakRssMB: round(lite.peakRssMB, 1),
      ratio: round(pgb.seconds / lite.seconds, 2),
    };
  } finally {
    fs.rmSync(input, { force: true });
  }
}

async function main(): Promise<void> {
  const sizes = parseSizes(arg('alerts', '100000,1000000'));
  const url = arg('url') ?? process.env.SNARF_BENCH_PG_URL ?? process.env.SNARF_TEST_PG_URL ?? 'postgres://snarf:snarf@127.0.0.1:5432/snarf_test';
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-pg-report-bench-'));
  try {
    for (const n of sizes) process.stdout.write(`${JSON.stringify(await measurePgReport(url, n, workDir, Number(arg('seed', '42'))))}\n`);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
