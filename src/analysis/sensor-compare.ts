/**
 * Comparing two sensors: where they disagree and why. Pure functions over rows the store
 * hands over; nothing here reads a database or a clock.
 */

export interface SigCount {
  gid: number;
  sid: number;
  rev: number;
  message: string;
  a: number;
  b: number;
}

export interface SignatureDiff extends SigCount {
  /** a / b, or null when b saw none. */
  ratio: number | null;
}

/** Side-by-side signature counts, most different first, and the ones only one sensor saw. */
export function compareSignatures(rows: SigCount[]): { both: SignatureDiff[]; onlyA: SignatureDiff[]; onlyB: SignatureDiff[] } {
  const withRatio = rows.map((r) => ({ ...r, ratio: r.b === 0 ? null : Math.round((r.a / r.b) * 1000) / 1000 }));
  const byGap = (x: SignatureDiff, y: SignatureDiff): number => Math.abs(y.a - y.b) - Math.abs(x.a - x.b) || x.gid - y.gid || x.sid - y.sid;
  return {
    both: withRatio.filter((r) => r.a > 0 && r.b > 0).sort(byGap),
    onlyA: withRatio.filter((r) => r.a > 0 && r.b === 0).sort(byGap),
    onlyB: withRatio.filter((r) => r.b > 0 && r.a === 0).sort(byGap),
  };
}

export interface HourCount {
  hour: number;
  a: number;
  b: number;
}

export interface SilentPeriod {
  /** Which sensor was silent. */
  sensor: 'a' | 'b';
  fromHour: number;
  /** Exclusive. */
  toHour: number;
  hours: number;
  /** Alerts the other sensor saw meanwhile. */
  otherAlerts: number;
}

/**
 * Runs of hours in which one sensor logged nothing while the other logged something: a sensor
 * that went quiet (dead process, full disk, cable pulled) shows up here first.
 */
export function silentPeriods(hours: HourCount[], minHours = 1): SilentPeriod[] {
  if (hours.length === 0) return [];
  const byHour = new Map(hours.map((h) => [h.hour, h]));
  const first = Math.min(...hours.map((h) => h.hour));
  const last = Math.max(...hours.map((h) => h.hour));
  const out: SilentPeriod[] = [];
  for (const who of ['a', 'b'] as const) {
    const other = who === 'a' ? 'b' : 'a';
    let start = -1;
    let otherAlerts = 0;
    for (let h = first; h <= last + 1; h++) {
      const row = byHour.get(h);
      const silent = h <= last && (row?.[who] ?? 0) === 0 && (row?.[other] ?? 0) > 0;
      if (silent) {
        if (start === -1) start = h;
        otherAlerts += row?.[other] ?? 0;
      } else if (start !== -1) {
        if (h - start >= minHours) out.push({ sensor: who, fromHour: start, toHour: h, hours: h - start, otherAlerts });
        start = -1;
        otherAlerts = 0;
      }
    }
  }
  return out.sort((x, y) => x.fromHour - y.fromHour);
}

/** One alert reduced to what identifies the packet behind it, with the input it came from. */
export interface Fingerprint {
  /** gid:sid, protocol, addresses and ports: the same packet gives the same key on both. */
  key: string;
  timeUs: number;
  input: number;
}

export interface InputInfo {
  id: number;
  path: string;
  format: string;
}

export interface ClockOffset {
  /** Families of inputs compared: `text` (fast/full/csv/syslog) or `unified2` (and others by name). */
  familyA: string;
  familyB: string;
  /** Clock of B minus clock of A, in seconds (microsecond precision). */
  offsetSeconds: number;
  /** Pairs of alerts matched on the same packet key. */
  matches: number;
  /** Of those, how many agree with the offset within a second. */
  agreeing: number;
  inputsA: InputInfo[];
  inputsB: InputInfo[];
}

export function inputFamily(format: string): string {
  return ['alert_fast', 'alert_full', 'alert_csv', 'syslog'].includes(format) ? 'text' : format;
}

const MAX_PER_KEY = 16;

/**
 * Estimates the clock offset between two sensors from the same packets seen by both: pairs of
 * alerts with the same key, per family of inputs (a text log in the wrong zone is 9 h off
 * while the unified2 spool of the same sensor is not), taking the most common delta (to the
 * second) and then the median of the deltas that agree with it.
 */
export function estimateClockOffsets(a: Fingerprint[], b: Fingerprint[], inputs: Map<number, InputInfo>): ClockOffset[] {
  const family = (id: number): string => inputFamily(inputs.get(id)?.format ?? 'unknown');
  const bByKey = new Map<string, Fingerprint[]>();
  for (const f of b) {
    const list = bByKey.get(f.key);
    if (list === undefined) bByKey.set(f.key, [f]);
    else if (list.length < MAX_PER_KEY) list.push(f);
  }
  interface Group { deltas: number[]; inputsA: Set<number>; inputsB: Set<number> }
  const groups = new Map<string, Group>();
  const perKeyUsed = new Map<string, number>();
  for (const fa of a) {
    const candidates = bByKey.get(fa.key);
    if (!candidates) continue;
    const used = perKeyUsed.get(fa.key) ?? 0;
    if (used >= MAX_PER_KEY) continue;
    perKeyUsed.set(fa.key, used + 1);
    for (const fb of candidates) {
      const gk = `${family(fa.input)}|${family(fb.input)}`;
      let g = groups.get(gk);
      if (!g) groups.set(gk, (g = { deltas: [], inputsA: new Set(), inputsB: new Set() }));
      g.deltas.push(fb.timeUs - fa.timeUs);
      g.inputsA.add(fa.input);
      g.inputsB.add(fb.input);
    }
  }
  const out: ClockOffset[] = [];
  for (const [gk, g] of groups) {
    const histogram = new Map<number, number>();
    for (const d of g.deltas) {
      const s = Math.round(d / 1e6);
      histogram.set(s, (histogram.get(s) ?? 0) + 1);
    }
    let mode = 0;
    let best = -1;
    for (const [s, n] of histogram) {
      if (n > best || (n === best && Math.abs(s) < Math.abs(mode))) {
        mode = s;
        best = n;
      }
    }
    const agreeing = g.deltas.filter((d) => Math.abs(d / 1e6 - mode) <= 1).sort((x, y) => x - y);
    const median = agreeing[Math.floor(agreeing.length / 2)] ?? mode * 1e6;
    const [familyA, familyB] = gk.split('|') as [string, string];
    const info = (ids: Set<number>): InputInfo[] => [...ids].map((id) => inputs.get(id) ?? { id, path: '?', format: 'unknown' })
      .sort((x, y) => x.path.localeCompare(y.path));
    out.push({
      familyA, familyB, offsetSeconds: median / 1e6, matches: g.deltas.length, agreeing: agreeing.length,
      inputsA: info(g.inputsA), inputsB: info(g.inputsB),
    });
  }
  return out.sort((x, y) => y.agreeing - x.agreeing);
}
