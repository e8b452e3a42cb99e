/**
 * What `snarf sensors` and `snarf sensors --compare` read, as one async interface that both
 * stores implement (src/store/sqlite/sensor-queries.ts, src/store/postgres/sensor-queries.ts;
 * reads-for.ts picks one). Counts come from the rollups; only the clock-offset sample reads raw
 * alerts, bounded.
 */
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

export interface HostsOnlyOne {
  onlyA: number;
  onlyB: number;
  both: number;
  /** The busiest hosts only one sensor saw, as source or destination. */
  topOnlyA: Array<{ ip: string; alerts: number }>;
  topOnlyB: Array<{ ip: string; alerts: number }>;
}

export interface SensorReads {
  /** Every sensor by name (bytewise order), with its inputs by path. */
  sensorStats(): Promise<SensorStats[]>;
  sensorId(name: string): Promise<number | undefined>;
  /** Per-signature counts of both sensors, from the hourly rollup (hour-aligned windows), by gid:sid. */
  signatureCounts(a: number, b: number, w: TimeWindow): Promise<SigCount[]>;
  hourlyCounts(a: number, b: number, w: TimeWindow): Promise<HourCount[]>;
  /** Hosts (as source or destination) seen by one sensor only, from the address rollups. */
  hostsSeen(a: number, b: number, top?: number): Promise<HostsOnlyOne>;
  /**
   * A bounded sample of one sensor's alerts as packet fingerprints, in identity order (time,
   * then identity hash): the one order both stores share, so both pick the same sample.
   */
  fingerprints(sensor: number, w: TimeWindow, limit?: number): Promise<Fingerprint[]>;
  inputsById(): Promise<Map<number, InputInfo>>;
}

export const HOUR_US = 3_600_000_000;

/** Inclusive hour numbers of r_hour covering a window (whole hours: the rollup's grain). */
export function hourRange(w: TimeWindow): { lo: number; hi: number } {
  return {
    lo: w.sinceUs === undefined ? -1e15 : Math.floor(w.sinceUs / HOUR_US),
    hi: w.untilUs === undefined ? 1e15 : Math.ceil(w.untilUs / HOUR_US) - 1,
  };
}

/** The fingerprint key: the same packet gives the same key on both sensors. */
export function fingerprintKey(r: {
  gid: number; sid: number; proto: number | null; src: Buffer | null; sport: number | null; dst: Buffer | null; dport: number | null;
}): string {
  return `${r.gid}:${r.sid}|${r.proto ?? ''}|${r.src?.toString('hex') ?? ''}|${r.sport ?? ''}|${r.dst?.toString('hex') ?? ''}|${r.dport ?? ''}`;
}

/** One sensor's stats from its rollup totals (first..last rounded up to whole hours, at least one). */
export function sensorStatsOf(r: { name: string; n: number; first: number | null; last: number | null; hours: number }, inputs: InputInfo[]): SensorStats {
  const span = r.first !== null && r.last !== null ? Math.max(1, Math.ceil((r.last - r.first) / HOUR_US)) : 0;
  return {
    name: r.name, alerts: r.n, firstUs: r.first, lastUs: r.last, activeHours: r.hours,
    alertsPerHour: span ? Math.round((r.n / span) * 100) / 100 : 0,
    inputs,
  };
}

/** Hosts seen by one sensor only, from (ip, a, b) rows in ip order (ties in count keep that order). */
export function hostsOnlyOne(rows: ReadonlyArray<{ ip: Buffer; a: number; b: number }>, top: number): HostsOnlyOne {
  const onlyA = rows.filter((r) => r.b === 0).sort((x, y) => y.a - x.a);
  const onlyB = rows.filter((r) => r.a === 0).sort((x, y) => y.b - x.b);
  return {
    onlyA: onlyA.length, onlyB: onlyB.length, both: rows.length - onlyA.length - onlyB.length,
    topOnlyA: onlyA.slice(0, top).map((r) => ({ ip: ipFromKey(r.ip), alerts: r.a })),
    topOnlyB: onlyB.slice(0, top).map((r) => ({ ip: ipFromKey(r.ip), alerts: r.b })),
  };
}
