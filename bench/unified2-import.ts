/**
 * unified2 import benchmark: `snarf import` of a generated unified2 file of N events (about 280
 * bytes per event: 1M events are about 280 MB) into a fresh SQLite database, against
 * `cat FILE > /dev/null` measured in the same run. The real CLI runs in its own child process;
 * its peak RSS is measured inside that child. The import must store exactly N alerts.
 * No rule maps match the generated signatures, so messages fall back to "Snort Alert [g:s:r]".
 *
 *   node dist/bench/unified2-import.js [--events 100k,1M] [--seed 1] [--file FILE --events N]
 *       [--inputs DIR] [--repeat R] [--cpu-prof DIR] [--keep]
 *
 * Prints one `unified2-import` JSON line per size, then a `unified2-import-rss-growth` line.
 * Targets (issue): >= 150,000 events/s, peak RSS <= 250 MB and flat as the input grows.
 */
import { isMain, round, timeCat } from './lib/measure.js';
import { forEachBenchInput, unified2Input, type BenchInput } from './lib/inputs.js';
import { cliImport } from './lib/import-bench.js';
import { floorSeconds, type StoreFloor } from './lib/store-floor.js';
import type { ProfileSummary } from './lib/cpu-profile.js';
import { rssGrowth } from './text-import.js';

export const U2_TARGET = { eventsPerSec: 150_000, maxRssMB: 250, maxRssGrowth: 1.25 };

export interface Unified2ImportResult {
  bench: 'unified2-import';
  events: number;
  records: number | null;
  bytes: number;
  seconds: number;
  cliSeconds: number;
  cpuSeconds: number;
  eventsPerSec: number;
  mbPerSec: number;
  peakRssMB: number;
  dbMB: number;
  catSeconds: number;
  ratioVsCat: number;
  allSeconds: number[];
  targetEventsPerSec: number;
  targetMaxRssMB: number;
  meetsRate: boolean;
  meetsRss: boolean;
  /** With --cpu-prof: an extra, untimed import profiled, one summary per thread. */
  profiles?: ProfileSummary[];
  /** The database's own floor for the same rows (bench/lib/store-floor.ts), measured after the first run. */
  floor: StoreFloor;
  /** Seconds of rows + address indexes + per-address rollups: what the schema costs before any parsing. */
  floorSeconds: number;
  /** Import seconds / floorSeconds (1 = the import costs no more than the database's own work). */
  ratioVsFloor: number;
}

export function measureUnified2Import(input: BenchInput, opts: { repeat?: number; cpuProfDir?: string } = {}): Unified2ImportResult {
  const catSeconds = timeCat(input.file);
  const runs = [];
  for (let i = 0; i < Math.max(1, opts.repeat ?? 1); i++) runs.push(cliImport(input.file, { expected: input.count, floor: i === 0 }));
  if (runs[0]!.format !== 'unified2') throw new Error(`imported as ${runs[0]!.format}, expected unified2`);
  const best = runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
  const peakRssMB = Math.max(...runs.map((r) => r.peakRssMB));
  const profiles = opts.cpuProfDir ? cliImport(input.file, { expected: input.count, cpuProfDir: opts.cpuProfDir }).profiles : undefined;
  const s = best.wallSeconds;
  return {
    bench: 'unified2-import', events: input.count, records: input.records ?? null, bytes: input.bytes,
    seconds: round(s), cliSeconds: best.cliSeconds, cpuSeconds: round(best.cpuSeconds),
    eventsPerSec: Math.round(input.count / s), mbPerSec: round(input.bytes / 1e6 / s, 2),
    peakRssMB: round(peakRssMB, 1), dbMB: round(best.dbBytes / 1e6, 1),
    catSeconds: round(catSeconds, 4), ratioVsCat: round(s / catSeconds, 1),
    allSeconds: runs.map((r) => round(r.wallSeconds)),
    targetEventsPerSec: U2_TARGET.eventsPerSec, targetMaxRssMB: U2_TARGET.maxRssMB,
    meetsRate: input.count / s >= U2_TARGET.eventsPerSec, meetsRss: peakRssMB <= U2_TARGET.maxRssMB,
    floor: runs[0]!.floor!, floorSeconds: round(floorSeconds(runs[0]!.floor!)), ratioVsFloor: round(s / floorSeconds(runs[0]!.floor!), 2),
    ...(profiles ? { profiles } : {}),
  };
}

async function main(): Promise<void> {
  const results: Unified2ImportResult[] = [];
  await forEachBenchInput({
    countOption: 'events', defaultSizes: '100000,1000000', defaultSeed: 1, dirPrefix: 'snarf-u2-import-bench-',
    generate: (dir, n, seed) => unified2Input(dir, n, seed),
  }, (input, run) => {
    const r = measureUnified2Import(input, run);
    results.push(r);
    console.log(JSON.stringify(r));
  });
  const g = rssGrowth('unified2-import-rss-growth', 'unified2', results.map((r) => ({ size: r.events, peakRssMB: r.peakRssMB })), U2_TARGET.maxRssGrowth);
  if (g) console.log(JSON.stringify(g));
}

if (isMain(import.meta.url)) await main();
