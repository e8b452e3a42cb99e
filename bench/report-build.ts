/**
 * Report benchmark: `snarf report` building the whole static site from a generated store of N
 * alerts (alert_full text from bench/lib/text-generator.ts, imported with the real CLI), in its
 * own child process with the RSS probe. Then a second, incremental run on the unchanged store.
 *
 *   node dist/bench/report-build.js [--alerts 100k,1M] [--seed 42] [--keep]
 *
 * Prints one JSON line per size:
 *   {"bench":"report-build","alerts":N,"seconds":..,"cpuSeconds":..,"peakRssMB":..,"files":..,"bytes":..,"inputBytes":..,...}
 * (cpuSeconds: user + system time of the report child, less disturbed by a busy machine;
 * loadAvg: the machine's load when the report started). `npm run bench` runs it as the
 * report-build scenario (100k and 1M; --quick: 100k).
 * inputBytes is the size of the alert_full file the store was imported from.
 * Targets (issue 4): 1M alerts in <= 60 s and <= 1 GB RSS; 100k in <= 6 s; bytes <= inputBytes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSnortText } from './lib/text-generator.js';
import { arg, CLI_MAIN, flag, isMain, parseSizes, round, runNodeChild } from './lib/measure.js';

export const REPORT_TARGET = { secondsPer1M: 60, secondsPer100k: 6, maxRssMB: 1024 };

function dirTotals(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.startsWith('.snarf-manifest')) { files++; bytes += fs.statSync(p).size; }
    }
  };
  walk(dir);
  return { files, bytes };
}

function cli(args: string[]): ReturnType<typeof runNodeChild> {
  const r = runNodeChild(CLI_MAIN, args);
  if (r.status !== 0) throw new Error(`snarf ${args[0]} failed (${r.status}): ${r.stderr.trim().slice(-2000)}`);
  return r;
}

export async function measureReport(alerts: number, workDir: string, seed = 42): Promise<Record<string, unknown>> {
  const input = path.join(workDir, `alerts-${alerts}.full`);
  const db = path.join(workDir, `report-${alerts}.db`);
  const out = path.join(workDir, `site-${alerts}`);
  const inputBytes = await writeSnortText(input, { alerts, seed, format: 'full' });
  const imp = JSON.parse(cli(['import', '--db', db, '--no-progress', '-q', '--json', input]).stdout) as { totals: { inserted: number } };
  if (imp.totals.inserted !== alerts) throw new Error(`import stored ${imp.totals.inserted} alerts, expected ${alerts}`);
  fs.rmSync(input, { force: true });
  const loadAvg = os.loadavg().map((x) => round(x, 2));
  // The timed build is the site issue 4 specifies (index, signature, host, top and breakdown
  // pages); the analysis pages and host annotations are measured separately after it.
  const run = cli(['report', '--db', db, '--out', out, '--json', '-q', '--no-analysis']);
  const res = JSON.parse(run.stdout) as { files: number; sources: number; destinations: number; signatures: number };
  const totals = dirTotals(out);
  const again = cli(['report', '--db', db, '--out', out, '--json', '-q', '--no-analysis']);
  const full = cli(['report', '--db', db, '--out', `${out}-full`, '--json', '-q']);
  const res2 = JSON.parse(again.stdout) as { written: number; hostsSkipped: number };
  const limit = alerts >= 1_000_000 ? REPORT_TARGET.secondsPer1M * (alerts / 1e6) : REPORT_TARGET.secondsPer100k * Math.max(1, alerts / 1e5);
  return {
    bench: 'report-build', alerts, seconds: round(run.wallSeconds), cpuSeconds: round(run.cpuSeconds), peakRssMB: round(run.peakRssMB, 1),
    files: totals.files, bytes: totals.bytes, inputBytes, bytesRatio: round(totals.bytes / inputBytes, 3),
    signatures: res.signatures, sources: res.sources, destinations: res.destinations, dbMB: round(fs.statSync(db).size / 1e6, 1),
    rerunSeconds: round(again.wallSeconds), rerunCpuSeconds: round(again.cpuSeconds), rerunPeakRssMB: round(again.peakRssMB, 1), rerunWritten: res2.written, rerunHostsSkipped: res2.hostsSkipped,
    withAnalysisSeconds: round(full.wallSeconds), withAnalysisPeakRssMB: round(full.peakRssMB, 1),
    loadAvg, targetSeconds: limit, targetMaxRssMB: REPORT_TARGET.maxRssMB,
    meetsTime: run.wallSeconds <= limit, meetsRss: run.peakRssMB <= REPORT_TARGET.maxRssMB, meetsBytes: totals.bytes <= inputBytes,
  };
}

async function main(): Promise<void> {
  const sizes = parseSizes(arg('alerts', '100000,1000000'));
  const workDir = fs.mkdtempSync(path.join(arg('work', os.tmpdir()), 'snarf-report-bench-'));
  try {
    for (const n of sizes) process.stdout.write(`${JSON.stringify(await measureReport(n, workDir, Number(arg('seed', '42'))))}\n`);
  } finally {
    if (!flag('keep')) fs.rmSync(workDir, { recursive: true, force: true });
    else process.stderr.write(`kept ${workDir}\n`);
  }
}

if (isMain(import.meta.url)) await main();
