/**
 * SnortSnarf's filters from the command line: times absolute or relative, priorities, CIDRs,
 * excluded signatures. Pure: `now` is passed in so tests and cron runs agree on "yesterday".
 *
 * Times: `now`, `today` (00:00 UTC today), `yesterday` (00:00 UTC yesterday), `-2d`, `-6h`,
 * `-30m`, `-1w` (relative to now), an ISO date (`2026-11-20`, midnight UTC) or date-time
 * (`2026-11-20T10:00:00Z`; without a zone it is read as UTC), or Unix seconds (`@1795600000`).
 * Days are UTC days, like every time Snarf prints.
 */
import ipaddr from 'ipaddr.js';
import type { AlertFilter } from '../store/store.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function startOfUtcDay(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** A time spec as µs since the epoch (UTC); throws with the accepted forms on anything else. */
export function parseTimeSpec(spec: string, nowMs: number = Date.now()): number {
  const t = spec.trim().toLowerCase();
  if (t === 'now') return nowMs * 1000;
  if (t === 'today') return startOfUtcDay(nowMs) * 1000;
  if (t === 'yesterday') return (startOfUtcDay(nowMs) - UNIT_MS.d!) * 1000;
  let m = /^-(\d+)\s*([smhdw])$/.exec(t);
  if (m) return (nowMs - Number(m[1]) * UNIT_MS[m[2]!]!) * 1000;
  m = /^@(\d{1,12})$/.exec(t);
  if (m) return Number(m[1]) * 1_000_000;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const ms = Date.parse(`${t}T00:00:00Z`);
    if (!Number.isNaN(ms)) return ms * 1000;
  }
  m = /^(\d{4}-\d{2}-\d{2})[t ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (m) {
    const frac = /\.(\d{1,6})/.exec(m[2]!);
    const whole = m[2]!.replace(/\.\d+$/, '');
    const zone = m[3] === undefined || m[3] === 'z' ? 'Z' : m[3];
    const ms = Date.parse(`${m[1]}T${whole.length === 5 ? `${whole}:00` : whole}${zone}`);
    if (!Number.isNaN(ms)) return ms * 1000 + (frac ? Number(frac[1]!.padEnd(6, '0')) : 0);
  }
  throw new RangeError(`"${spec}" is not a time (now, today, yesterday, -2d, -6h, -30m, 2026-11-20, 2026-11-20T10:00:00Z, @unix-seconds)`);
}

/** `1:1000042`, `1000042` (gid 1) or `119:31`. */
export function parseSigId(spec: string): { gid: number; sid: number } {
  const m = /^(?:(\d{1,10}):)?(\d{1,10})$/.exec(spec.trim());
  if (!m) throw new RangeError(`"${spec}" is not a signature id (SID or GID:SID)`);
  return { gid: m[1] === undefined ? 1 : Number(m[1]), sid: Number(m[2]) };
}

export function parseCidr(spec: string): string {
  const t = spec.trim();
  try {
    if (t.includes('/')) ipaddr.parseCIDR(t);
    else ipaddr.parse(t);
  } catch {
    throw new RangeError(`"${spec}" is not an address or CIDR (e.g. 163.221.0.0/16, 2001:db8::/32)`);
  }
  return t;
}

export interface FilterOptions {
  since?: string;
  until?: string;
  minPriority?: number;
  src?: string;
  dst?: string;
  excludeSid?: string[];
  sensor?: string[];
}

/** The store filter for the CLI options (throws RangeError naming the bad value). */
export function buildFilter(o: FilterOptions, nowMs: number = Date.now()): AlertFilter {
  const f: AlertFilter = {};
  if (o.since !== undefined) f.sinceUs = parseTimeSpec(o.since, nowMs);
  if (o.until !== undefined) f.untilUs = parseTimeSpec(o.until, nowMs);
  if (f.sinceUs !== undefined && f.untilUs !== undefined && f.untilUs <= f.sinceUs) {
    throw new RangeError(`--until (${o.until}) is not after --since (${o.since})`);
  }
  if (o.minPriority !== undefined) f.minPriority = o.minPriority;
  if (o.src !== undefined) f.srcCidr = parseCidr(o.src);
  if (o.dst !== undefined) f.dstCidr = parseCidr(o.dst);
  if (o.excludeSid && o.excludeSid.length > 0) f.excludeSigs = o.excludeSid.map(parseSigId);
  if (o.sensor && o.sensor.length > 0) f.sensors = [...o.sensor];
  return f;
}

/** A short human description of the filter for page headers ('' when none). */
export function describeFilter(f: AlertFilter, iso: (us: number) => string): string {
  const parts: string[] = [];
  if (f.sinceUs !== undefined) parts.push(`since ${iso(f.sinceUs)}`);
  if (f.untilUs !== undefined) parts.push(`until ${iso(f.untilUs)}`);
  if (f.minPriority !== undefined) parts.push(`priority ≤ ${f.minPriority}`);
  if (f.srcCidr) parts.push(`source in ${f.srcCidr}`);
  if (f.dstCidr) parts.push(`destination in ${f.dstCidr}`);
  if (f.excludeSigs?.length) parts.push(`excluding ${f.excludeSigs.map((s) => `${s.gid}:${s.sid}`).join(', ')}`);
  if (f.sensors?.length) parts.push(`sensors ${f.sensors.join(', ')}`);
  return parts.join('; ');
}
