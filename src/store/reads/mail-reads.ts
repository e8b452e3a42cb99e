/**
 * What the nightly summary mail reads (src/mail/collect-day.ts): per-day counts by sensor and
 * signature, first appearances of signatures, distinct hosts of a day and the sensors' last
 * alerts. SQLite: src/store/sqlite/mail-queries.ts; PostgreSQL: src/store/postgres/mail-queries.ts,
 * the same queries over the same rollups, in the same orders.
 */
import type { SensorSigCount, Window } from '../sqlite/mail-queries.js';

export type { SensorSigCount, Window };

export interface MailReads {
  /** Alerts per sensor × signature in the window, busiest first. */
  countsBySensorSig(w: Window): Promise<SensorSigCount[]>;
  /** Alerts per signature (`gid:sid`) in the window. */
  countsBySig(w: Window): Promise<Map<string, number>>;
  /** Alerts per sensor name in the window. */
  countsBySensor(w: Window): Promise<Map<string, number>>;
  /** Signatures whose first alert ever lies in the window. */
  firstSeenIn(w: Window): Promise<Array<{ gid: number; sid: number; firstUs: number }>>;
  distinctHosts(w: Window): Promise<{ sources: number; destinations: number }>;
  /** Every sensor the store knows, by name, with its last alert ever (null: none kept). */
  sensorsLast(): Promise<Array<{ name: string; lastUs: number | null }>>;
}

/** Whole UTC hours: the hourly rollup can answer; otherwise the raw alerts' time index does. */
export const HOUR_US = 3_600_000_000;
export const hourAligned = (w: Window): boolean => w.startUs % HOUR_US === 0 && w.endUs % HOUR_US === 0;
