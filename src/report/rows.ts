/**
 * The report's hot markup, built in code: alert rows (millions per site), their payload and
 * extra-data rows, and the per-host signature and peer tables. Templates (views/*.ejs) keep the
 * page shells. Everything that is not Snarf's own number or file name goes through `esc`
 * (addresses are canonical text from the store's keys, file names come from filenames.ts).
 *
 * Compact on purpose (every alert is printed twice, on its source's and its destination's
 * page): optional end tags are left out (`<td>` and `<tr>` close themselves), short class
 * names, unquoted attribute values where they are Snarf's own tokens. Unquoted `href`s are only
 * Snarf's file names (digits, hex, `.`, `-`, `/`, `#`: never a space, quote, `=`, `<`, `>`).
 */
import type { ExtraRow, PacketRow, Side } from '../store/sqlite/report-queries.js';
import { extraText, hexDump, payloadOffset } from './hex-dump.js';
import { esc, fmtClock, fmtDay, fmtTime, proto } from './format.js';
import type { SigMeta } from './pages/context.js';

/** Columns of the raw alert rows from ReportQueries.sideAlerts. */
export const enum Col { Id = 0, Ts = 1, Sig = 2, Rev = 3, Msg = 4, Proto = 5, Src = 6, Sport = 7, Dst = 8, Dport = 9, Sensor = 10 }
export type RawAlert = unknown[];

export interface Captures {
  packets: Map<number, PacketRow[]> | null;
  extra: Map<number, ExtraRow[]> | null;
}

export interface RowStyle {
  side: Side;
  /** Prefix from the page back to the site root (`../`, `../../`). */
  root: string;
  /** Full date and time in each row (network pages) instead of day heading rows (host pages). */
  fullTime: boolean;
  /** Columns of one alert row (for colspan of day and detail rows). */
  cols: number;
  /** Escaped sensor names by id, or null when the site has one sensor (no sensor column). */
  sensors: Map<number, string> | null;
  sigs: Map<number, SigMeta>;
  payloadBytes: number;
  /** A peer (a host on the other side) from the hex of its key: its text and site-relative link. */
  peer(hex: string): { ip: string; href: string };
}

/** Header cells of the alert table for a side (after any leading column of the page's own). */
export function alertHeader(side: Side, sensors: boolean): string {
  const mid = side === 'src'
    ? '<th>src port<th>destination<th>dst port'
    : '<th>source<th>src port<th>dst port';
  return `<th>time<th>gid:sid:rev${mid}<th>proto${sensors ? '<th>sensor' : ''}`;
}

/** Columns alertHeader prints. */
export function alertCols(sensors: boolean): number {
  return sensors ? 7 : 6;
}

/**
 * Appends the rows of `alerts` (in time order) to `out`, one string per `<tr>`, and counts the
 * peers into `peers` when given. Returns the number of `<tr>` strings appended.
 */
export function alertRows(style: RowStyle, alerts: RawAlert[], caps: Captures, out: string[], peers: Map<string, number> | null): number {
  const start = out.length;
  const src = style.side === 'src';
  const peerCol = src ? Col.Dst : Col.Src;
  const ownPortCol = src ? Col.Sport : Col.Dport;
  const peerPortCol = src ? Col.Dport : Col.Sport;
  let day = '';
  for (const a of alerts) {
    const ts = a[Col.Ts] as number;
    let time: string;
    if (style.fullTime) {
      // A host's section on a network page: the date once per day, then the time of day.
      const d = fmtDay(ts);
      time = d !== day ? fmtTime(ts) : fmtClock(ts);
      day = d;
    } else {
      const d = fmtDay(ts);
      if (d !== day) {
        out.push(`<tr class=d><th colspan=${style.cols}>${d}\n`);
        day = d;
      }
      time = fmtClock(ts);
    }
    const sigId = a[Col.Sig] as number;
    const m = style.sigs.get(sigId);
    const sig = m ? `${m.idPrefix}${a[Col.Rev] as number}` : String(sigId);
    const peerHex = a[peerCol] as string | null;
    let peer = '';
    if (peerHex !== null) {
      const x = style.peer(peerHex);
      if (peers !== null) peers.set(x.ip, (peers.get(x.ip) ?? 0) + 1);
      peer = `<a href=${style.root}${x.href}>${x.ip}</a>`;
    }
    const own = a[ownPortCol] as number | null;
    const other = a[peerPortCol] as number | null;
    const ownPort = own === null ? '' : own;
    const peerPort = other === null ? '' : other;
    const ports = src ? `<td>${ownPort}<td>${peer}<td>${peerPort}` : `<td>${peer}<td>${peerPort}<td>${ownPort}`;
    const sensor = style.sensors === null ? '' : `<td>${style.sensors.get(a[Col.Sensor] as number) ?? ''}`;
    out.push(`<tr><td>${time}<td>${sig}${ports}<td>${proto(a[Col.Proto] as number | null)}${sensor}\n`);
    const more = detailRow(style, a, caps);
    if (more !== null) out.push(more);
  }
  return out.length - start;
}

/** The row under an alert with its own message, extra data and payload dumps, or null. */
function detailRow(style: RowStyle, a: RawAlert, caps: Captures): string | null {
  const id = a[Col.Id] as number;
  const msg = a[Col.Msg] as string | null;
  const packets = caps.packets?.get(id);
  const extra = caps.extra?.get(id);
  if (msg === null && packets === undefined && extra === undefined) return null;
  let html = `<tr class=x><td colspan=${style.cols}>`;
  if (msg !== null) html += `<div class="msg">message: ${esc(msg)}</div>`;
  for (const e of extra ?? []) html += `<div class="extra"><span class="k">${esc(e.name)}</span>: <span class="v">${esc(extraText(e.value))}</span></div>`;
  if (packets !== undefined) {
    let left = style.payloadBytes;
    for (const p of packets) {
      const off = payloadOffset(p.linktype, p.data);
      const payload = p.data.subarray(off);
      const what = off > 0 ? `payload, ${payload.length} bytes` : `packet, ${p.data.length} bytes (headers not decoded)`;
      const label = `packet ${p.seq + 1}: ${what}${packets.length > 1 ? ` of ${packets.length} packets` : ''}`;
      const dump = left > 0 ? (payload.length ? hexDump(payload, left) : '(no payload)') : '(not shown: page budget for this alert used)';
      left -= Math.min(left, payload.length);
      html += `<details><summary>${esc(label)}</summary><pre class="hex">${esc(dump)}</pre></details>`;
    }
  }
  return `${html}\n`;
}

/** Rows of a host's (or a network page's) signature table: message link, id, count, first, last. */
export function sigTableRows(
  root: string, sigs: Map<number, SigMeta>, rows: Array<{ sigId: number; count: number; firstUs: number | null; lastUs: number | null }>,
): string {
  let html = '';
  for (const s of rows) {
    const m = sigs.get(s.sigId);
    const name = m ? `<a href=${root}${m.href}>${m.messageHtml}</a>` : String(s.sigId);
    // To the second: the alert rows carry the microseconds.
    html += `<tr><td>${name}<td>${m ? m.label : ''}<td class=n>${s.count}<td>${fmtTime(s.firstUs).slice(0, 19)}<td>${fmtTime(s.lastUs).slice(0, 19)}\n`;
  }
  return html;
}

/** Rows of a host's peer table: address link and alert count. */
export function peerTableRows(root: string, peers: Array<{ ip: string; href: string; count: number }>): string {
  let html = '';
  for (const p of peers) html += `<tr><td><a href=${root}${p.href}>${p.ip}</a><td class=n>${p.count}\n`;
  return html;
}

/** Groups capture rows by alert id. */
export function byAlert<T extends PacketRow | ExtraRow>(rows: T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const r of rows) {
    const l = m.get(r.alertId);
    if (l) l.push(r);
    else m.set(r.alertId, [r]);
  }
  return m;
}

/**
 * Rows of a host list (signature pages: address, alerts for the signature, alerts overall,
 * first, last). `href` is site-relative; addresses are canonical text.
 */
export function hostListRows(root: string, rows: Array<{ ip: string; href: string; count: number; total: number; firstUs: number; lastUs: number }>): string {
  let html = '';
  for (const h of rows) {
    html += `<tr><td><a href=${root}${h.href}>${h.ip}</a><td class="n c-count">${h.count}<td class=n>${h.total}<td>${fmtTime(h.firstUs).slice(0, 19)}<td>${fmtTime(h.lastUs).slice(0, 19)}\n`;
  }
  return html;
}
