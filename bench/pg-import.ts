/**
 * Import throughput into PostgreSQL against SQLite, in the same run: the real `snarf import` CLI
 * (its own child process each time) reads the same generated unified2 file into a fresh SQLite
 * database and into a fresh schema of the PostgreSQL at --url. Both must store exactly N alerts.
 * The ratio PostgreSQL/SQLite is the figure to compare between machines.
 *
 *   node dist/bench/pg-import.js [--events 100k,1M] [--url postgres://...] [--inputs DIR] [--seed 1]
 *
 * The URL defaults to SNARF_BENCH_PG_URL, then SNARF_TEST_PG_URL, then the test default of
 * scripts/start-test-postgres.sh. Prints one `pg-import` JSON line per size.
 * Target (issue 10): >= 100,000 events/s into PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { arg, CLI_MAIN, isMain, parseSizes, round, runNodeChild } from './lib/measure.js';
import { unified2Input } from './lib/inputs.js';
import { floorSeconds, postgresFloor, type StoreFloor } from './lib/store-floor.js';

export const PG_TARGET = { eventsPerSec: 100_000 };

export interface PgImportResult {
  bench: 'pg-import';
  events: number;
  bytes: number;
  pgSeconds: number;
  pgEventsPerSec: number;
  pgPeakRssMB: number;
  sqliteSeconds: number;
  sqliteEventsPerSec: number;
  /** PostgreSQL rate / SQLite rate (1 = as fast). */
  ratio: number;
  targetEventsPerSec: number;
  meetsRate: boolean;
  /** PostgreSQL's own floor for the same rows (bench/lib/store-floor.ts), server side. */
  floor: StoreFloor;
  floorSeconds: number;
  /** pgSeconds / floorSeconds. */
  ratioVsFloor: number;
}

function importInto(db: string, file: string, expected: number): { seconds: number; peakRssMB: number } {
  const run = runNodeChild(CLI_MAIN, ['import', '--db', db, '--no-progress', '-q', '--json', file]);
  if (run.status !== 0) throw new Error(`snarf import --db ${db.replace(/:[^:@/]*@/, ':***@')} failed (${run.status}): ${run.stderr.slice(-1500)}`);
  const out = JSON.parse(run.stdout) as { totals: { inserted: number } };
  if (out.totals.inserted !== expected) throw new Error(`${db}: stored ${out.totals.inserted} alerts, expected ${expected}`);
  return { seconds: run.wallSeconds, peakRssMB: run.peakRssMB };
}

/** Runs `fn` with the URL of a fresh schema of `url`'s database, dropped afterwards. */
export async function withSchema<T>(url: string, fn: (schemaUrl: string, schema: string) => T | Promise<T>): Promise<T> {
  const schema = `snarf_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const u = new URL(url);
    u.searchParams.set('schema', schema);
    return await fn(u.toString(), schema);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

export async function measurePgImport(url: string, file: string, events: number, bytes: number): Promise<PgImportResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-pg-bench-'));
  try {
    const lite = importInto(path.join(dir, 'bench.db'), file, events);
    const pgRun = await withSchema(url, async (u, schema) => {
      const run = importInto(u, file, events);
      const floor = await postgresFloor(url, schema);
      if (floor.alerts !== events) throw new Error(`PostgreSQL floor copied ${floor.alerts} alerts, expected ${events}`);
      return { ...run, floor };
    });
    const pgRate = events / pgRun.seconds;
    const liteRate = events / lite.seconds;
    return {
      bench: 'pg-import', events, bytes,
      pgSeconds: round(pgRun.seconds), pgEventsPerSec: Math.round(pgRate), pgPeakRssMB: round(pgRun.peakRssMB, 1),
      sqliteSeconds: round(lite.seconds), sqliteEventsPerSec: Math.round(liteRate), ratio: round(pgRate / liteRate, 2),
      targetEventsPerSec: PG_TARGET.eventsPerSec, meetsRate: pgRate >= PG_TARGET.eventsPerSec,
      floor: pgRun.floor, floorSeconds: round(floorSeconds(pgRun.floor)), ratioVsFloor: round(pgRun.seconds / floorSeconds(pgRun.floor), 2),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = parseSizes(arg('events', '100000,1000000'));
  const url = arg('url') ?? process.env.SNARF_BENCH_PG_URL ?? process.env.SNARF_TEST_PG_URL ?? 'postgres://snarf:snarf@127.0.0.1:5432/snarf_test';
  const ownDir = arg('inputs') ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-pg-import-bench-'));
  const inputs = arg('inputs') ?? ownDir!;
  try {
    for (const n of sizes) {
      const input = await unified2Input(inputs, n, Number(arg('seed', '1')));
      process.stdout.write(`${JSON.stringify(await measurePgImport(url, input.file, input.count, input.bytes))}\n`);
    }
  } finally {
    if (ownDir) fs.rmSync(ownDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
