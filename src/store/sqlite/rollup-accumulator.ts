/**
 * Rollup deltas summed in memory during a bulk import, written once at its end.
 *
 * SQLite can sum a million new rows into the rollups itself (sqlite-store.ts applyRollups), but
 * each rollup is then a grouped pass over the new rows, a sort of the whole set. The rollups
 * with few keys (per hour, signature, sensor and destination port) are summed here instead, as
 * rows are inserted, for a few Map lookups per alert. The per-address rollups are not: they
 * have nearly as many keys as alerts on scan-heavy data, so holding them would cost memory in
 * proportion to the import; the store adds those at the end, once the address indexes exist, by
 * one scan of each index in address order (SqliteStore.addressRollups). The
 * SQL pass stays as the repair path and as the fallback whenever this accumulator cannot vouch
 * for exactly the rows above the watermark (see SqliteStore).
 */
import type Database from 'better-sqlite3';

interface Agg { n: number; first: number; last: number }

interface SigSensor extends Agg {
  sigId: number;
  sensorId: number;
  hours: Map<number, number>;
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
  /** False once a key did not fit or a batch failed: the caller must use the SQL pass instead. */
  usable = true;

  add(sigId: number, sensorId: number, ts: number, proto: number | null, dport: number | null): void {
    if (sensorId >= MAX_SENSOR_ID) {
      this.usable = false;
      return;
    }
    this.alerts++;
    const key = sigId * MAX_SENSOR_ID + sensorId;
    let s = this.sigs.get(key);
    if (s === undefined) {
      s = { sigId, sensorId, n: 0, first: ts, last: ts, hours: new Map() };
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
    if (proto !== null && dport !== null) {
      const dk = (sensorId * 256 + proto) * 65536 + dport;
      const d = this.dports.get(dk);
      if (d === undefined) this.entries++;
      this.dports.set(dk, (d ?? 0) + 1);
    }
  }

  /** Adds every delta to its rollup table (inside the caller's transaction) and empties itself. */
  writeTo(db: Database.Database): void {
    const up = ' ON CONFLICT DO UPDATE SET n = n + excluded.n, first = min(first, excluded.first), last = max(last, excluded.last)';
    const rHour = db.prepare('INSERT INTO r_hour (hour, sensor_id, sig_id, n) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n');
    const rSig = db.prepare(`INSERT INTO r_sig (sig_id, sensor_id, n, first, last) VALUES (?, ?, ?, ?, ?)${up}`);
    const rSensor = db.prepare(`INSERT INTO r_sensor (sensor_id, n, first, last) VALUES (?, ?, ?, ?)${up}`);
    const rDport = db.prepare('INSERT INTO r_dport (sensor_id, proto, port, n) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n');
    const sensors = new Map<number, Agg>();
    for (const s of this.sigs.values()) {
      rSig.run(s.sigId, s.sensorId, s.n, s.first, s.last);
      for (const [hour, n] of s.hours) rHour.run(hour, s.sensorId, s.sigId, n);
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
