/**
 * Host pages of one side. A host with at least `limits.minHostPage` alerts there has its own
 * pages: src/<ip>.html (summary, signatures, peers, first alerts) and src/<ip>/<k>.html for the
 * alerts beyond the first page. Every other host is a section (anchor `#h<host part>`) of its
 * network's page, src/net/<net>.html (IPv4 /24, IPv6 /64; parts 2.. when a network holds more
 * than `limits.netPageAlerts` alerts): the address beside its alert lines. A sweep of a /16
 * is 256 network pages, not 65,536 files.
 *
 * One pass per side: the side's alerts are streamed in (address, ts, id) order from the
 * (src, ts) / (dst, ts) index and merged with the hosts of the report's host table, read a
 * thousand at a time in the same order (keyset) and planned into units (a host's own pages, or
 * one network page part). An own host writes pages 2..n as they fill and page 1 when its last
 * alert has gone by; a network part is written when its last host is done. Memory: one page of
 * alerts per unit, the planned hosts of one network part. Units whose key is unchanged since the
 * last run are skipped unread. Rows are built in code (rows.ts); the templates are the shells.
 */
import crypto from 'node:crypto';
import { ipFromKey } from '../../model/ip.js';
import type { HostSig, ReportHost, Side } from '../../store/reads/report-reads.js';
import { esc, fmtTime } from '../format.js';
import { hostPagePath, netOfKey, netPagePath, sameNet, sectionAnchor, type NetRef } from '../filenames.js';
import { cheapestLinker, type Linker } from '../page-links.js';
import { ipFromHex, NetCutter } from '../host-map.js';
import {
  alertLegend, alertLines, byAlert, Col, oneDay, peerTableRows, sigTableHead, sigTableRows, sigWidth,
  type Captures, type DateStyle, type RawAlert, type LineStyle,
} from '../rows.js';
import { sigOrder, type PageContext } from './context.js';
import { HostSource, MORE } from './host-source.js';
import type { HostAnnotation } from '../analysis/host-annotations.js';

/** Peer addresses and links computed per side and reused (a peer appears in many rows). */
const PEER_CACHE = 200_000;

interface HostState {
  h: ReportHost;
  /** Upper-case hex of the key, as the alert stream carries it. */
  hex: string;
  ip: string;
  sigs: HostSig[];
  /** Alerts only ever get added: (count, first, last) changes whenever the host's alerts do. */
  key: string;
  /** Link to the same address on the other side, or null. */
  otherHref: string | null;
  rows: RawAlert[];
}

interface OwnUnit {
  kind: 'own';
  id: string;
  st: HostState;
  skip: boolean;
  pages: number;
  page: number;
  firstPage: string[];
  /** How page 1 writes its links (chosen with its alerts, used again when it is written). */
  firstLinks: Linker | null;
  files: string[];
  peers: Map<string, number> | null;
}

interface NetUnit {
  kind: 'net';
  id: string;
  net: NetRef;
  firstKey: Buffer;
  part: number;
  hosts: HostState[];
  done: number;
  skip: boolean;
  key: string;
}

type Unit = OwnUnit | NetUnit;
interface Slot { st: HostState; unit: Unit }

interface SidePass {
  ctx: PageContext;
  side: Side;
  other: Side;
  captures: { packets: boolean; extra: boolean };
  /** Peers by the hex of their key: text and site-relative link. */
  peers: Map<string, { ip: string; href: string }>;
}

/** Site-relative link of a peer from the hex of its key (cached: a peer appears in many rows). */
function peerOf(p: SidePass, hex: string): { ip: string; href: string } {
  let peer = p.peers.get(hex);
  if (peer === undefined) {
    if (p.peers.size >= PEER_CACHE) p.peers.clear();
    const ip = ipFromHex(hex);
    peer = { ip, href: p.ctx.hosts.href(p.other, ip, Buffer.from(hex, 'hex')) };
    p.peers.set(hex, peer);
  }
  return peer;
}

/**
 * How the page at `rel` writes its links (see page-links.ts), from its alerts' peers and the
 * number of its other links (`others`: signature rows, navigation, style sheet, pager...).
 */
function pageLinker(p: SidePass, rel: string, alerts: RawAlert[], others: number): Linker {
  const col = p.side === 'src' ? Col.Dst : Col.Src;
  const net = `${p.other}/net/`;
  let intoNet = 0;
  for (const a of alerts) {
    const hex = a[col] as string | null;
    if (hex !== null && peerOf(p, hex).href.startsWith(net)) intoNet++;
  }
  return cheapestLinker(rel, p.other, intoNet, alerts.length - intoNet + others);
}

/** Links of a page's shell: navigation, style sheet, script, pager, the other side (about). */
const PAGE_LINKS = 12;

function hostState(p: SidePass, h: ReportHost, sigs: HostSig[]): HostState {
  const sigKey = crypto.createHash('sha1');
  for (const s of sigs) {
    const m = p.ctx.sigs.get(s.sigId);
    sigKey.update(`${s.sigId}:${s.count}:${m?.rev}:${m?.message}\n`);
  }
  const ip = ipFromKey(h.ip);
  const otherHref = h.other ? p.ctx.hosts.href(p.other, ip, h.ip) : null;
  const key = `${h.count}|${h.firstUs}|${h.lastUs}|${otherHref ?? '-'}|${sigKey.digest('base64url').slice(0, 16)}|${p.ctx.hostKey?.(ip) ?? ''}`;
  return { h, hex: h.ip.toString('hex').toUpperCase(), ip, sigs, key, otherHref, rows: [] };
}

/**
 * Hosts in address order, each with its unit. A network part's hosts are all planned (and its
 * key known) before its first host is handed out; own hosts of the same network in between wait
 * in the queue so that the order stays the alert stream's. Synchronous and lazy (a host is
 * planned when the one before it has been handed out, so few are alive at once); it yields MORE
 * when the source needs its next batch, which the caller fetches before resuming it.
 */
function* plan(p: SidePass, source: HostSource): Generator<Slot | typeof MORE> {
  const { ctx, side } = p;
  const cut = new NetCutter(ctx.limits.netPageAlerts);
  // Hosts whose alerts may have gained captures: rendered again whatever their keys say.
  const stale = ctx.stale?.[side];
  const isStale = (st: HostState): boolean => stale !== undefined && stale.size > 0 && stale.has(st.hex);
  let queue: Slot[] = [];
  let open: NetUnit | null = null;
  const close = (u: NetUnit): void => {
    const k = crypto.createHash('sha1');
    for (const st of u.hosts) k.update(`${st.ip}|${st.key}\n`);
    u.key = `${ctx.hosts.netPartsOf(side, u.net.id)}|${k.digest('base64url').slice(0, 22)}`;
    u.skip = !u.hosts.some(isStale) && ctx.writer.keep(u.id, u.key, u.hosts.length);
  };
  for (;;) {
    const next = source.take();
    if (next === MORE) {
      yield MORE;
      continue;
    }
    if (next === null) break;
    const { h, sigs } = next;
    const st = hostState(p, h, sigs);
    if (ctx.hosts.ownPages(h.count)) {
      const id = `${side}/${st.ip}`;
      const unit: OwnUnit = {
        kind: 'own', id, st, skip: !isStale(st) && ctx.writer.keep(id, st.key), pages: Math.max(1, Math.ceil(h.count / ctx.limits.pageSize)), page: 1,
        firstPage: [], firstLinks: null, files: [], peers: new Map(),
      };
      if (open === null) yield { st, unit };
      else queue.push({ st, unit });
      continue;
    }
    const part = cut.place(h.ip, h.count);
    if (open !== null && (!sameNet(open.firstKey, h.ip) || open.part !== part)) {
      close(open);
      yield* queue;
      queue = [];
      open = null;
    }
    if (open === null) {
      const net = netOfKey(h.ip);
      open = { kind: 'net', id: netPagePath(side, net.base, part), net, firstKey: h.ip, part, hosts: [], done: 0, skip: false, key: '' };
    }
    open.hosts.push(st);
    queue.push({ st, unit: open });
  }
  if (open !== null) {
    close(open);
    yield* queue;
  }
}

export async function writeHostPages(ctx: PageContext, side: Side): Promise<number> {
  const p: SidePass = { ctx, side, other: side === 'src' ? 'dst' : 'src', captures: await ctx.q.hasCaptures(), peers: new Map() };
  // Hosts and alerts both come in batches: an await per batch, none per host or alert (next()
  // returns a promise only when the planner needs the next batch of hosts).
  const source = new HostSource(ctx, side);
  const slots = plan(p, source);
  const next = (): Slot | null | Promise<Slot | null> => {
    const n = slots.next();
    if (n.done) return null;
    return n.value === MORE ? source.fetch().then(next) : n.value;
  };
  let count = 0;
  const done = async (s: Slot): Promise<void> => {
    count++;
    if (s.unit.kind === 'own') await finishOwn(p, s.unit);
    else if (++s.unit.done === s.unit.hosts.length) await finishNet(p, s.unit);
  };
  const col = side === 'src' ? Col.Src : Col.Dst;
  const first = next();
  let pending: Slot | null = first instanceof Promise ? await first : first;
  while (pending !== null) {
    // Units the previous run's files still cover are passed over without reading their alerts:
    // the scan (re)starts at the next unit to render, so an unchanged site reads no alert.
    while (pending !== null && pending.unit.skip) {
      await done(pending);
      const n = next();
      pending = n instanceof Promise ? await n : n;
    }
    if (pending === null) break;
    let cur: Slot | null = null;
    let restart = false;
    scan: for await (const batch of ctx.q.sideAlerts(side, pending.st.h.ip)) {
      for (const a of batch) {
        const ip = a[col] as string;
        if (cur === null || cur.st.hex !== ip) {
          if (cur !== null) await done(cur);
          cur = null;
          // Hosts with no alert in the stream (only if rollups and rows disagree) still get pages.
          while (pending !== null && pending.st.hex <= ip) {
            if (pending.unit.skip) {
              restart = true;
              break scan;
            }
            if (pending.st.hex === ip) {
              cur = pending;
              const n = next();
              pending = n instanceof Promise ? await n : n;
              break;
            }
            await done(pending);
            const n = next();
            pending = n instanceof Promise ? await n : n;
          }
        }
        // Rows of an address the report's host table does not list.
        if (cur === null) continue;
        const u = cur.unit;
        if (u.kind === 'own') {
          if (u.page > u.pages) continue;
          cur.st.rows.push(a);
          if (cur.st.rows.length === ctx.limits.pageSize) await flushOwnPage(p, u);
        } else if (cur.st.rows.length < cur.st.h.count) {
          cur.st.rows.push(a);
        }
      }
    }
    if (cur !== null) await done(cur);
    if (restart) continue;
    // The stream ended: the remaining hosts have no alerts in it.
    while (pending !== null) {
      await done(pending);
      const n = next();
      pending = n instanceof Promise ? await n : n;
    }
  }
  return count;
}

function lineStyle(p: SidePass, links: Linker, dates: DateStyle, sigIds: Iterable<number>): LineStyle {
  const { ctx } = p;
  const sensors = ctx.soleSensor === null ? ctx.sensorHtml : null;
  return {
    side: p.side, dates, sensors, sigs: ctx.sigs, sigWidth: sigWidth(ctx.sigs, sigIds), payloadBytes: ctx.limits.payloadBytes,
    peer: (hex) => {
      const x = peerOf(p, hex);
      return { ip: x.ip, href: links.local(x.href) };
    },
  };
}

async function captures(p: SidePass, alerts: RawAlert[]): Promise<Captures> {
  if (!p.captures.packets && !p.captures.extra) return { packets: null, extra: null };
  return {
    packets: p.captures.packets ? byAlert(await p.ctx.q.packets(alerts)) : null,
    extra: p.captures.extra ? byAlert(await p.ctx.q.extra(alerts)) : null,
  };
}

function pagerHtml(page: number, pages: number, link: (k: number) => string): string {
  if (pages <= 1) return '';
  const a = (k: number, text: string): string => (k === page ? `<span>${text}</span>` : `<a href="${link(k)}">${text}</a>`);
  const parts: string[] = [];
  if (page > 1) parts.push(a(page - 1, '« previous'));
  const shown = new Set([1, pages]);
  for (let k = Math.max(1, page - 3); k <= Math.min(pages, page + 3); k++) shown.add(k);
  let last = 0;
  for (const k of [...shown].sort((x, y) => x - y)) {
    if (k > last + 1) parts.push('<span>…</span>');
    parts.push(a(k, String(k)));
    last = k;
  }
  if (page < pages) parts.push(a(page + 1, 'next »'));
  return `<p class="pager">${parts.join(' ')}</p>`;
}

function sideNames(side: Side): { sideName: string; otherName: string; peerSideName: string } {
  return side === 'src'
    ? { sideName: 'source', otherName: 'destination', peerSideName: 'destinations' }
    : { sideName: 'destination', otherName: 'source', peerSideName: 'sources' };
}

function hostHeader(p: SidePass, st: HostState): Record<string, unknown> {
  const h = st.h;
  return {
    ip: st.ip, side: p.side, ...sideNames(p.side),
    otherHref: st.otherHref, extraLinks: p.ctx.hostLinks?.(st.ip) ?? [],
    annotation: annotationView(p.ctx.hostAnnotation?.(st.ip) ?? null),
    count: h.count, sigCount: h.sigs, first: fmtTime(h.firstUs), last: fmtTime(h.lastUs),
  };
}

/** Renders the rows collected so far as the host's current page (page 1 is kept for later). */
async function flushOwnPage(p: SidePass, u: OwnUnit): Promise<void> {
  const { ctx, side } = p;
  const st = u.st;
  const page = u.page++;
  const rel = hostPagePath(side, st.ip, page);
  const links = pageLinker(p, rel, st.rows, PAGE_LINKS + (page === 1 ? st.sigs.length : 0));
  const rows: string[] = [];
  alertLines(lineStyle(p, links, 'heading', st.sigs.map((x) => x.sigId)), st.rows, await captures(p, st.rows), rows, u.peers);
  st.rows = [];
  if (u.peers !== null && u.peers.size > ctx.limits.peersInMemory) u.peers = null;
  if (page === 1) {
    u.firstPage = rows;
    u.firstLinks = links;
    return;
  }
  u.files.push(rel);
  await ctx.writer.write(rel, ctx.views.render('host', {
    filterText: ctx.filterText, host: hostHeader(p, st), page, pages: u.pages, root: links.root, base: links.base, sensor: ctx.soleSensor,
    legend: alertLegend(side, ctx.soleSensor === null), rows: rows.join(''),
    pager: pagerHtml(page, u.pages, (k) => `${links.local(hostPagePath(side, st.ip, k))}#alerts`), sigHead: '', sigRows: '', peers: null,
  }));
}

async function finishOwn(p: SidePass, u: OwnUnit): Promise<void> {
  if (u.skip) return;
  const { ctx, side } = p;
  const st = u.st;
  if (st.rows.length > 0 || u.page === 1) await flushOwnPage(p, u);
  const rel = hostPagePath(side, st.ip, 1);
  let peerRows: Array<{ ip: string; count: number }>;
  let peerTotal: number;
  // Peers with a single alert are left to the alert list: the table is the summary (a scanner's
  // thousands of one-alert peers would otherwise repeat the alerts).
  let singles = 0;
  if (u.peers !== null) {
    peerTotal = u.peers.size;
    const multi: Array<[string, number]> = [];
    for (const e of u.peers) {
      if (e[1] > 1) multi.push(e);
      else singles++;
    }
    peerRows = multi.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, ctx.limits.peers).map(([ip, count]) => ({ ip, count }));
  } else {
    const r = await ctx.q.hostPeers(side, st.h.ip, ctx.limits.peers);
    peerTotal = r.total;
    peerRows = r.rows.filter((x) => x.count > 1).map((x) => ({ ip: ipFromKey(x.ip), count: x.count }));
    singles = -1;
  }
  const links = u.firstLinks!;
  const peers = peerRows.map((x) => ({ ...x, href: links.local(ctx.hosts.href(p.other, x.ip)) }));
  // First and last per signature only when the alerts run over several pages: on one page they
  // are all right below, in time order.
  const times = u.pages > 1 ? { day: oneDay(st.h.firstUs, st.h.lastUs) } : null;
  await ctx.writer.write(rel, ctx.views.render('host', {
    filterText: ctx.filterText, host: hostHeader(p, st), page: 1, pages: u.pages, root: links.root, base: links.base, sensor: ctx.soleSensor,
    legend: alertLegend(side, ctx.soleSensor === null), rows: u.firstPage.join(''),
    pager: pagerHtml(1, u.pages, (k) => `${links.local(hostPagePath(side, st.ip, k))}#alerts`),
    sigHead: sigTableHead(times), sigRows: sigTableRows(links.root, ctx.sigs, st.sigs, times),
    peers: { rows: peerTableRows(peers), shown: peers.length, total: peerTotal, singles, more: peerTotal - peers.length },
  }));
  u.firstPage = [];
  u.firstLinks = null;
  ctx.writer.recordHost(u.id, st.key, [rel, ...u.files]);
}

/** One network page part: a signature summary, then every host's alerts under its address. */
async function finishNet(p: SidePass, u: NetUnit): Promise<void> {
  if (u.skip) return;
  const { ctx, side } = p;
  const rel = u.id;
  const all: RawAlert[] = [];
  for (const st of u.hosts) for (const a of st.rows) all.push(a);
  const caps = await captures(p, all);
  // A part whose alerts all fall on one day names it once; its lines give times of day.
  const day = oneDay(u.hosts.reduce((t, st) => Math.min(t, st.h.firstUs), Infinity), u.hosts.reduce((t, st) => Math.max(t, st.h.lastUs), -Infinity));
  // Counts only: every alert of the part is on the page (as on a host's single page).
  const sigs = new Map<number, { sigId: number; count: number; firstUs: null; lastUs: null }>();
  for (const st of u.hosts) {
    for (const s of st.sigs) {
      const t = sigs.get(s.sigId);
      if (t === undefined) sigs.set(s.sigId, { sigId: s.sigId, count: s.count, firstUs: null, lastUs: null });
      else t.count += s.count;
    }
  }
  const links = pageLinker(p, rel, all, PAGE_LINKS + sigs.size);
  const style = lineStyle(p, links, day === null ? 'row' : 'none', sigs.keys());
  const rows: string[] = [];
  const otherName = sideNames(side).otherName;
  for (const st of u.hosts) {
    const other = st.otherHref === null ? '' : `<br><a href=${links.local(st.otherHref)}>as ${otherName}</a>`;
    // What the analysis says of this address (verdict, clusters, findings, policy, notes), as on
    // an own page; every line is escaped text.
    const ann = annotationView(ctx.hostAnnotation?.(st.ip) ?? null);
    const annLines = ann ? [...(ann.lines as string[]), ...(ann.notes as string[]).map((x) => `note ${x}`)] : [];
    const said = annLines.map((l) => `<br><span class=ann>${esc(l)}</span>`).join('')
      + (ctx.hostLinks?.(st.ip) ?? []).map((l) => `<br><a href="${links.root}${esc(l.href)}">${esc(l.text)}</a>`).join('');
    rows.push(`<dt id=${sectionAnchor(st.h.ip)}>${st.ip}${other}${said}\n`);
    // A <dt> needs its <dd>: a host the rollups list without rows in the alert stream says so.
    if (alertLines(style, st.rows, caps, rows, null) === 0) rows.push('<dd>(no alerts listed)\n');
    st.rows = [];
  }
  const parts = ctx.hosts.netPartsOf(side, u.net.id);
  const order = sigOrder(ctx.sigs);
  const sigList = [...sigs.values()].sort((a, b) => b.count - a.count || order(a.sigId, b.sigId));
  const alerts = u.hosts.reduce((t, st) => t + st.h.count, 0);
  await ctx.writer.write(rel, ctx.views.render('net', {
    filterText: ctx.filterText, root: links.root, base: links.base, net: u.net.label, part: u.part, parts, ...sideNames(side), sensor: ctx.soleSensor,
    hosts: u.hosts.length, alerts, minHostPage: ctx.limits.minHostPage,
    topHref: side === 'src' ? 'top-sources.html' : 'top-destinations.html',
    legend: alertLegend(side, ctx.soleSensor === null, day), dated: day === null, rows: rows.join(''), sigHead: sigTableHead(null), sigRows: sigTableRows(links.root, ctx.sigs, sigList, null),
    pager: pagerHtml(u.part, parts, (k) => links.local(netPagePath(side, u.net.base, k))),
  }));
  ctx.writer.recordHost(u.id, u.key, [rel]);
}

/** What a host page prints of the analysis: plain strings, escaped by the template. */
function annotationView(a: HostAnnotation | null): Record<string, unknown> | null {
  if (a === null) return null;
  const v = a.verdict;
  const lines: string[] = [];
  if (v) lines.push(`P2P verdict: ${v.level} (${v.protocols.join(', ') || 'p2p'})`);
  for (const c of a.clusters) lines.push(`IRC-bot cluster of ${c.server} (${c.level})${c.new ? ': new member' : ''}`);
  for (const f of a.anomalies) lines.push(`${f.kind}: ${f.summary}`);
  if (a.policy && a.policy.state !== 'none') lines.push(`policy: ${a.policy.state}`);
  for (const i of a.history?.incidents ?? []) {
    lines.push(`incident #${i.id}: offence ${i.offence} (${i.kinds.join(', ')}), step "${i.step.title}"${i.closedUs === null ? '' : ', closed'}`);
  }
  return {
    lines,
    reasons: v ? v.reasons.map((r) => `${r.level}: ${r.text}`) : [],
    notes: a.notes.map((n) => `${n.at.slice(0, 10)} ${n.author}: ${n.text}`),
  };
}
