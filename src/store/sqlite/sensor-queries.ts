/**
 * Store reads behind `snarf sensors`: per-sensor totals and rates, and what a comparison of
 * two sensors needs (rollups for counts, a bounded sample of raw alerts for clock offsets).
 */
import type Database from 'better-sqlite3';
import { ipFromKey } from '../../model/ip.js';
import type { Fingerprint, HourCount, InputInfo, SigCount } from '../../analysis/sensor-compare.js';

export interface SensorStats {
  name: string;
  alerts: number;
  firstUs: number | null;
  lastUs: number | null;
  /** Hours with at least one alert. */
  activeHours: number;
  /** Alerts per hour over the hours between first and last. */
  alertsPerHour: number;
  inputs: InputInfo[];
}

export interface TimeWindow {
  sinceUs?: number;
  untilUs?: number;
}

const HOUR_US = 3_600_000_000;

function hourRange(w: TimeWindow): { lo: number; hi: number } {
  return {
    lo: w.sinceUs === undefined ? -1e15 : Math.floor(w.sinceUs / HOUR_US),
    hi: w.untilUs === undefined ? 1e15 : Math.ceil(w.untilUs / HOUR_US) - 1,
  };
}

export function sensorId(db: Database.Database, name: string): number | undefined {
  return (db.prepare('SELECT id FROM sensors WHERE name = ?').get(name) as { id: number } | undefined)?.id;
}

export function sensorStats(db: Database.Database): SensorStats[] {
  const rows = db.prepare(`SELECT s.id, s.name, coalesce(r.n, 0) AS n, r.first, r.last,
      (SELECT count(DISTINCT hour) FROM r_hour h WHERE h.sensor_id = s.id) AS hours
    FROM sensors s LEFT JOIN r_sensor r ON r.sensor_id = s.id ORDER BY s.name`).all() as
    Array<{ id: number; name: string; n: number; first: number | null; last: number | null; hours: number }>;
  const inputs = db.prepare('SELECT id, path, format FROM inputs WHERE sensor_id = ? ORDER BY path');
  return rows.map((r) => {
    const span = r.first !== null && r.last !== null ? Math.max(1, Math.ceil((r.last - r.first) / HOUR_US)) : 0;
    return {
      name: r.name, alerts: r.n, firstUs: r.first, lastUs: r.last, activeHours: r.hours,
      alertsPerHour: span ? Math.round((r.n / span) * 100) / 100 : 0,
      inputs: inputs.all(r.id) as InputInfo[],
    };
  });
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

export interface HostsOnlyOne {
  onlyA: number;
  onlyB: number;
  both: number;
  /** The busiest hosts only one sensor saw, as source or destination. */
  topOnlyA: Array<{ ip: string; alerts: number }>;
  topOnlyB: Array<{ ip: string; alerts: number }>;
}

/** Hosts (as source or destination) seen by one sensor only, from the address rollups. */
export function hostsSeen(db: Database.Database, a: number, b: number, top = 25): HostsOnlyOne {
  const rows = db.prepare(`SELECT ip, sum(CASE WHEN sensor_id = ? THEN n ELSE 0 END) AS a, sum(CASE WHEN sensor_id = ? THEN n ELSE 0 END) AS b
    FROM (SELECT ip, sensor_id, n FROM r_sig_src WHERE sensor_id IN (?, ?) UNION ALL SELECT ip, sensor_id, n FROM r_sig_dst WHERE sensor_id IN (?, ?))
    GROUP BY ip`).all(a, b, a, b, a, b) as Array<{ ip: Buffer; a: number; b: number }>;
  const onlyA = rows.filter((r) => r.b === 0).sort((x, y) => y.a - x.a);
  const onlyB = rows.filter((r) => r.a === 0).sort((x, y) => y.b - x.b);
  return {
    onlyA: onlyA.length, onlyB: onlyB.length, both: rows.length - onlyA.length - onlyB.length,
    topOnlyA: onlyA.slice(0, top).map((r) => ({ ip: ipFromKey(r.ip), alerts: r.a })),
    topOnlyB: onlyB.slice(0, top).map((r) => ({ ip: ipFromKey(r.ip), alerts: r.b })),
  };
}

/** A bounded sample of one sensor's alerts as packet fingerprints (for clock offsets). */
export function fingerprints(db: Database.Database, sensor: number, w: TimeWindow, limit = 200_000): Fingerprint[] {
  const rows = db.prepare(`SELECT a.ts, g.gid, g.sid, a.proto, a.src, a.sport, a.dst, a.dport, a.input_id
    FROM alerts a JOIN signatures g ON g.id = a.sig_id
    WHERE a.sensor_id = ? AND a.ts >= ? AND a.ts < ? ORDER BY a.id LIMIT ?`)
    .all(sensor, w.sinceUs ?? -1e18, w.untilUs ?? 1e18, limit) as
    Array<{ ts: number; gid: number; sid: number; proto: number | null; src: Buffer | null; sport: number | null; dst: Buffer | null; dport: number | null; input_id: number }>;
  return rows.map((r) => ({
    key: `${r.gid}:${r.sid}|${r.proto ?? ''}|${r.src?.toString('hex') ?? ''}|${r.sport ?? ''}|${r.dst?.toString('hex') ?? ''}|${r.dport ?? ''}`,
    timeUs: r.ts,
    input: r.input_id,
  }));
}

export function inputsById(db: Database.Database): Map<number, InputInfo> {
  const rows = db.prepare('SELECT id, path, format FROM inputs').all() as InputInfo[];
  return new Map(rows.map((r) => [r.id, r]));
}
