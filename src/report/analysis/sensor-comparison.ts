/**
 * Two sensors side by side for sensors.html: the same reads and pure analysis as
 * `snarf sensors --compare` (src/cli/sensors.ts compareSensors), but on an already open
 * database and returning numbers (hours, µs) rather than the CLI's printed JSON, so the page
 * can chart the hourly rates. compareSensors itself is left as it is (its JSON is an interface).
 */
import type Database from 'better-sqlite3';
import {
  fingerprints, hostsSeen, hourlyCounts, inputsById, sensorId, signatureCounts, type HostsOnlyOne, type TimeWindow,
} from '../../store/sqlite/sensor-queries.js';
import {
  compareSignatures, estimateClockOffsets, silentPeriods, type ClockOffset, type HourCount, type SignatureDiff, type SilentPeriod,
} from '../../analysis/sensor-compare.js';

export interface SensorComparison {
  a: string;
  b: string;
  window: TimeWindow;
  totals: { a: number; b: number };
  signatures: { both: SignatureDiff[]; onlyA: SignatureDiff[]; onlyB: SignatureDiff[] };
  hosts: HostsOnlyOne;
  hourly: HourCount[];
  silent: SilentPeriod[];
  clockOffsets: ClockOffset[];
}

export function sensorComparison(db: Database.Database, a: string, b: string, w: TimeWindow, minSilentHours = 1): SensorComparison {
  const ia = sensorId(db, a);
  const ib = sensorId(db, b);
  if (ia === undefined) throw new Error(`no sensor named "${a}"`);
  if (ib === undefined) throw new Error(`no sensor named "${b}"`);
  const hourly = hourlyCounts(db, ia, ib, w);
  return {
    a, b, window: w,
    totals: hourly.reduce((t, h) => ({ a: t.a + h.a, b: t.b + h.b }), { a: 0, b: 0 }),
    signatures: compareSignatures(signatureCounts(db, ia, ib, w)),
    hosts: hostsSeen(db, ia, ib),
    hourly,
    silent: silentPeriods(hourly, minSilentHours),
    clockOffsets: estimateClockOffsets(fingerprints(db, ia, w), fingerprints(db, ib, w), inputsById(db)),
  };
}
