/**
 * Small formatting helpers shared by the page builders. Output is plain text: templates
 * escape it; markup built in code (alert rows, host tables, the SVG chart) goes through `esc`.
 */
import { protocolName } from '../model/alert.js';

/** Date text (`2026-11-20`) by UTC day number: few distinct days per site, so kept. */
const dayText = new Map<number, string>();

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * `2026-11-20 10:00:00.088806` (UTC) from µs since the epoch; '' for null. Host pages format
 * millions of times: the date comes from a per-day cache, the rest is arithmetic.
 */
export function fmtTime(us: number | null | undefined): string {
  if (us === null || us === undefined) return '';
  const second = Math.floor(us / 1_000_000);
  const day = Math.floor(second / 86_400);
  let date = dayText.get(day);
  if (date === undefined) {
    if (dayText.size >= 100_000) dayText.clear();
    date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    dayText.set(day, date);
  }
  const s = second - day * 86_400;
  const frac = String(us - second * 1_000_000);
  return `${date} ${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}.${'000000'.slice(frac.length)}${frac}`;
}

/** Time of day only (`10:00:00.088806`), for alert rows grouped under a date heading. */
export function fmtClock(us: number): string {
  return fmtTime(us).slice(11);
}

export function fmtDay(us: number): string {
  return fmtTime(us).slice(0, 10);
}

/** `12,345` with thin grouping for readability. */
export function fmtNum(n: number): string {
  return n.toLocaleString('en-US');
}

export function proto(n: number | null): string {
  return protocolName(n);
}

/** `addr:port`, `[v6]:port`, or the address alone when there is no port. */
export function endpoint(ip: string, port: number | null): string {
  if (port === null) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const HTML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const NEEDS_ESC = /[&<>"']/;
const ESC_ALL = /[&<>"']/g;

/**
 * HTML escaping for markup built in code (same rules as ejs's `<%= %>`: `& < > " '`), safe in
 * element text and in quoted attribute values. Most strings need nothing: one test, no copy.
 */
export function esc(s: string): string {
  return NEEDS_ESC.test(s) ? s.replace(ESC_ALL, (c) => HTML_ESC[c]!) : s;
}

/** Only http(s) reference URLs become links; anything else (javascript:, data:) stays text. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  const t = url.trim();
  if (!/^https?:\/\/[^\s"'<>]+$/i.test(t)) return null;
  try {
    const u = new URL(t);
    return u.protocol === 'http:' || u.protocol === 'https:' ? t : null;
  } catch {
    return null;
  }
}
