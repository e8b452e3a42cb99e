/**
 * Local wall-clock time in a report's zone: fixed offsets (`UTC`, `+09:00`, `-0500`) or IANA names
 * (`Asia/Tokyo`, through Intl, so DST days are 23 or 25 hours long). The daily report prints
 * local times and its day runs local midnight to local midnight; logs without an offset
 * (Winny `YYYY/MM/DD HH:MM:SS`) are read in a configured zone.
 */

const fixedRe = /^(?:UTC|GMT|Z|([+-])(\d\d):?(\d\d))$/i;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when `tz` is a zone this module understands. */
export function isValidZone(tz: string): boolean {
  if (fixedRe.test(tz)) return true;
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Offset of local time from UTC in minutes at the instant `utcMs`. Throws RangeError for an unknown zone. */
export function zoneOffsetMinutes(tz: string, utcMs: number): number {
  const m = fixedRe.exec(tz);
  if (m) return m[1] === undefined ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60000);
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** UTC µs of a local wall time. In a DST gap or overlap, the earlier offset wins (as `date` does). */
export function localToUtcUs(w: WallTime, tz: string): number {
  const wallMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  let utc = wallMs - zoneOffsetMinutes(tz, wallMs) * 60000;
  // Two refinements settle the offset near a transition.
  for (let i = 0; i < 2; i++) utc = wallMs - zoneOffsetMinutes(tz, utc) * 60000;
  return utc * 1000;
}

/** Local wall time of a UTC µs instant (seconds truncated, as the seed's report prints them). */
export function utcUsToLocal(us: number, tz: string): WallTime {
  const ms = Math.floor(us / 1e6) * 1000;
  const d = new Date(ms + zoneOffsetMinutes(tz, ms) * 60000);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(),
  };
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM:SS` (sep '-') or `YYYY/MM/DD HH:MM:SS` (sep '/') in the zone. */
export function formatLocal(us: number, tz: string, sep: '-' | '/' = '-'): string {
  const w = utcUsToLocal(us, tz);
  return `${String(w.year).padStart(4, '0')}${sep}${p2(w.month)}${sep}${p2(w.day)} ${p2(w.hour)}:${p2(w.minute)}:${p2(w.second)}`;
}

/** Parses `YYYY-MM-DD HH:MM:SS` or `YYYY/MM/DD HH:MM:SS` as local time in the zone; null when invalid. */
export function parseLocal(text: string, tz: string): number | null {
  const m = /^(\d{4})([-/])(\d\d)\2(\d\d)[ T](\d\d):(\d\d):(\d\d)$/.exec(text);
  if (!m) return null;
  const w: WallTime = {
    year: Number(m[1]), month: Number(m[3]), day: Number(m[4]),
    hour: Number(m[5]), minute: Number(m[6]), second: Number(m[7]),
  };
  if (!validWall(w)) return null;
  return localToUtcUs(w, tz);
}

export function validWall(w: WallTime): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 60) return false;
  const dim = new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
  return w.day <= dim;
}

/** [start, end) of a local day `YYYY-MM-DD`, in UTC µs. Throws RangeError on a malformed day. */
export function dayBoundsUs(day: string, tz: string): { startUs: number; endUs: number } {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(day);
  const w = m && { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0, second: 0 };
  if (!w || !validWall(w)) throw new RangeError(`not a day (YYYY-MM-DD): ${day}`);
  const next = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
  return {
    startUs: localToUtcUs(w, tz),
    endUs: localToUtcUs({ ...w, year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, tz),
  };
}

/** The local day `YYYY-MM-DD` that contains a UTC µs instant. */
export function localDay(us: number, tz: string): string {
  const w = utcUsToLocal(us, tz);
  return `${String(w.year).padStart(4, '0')}-${p2(w.month)}-${p2(w.day)}`;
}
