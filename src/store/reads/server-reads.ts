/**
 * What `snarf serve` reads, as one async interface both stores implement: keyset pages of
 * alerts with any filter, one alert with its packets and extra data, hosts and per-host
 * signatures from the rollups, sensor names and stats, the summary, and the two small facts the
 * routes need (the newest alert time for acknowledgements, a mark that moves when alerts arrive,
 * for caches). SQLite: src/store/sqlite/server-queries.ts (ServerQueries, wrapped here);
 * PostgreSQL: src/store/postgres/server-queries.ts. serverReadsFor() picks one.
 *
 * Both stores page with the same plan choices and bounds (SORT_CAP, SCAN_CAP), so a filter that
 * gives a `partial` page on one gives it on the other. The one thing storage decides is the
 * order of alerts of the same microsecond, and with it the cursor: SQLite breaks ties by row id
 * (import order), PostgreSQL by identity hash h, since its ids come from cached sequence ranges
 * and follow neither time nor import order. The cursor `<ts>.<tie>` is opaque to clients.
 */
import { SnarfError } from '../../errors.js';
import type { Store, Summary } from '../store.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { PostgresStore } from '../postgres/pg-store.js';
import {
  ServerQueries, type AlertDetail, type AlertQuery, type AlertRow, type HostRow, type HostSigRow,
} from '../sqlite/server-queries.js';
import { querySummary } from '../sqlite/summary-query.js';
import { sensorStats } from '../sqlite/sensor-queries.js';
import type { SensorStats } from './sensor-reads.js';
import { pgServerReads } from '../postgres/server-queries.js';

export { LookupTooSlow } from '../postgres/server-queries.js';

export type { AlertDetail, AlertRow, HostRow, HostSigRow, SensorStats };

/**
 * Where a page starts: after the alert at (ts, tie). `tie` orders alerts of one microsecond:
 * the row id on SQLite, the identity hash on PostgreSQL.
 */
export interface PageCursor { ts: number; tie: number }

export interface AlertSearch extends Omit<AlertQuery, 'after'> {
  after?: PageCursor;
}

export interface AlertPage {
  alerts: AlertRow[];
  /** Where the next page starts; null when there is nothing after this page. */
  next: PageCursor | null;
  /** True when the page stopped at the scan bound before it was full. */
  partial: boolean;
  /** Index used per sub-query (diagnostics and tests). */
  plan: string[];
}

export interface ServerReads {
  readonly kind: 'sqlite' | 'postgres';
  /** A page of alerts in (time, tie) order after the cursor. */
  alertPage(q: AlertSearch): Promise<AlertPage>;
  /**
   * One alert by id, with at most 16 packets and 64 extra records. `timeUs`, when given, must
   * be the alert's time (else null); on PostgreSQL it is what makes the lookup an index probe.
   */
  alert(id: number, timeUs?: number): Promise<AlertDetail | null>;
  /** Every host of one side with its totals, most alerts first (from the rollups). */
  hosts(side: 'src' | 'dst'): Promise<HostRow[]>;
  /** Per-signature counts of one address (16-byte key) on one side. */
  hostSignatures(side: 'src' | 'dst', key: Buffer): Promise<HostSigRow[]>;
  /** Sensor names, bytewise order. */
  sensorNames(): Promise<string[]>;
  sensorStats(): Promise<SensorStats[]>;
  /** The `snarf summary` of some sensors (none: all), from the rollups. */
  summary(sensors: string[], limit: number): Promise<Summary>;
  /** Newest alert time held (µs), null when there are none. */
  newestUs(): Promise<number | null>;
  /** Changes whenever the rollups take new alerts in (or retention takes some out): a cache key. */
  changeMark(): Promise<string>;
}

/** The SQLite reads: ServerQueries and the summary and sensor queries, as they are. */
export function sqliteServerReads(store: SqliteStore): ServerReads {
  const db = store.db;
  const q = new ServerQueries(db);
  return {
    kind: 'sqlite',
    async alertPage(s) {
      const page = q.alertPage({ ...s, after: s.after ? { ts: s.after.ts, id: s.after.tie } : undefined });
      return { ...page, next: page.next ? { ts: page.next.ts, tie: page.next.id } : null };
    },
    async alert(id, timeUs) {
      const d = q.alert(id);
      return d === null || (timeUs !== undefined && d.timeUs !== timeUs) ? null : d;
    },
    async hosts(side) { return q.hosts(side); },
    async hostSignatures(side, key) { return q.hostSignatures(side, key); },
    async sensorNames() { return q.sensorNames(); },
    async sensorStats() { return sensorStats(db); },
    async summary(sensors, limit) { return querySummary(db, sensors.length ? { sensors } : {}, limit); },
    async newestUs() {
      return (db.prepare('SELECT max(ts) AS m FROM alerts').get() as { m: number | null }).m;
    },
    async changeMark() {
      const r = db.prepare("SELECT value FROM meta WHERE key = 'rollup_watermark'").get() as { value: number } | undefined;
      return String(r?.value ?? 0);
    },
  };
}

export function serverReadsFor(store: Store): ServerReads {
  if (store instanceof SqliteStore) return sqliteServerReads(store);
  if (store instanceof PostgresStore) return pgServerReads(store.pool);
  throw new SnarfError('SNARF_CONFIG_INVALID', `snarf serve cannot read the ${store.kind} store at ${store.location}`);
}
