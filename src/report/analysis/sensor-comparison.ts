/**
 * Two sensors side by side for sensors.html: the same reads and pure analysis as
 * `snarf sensors --compare` (src/cli/sensors.ts compareSensors), through the same SensorReads
 * (either store), but returning numbers (hours, µs) rather than the CLI's printed JSON, so the
 * page can chart the hourly rates. compareSensors itself is left as it is (its JSON is an interface).
 */
import type { HostsOnlyOne, SensorReads, TimeWindow } from '../../store/reads/sensor-reads.js';
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

export async function sensorComparison(reads: SensorReads, a: string, b: string, w: TimeWindow, minSilentHours = 1): Promise<SensorComparison> {
  const ia = await reads.sensorId(a);
  const ib = await reads.sensorId(b);
  if (ia === undefined) throw new Error(`no sensor named "${a}"`);
  if (ib === undefined) throw new Error(`no sensor named "${b}"`);
  const hourly = await reads.hourlyCounts(ia, ib, w);
  return {
    a, b, window: w,
    totals: hourly.reduce((t, h) => ({ a: t.a + h.a, b: t.b + h.b }), { a: 0, b: 0 }),
    signatures: compareSignatures(await reads.signatureCounts(ia, ib, w)),
    hosts: await reads.hostsSeen(ia, ib),
    hourly,
    silent: silentPeriods(hourly, minSilentHours),
    clockOffsets: estimateClockOffsets(await reads.fingerprints(ia, w), await reads.fingerprints(ib, w), await reads.inputsById()),
  };
}
