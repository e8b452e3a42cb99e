/**
 * The report's hot markup, built in code: alert lines (millions per site), their payload and
 * extra-data blocks, and the signature, peer and host-list tables. Templates (views/*.ejs) keep
 * the page shells. Everything that is not Snarf's own number or file name goes through `esc`
 * (addresses are canonical text from the store's keys, file names come from filenames.ts).
 *
 * Compact on purpose: every alert is printed twice (on its source's and its destination's
 * page), and the site is to be no larger than the alert_full text it was imported from. So
 * alerts are lines of text, not table rows (see alertLines); optional end tags are left out
 * (`<dd>`, `<td>`, `<tr>`); attribute values that are Snarf's own tokens are unquoted (unquoted
 * `href`s are only Snarf's file names: digits, hex, `.`, `-`, `/`, `#`, never a space, quote,
 * `=`, `<`, `>`); no per-cell classes (site.css aligns the count columns by position); links
 * are written from the page's `<base href>` (page-links.ts), so a peer link is the peer's path
 * within the other side's directory.
 */
import type { ExtraRow, PacketRow, Side } from '../store/reads/report-reads.js';
import { extraText, hexDump, payloadOffset } from './hex-dump.js';
import { esc, fmtClock, fmtDay, fmtTime, proto } from './format.js';
import type { SigMeta } from './pages/context.js';

/** Columns of the raw alert rows from ReportReads.sideAlerts (a store may append more). */
export const enum Col { Id = 0, Ts = 1, Sig = 2, Rev = 3, Msg = 4, Proto = 5, Src = 6, Sport = 7, Dst = 8, Dport = 9, Sensor = 10 }
export type RawAlert = unknown[];

export interface Captures {
  packets: Map<number, PacketRow[]> | null;
  extra: Map<number, ExtraRow[]> | null;
}

/**
 * Where an alert line's date goes: `heading` (host pages: a `<dt>` per day), `row` (network
 * pages: on a host's first line and wherever the day changes; such a line is a `dd.d` of its
 * own, and site.css indents the other lines by the date's width so that the times line up),
 * `none` (a page whose alerts all fall on one day, named once above the list).
 */
export type DateStyle = 'heading' | 'row' | 'none';

export interface LineStyle {
  side: Side;
  dates: DateStyle;
  /** Escaped sensor names by id, or null when the site has one sensor (lines then name none). */
  sensors: Map<number, string> | null;
  sigs: Map<number, SigMeta>;
  /** Width the gid:sid:rev field is padded to (the longest on the page: the fields after it line up). */
  sigWidth: number;
  payloadBytes: number;
  /** A peer (a host on the other side) from the hex of its key: its text and its link as written on the page. */
  peer(hex: string): { ip: string; href: string };
}

/**
 * What an alert line holds, in order, said above each list (a screen reader reads the lines as
 * text: the order is spelled out rather than left to column headings).
 */
export function alertLegend(side: Side, sensors: boolean, day: string | null = null): string {
  const peer = side === 'src' ? 'src port, destination:port' : 'dst port, source:port';
  return `Per alert: time${day === null ? '' : ` on ${day}`}, gid:sid:rev, protocol, ${peer}${sensors ? ', sensor' : ''}.`;
}

/** The day (`2026-11-20`) when both times fall on it, else null. */
export function oneDay(firstUs: number | null, lastUs: number | null): string | null {
  if (firstUs === null || lastUs === null) return null;
  const d = fmtDay(firstUs);
  return d === fmtDay(lastUs) ? d : null;
}

/** The longest gid:sid:rev label among these signatures (alert lines pad to it). */
export function sigWidth(sigs: Map<number, SigMeta>, ids: Iterable<number>): number {
  let w = 0;
  for (const id of ids) w = Math.max(w, sigs.get(id)?.label.length ?? String(id).length);
  return w;
}

const SPACES = '                                        ';
const padEnd = (s: string, n: number): string => (s.length >= n ? s : s + SPACES.slice(0, n - s.length));
const padStart = (s: string, n: number): string => (s.length >= n ? s : SPACES.slice(0, n - s.length) + s);

/**
 * Appends the lines of `alerts` (in time order) to `out` and counts the peers into `peers` when
 * given. Returns the number of alerts.
 *
 * A line is plain monospaced text with one link, fixed-width fields first so that they line
 * up without a table (a table row costs `<tr>` and a `<td>` per field, about 20% of a line):
 * `10:00:00.088806 1:1000001:2 TCP  40000 198.51.100.1:6881`, that is time, gid:sid:rev
 * (padded), protocol (padded to 4), this host's port (right-aligned in 5), the peer (linked)
 * with its port (`[v6]:port` for IPv6), then the sensor when the site has several. Lines
 * follow each other in one `<dd>` (site.css keeps their line breaks); a new `<dd>` starts after
 * a day heading (`<dt>`), at a line that shows its date (`dd.d`), and after a payload block.
 */
export function alertLines(style: LineStyle, alerts: RawAlert[], caps: Captures, out: string[], peers: Map<string, number> | null): number {
  const src = style.side === 'src';
  const peerCol = src ? Col.Dst : Col.Src;
  const ownPortCol = src ? Col.Sport : Col.Dport;
  const peerPortCol = src ? Col.Dport : Col.Sport;
  let day = '';
  // A <dd> of plain lines is open: the next plain line just follows.
  let inBlock = false;
  for (const a of alerts) {
    const ts = a[Col.Ts] as number;
    let time: string;
    let dated = false;
    if (style.dates === 'heading') {
      const d = fmtDay(ts);
      if (d !== day) {
        out.push(`<dt>${d}\n`);
        day = d;
        inBlock = false;
      }
      time = fmtClock(ts);
    } else if (style.dates === 'row') {
      const d = fmtDay(ts);
      dated = d !== day;
      time = dated ? fmtTime(ts) : fmtClock(ts);
      day = d;
    } else {
      time = fmtClock(ts);
    }
    let open = '';
    if (dated) {
      // A line with its date is a block of its own: the lines after it are indented.
      open = '<dd class=d>';
      inBlock = false;
    } else if (!inBlock) {
      open = '<dd>';
      inBlock = true;
    }
    const sigId = a[Col.Sig] as number;
    const m = style.sigs.get(sigId);
    const sig = m ? `${m.idPrefix}${a[Col.Rev] as number}` : String(sigId);
    const own = a[ownPortCol] as number | null;
    const other = a[peerPortCol] as number | null;
    const peerHex = a[peerCol] as string | null;
    let peer = other === null ? '' : `:${other}`;
    if (peerHex !== null) {
      const x = style.peer(peerHex);
      if (peers !== null) peers.set(x.ip, (peers.get(x.ip) ?? 0) + 1);
      const link = `<a href=${x.href}>${x.ip}</a>`;
      peer = other === null ? link : x.ip.includes(':') ? `[${link}]:${other}` : `${link}:${other}`;
    }
    const sensor = style.sensors === null ? '' : ` ${style.sensors.get(a[Col.Sensor] as number) ?? ''}`;
    out.push(`${open}${time} ${padEnd(sig, style.sigWidth)} ${padEnd(proto(a[Col.Proto] as number | null), 4)} ${padStart(own === null ? '' : String(own), 5)} ${peer}${sensor}\n`);
    const more = detailBlock(style, a, caps);
    if (more !== null) {
      out.push(more);
      inBlock = false;
    }
  }
  return alerts.length;
}

/** The block under an alert line with its own message, extra data and payload dumps, or null. */
function detailBlock(style: LineStyle, a: RawAlert, caps: Captures): string | null {
  const id = a[Col.Id] as number;
  const msg = a[Col.Msg] as string | null;
  const packets = caps.packets?.get(id);
  const extra = caps.extra?.get(id);
  if (msg === null && packets === undefined && extra === undefined) return null;
  let html = '<dd class=x>';
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

/**
 * First and last per signature in a signature table, or null for none; `day` when all of the
 * page's alerts fall on it (the times are then times of day).
 */
export type SigTimes = { day: string | null } | null;

/** Header of a signature table. */
export function sigTableHead(times: SigTimes): string {
  const head = '<th>signature<th>gid:sid:rev<th data-type=num>alerts';
  if (times === null) return head;
  const on = times.day === null ? '' : ` (${times.day})`;
  return `${head}<th>first${on}<th>last${on}`;
}

/** Rows of a host's (or a network page's) signature table: message link, id, count[, first, last]. */
export function sigTableRows(
  root: string, sigs: Map<number, SigMeta>, rows: Array<{ sigId: number; count: number; firstUs: number | null; lastUs: number | null }>,
  times: SigTimes,
): string {
  // To the second: the alert lines carry the microseconds.
  const when = times === null ? null : times.day === null ? (us: number | null) => fmtTime(us).slice(0, 19) : (us: number | null) => fmtTime(us).slice(11, 19);
  let html = '';
  for (const s of rows) {
    const m = sigs.get(s.sigId);
    const name = m ? `<a href=${root}${m.href}>${m.messageHtml}</a>` : String(s.sigId);
    html += `<tr><td>${name}<td>${m ? m.label : ''}<td>${s.count}${when === null ? '' : `<td>${when(s.firstUs)}<td>${when(s.lastUs)}`}\n`;
  }
  return html;
}

/** Rows of a host's peer table: address link (as written on the page) and alert count. */
export function peerTableRows(peers: Array<{ ip: string; href: string; count: number }>): string {
  let html = '';
  for (const p of peers) html += `<tr><td><a href=${p.href}>${p.ip}</a><td>${p.count}\n`;
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
 * first, last: times of day when `day`, the one day all of them fall on, is given). `href` is
 * site-relative; addresses are canonical text.
 */
export function hostListRows(
  root: string, rows: Array<{ ip: string; href: string; count: number; total: number; firstUs: number; lastUs: number }>, day: string | null,
): string {
  const [from, to] = day === null ? [0, 19] : [11, 19];
  let html = '';
  for (const h of rows) {
    html += `<tr><td><a href=${root}${h.href}>${h.ip}</a><td>${h.count}<td>${h.total}<td>${fmtTime(h.firstUs).slice(from, to)}<td>${fmtTime(h.lastUs).slice(from, to)}\n`;
  }
  return html;
}
