/**
 * Rollup deltas summed in memory during a bulk import, written once at its end.
 *
 * SQLite can sum a million new rows into the rollups itself (sqlite-store.ts applyRollups), but
 * that is four grouped passes over the new rows, each a sort of the whole set: about 5 s per
 * million alerts, a third of an import. Summing in a few Maps as the rows are inserted costs a
 * fraction of that. The SQL pass stays as the repair path and as the fallback whenever this
 * accumulator cannot vouch for exactly the rows above the watermark (see SqliteStore).
 *
 * Memory is bounded by the number of distinct keys (signature × address chiefly), not by
 * alerts; the store writes the deltas out early (a rollup checkpoint) once `entries` grows past
 * its limit.
 */
import type Database from 'better-sqlite3';
import { ipKey } from '../../model/ip.js';

interface Agg { n: number; first: number; last: number }

interface SigSensor extends Agg {
  sigId: number;
  sensorId: number;
  hours: Map<number, number>;
  src: Map<string, Agg>;
  dst: Map<string, Agg>;
}

const HOUR_US = 3_600_000_000;
/** Sensor ids pack into a numeric key below this; beyond it the store falls back to SQL. */
const MAX_SENSOR_ID = 1 << 16;

export class RollupAccumulator {
  private sigs = new Map<number, SigSensor>();
  /** (sensor, proto, port) packed into one number. */
  private dports = new Map<number, number>();
  /** Distinct keys held, the memory measure. */
  entries = 0;
  /** Alerts summed since the last write. */
  alerts = 0;
  /** False once a key did not fit: the caller must use the SQL pass instead. */
  usable = true;

  add(
    sigId: number, sensorId: number, ts: number, src: string | null, dst: string | null,
    proto: number | null, dport: number | null,
  ): void {
    if (sensorId >= MAX_SENSOR_ID) {
      this.usable = false;
      return;
    }
    this.alerts++;
    const key = sigId * MAX_SENSOR_ID + sensorId;
    let s = this.sigs.get(key);
    if (s === undefined) {
      s = { sigId, sensorId, n: 0, first: ts, last: ts, hours: new Map(), src: new Map(), dst: new Map() };
      this.sigs.set(key, s);
      this.entries++;
    }
    s.n++;
    if (ts < s.first) s.first = ts;
    if (ts > s.last) s.last = ts;
    // Integer division as SQLite's `ts / 3600000000` does it (toward zero).
    const hour = Math.trunc(ts / HOUR_US);
    const h = s.hours.get(hour);
    if (h === undefined) this.entries++;
    s.hours.set(hour, (h ?? 0) + 1);
    if (src !== null) this.host(s.src, src, ts);
    if (dst !== null) this.host(s.dst, dst, ts);
    if (proto !== null && dport !== null) {
      const dk = (sensorId * 256 + proto) * 65536 + dport;
      const d = this.dports.get(dk);
      if (d === undefined) this.entries++;
      this.dports.set(dk, (d ?? 0) + 1);
    }
  }

  private host(m: Map<string, Agg>, ip: string, ts: number): void {
    const a = m.get(ip);
    if (a === undefined) {
      m.set(ip, { n: 1, first: ts, last: ts });
      this.entries++;
      return;
    }
    a.n++;
    if (ts < a.first) a.first = ts;
    if (ts > a.last) a.last = ts;
  }

  /** Adds every delta to the rollup tables (inside the caller's transaction) and empties itself. */
  writeTo(db: Database.Database): void {
    const up = ' ON CONFLICT DO UPDATE SET n = n + excluded.n, first = min(first, excluded.first), last = max(last, excluded.last)';
    const rHour = db.prepare('INSERT INTO r_hour (hour, sensor_id, sig_id, n) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n');
    const rSig = db.prepare(`INSERT INTO r_sig (sig_id, sensor_id, n, first, last) VALUES (?, ?, ?, ?, ?)${up}`);
    const rSigSrc = db.prepare(`INSERT INTO r_sig_src (sig_id, ip, sensor_id, n, first, last) VALUES (?, ?, ?, ?, ?, ?)${up}`);
    const rSigDst = db.prepare(`INSERT INTO r_sig_dst (sig_id, ip, sensor_id, n, first, last) VALUES (?, ?, ?, ?, ?, ?)${up}`);
    const rSensor = db.prepare(`INSERT INTO r_sensor (sensor_id, n, first, last) VALUES (?, ?, ?, ?)${up}`);
    const rDport = db.prepare('INSERT INTO r_dport (sensor_id, proto, port, n) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n');
    const sensors = new Map<number, Agg>();
    for (const s of this.sigs.values()) {
      rSig.run(s.sigId, s.sensorId, s.n, s.first, s.last);
      for (const [hour, n] of s.hours) rHour.run(hour, s.sensorId, s.sigId, n);
      for (const [ip, a] of s.src) rSigSrc.run(s.sigId, ipKey(ip), s.sensorId, a.n, a.first, a.last);
      for (const [ip, a] of s.dst) rSigDst.run(s.sigId, ipKey(ip), s.sensorId, a.n, a.first, a.last);
      const t = sensors.get(s.sensorId);
      if (t === undefined) sensors.set(s.sensorId, { n: s.n, first: s.first, last: s.last });
      else {
        t.n += s.n;
        t.first = Math.min(t.first, s.first);
        t.last = Math.max(t.last, s.last);
      }
    }
    for (const [id, t] of sensors) rSensor.run(id, t.n, t.first, t.last);
    for (const [k, n] of this.dports) {
      const port = k % 65536;
      const rest = (k - port) / 65536;
      rDport.run((rest - (rest % 256)) / 256, rest % 256, port, n);
    }
    this.clear();
  }

  clear(): void {
    this.sigs = new Map();
    this.dports = new Map();
    this.entries = 0;
    this.alerts = 0;
  }
}
