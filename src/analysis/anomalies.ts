/**
 * Behaviour anomalies from alerts and their stored packets (../shared/formats/anomalies.md):
 * sweeps and fan-in on one port, port scans and sfportscan (gid 122) and SCAN signatures,
 * hosts that never stop, mass SMTP, and port 80 / port 25 not speaking HTTP / SMTP. Pure
 * functions over rows; thresholds are options with the documented defaults (docs/bots-and-anomalies.md).
 * Alerts are a thin view of traffic, so counts here are lower bounds of what the hosts did.
 */
import { cidrRange, ipKey } from '../model/ip.js';
import type { AlertRow, PacketRow } from '../store/reads/irc-reads.js';
import { decodePacket, latin1, safeText } from './packet-payload.js';

export interface AnomalyOptions {
  homeNets: readonly string[];
  /** Ports that must speak HTTP / SMTP. */
  httpPorts: readonly number[];
  smtpPorts: readonly number[];
  /** Ports counted as mail submission for mass SMTP. */
  mailPorts: readonly number[];
  /** Internal mail servers (CIDRs): never mass-SMTP findings. */
  mailServers: readonly string[];
  sweepHosts: number;
  sweepWindowS: number;
  scanPorts: number;
  fanInHosts: number;
  fanInWindowS: number;
  activeHours: number;
  smtpDestinations: number;
  smtpRecipients: number;
  smtpWindowS: number;
  /** Sessions a host needs before a protocol mismatch is reported. */
  mismatchSessions: number;
  maxEvidence: number;
}

export const DEFAULT_ANOMALY_OPTIONS: Omit<AnomalyOptions, 'homeNets'> = {
  httpPorts: [80], smtpPorts: [25], mailPorts: [25, 465, 587], mailServers: [],
  sweepHosts: 25, sweepWindowS: 300, scanPorts: 15, fanInHosts: 25, fanInWindowS: 600, activeHours: 22,
  smtpDestinations: 20, smtpRecipients: 10, smtpWindowS: 3600, mismatchSessions: 1, maxEvidence: 20,
};

export type AnomalyKind = 'scan' | 'sweep' | 'fan-in' | 'mass-smtp' | 'non-http' | 'non-smtp' | 'always-on';

export interface EvidenceItem {
  time: string | null;
  alertId: number | null;
  signature: string | null;
  from: string;
  to: string;
  /** Payload or detail text, already safe (printable ASCII, `\xNN`). */
  text: string | null;
}

export interface Finding {
  kind: AnomalyKind;
  host: string;
  internal: boolean;
  first: string | null;
  last: string | null;
  /** One line for people (addresses, counts; payload text only in its safe form). */
  summary: string;
  detail: Record<string, unknown>;
  evidence: EvidenceItem[];
}

// --- shared helpers ------------------------------------------------------------------------------

/** Membership test for a set of CIDRs, on 16-byte keys (IPv4 and IPv6 alike). */
export function homeMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  const ranges = cidrs.map((c) => cidrRange(c));
  const cache = new Map<string, boolean>();
  return (ip: string): boolean => {
    let v = cache.get(ip);
    if (v === undefined) {
      let k: Buffer;
      try { k = ipKey(ip); } catch { return false; }
      v = ranges.some((r) => Buffer.compare(k, r.low) >= 0 && Buffer.compare(k, r.high) <= 0);
      if (cache.size < 100_000) cache.set(ip, v);
    }
    return v;
  };
}

export function isoUs(us: number | null): string | null {
  if (us === null || !Number.isFinite(us)) return null;
  const micro = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return new Date(Math.floor(us / 1000)).toISOString().replace(/\.\d{3}Z$/, `.${micro}Z`);
}

export const sigText = (a: Pick<AlertRow, 'gid' | 'sid' | 'message'>): string => `${a.gid}:${a.sid} ${safeText(a.message, 160)}`;
const at = (ip: string | null, port: number | null): string =>
  ip === null ? '?' : port === null ? ip : ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
const PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6' };
const protoName = (p: number | null): string => (p === null ? 'ip' : PROTO[p] ?? `proto-${p}`);

function item(a: AlertRow, text: string | null = null): EvidenceItem {
  return { time: isoUs(a.ts), alertId: a.id, signature: sigText(a), from: at(a.src, a.sport), to: at(a.dst, a.dport), text };
}

/** Largest number of distinct keys inside any window of `windowUs` over time-sorted events. */
export function maxDistinctInWindow<T>(events: ReadonlyArray<{ ts: number; key: T }>, windowUs: number): { count: number; startUs: number; endUs: number } {
  const counts = new Map<T, number>();
  let best = { count: 0, startUs: 0, endUs: 0 };
  let lo = 0;
  for (let hi = 0; hi < events.length; hi++) {
    const e = events[hi]!;
    counts.set(e.key, (counts.get(e.key) ?? 0) + 1);
    while (e.ts - events[lo]!.ts > windowUs) {
      const k = events[lo]!.key;
      const n = counts.get(k)! - 1;
      if (n === 0) counts.delete(k); else counts.set(k, n);
      lo++;
    }
    if (counts.size > best.count) best = { count: counts.size, startUs: events[lo]!.ts, endUs: e.ts };
  }
  return best;
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string | null): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    const g = m.get(k);
    if (g) g.push(r); else m.set(k, [r]);
  }
  return m;
}

const sample = (xs: Iterable<string>, n = 20): string[] => [...xs].slice(0, n);

// --- sweeps, fan-in, port scans ------------------------------------------------------------------

/** One source → many hosts on one (protocol, port) in a window (ICMP: no port). */
export function sweeps(rows: readonly AlertRow[], o: AnomalyOptions): Finding[] {
  const home = homeMatcher(o.homeNets);
  const out: Finding[] = [];
  for (const g of groupBy(rows.filter((r) => r.gid !== 122), (r) => (r.src && r.dst ? `${r.src}|${r.proto}|${r.dport}` : null)).values()) {
    g.sort((a, b) => a.ts - b.ts);
    const w = maxDistinctInWindow(g.map((r) => ({ ts: r.ts, key: r.dst! })), o.sweepWindowS * 1e6);
    if (w.count < o.sweepHosts) continue;
    const a = g[0]!;
    const targets = new Set(g.map((r) => r.dst!));
    const port = a.dport === null ? protoName(a.proto) : `${protoName(a.proto)}/${a.dport}`;
    out.push({
      kind: 'sweep', host: a.src!, internal: home(a.src!), first: isoUs(a.ts), last: isoUs(g[g.length - 1]!.ts),
      summary: `${a.src} reached ${w.count} hosts on ${port} within ${Math.max(1, Math.round((w.endUs - w.startUs) / 1e6))} s (${targets.size} in all)`,
      detail: { proto: protoName(a.proto), port: a.dport, hosts: w.count, totalHosts: targets.size, windowStart: isoUs(w.startUs), windowEnd: isoUs(w.endUs), targets: sample(targets) },
      evidence: g.slice(0, o.maxEvidence).map((r) => item(r)),
    });
  }
  return out;
}

/** Many internal hosts → one external host's port in a window (flood, worm, C&C check-in). */
export function fanIn(rows: readonly AlertRow[], o: AnomalyOptions): Finding[] {
  const home = homeMatcher(o.homeNets);
  const out: Finding[] = [];
  const inward = rows.filter((r) => r.gid !== 122 && r.src && r.dst && home(r.src) && !home(r.dst));
  for (const g of groupBy(inward, (r) => `${r.dst}|${r.proto}|${r.dport}`).values()) {
    g.sort((a, b) => a.ts - b.ts);
    const w = maxDistinctInWindow(g.map((r) => ({ ts: r.ts, key: r.src! })), o.fanInWindowS * 1e6);
    if (w.count < o.fanInHosts) continue;
    const a = g[0]!;
    const sources = new Set(g.map((r) => r.src!));
    out.push({
      kind: 'fan-in', host: a.dst!, internal: false, first: isoUs(a.ts), last: isoUs(g[g.length - 1]!.ts),
      summary: `${w.count} internal hosts reached ${at(a.dst, a.dport)} (${protoName(a.proto)}) within ${o.fanInWindowS} s`,
      detail: { proto: protoName(a.proto), port: a.dport, hosts: w.count, totalHosts: sources.size, windowStart: isoUs(w.startUs), windowEnd: isoUs(w.endUs), sources: sample(sources) },
      evidence: g.slice(0, o.maxEvidence).map((r) => item(r)),
    });
  }
  return out;
}

export interface ScanEvent {
  type: string;
  gid: number;
  sid: number;
  target: string | null;
  time: string | null;
  alerts: number;
  ports?: number;
  /** sfportscan's own counts (`IP Count`, `Port/Proto Range`, ...), safe text. */
  details?: Record<string, string>;
}

/** sfportscan pseudo-packet text → its `Key: value` lines. */
export function portscanDetails(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n').slice(0, 16)) {
    const m = /^([A-Za-z][A-Za-z /]{1,40}):\s*(.{0,80})$/.exec(line.trim());
    if (m) out[safeText(m[1]!, 40)] = safeText(m[2]!, 80);
  }
  return out;
}

/**
 * Scans: sfportscan alerts (gid 122, with the counts of their pseudo-packet), signatures named
 * `SCAN ...`, and one source reaching `scanPorts` ports of one host in the sweep window.
 * One finding per scanning host.
 */
export function scans(scanAlerts: ReadonlyArray<{ alert: AlertRow; packet: PacketRow | null }>, portRows: readonly AlertRow[], o: AnomalyOptions): Finding[] {
  const home = homeMatcher(o.homeNets);
  const per = new Map<string, { events: Map<string, ScanEvent>; alerts: AlertRow[] }>();
  const entry = (host: string) => {
    let e = per.get(host);
    if (!e) per.set(host, (e = { events: new Map(), alerts: [] }));
    return e;
  };
  for (const { alert: a, packet } of scanAlerts) {
    if (!a.src) continue;
    const e = entry(a.src);
    e.alerts.push(a);
    const key = `${a.gid}:${a.sid}|${a.dst}`;
    const ev = e.events.get(key) ?? { type: safeText(a.message, 120), gid: a.gid, sid: a.sid, target: a.dst, time: isoUs(a.ts), alerts: 0 };
    ev.alerts++;
    if (a.gid === 122 && packet && !ev.details) {
      const pkt = decodePacket(packet.linktype, packet.data);
      if (pkt && pkt.payload.length > 0) ev.details = portscanDetails(latin1(pkt.payload, 1024));
    }
    e.events.set(key, ev);
  }
  for (const g of groupBy(portRows.filter((r) => r.gid !== 122 && r.dport !== null), (r) => (r.src && r.dst ? `${r.src}|${r.dst}` : null)).values()) {
    g.sort((a, b) => a.ts - b.ts);
    const w = maxDistinctInWindow(g.map((r) => ({ ts: r.ts, key: `${r.proto}/${r.dport}` })), o.sweepWindowS * 1e6);
    if (w.count < o.scanPorts) continue;
    const e = entry(g[0]!.src!);
    e.alerts.push(...g.slice(0, o.maxEvidence));
    e.events.set(`ports|${g[0]!.dst}`, { type: 'port scan seen in alerts', gid: 0, sid: 0, target: g[0]!.dst, time: isoUs(w.startUs), alerts: g.length, ports: w.count });
  }
  const out: Finding[] = [];
  for (const [host, e] of per) {
    e.alerts.sort((a, b) => a.ts - b.ts);
    const events = [...e.events.values()];
    const targets = new Set(events.map((x) => x.target).filter((t): t is string => t !== null));
    out.push({
      kind: 'scan', host, internal: home(host), first: isoUs(e.alerts[0]!.ts), last: isoUs(e.alerts[e.alerts.length - 1]!.ts),
      summary: `${host}: ${describeScans(events)}`,
      detail: { events, targets: sample(targets) },
      evidence: e.alerts.slice(0, o.maxEvidence).map((a) => item(a)),
    });
  }
  return out;
}

/** `TCP Portsweep (7 IPs 163.221.60.1:163.221.60.7, ports 445:445); SCAN MS-SQL ping probe (20 hosts)` */
function describeScans(events: readonly ScanEvent[]): string {
  const byType = new Map<string, ScanEvent[]>();
  for (const e of events) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
  const parts = [...byType].map(([type, es]) => {
    const d = es[0]!.details;
    if (d && (d['IP Count'] || d['Port/Proto Count'])) {
      const range = d['Scanned IP Range'] ?? d['Scanner IP Range'];
      return `${type} (${d['IP Count'] ?? '?'} IPs${range ? ` ${range}` : ''}, ports ${d['Port/Proto Range'] ?? '?'})`;
    }
    if (es[0]!.ports !== undefined) return `${type} (${es[0]!.ports} ports of ${es[0]!.target})`;
    const targets = new Set(es.map((x) => x.target));
    return `${type} (${targets.size === 1 ? [...targets][0] : `${targets.size} hosts`})`;
  });
  return parts.slice(0, 6).join('; ');
}

// --- hosts that never stop -----------------------------------------------------------------------

/**
 * Internal hosts seen in at least `activeHours` of the 24 hours of a UTC day, fed one (host,
 * hour) pair at a time: stores stream these pairs, and only the internal hosts' days are kept.
 */
export class ActiveDays {
  private readonly home: (ip: string) => boolean;
  private readonly days = new Map<string, { ip: string; day: number; hours: Set<number>; sources: Set<string> }>();

  constructor(private readonly o: AnomalyOptions) {
    this.home = homeMatcher(o.homeNets);
  }

  add(h: { ip: string; hour: number; source: 'alerts' | 'flows' }): void {
    if (!this.home(h.ip)) return;
    const day = Math.floor(h.hour / 24);
    const k = `${h.ip}|${day}`;
    let d = this.days.get(k);
    if (!d) this.days.set(k, (d = { ip: h.ip, day, hours: new Set(), sources: new Set() }));
    d.hours.add(h.hour % 24);
    d.sources.add(h.source);
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const d of this.days.values()) {
      if (d.hours.size < this.o.activeHours) continue;
      const hours = [...d.hours].sort((a, b) => a - b);
      const dayIso = new Date(d.day * 86_400_000).toISOString().slice(0, 10);
      out.push({
        kind: 'always-on', host: d.ip, internal: true,
        first: isoUs((d.day * 24 + hours[0]!) * 3_600_000_000), last: isoUs((d.day * 24 + hours[hours.length - 1]! + 1) * 3_600_000_000 - 1),
        summary: `${d.ip} was active in ${d.hours.size} of the 24 hours of ${dayIso} (UTC)`,
        detail: { day: dayIso, activeHours: d.hours.size, hours, sources: [...d.sources].sort() },
        evidence: [],
      });
    }
    return out;
  }
}

/** Internal hosts seen in at least `activeHours` of the 24 hours of a UTC day. */
export function alwaysOn(hostHours: Iterable<{ ip: string; hour: number; source: 'alerts' | 'flows' }>, o: AnomalyOptions): Finding[] {
  const days = new ActiveDays(o);
  for (const h of hostHours) days.add(h);
  return days.findings();
}

// Ports that must speak HTTP / SMTP, and mass SMTP: src/analysis/anomaly-protocols.ts.
export { item as evidenceItem, at as hostPort, groupBy, sample };
