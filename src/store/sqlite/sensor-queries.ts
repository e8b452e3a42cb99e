/**
 * Store reads behind `snarf sensors`: per-sensor totals and rates, and what a comparison of
 * two sensors needs (rollups for counts, a bounded sample of raw alerts for clock offsets).
 * The PostgreSQL twin is src/store/postgres/sensor-queries.ts; both answer SensorReads.
 */
import type Database from 'better-sqlite3';
import type { Fingerprint, HourCount, InputInfo, SigCount } from '../../analysis/sensor-compare.js';
import {
  fingerprintKey, hostsOnlyOne, hourRange, sensorStatsOf, type HostsOnlyOne, type SensorReads, type SensorStats, type TimeWindow,
} from '../reads/sensor-reads.js';

export type { HostsOnlyOne, SensorStats, TimeWindow };

export function sensorId(db: Database.Database, name: string): number | undefined {
  return (db.prepare('SELECT id FROM sensors WHERE name = ?').get(name) as { id: number } | undefined)?.id;
}

export function sensorStats(db: Database.Database): SensorStats[] {
  const rows = db.prepare(`SELECT s.id, s.name, coalesce(r.n, 0) AS n, r.first, r.last,
      (SELECT count(DISTINCT hour) FROM r_hour h WHERE h.sensor_id = s.id) AS hours
    FROM sensors s LEFT JOIN r_sensor r ON r.sensor_id = s.id ORDER BY s.name`).all() as
    Array<{ id: number; name: string; n: number; first: number | null; last: number | null; hours: number }>;
  const inputs = db.prepare('SELECT id, path, format FROM inputs WHERE sensor_id = ? ORDER BY path, format');
  return rows.map((r) => sensorStatsOf(r, inputs.all(r.id) as InputInfo[]));
}

/** Per-signature counts of both sensors, from the hourly rollup (hour-aligned windows). */
export function signatureCounts(db: Database.Database, a: number, b: number, w: TimeWindow): SigCount[] {
  const { lo, hi } = hourRange(w);
  return db.prepare(`SELECT g.gid, g.sid, g.rev, g.message,
      sum(CASE WHEN h.sensor_id = ? THEN h.n ELSE 0 END) AS a, sum(CASE WHEN h.sensor_id = ? THEN h.n ELSE 0 END) AS b
    FROM r_hour h JOIN signatures g ON g.id = h.sig_id
    WHERE h.sensor_id IN (?, ?) AND h.hour BETWEEN ? AND ? GROUP BY g.id ORDER BY g.gid, g.sid`).all(a, b, a, b, lo, hi) as SigCount[];
}

export function hourlyCounts(db: Database.Database, a: number, b: number, w: TimeWindow): HourCount[] {
  const { lo, hi } = hourRange(w);
  return db.prepare(`SELECT hour, sum(CASE WHEN sensor_id = ? THEN n ELSE 0 END) AS a, sum(CASE WHEN sensor_id = ? THEN n ELSE 0 END) AS b
    FROM r_hour WHERE sensor_id IN (?, ?) AND hour BETWEEN ? AND ? GROUP BY hour ORDER BY hour`).all(a, b, a, b, lo, hi) as HourCount[];
}

/** Hosts (as source or destination) seen by one sensor only, from the address rollups. */
export function hostsSeen(db: Database.Database, a: number, b: number, top = 25): HostsOnlyOne {
  const rows = db.prepare(`SELECT ip, sum(CASE WHEN sensor_id = ? THEN n ELSE 0 END) AS a, sum(CASE WHEN sensor_id = ? THEN n ELSE 0 END) AS b
    FROM (SELECT ip, sensor_id, n FROM r_sig_src WHERE sensor_id IN (?, ?) UNION ALL SELECT ip, sensor_id, n FROM r_sig_dst WHERE sensor_id IN (?, ?))
    GROUP BY ip ORDER BY ip`).all(a, b, a, b, a, b) as Array<{ ip: Buffer; a: number; b: number }>;
  return hostsOnlyOne(rows, top);
}

/** A bounded sample of one sensor's alerts as packet fingerprints (for clock offsets). */
export function fingerprints(db: Database.Database, sensor: number, w: TimeWindow, limit = 200_000): Fingerprint[] {
  const rows = db.prepare(`SELECT a.ts, g.gid, g.sid, a.proto, a.src, a.sport, a.dst, a.dport, a.input_id
    FROM alerts a JOIN signatures g ON g.id = a.sig_id
    WHERE a.sensor_id = ? AND a.ts >= ? AND a.ts < ? ORDER BY a.ts, a.h LIMIT ?`)
    .all(sensor, w.sinceUs ?? -1e18, w.untilUs ?? 1e18, limit) as
    Array<{ ts: number; gid: number; sid: number; proto: number | null; src: Buffer | null; sport: number | null; dst: Buffer | null; dport: number | null; input_id: number }>;
  return rows.map((r) => ({ key: fingerprintKey(r), timeUs: r.ts, input: r.input_id }));
}

export function inputsById(db: Database.Database): Map<number, InputInfo> {
  const rows = db.prepare('SELECT id, path, format FROM inputs').all() as InputInfo[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** SensorReads over these synchronous queries (they finish before the promise is handed back). */
export function sqliteSensorReads(db: Database.Database): SensorReads {
  return {
    sensorStats: async () => sensorStats(db),
    sensorId: async (name) => sensorId(db, name),
    signatureCounts: async (a, b, w) => signatureCounts(db, a, b, w),
    hourlyCounts: async (a, b, w) => hourlyCounts(db, a, b, w),
    hostsSeen: async (a, b, top) => hostsSeen(db, a, b, top),
    fingerprints: async (sensor, w, limit) => fingerprints(db, sensor, w, limit),
    inputsById: async () => inputsById(db),
  };
}
