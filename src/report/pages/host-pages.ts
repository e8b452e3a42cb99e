/**
 * src/<ip>.html and dst/<ip>.html, plus src/<ip>/<k>.html for alerts beyond the first page.
 *
 * One pass per side: the side's alerts are streamed in (address, ts, id) order from the
 * (src, ts) / (dst, ts) index, and merged with the hosts of the TEMP host table read a thousand
 * at a time in the same address order (keyset). For each host the stream writes pages 2..n as
 * they fill and counts peers; page 1 (summary, signatures, peers, first alerts) is written when
 * the host's last alert has gone by, from what was kept (at most one page of alerts). A host
 * with a million alerts costs its share of one index scan and 2,000 bounded pages: O(n) time,
 * O(page) memory. Hosts whose key is unchanged since the last run are skipped unrendered.
 */
import crypto from 'node:crypto';
import { ipFromKey } from '../../model/ip.js';
import type { ExtraRow, HostSig, PacketRow, ReportAlert, ReportHost, Side } from '../../store/sqlite/report-queries.js';
import { extraText, hexDump, payloadOffset } from '../hex-dump.js';
import { fmtClock, fmtDay, fmtTime, proto } from '../format.js';
import { hostPagePath, rootPrefix } from '../filenames.js';
import type { PageContext } from './context.js';

const HOST_BATCH = 1000;
/** Distinct peers counted in memory per host; beyond this the store groups them instead. */
const MAX_PEERS_IN_MEMORY = 65_536;

interface AlertView {
  day: string | null; time: string; sig: string; port: string; peer: string; peerHref: string | null; peerPort: string;
  proto: string; sensor: string;
  more: { msg: string | null; extra: Array<{ name: string; value: string }>; packets: Array<{ label: string; dump: string }> } | null;
}

interface HostState {
  h: ReportHost;
  ip: string;
  sigs: HostSig[];
  key: string;
  skip: boolean;
  pages: number;
  page: number;
  rows: ReportAlert[];
  firstPage: AlertView[];
  files: string[];
  peers: Map<string, number> | null;
}

/** Hosts of one side in address order, with their signature rows, fetched by keyset batches. */
function* hostsInOrder(ctx: PageContext, side: Side): Generator<{ h: ReportHost; sigs: HostSig[] }> {
  let after: Buffer | null = null;
  for (;;) {
    const batch = ctx.q.hostBatch(side, after, HOST_BATCH);
    if (batch.length === 0) return;
    const sigRows = ctx.q.hostSigsRange(side, after, batch[batch.length - 1]!.ip);
    let k = 0;
    for (const h of batch) {
      const sigs: HostSig[] = [];
      while (k < sigRows.length && sigRows[k]!.ip.equals(h.ip)) sigs.push(sigRows[k++]!);
      yield { h, sigs };
    }
    after = batch[batch.length - 1]!.ip;
  }
}

export async function writeHostPages(ctx: PageContext, side: Side): Promise<number> {
  const captures = ctx.q.hasCaptures();
  const hosts = hostsInOrder(ctx, side);
  let count = 0;
  let cur: HostState | null = null;
  const nextHost = (): HostState | null => {
    const n = hosts.next();
    if (n.done) return null;
    count++;
    return startHost(ctx, side, n.value.h, n.value.sigs);
  };
  let pending = nextHost();
  for (const raw of ctx.q.sideAlerts(side)) {
    const a = toAlert(raw);
    const ip = (side === 'src' ? a.src : a.dst)!;
    if (cur === null || !cur.h.ip.equals(ip)) {
      if (cur !== null) await finishHost(ctx, side, cur, captures);
      cur = null;
      // Hosts with no alert in the stream (only if rollups and rows disagree) still get pages.
      while (pending !== null && Buffer.compare(pending.h.ip, ip) < 0) {
        await finishHost(ctx, side, pending, captures);
        pending = nextHost();
      }
      if (pending !== null && pending.h.ip.equals(ip)) {
        cur = pending;
        pending = nextHost();
      }
    }
    // Rows of an address the report's host table does not list (written after prepare()).
    if (cur === null || cur.skip) continue;
    if (cur.page > cur.pages) continue;
    cur.rows.push(a);
    if (cur.rows.length === ctx.limits.pageSize) await flushPage(ctx, side, cur, captures);
  }
  if (cur !== null) await finishHost(ctx, side, cur, captures);
  while (pending !== null) {
    await finishHost(ctx, side, pending, captures);
    pending = nextHost();
  }
  return count;
}

const toAlert = (r: unknown[]): ReportAlert => ({
  id: r[0] as number, ts: r[1] as number, sigId: r[2] as number, rev: r[3] as number, msg: r[4] as string | null,
  proto: r[5] as number | null, src: r[6] as Buffer | null, sport: r[7] as number | null, dst: r[8] as Buffer | null,
  dport: r[9] as number | null, sensorId: r[10] as number,
});

function startHost(ctx: PageContext, side: Side, h: ReportHost, sigs: HostSig[]): HostState {
  // Alerts are only ever added, so (count, first, last) changes whenever the host's alerts do;
  // the signatures' printed metadata (rev, message) is part of the key too.
  const sigKey = crypto.createHash('sha1');
  for (const s of sigs) {
    const m = ctx.sigs.get(s.sigId);
    sigKey.update(`${s.sigId}:${s.count}:${m?.rev}:${m?.message}\n`);
  }
  const ip = ipFromKey(h.ip);
  const key = `${h.count}|${h.firstUs}|${h.lastUs}|${h.other ? 1 : 0}|${sigKey.digest('base64url').slice(0, 16)}`;
  const skip = ctx.writer.keep(`${side}/${ip}`, key);
  return {
    h, ip, sigs, key, skip, pages: Math.max(1, Math.ceil(h.count / ctx.limits.pageSize)), page: 1,
    rows: [], firstPage: [], files: [], peers: new Map(),
  };
}

function pagerHtml(side: Side, ip: string, page: number, pages: number, root: string): string {
  if (pages <= 1) return '';
  const link = (k: number, text: string): string =>
    k === page ? `<span>${text}</span>` : `<a href="${root}${hostPagePath(side, ip, k)}#alerts">${text}</a>`;
  const parts: string[] = [];
  if (page > 1) parts.push(link(page - 1, '« previous'));
  const shown = new Set([1, pages]);
  for (let k = Math.max(1, page - 3); k <= Math.min(pages, page + 3); k++) shown.add(k);
  let last = 0;
  for (const k of [...shown].sort((a, b) => a - b)) {
    if (k > last + 1) parts.push('<span>…</span>');
    parts.push(link(k, String(k)));
    last = k;
  }
  if (page < pages) parts.push(link(page + 1, 'next »'));
  return `<p class="pager">${parts.join(' ')}</p>`;
}

function hostHeader(ctx: PageContext, side: Side, st: HostState): Record<string, unknown> {
  const other: Side = side === 'src' ? 'dst' : 'src';
  const h = st.h;
  return {
    ip: st.ip, side, sideName: side === 'src' ? 'source' : 'destination', otherName: side === 'src' ? 'destination' : 'source',
    peerSideName: side === 'src' ? 'destinations' : 'sources',
    otherHref: h.other ? hostPagePath(other, st.ip) : null, extraLinks: ctx.hostLinks?.(st.ip) ?? [],
    count: h.count, sigCount: h.sigs, first: fmtTime(h.firstUs), last: fmtTime(h.lastUs),
  };
}

/** Renders the rows collected so far as the host's current page (page 1 is kept for later). */
async function flushPage(ctx: PageContext, side: Side, st: HostState, captures: { packets: boolean; extra: boolean }): Promise<void> {
  const views = alertViews(ctx, side, st.rows, captures, st.peers);
  st.rows = [];
  if (st.peers !== null && st.peers.size > MAX_PEERS_IN_MEMORY) st.peers = null;
  const page = st.page++;
  if (page === 1) {
    st.firstPage = views;
    return;
  }
  const rel = hostPagePath(side, st.ip, page);
  const root = rootPrefix(rel);
  st.files.push(rel);
  await ctx.writer.write(rel, ctx.views.render('host', {
    filterText: ctx.filterText, host: hostHeader(ctx, side, st), page, pages: st.pages, root, alerts: views,
    pager: pagerHtml(side, st.ip, page, st.pages, root), sigs: [], peers: { rows: [], total: 0, more: 0 },
  }));
}

async function finishHost(ctx: PageContext, side: Side, st: HostState, captures: { packets: boolean; extra: boolean }): Promise<void> {
  if (st.skip) return;
  if (st.rows.length > 0 || st.page === 1) await flushPage(ctx, side, st, captures);
  const other: Side = side === 'src' ? 'dst' : 'src';
  const rel = hostPagePath(side, st.ip, 1);
  const root = rootPrefix(rel);
  let peerRows: Array<{ ip: string; count: number }>;
  let peerTotal: number;
  if (st.peers !== null) {
    peerTotal = st.peers.size;
    peerRows = [...st.peers].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, ctx.limits.peers).map(([p, count]) => ({ ip: p, count }));
  } else {
    const r = ctx.q.hostPeers(side, st.h.ip, ctx.limits.peers);
    peerTotal = r.total;
    peerRows = r.rows.map((x) => ({ ip: ipFromKey(x.ip), count: x.count }));
  }
  const sigs = st.sigs.map((s) => {
    const m = ctx.sigs.get(s.sigId)!;
    return { href: m.href, message: m.message, id: m.label, count: s.count, first: fmtTime(s.firstUs), last: fmtTime(s.lastUs) };
  });
  await ctx.writer.write(rel, ctx.views.render('host', {
    filterText: ctx.filterText, host: hostHeader(ctx, side, st), page: 1, pages: st.pages, root, alerts: st.firstPage,
    pager: pagerHtml(side, st.ip, 1, st.pages, root), sigs,
    peers: { rows: peerRows.map((p) => ({ ...p, href: hostPagePath(other, p.ip) })), total: peerTotal, more: peerTotal - peerRows.length },
  }));
  ctx.writer.recordHost(`${side}/${st.ip}`, st.key, [rel, ...st.files]);
}

function alertViews(
  ctx: PageContext, side: Side, rows: ReportAlert[], captures: { packets: boolean; extra: boolean }, peers: Map<string, number> | null,
): AlertView[] {
  const ids = rows.map((r) => r.id);
  const packets = captures.packets ? group(ctx.q.packets(ids)) : null;
  const extra = captures.extra ? group(ctx.q.extra(ids)) : null;
  const out: AlertView[] = [];
  let day = '';
  for (const a of rows) {
    const m = ctx.sigs.get(a.sigId);
    const d = fmtDay(a.ts);
    const peerKey = side === 'src' ? a.dst : a.src;
    const peer = peerKey ? ipFromKey(peerKey) : '';
    if (peers !== null && peer) peers.set(peer, (peers.get(peer) ?? 0) + 1);
    const ownPort = side === 'src' ? a.sport : a.dport;
    const peerPort = side === 'src' ? a.dport : a.sport;
    const p = packets?.get(a.id) ?? [];
    const x = extra?.get(a.id) ?? [];
    out.push({
      day: d !== day ? d : null,
      time: fmtClock(a.ts),
      sig: m ? `${m.gid}:${m.sid}:${a.rev}` : String(a.sigId),
      port: ownPort === null ? '' : String(ownPort),
      peer, peerHref: peer ? hostPagePath(side === 'src' ? 'dst' : 'src', peer) : null,
      peerPort: peerPort === null ? '' : String(peerPort),
      proto: proto(a.proto),
      sensor: ctx.sensorNames.get(a.sensorId) ?? '',
      more: a.msg !== null || p.length > 0 || x.length > 0
        ? { msg: a.msg, extra: x.map((e) => ({ name: e.name, value: extraText(e.value) })), packets: packetViews(p, ctx.limits.payloadBytes) }
        : null,
    });
    day = d;
  }
  return out;
}

function group<T extends PacketRow | ExtraRow>(rows: T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const r of rows) {
    const l = m.get(r.alertId);
    if (l) l.push(r);
    else m.set(r.alertId, [r]);
  }
  return m;
}

/** Payload dumps of an alert's packets, within one byte budget for the alert. */
function packetViews(packets: PacketRow[], budget: number): Array<{ label: string; dump: string }> {
  const out: Array<{ label: string; dump: string }> = [];
  let left = budget;
  for (const p of packets) {
    const off = payloadOffset(p.linktype, p.data);
    const payload = p.data.subarray(off);
    const what = off > 0 ? `payload, ${payload.length} bytes` : `packet, ${p.data.length} bytes (headers not decoded)`;
    out.push({
      label: `packet ${p.seq + 1}: ${what}${packets.length > 1 ? ` of ${packets.length} packets` : ''}`,
      dump: left > 0 ? (payload.length ? hexDump(payload, left) : '(no payload)') : '(not shown: page budget for this alert used)',
    });
    left -= Math.min(left, payload.length);
  }
  return out;
}
