/**
 * Text import benchmark: `snarf import` of a generated alert_full or alert_fast file of N alerts
 * into a fresh SQLite database, against `cat FILE > /dev/null` measured in the same run. The
 * import is the real CLI in its own child process; its peak RSS is measured inside that child.
 * The import must store exactly N alerts, or the script fails.
 *
 *   node dist/bench/text-import.js [--format full|fast] [--alerts 100k,1M] [--seed 42]
 *       [--file FILE --alerts N] [--inputs DIR] [--repeat R] [--cpu-prof DIR] [--keep]
 *
 * Prints one JSON object per line: one `text-import` line per size, then (with two sizes or more)
 * a `text-import-rss-growth` line comparing the peak RSS of the two largest (RssGrowthResult).
 * Targets (issue): 1M alert_full in <= 15 s (>= 66,667 alerts/s) with peak RSS <= 300 MB, and
 * memory flat as the input grows. alert_fast is held to the same targets.
 */
import { arg, isMain, round, timeCat } from './lib/measure.js';
import { forEachBenchInput, textInput, type BenchInput } from './lib/inputs.js';
import { cliImport } from './lib/import-bench.js';
import { floorSeconds, type StoreFloor } from './lib/store-floor.js';
import type { ProfileSummary } from './lib/cpu-profile.js';

export const TEXT_TARGET = { alertsPerSec: 1_000_000 / 15, maxRssMB: 300, maxRssGrowth: 1.25 };

/**
 * The issue sets its rate at 1M alerts. Below that, a fixed ~0.6 s (node start-up, module
 * loading, the parse worker) is a large share of the wall time, so no rate target is applied.
 */
export const RATE_TARGET_MIN_ALERTS = 1_000_000;

export interface TextImportResult {
  bench: 'text-import';
  format: 'alert_full' | 'alert_fast';
  alerts: number;
  bytes: number;
  seconds: number;
  cliSeconds: number;
  cpuSeconds: number;
  alertsPerSec: number;
  mbPerSec: number;
  peakRssMB: number;
  dbMB: number;
  catSeconds: number;
  ratioVsCat: number;
  allSeconds: number[];
  targetAlertsPerSec: number;
  targetMaxRssMB: number;
  /** Null below RATE_TARGET_MIN_ALERTS, where the rate target does not apply. */
  meetsRate: boolean | null;
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

/**
 * Peak RSS across sizes. `growth` is between the two largest sizes: the smallest run also
 * measures warm-up (V8 heaps sizing themselves, SQLite's page cache filling to its bound), so
 * "flat" means no further growth once that is done. `overall` is smallest to largest.
 */
export interface RssGrowthResult {
  bench: 'text-import-rss-growth' | 'unified2-import-rss-growth';
  format: string;
  sizes: number[];
  peakRssMB: number[];
  growth: number;
  /** The two sizes `growth` compares. */
  between: [number, number];
  overall: number;
  targetMaxGrowth: number;
  flat: boolean;
}

/** Imports `input` `repeat` times (fastest reported) after timing `cat` on it. */
export function measureTextImport(input: BenchInput, format: 'full' | 'fast', opts: { repeat?: number; cpuProfDir?: string } = {}): TextImportResult {
  const catSeconds = timeCat(input.file);
  const runs = [];
  for (let i = 0; i < Math.max(1, opts.repeat ?? 1); i++) runs.push(cliImport(input.file, { expected: input.count, floor: i === 0 }));
  const expectedFormat = format === 'full' ? 'alert_full' : 'alert_fast';
  if (runs[0]!.format !== expectedFormat) throw new Error(`imported as ${runs[0]!.format}, expected ${expectedFormat}`);
  const best = runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
  const peakRssMB = Math.max(...runs.map((r) => r.peakRssMB));
  const profiles = opts.cpuProfDir ? cliImport(input.file, { expected: input.count, cpuProfDir: opts.cpuProfDir }).profiles : undefined;
  const s = best.wallSeconds;
  return {
    bench: 'text-import', format: expectedFormat, alerts: input.count, bytes: input.bytes,
    seconds: round(s), cliSeconds: best.cliSeconds, cpuSeconds: round(best.cpuSeconds),
    alertsPerSec: Math.round(input.count / s), mbPerSec: round(input.bytes / 1e6 / s, 2),
    peakRssMB: round(peakRssMB, 1), dbMB: round(best.dbBytes / 1e6, 1),
    catSeconds: round(catSeconds, 4), ratioVsCat: round(s / catSeconds, 1),
    allSeconds: runs.map((r) => round(r.wallSeconds)),
    targetAlertsPerSec: Math.round(TEXT_TARGET.alertsPerSec), targetMaxRssMB: TEXT_TARGET.maxRssMB,
    meetsRate: input.count >= RATE_TARGET_MIN_ALERTS ? input.count / s >= TEXT_TARGET.alertsPerSec : null,
    meetsRss: peakRssMB <= TEXT_TARGET.maxRssMB,
    floor: runs[0]!.floor!, floorSeconds: round(floorSeconds(runs[0]!.floor!)), ratioVsFloor: round(s / floorSeconds(runs[0]!.floor!), 2),
    ...(profiles ? { profiles } : {}),
  };
}

export function rssGrowth(bench: RssGrowthResult['bench'], format: string, results: { size: number; peakRssMB: number }[], maxGrowth: number): RssGrowthResult | undefined {
  if (results.length < 2) return undefined;
  const sorted = [...results].sort((a, b) => a.size - b.size);
  const last = sorted[sorted.length - 1]!;
  const before = sorted[sorted.length - 2]!;
  const growth = last.peakRssMB / before.peakRssMB;
  return {
    bench, format, sizes: sorted.map((r) => r.size), peakRssMB: sorted.map((r) => r.peakRssMB),
    growth: round(growth, 2), between: [before.size, last.size], overall: round(last.peakRssMB / sorted[0]!.peakRssMB, 2),
    targetMaxGrowth: maxGrowth, flat: growth <= maxGrowth,
  };
}

async function main(): Promise<void> {
  const format = arg('format', 'full');
  if (format !== 'full' && format !== 'fast') throw new Error('--format is full or fast');
  const results: TextImportResult[] = [];
  await forEachBenchInput({
    countOption: 'alerts', defaultSizes: '100000,1000000', defaultSeed: 42, dirPrefix: 'snarf-text-bench-',
    generate: (dir, n, seed) => textInput(dir, format, n, seed),
  }, (input, run) => {
    const r = measureTextImport(input, format, run);
    results.push(r);
    console.log(JSON.stringify(r));
  });
  const g = rssGrowth('text-import-rss-growth', `alert_${format}`, results.map((r) => ({ size: r.alerts, peakRssMB: r.peakRssMB })), TEXT_TARGET.maxRssGrowth);
  if (g) console.log(JSON.stringify(g));
}

if (isMain(import.meta.url)) await main();
