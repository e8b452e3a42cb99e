/**
 * `snarf anomalies [--json]`: traffic that behaves wrong. Port 80 not speaking HTTP, port 25 not
 * speaking SMTP, one host reaching many hosts' port in a short window (and many hosts reaching
 * one), hosts that talk all day, mass SMTP, and scans (sfportscan gid 122, SCAN signatures).
 * Thresholds are options; defaults and meanings in docs/bots-and-anomalies.md.
 * anomalyReport() is what the HTML report calls. The store is imported when needed (see
 * main.ts); analysis/anomalies.js is light and gives the defaults the options show.
 */
import { Command, InvalidArgumentError } from 'commander';
import type { AlertFilter, Store } from '../store/store.js';
import {
  ActiveDays, DEFAULT_ANOMALY_OPTIONS, fanIn, scans, sweeps, type AnomalyKind, type AnomalyOptions, type Finding,
} from '../analysis/anomalies.js';
import { collectNames, parseCidr, parseCount, parseInstant, parsePortList, resolveHomeNets } from './clusters.js';
import { DEFAULT_DB } from './options.js';

export const ANOMALY_KINDS: readonly AnomalyKind[] = ['scan', 'sweep', 'fan-in', 'mass-smtp', 'non-http', 'non-smtp', 'always-on'];

export interface AnomalyReportOptions extends Partial<Omit<AnomalyOptions, 'homeNets'>> {
  homeNets?: readonly string[];
  sinceUs?: number;
  untilUs?: number;
  sensors?: string[];
  /** Only these kinds (default all). */
  kinds?: readonly AnomalyKind[];
  /** Alerts on HTTP/SMTP/mail ports (and their packets) read at most. */
  maxAlerts?: number;
}

export interface AnomalyReport {
  homeNets: string[];
  homeNetsFrom: 'option' | 'store' | 'default';
  thresholds: Omit<AnomalyOptions, 'homeNets'>;
  counts: Record<AnomalyKind, number>;
  findings: Finding[];
  /** Host → the kinds reported for it (links from host pages). */
  hosts: Array<{ host: string; internal: boolean; kinds: AnomalyKind[] }>;
}

/** Anomalies straight from an open store: what `snarf anomalies` prints and the report pages call. */
export async function anomalyReport(store: Store, q: AnomalyReportOptions = {}): Promise<AnomalyReport> {
  const { anomalyReadsFor } = await import('../store/reads/reads-for.js');
  const reads = anomalyReadsFor(store);
  const { homeNets, from } = await resolveHomeNets(store, q.homeNets);
  const thresholds = { ...DEFAULT_ANOMALY_OPTIONS };
  for (const k of Object.keys(DEFAULT_ANOMALY_OPTIONS) as Array<keyof typeof DEFAULT_ANOMALY_OPTIONS>) {
    if (q[k] !== undefined) (thresholds as Record<string, unknown>)[k] = q[k];
  }
  const o: AnomalyOptions = { ...thresholds, homeNets };
  const f: AlertFilter = { sinceUs: q.sinceUs, untilUs: q.untilUs, sensors: q.sensors };
  const want = new Set(q.kinds?.length ? q.kinds : ANOMALY_KINDS);
  const findings: Finding[] = [];
  if (want.has('sweep')) findings.push(...sweeps(await reads.fanOutRows(f, o.sweepHosts), o));
  if (want.has('fan-in')) findings.push(...fanIn(await reads.fanInRows(f, o.fanInHosts), o));
  if (want.has('scan')) findings.push(...scans(await reads.scanAlerts(f), await reads.portScanRows(f, o.scanPorts), o));
  if (want.has('always-on')) {
    const days = new ActiveDays(o);
    await reads.eachHostHour(f, (h) => days.add(h));
    findings.push(...days.findings());
  }
  if (want.has('mass-smtp') || want.has('non-http') || want.has('non-smtp')) {
    const ports = [...new Set([...o.httpPorts, ...o.smtpPorts, ...o.mailPorts])];
    const limit = q.maxAlerts ?? 500_000;
    const { PortSessions } = await import('../analysis/anomaly-protocols.js');
    const sessions = new PortSessions(o);
    await reads.eachPortAlert(f, ports, limit, (a) => sessions.addAlert(a));
    const rcpt = await reads.rcptExtra(f, o.mailPorts);
    await reads.eachPortPacket(f, ports, limit, (p) => sessions.addPacket(p));
    findings.push(...sessions.findings(rcpt).filter((x) => want.has(x.kind)));
  }
  const order = new Map(ANOMALY_KINDS.map((k, i) => [k, i]));
  findings.sort((a, b) => order.get(a.kind)! - order.get(b.kind)! || (a.first ?? '').localeCompare(b.first ?? '') || (a.host < b.host ? -1 : 1));
  const counts = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<AnomalyKind, number>;
  const hosts = new Map<string, { host: string; internal: boolean; kinds: Set<AnomalyKind> }>();
  for (const x of findings) {
    counts[x.kind]++;
    const h = hosts.get(x.host) ?? { host: x.host, internal: x.internal, kinds: new Set<AnomalyKind>() };
    h.kinds.add(x.kind);
    hosts.set(x.host, h);
  }
  return {
    homeNets, homeNetsFrom: from, thresholds, counts, findings,
    hosts: [...hosts.values()].map((h) => ({ host: h.host, internal: h.internal, kinds: [...h.kinds] })).sort((a, b) => (a.host < b.host ? -1 : 1)),
  };
}

const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');

function anomalyText(r: AnomalyReport): string {
  const out: string[] = [`home networks (${r.homeNetsFrom}): ${r.homeNets.join(' ')}`];
  if (r.findings.length === 0) out.push('no anomalies');
  for (const x of r.findings) out.push(`${x.kind.padEnd(10)} ${x.internal ? 'internal' : 'external'}  ${x.first ?? '-'}  ${x.summary}`);
  return `${out.map(clean).join('\n')}\n`;
}

function parseKind(v: string, prev: AnomalyKind[] = []): AnomalyKind[] {
  if (!(ANOMALY_KINDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`"${v}" is not one of ${ANOMALY_KINDS.join(', ')}`);
  return [...prev, v as AnomalyKind];
}

const d = DEFAULT_ANOMALY_OPTIONS;

export function anomaliesCommand(): Command {
  return new Command('anomalies')
    .description('traffic that behaves wrong: non-HTTP on 80, non-SMTP on 25, sweeps, scans, mass SMTP, hosts that never stop')
    .option('--db <path>', 'SQLite database path or postgres:// URL', DEFAULT_DB)
    .option('--home-net <cidr>', 'internal networks (repeatable; default: those remembered from an sFlow import, else RFC 1918 and fc00::/7)', parseCidr)
    .option('--since <time>', 'only alerts from this time (YYYY-MM-DD, ISO 8601 or epoch seconds)', parseInstant)
    .option('--until <time>', 'only alerts before this time', parseInstant)
    .option('--sensor <name>', 'only alerts of this sensor (repeatable)', collectNames)
    .option('--kind <kind>', `only this kind (repeatable): ${ANOMALY_KINDS.join(', ')}`, parseKind)
    .option('--sweep-hosts <n>', 'sweep: distinct hosts on one port from one source within the window', parseCount, d.sweepHosts)
    .option('--sweep-window <s>', 'sweep and port-scan window, seconds', parseCount, d.sweepWindowS)
    .option('--scan-ports <n>', 'port scan: distinct ports of one host from one source within the window', parseCount, d.scanPorts)
    .option('--fan-in-hosts <n>', 'fan-in: distinct internal hosts reaching one external host:port within its window', parseCount, d.fanInHosts)
    .option('--fan-in-window <s>', 'fan-in window, seconds', parseCount, d.fanInWindowS)
    .option('--active-hours <n>', 'always-on: hours of a UTC day (of 24) a host is seen in', parseCount, d.activeHours)
    .option('--smtp-destinations <n>', 'mass SMTP: distinct SMTP servers within the SMTP window', parseCount, d.smtpDestinations)
    .option('--smtp-recipients <n>', 'mass SMTP: distinct RCPT TO recipients within the SMTP window', parseCount, d.smtpRecipients)
    .option('--smtp-window <s>', 'mass SMTP window, seconds', parseCount, d.smtpWindowS)
    .option('--mail-server <cidr>', 'internal mail servers, never reported as mass SMTP (repeatable)', parseCidr)
    .option('--http-port <port>', `ports that must speak HTTP (repeatable; default ${d.httpPorts.join(',')})`, parsePortList)
    .option('--smtp-port <port>', `ports that must speak SMTP (repeatable; default ${d.smtpPorts.join(',')})`, parsePortList)
    .option('--mismatch-sessions <n>', 'sessions a host needs before non-HTTP / non-SMTP is reported', parseCount, d.mismatchSessions)
    .option('--max-alerts <n>', 'alerts on HTTP/SMTP ports (and their packets) read at most', parseCount, 500_000)
    .option('--json', 'machine-readable output')
    .action(async (o: Record<string, any>) => {
      const { openStore } = await import('../store/open.js');
      const store = await openStore(o.db, { mustExist: true });
      try {
        const r = await anomalyReport(store, {
          homeNets: o.homeNet, sinceUs: o.since, untilUs: o.until, sensors: o.sensor, kinds: o.kind,
          sweepHosts: o.sweepHosts, sweepWindowS: o.sweepWindow, scanPorts: o.scanPorts, fanInHosts: o.fanInHosts, fanInWindowS: o.fanInWindow,
          activeHours: o.activeHours, smtpDestinations: o.smtpDestinations, smtpRecipients: o.smtpRecipients, smtpWindowS: o.smtpWindow,
          mailServers: o.mailServer, httpPorts: o.httpPort, smtpPorts: o.smtpPort, mismatchSessions: o.mismatchSessions, maxAlerts: o.maxAlerts,
        });
        process.stdout.write(o.json ? `${JSON.stringify({ db: store.location, ...r }, null, 2)}\n` : anomalyText(r));
      } finally {
        await store.close();
      }
    });
}
