/**
 * AnalysisData turned into what the templates print: plain strings and numbers only (the
 * templates escape every one with `<%= %>`; payload text is printable but may hold `<>&"`),
 * addresses as `{ ip, href }` from the one host-link function, times in the report's format.
 */
import type { IrcCluster } from '../../analysis/irc-clusters.js';
import type { AnomalyKind, Finding } from '../../analysis/anomalies.js';
import { ANOMALY_KINDS, type AnomalyReport } from '../../cli/anomalies.js';
import type { ClusterReport } from '../../cli/clusters.js';
import type { HostVerdict } from '../../model/verdict.js';
import { fmtNum, fmtTime } from '../format.js';
import { hostAnchor } from '../filenames.js';
import { dualHourlyChart } from './dual-chart.js';
import { clusterAnchor } from './host-annotations.js';
import type { HostHref } from './host-links.js';
import type { DailyFlows, PolicyData } from './analysis-data.js';
import type { SensorStats } from '../../store/sqlite/sensor-queries.js';
import type { SensorComparison } from './sensor-comparison.js';
import type { Proposal } from '../../response/types.js';

export interface HostRef { ip: string; href: string | null }

/** ISO text (`2026-11-20T10:00:00.088806Z`) in the report's own format; '' for none. */
export function isoShown(s: string | null | undefined): string {
  return s ? s.replace('T', ' ').replace(/Z$/, '') : '';
}

const usShown = (us: number | null | undefined): string => fmtTime(us);

export class Models {
  /** Anchors already placed on the page being built: an address gets its id once. */
  private placed = new Set<string>();

  constructor(private readonly href: HostHref) {}

  host(ip: string): HostRef {
    return { ip, href: this.href(ip) };
  }

  /** The `#h-...` id for an address's first row on a page, '' for later rows (ids are unique). */
  anchorOnce(ip: string): string {
    let a: string;
    try {
      a = hostAnchor(ip);
    } catch {
      return '';
    }
    if (this.placed.has(a)) return '';
    this.placed.add(a);
    return a;
  }

  newPage(): void {
    this.placed = new Set();
  }

  cluster(c: IrcCluster, ircPorts: ReadonlySet<number>) {
    return {
      anchor: clusterAnchor(c.server), server: this.host(c.server), level: c.level, family: c.family,
      // IRC where a service port is expected is itself evidence (bots hide in web traffic).
      ports: c.ports.map((p) => ({ port: p, flag: p === 80 ? 'IRC on port 80' : ircPorts.has(p) ? '' : 'not an IRC port' })),
      reasons: c.reasons,
      members: c.members.map((m) => ({
        host: this.host(m.host), new: m.new, ports: m.ports.join(', '), nicks: m.nicks.join(', '), channels: m.channels.join(', '),
        alerts: m.alerts, lines: m.payloadLines, flows: m.flows ?? '', via: m.via.join(', '), first: isoShown(m.first), last: isoShown(m.last),
      })),
      newCount: c.newMembers.length,
      channels: c.channels.map((ch) => ({ name: ch.name, keys: ch.keys.join(', ') })),
      nickPatterns: c.nickPatterns.map((p) => ({ pattern: p.pattern, count: p.count, bot: p.botStyle })),
      commands: c.commands.map((x) => ({ text: x.text, count: x.count, first: isoShown(x.first) })),
      senders: c.senders,
      serverNames: c.serverNames,
      signatures: c.signatures.map((s) => ({ id: `${s.gid}:${s.sid}`, message: s.message, count: s.count, bot: s.bot })),
      first: isoShown(c.first), last: isoShown(c.last),
      evidence: {
        alerts: c.evidence.alerts, lines: c.evidence.payloadLines, flows: c.evidence.flows ?? 'no flows',
        items: c.evidence.items.slice(0, 12).map((e) => ({ time: isoShown(e.time), signature: e.signature ?? '', from: e.from, to: e.to, text: e.text ?? '' })),
      },
    };
  }

  clusters(r: ClusterReport) {
    const ports = new Set(r.ircPorts);
    return {
      ircPorts: r.ircPorts.join(', '),
      clusters: r.clusters.map((c) => this.cluster(c, ports)),
      chat: r.chatServers.map((c) => this.cluster(c, ports)),
    };
  }

  anomalies(r: AnomalyReport) {
    this.newPage();
    const t = r.thresholds;
    const thresholds: Record<AnomalyKind, string> = {
      scan: `${t.scanPorts} distinct ports of one host from one source within ${t.sweepWindowS} s (or a portscan / SCAN alert)`,
      sweep: `${t.sweepHosts} distinct hosts on one port from one source within ${t.sweepWindowS} s`,
      'fan-in': `${t.fanInHosts} distinct internal hosts reaching one external host:port within ${t.fanInWindowS} s`,
      'mass-smtp': `${t.smtpDestinations} SMTP servers or ${t.smtpRecipients} recipients within ${t.smtpWindowS} s on ports ${t.mailPorts.join(', ')}` +
        (t.mailServers.length ? `; mail servers ${t.mailServers.join(', ')} exempt` : ''),
      'non-http': `ports ${t.httpPorts.join(', ')} not speaking HTTP in at least ${t.mismatchSessions} session(s)`,
      'non-smtp': `ports ${t.smtpPorts.join(', ')} not speaking SMTP in at least ${t.mismatchSessions} session(s)`,
      'always-on': `seen in at least ${t.activeHours} of the 24 hours of a UTC day`,
    };
    const titles: Record<AnomalyKind, string> = {
      scan: 'Port scans', sweep: 'Sweeps', 'fan-in': 'Fan-in', 'mass-smtp': 'Mass SMTP',
      'non-http': 'Not HTTP on HTTP ports', 'non-smtp': 'Not SMTP on SMTP ports', 'always-on': 'Always on',
    };
    const byKind = new Map<AnomalyKind, Finding[]>();
    for (const f of r.findings) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
    return ANOMALY_KINDS.map((kind) => ({
      kind, id: `k-${kind}`, title: titles[kind], threshold: thresholds[kind], count: r.counts[kind] ?? 0,
      rows: (byKind.get(kind) ?? []).map((f) => ({
        anchor: this.anchorOnce(f.host), host: this.host(f.host), internal: f.internal ? 'internal' : 'external',
        summary: f.summary, first: isoShown(f.first), last: isoShown(f.last),
        evidence: f.evidence.slice(0, 5).map((e) => [isoShown(e.time), e.signature ?? '', `${e.from} → ${e.to}`, e.text ?? ''].filter(Boolean).join('  ')),
      })),
    }));
  }

  verdicts(vs: HostVerdict[]) {
    this.newPage();
    return vs.map((v) => ({
      anchor: this.anchorOnce(v.host), host: this.host(v.host), level: v.level, protocols: v.protocols.join(', '), sources: v.sources.join(', '),
      reasons: v.reasons.map((r) => ({ level: r.level, text: r.text })), first: usShown(v.firstUs), last: usShown(v.lastUs),
    }));
  }

  daily(d: DailyFlows) {
    return {
      day: d.day, zone: d.report.timeZone, from: usShown(d.report.startUs), to: usShown(d.report.endUs),
      sections: d.report.sections.map((s) => ({
        title: s.title,
        rows: s.rows.map((x) => ({
          host: this.host(x.dstAddr), fqdn: x.fqdn, first: usShown(x.firstUs), last: usShown(x.lastUs), flows: x.flows, bytes: fmtNum(x.totalBytes), bytesN: x.totalBytes, uniq: x.uniqSrcs,
        })),
      })),
    };
  }

  sensors(list: SensorStats[]) {
    return list.map((s) => ({
      name: s.name, alerts: s.alerts, first: usShown(s.firstUs), last: usShown(s.lastUs), activeHours: s.activeHours, rate: s.alertsPerHour,
      inputs: s.inputs.map((i) => ({ path: i.path, format: i.format })),
    }));
  }

  comparison(c: SensorComparison) {
    const sig = (s: SensorComparison['signatures']['both'][number]) => ({
      id: `${s.gid}:${s.sid}:${s.rev}`, message: s.message, a: s.a, b: s.b, ratio: s.ratio === null ? '–' : String(s.ratio),
    });
    const hourIso = (h: number): string => fmtTime(h * 3_600_000_000).slice(0, 16);
    return {
      a: c.a, b: c.b, totals: c.totals,
      window: [c.window.sinceUs === undefined ? '' : `from ${usShown(c.window.sinceUs)}`, c.window.untilUs === undefined ? '' : `until ${usShown(c.window.untilUs)}`].filter(Boolean).join(' '),
      both: c.signatures.both.map(sig), onlyA: c.signatures.onlyA.map(sig), onlyB: c.signatures.onlyB.map(sig),
      hosts: {
        onlyA: c.hosts.onlyA, onlyB: c.hosts.onlyB, both: c.hosts.both,
        topOnlyA: c.hosts.topOnlyA.map((h) => ({ host: this.host(h.ip), alerts: h.alerts })),
        topOnlyB: c.hosts.topOnlyB.map((h) => ({ host: this.host(h.ip), alerts: h.alerts })),
      },
      chart: dualHourlyChart(c.hourly, [c.a, c.b]),
      silent: c.silent.map((p) => ({ sensor: p.sensor === 'a' ? c.a : c.b, from: hourIso(p.fromHour), to: hourIso(p.toHour), hours: p.hours, other: p.otherAlerts })),
      offsets: c.clockOffsets.map((o) => ({
        compared: `${o.familyA} inputs of ${c.a} against ${o.familyB} inputs of ${c.b}`,
        seconds: `${o.offsetSeconds >= 0 ? '+' : ''}${o.offsetSeconds}`, matches: o.matches, agreeing: o.agreeing,
        inputsA: o.inputsA.map((i) => `${i.path} (${i.format})`), inputsB: o.inputsB.map((i) => `${i.path} (${i.format})`),
      })),
    };
  }

  policy(p: PolicyData, now: number) {
    this.newPage();
    const j = p.judgements.map((x) => ({
      status: x.status, host: this.host(x.finding.host), kind: x.finding.kind, level: x.finding.level, rule: x.rule, why: x.why,
      peer: x.finding.peer ? this.host(x.finding.peer) : null, source: x.finding.source, first: usShown(x.finding.firstUs), last: usShown(x.finding.lastUs),
      evidence: x.finding.evidence.slice(0, 4),
    }));
    const withAnchor = <T extends { host: HostRef }>(rows: T[]) => rows.map((r) => ({ ...r, anchor: this.anchorOnce(r.host.ip) }));
    return {
      violations: withAnchor(j.filter((x) => x.status === 'violation')),
      registered: withAnchor(j.filter((x) => x.status === 'registered')),
      others: withAnchor(j.filter((x) => x.status !== 'violation' && x.status !== 'registered')),
      registrations: (p.policy?.registrations ?? []).map((r) => ({
        id: r.id, net: r.net, kinds: r.kinds.join(', '), owner: r.owner, reason: r.reason,
        from: r.fromUs === null ? 'always' : usShown(r.fromUs), expires: usShown(r.expiresUs),
        active: (r.fromUs === null || r.fromUs <= now) && now < r.expiresUs,
      })),
    };
  }

  proposals(ps: Proposal[]) {
    return ps.map((p) => ({
      id: p.id, status: p.status, action: p.action, target: this.host(p.target), host: this.host(p.host), kind: p.kind, level: p.level,
      created: usShown(p.createdUs), expires: p.expiresUs === null ? '' : usShown(p.expiresUs), decidedBy: p.decidedBy ?? '', comment: p.comment ?? '',
      evidence: p.evidence.slice(0, 3),
    }));
  }
}
