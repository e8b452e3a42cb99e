/**
 * Placing Snort text timestamps in time. Text outputs print the packet time in the sensor's
 * local zone with no zone marker and (without `snort -y`) no year, so the importer is told the
 * zone (`--tz`) and either a year (`--year`) or infers it: the most recent year that keeps the
 * timestamp out of the future.
 */

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

export function monthNumber(abbrev: string): number | undefined {
  return MONTHS[abbrev];
}

/** Local wall-clock fields as a text timestamp gives them. */
export interface WallTime {
  year?: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
}

export interface TimeOptions {
  /** IANA zone of the sensor (default UTC). */
  tz?: string;
  /** Year for timestamps that carry none; the year is bumped when a file crosses New Year. */
  year?: number;
  /** "Now" for year inference, in ms (injectable for tests). */
  nowMs?: number;
}

/** Converts local wall times in one zone to epoch microseconds, caching the zone offset per hour. */
export class TimePlacer {
  private readonly tz: string;
  private readonly fmt: Intl.DateTimeFormat | null;
  private readonly offsetCache = new Map<number, number>();
  private readonly nowMs: number;
  private year: number | undefined;
  private lastMonth = 0;
  /** The year it is now in the zone (year inference starts from it). */
  private nowYear: number | undefined;

  constructor(opts: TimeOptions = {}) {
    this.tz = opts.tz ?? 'UTC';
    this.nowMs = opts.nowMs ?? Date.now();
    this.year = opts.year;
    this.fmt = this.tz === 'UTC' || this.tz === 'Etc/UTC'
      ? null
      : new Intl.DateTimeFormat('en-US', {
        timeZone: this.tz, hourCycle: 'h23',
        year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
  }

  /** Throws RangeError for an unknown zone, so a bad --tz fails before any file is read. */
  static validateZone(tz: string): void {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  }

  /** Epoch microseconds for a wall time, or null if the fields are out of range. */
  toEpochMicros(w: WallTime): number | null {
    if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 60) {
      return null;
    }
    const year = w.year ?? this.yearFor(w);
    const naiveMs = Date.UTC(year, w.month - 1, w.day, w.hour, w.minute, w.second);
    if (Number.isNaN(naiveMs)) return null;
    const utcMs = naiveMs - this.offsetAt(naiveMs);
    return utcMs * 1000 + w.micro;
  }

  private yearFor(w: WallTime): number {
    if (this.year !== undefined) {
      // A file that runs past New Year goes from December back to January.
      if (this.lastMonth >= 10 && w.month <= 3) this.year += 1;
      this.lastMonth = w.month;
      return this.year;
    }
    this.nowYear ??= new Date(this.nowMs + this.offsetAt(this.nowMs)).getUTCFullYear();
    let year = this.nowYear;
    const naive = Date.UTC(year, w.month - 1, w.day, w.hour, w.minute, w.second);
    // A day of slack for sensors whose clock runs a little ahead of ours.
    if (naive - this.offsetAt(naive) > this.nowMs + 86_400_000) year -= 1;
    return year;
  }

  /** Offset of the zone from UTC in ms at (approximately) the given instant, cached per hour. */
  private offsetAt(ms: number): number {
    if (this.fmt === null) return 0;
    const hourKey = Math.floor(ms / 3_600_000);
    const cached = this.offsetCache.get(hourKey);
    if (cached !== undefined) return cached;
    const parts = this.fmt.formatToParts(new Date(hourKey * 3_600_000));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    const offset = asUtc - hourKey * 3_600_000;
    if (this.offsetCache.size > 100_000) this.offsetCache.clear();
    this.offsetCache.set(hourKey, offset);
    return offset;
  }
}

/**
 * Parses `MM/DD-hh:mm:ss.uuuuuu` or `MM/DD/YY-hh:mm:ss.uuuuuu` (trailing spaces allowed).
 * Written by hand (no regex) because it runs once per alert on multi-million-line imports.
 */
export function parseSnortTimestamp(s: string): WallTime | null {
  const t = s.trimEnd();
  const n = t.length;
  const d2 = (i: number): number => {
    const a = t.charCodeAt(i) - 48;
    const b = t.charCodeAt(i + 1) - 48;
    return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
  };
  if (n < 14 || t[2] !== '/') return null;
  const month = d2(0);
  const day = d2(3);
  let i = 5;
  let year: number | undefined;
  if (t[5] === '/') {
    const yy = d2(6);
    if (yy < 0) return null;
    year = 2000 + yy;
    i = 8;
  }
  if (t[i] !== '-' || t[i + 3] !== ':' || t[i + 6] !== ':') return null;
  const hour = d2(i + 1);
  const minute = d2(i + 4);
  const second = d2(i + 7);
  let micro = 0;
  let j = i + 9;
  if (j < n) {
    if (t[j] !== '.') return null;
    j++;
    let digits = 0;
    for (; j < n && digits < 6; j++, digits++) {
      const c = t.charCodeAt(j) - 48;
      if (c < 0 || c > 9) return null;
      micro = micro * 10 + c;
    }
    if (j !== n) return null;
    for (; digits < 6; digits++) micro *= 10;
  }
  if (month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  return { year, month, day, hour, minute, second, micro };
}
