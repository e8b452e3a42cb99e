/**
 * Small formatting helpers shared by the page builders. Output is plain text: templates
 * escape it. `esc` is only for the few HTML fragments Snarf assembles in code (the SVG chart).
 */
import { protocolName } from '../model/alert.js';

/** `2026-11-20 10:00:00.088806` (UTC) from µs since the epoch; '' for null. */
let lastSecond = NaN;
let lastPrefix = '';

export function fmtTime(us: number | null | undefined): string {
  if (us === null || us === undefined) return '';
  // Host pages format millions of sorted times: the seconds part repeats, so cache it.
  const second = Math.floor(us / 1_000_000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastPrefix = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  return `${lastPrefix}.${String(us - second * 1_000_000).padStart(6, '0')}`;
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

/** HTML escaping for fragments built in code (same rules as ejs's `<%= %>`). */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESC[c]!);
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
