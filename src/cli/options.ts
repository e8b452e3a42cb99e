/**
 * Option parsing shared by the subcommands: the store, time zones, years, sizes.
 * Invalid values fail before any file is read, naming the option.
 */
import { InvalidArgumentError } from 'commander';
import { TimePlacer } from '../inputs/snort-text/time.js';

/**
 * The default --db: the same value as DEFAULT_DB of store/open.ts, repeated here because that
 * module loads both store drivers (better-sqlite3, pg) and option defaults must not
 * (test/cli/lazy-load.test.ts checks that the two agree).
 */
export const DEFAULT_DB = 'snarf.db';

export function parseYear(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1970 || n > 2200) throw new InvalidArgumentError(`"${v}" is not a year (1970-2200)`);
  return n;
}

export function parseZone(v: string): string {
  try {
    TimePlacer.validateZone(v);
  } catch {
    throw new InvalidArgumentError(`"${v}" is not an IANA time zone (e.g. UTC, Asia/Tokyo)`);
  }
  return v;
}

export function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${v}" is not a whole number`);
  return n;
}

export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

export function isoMicros(us: number | null): string | null {
  if (us === null) return null;
  const ms = Math.floor(us / 1000);
  const micro = String(us % 1_000_000).padStart(6, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${micro}Z`);
}
