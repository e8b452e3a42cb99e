/**
 * Store reads behind the nightly summary mail (`snarf mail`, src/mail/**): per-day counts by
 * sensor and signature, first appearances of signatures, distinct hosts of a day and the
 * sensors' last alerts. Counts come from the hourly rollup (r_hour) whenever the window starts
 * and ends on whole UTC hours (every zone with a whole-hour offset); a zone like Asia/Kolkata
 * (+05:30) cuts hours in half, so its days are counted from the raw alerts' time index instead,
 * which gives the same numbers, only slower.
 */
import type Database from 'better-sqlite3';
import { HOUR_US, hourAligned, type MailReads } from '../reads/mail-reads.js';

/** [startUs, endUs) in µs UTC. */
export interface Window {
  startUs: number;
  endUs: number;
}

export interface SensorSigCount {
  sensor: string;
  gid: number;
  sid: number;
  rev: number;
  message: string;
  classification: string | null;
  priority: number | null;
  n: number;
}


/** Alerts per sensor × signature in the window (sensors or signatures with none are absent). */
export function countsBySensorSig(db: Database.Database, w: Window): SensorSigCount[] {
  const inner = hourAligned(w)
    ? 'SELECT sensor_id, sig_id, sum(n) AS n FROM r_hour WHERE hour >= ? AND hour < ? GROUP BY sensor_id, sig_id'
    : 'SELECT sensor_id, sig_id, count(*) AS n FROM alerts WHERE ts >= ? AND ts < ? GROUP BY sensor_id, sig_id';
  const args = hourAligned(w) ? [w.startUs / HOUR_US, w.endUs / HOUR_US] : [w.startUs, w.endUs];
  return db.prepare(`SELECT s.name AS sensor, g.gid, g.sid, g.rev, g.message, g.classification, g.priority, c.n
    FROM (${inner}) c JOIN sensors s ON s.id = c.sensor_id JOIN signatures g ON g.id = c.sig_id
    ORDER BY c.n DESC, g.gid, g.sid, s.name`).all(...args) as SensorSigCount[];
}

/** Alerts per signature (`gid:sid`) in the window. */
export function countsBySig(db: Database.Database, w: Window): Map<string, number> {
  const inner = hourAligned(w)
    ? 'SELECT sig_id, sum(n) AS n FROM r_hour WHERE hour >= ? AND hour < ? GROUP BY sig_id'
    : 'SELECT sig_id, count(*) AS n FROM alerts WHERE ts >= ? AND ts < ? GROUP BY sig_id';
  const args = hourAligned(w) ? [w.startUs / HOUR_US, w.endUs / HOUR_US] : [w.startUs, w.endUs];
  const rows = db.prepare(`SELECT g.gid, g.sid, c.n FROM (${inner}) c JOIN signatures g ON g.id = c.sig_id`).all(...args) as
    Array<{ gid: number; sid: number; n: number }>;
  return new Map(rows.map((r) => [`${r.gid}:${r.sid}`, r.n]));
}

/** Alerts per sensor name in the window. */
export function countsBySensor(db: Database.Database, w: Window): Map<string, number> {
  const inner = hourAligned(w)
    ? 'SELECT sensor_id, sum(n) AS n FROM r_hour WHERE hour >= ? AND hour < ? GROUP BY sensor_id'
    : 'SELECT sensor_id, count(*) AS n FROM alerts WHERE ts >= ? AND ts < ? GROUP BY sensor_id';
  const args = hourAligned(w) ? [w.startUs / HOUR_US, w.endUs / HOUR_US] : [w.startUs, w.endUs];
  const rows = db.prepare(`SELECT s.name, c.n FROM (${inner}) c JOIN sensors s ON s.id = c.sensor_id`).all(...args) as
    Array<{ name: string; n: number }>;
  return new Map(rows.map((r) => [r.name, r.n]));
}

/**
 * Signatures whose first alert ever (any sensor) lies in the window: "never seen before".
 * r_sig keeps exact first times per signature × sensor, so no raw alert is read.
 */
export function firstSeenIn(db: Database.Database, w: Window): Array<{ gid: number; sid: number; firstUs: number }> {
  return db.prepare(`SELECT g.gid, g.sid, f.first AS firstUs
    FROM (SELECT sig_id, min(first) AS first FROM r_sig GROUP BY sig_id) f JOIN signatures g ON g.id = f.sig_id
    WHERE f.first >= ? AND f.first < ? ORDER BY f.first, g.gid, g.sid`).all(w.startUs, w.endUs) as
    Array<{ gid: number; sid: number; firstUs: number }>;
}

/**
 * Distinct source and destination addresses of the window. The address rollups carry no time,
 * so this one reads the day's alerts through the time index (once a night, bounded by the day).
 */
export function distinctHosts(db: Database.Database, w: Window): { sources: number; destinations: number } {
  return db.prepare(`SELECT count(DISTINCT src) AS sources, count(DISTINCT dst) AS destinations
    FROM alerts WHERE ts >= ? AND ts < ?`).get(w.startUs, w.endUs) as { sources: number; destinations: number };
}

/** Every sensor the store knows, with its last alert ever (null: none kept). */
export function sensorsLast(db: Database.Database): Array<{ name: string; lastUs: number | null }> {
  return db.prepare(`SELECT s.name, r.last AS lastUs FROM sensors s LEFT JOIN r_sensor r ON r.sensor_id = s.id
    ORDER BY s.name`).all() as Array<{ name: string; lastUs: number | null }>;
}

export function sqliteMailReads(db: Database.Database): MailReads {
  return {
    countsBySensorSig: async (w) => countsBySensorSig(db, w),
    countsBySig: async (w) => countsBySig(db, w),
    countsBySensor: async (w) => countsBySensor(db, w),
    firstSeenIn: async (w) => firstSeenIn(db, w),
    distinctHosts: async (w) => distinctHosts(db, w),
    sensorsLast: async () => sensorsLast(db),
  };
}
