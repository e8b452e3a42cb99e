/**
 * Anomalies read from what hosts say on ports with a known protocol: port 80 not speaking HTTP,
 * port 25 not speaking SMTP, and mass SMTP (spam bots). One pass over the alerts on those ports
 * and their stored packets. Split from anomalies.ts to keep each file to one job.
 *
 * A payload counts as "another protocol" only when it is positively identified (IRC, SSH,
 * BitTorrent, TLS on 80, HTTP on 25...): a POST body or a DATA section can hold anything.
 */
import type { AlertRow, PacketRow } from '../store/reads/irc-reads.js';
import { decodePacket, latin1, safeText, sniffProtocol, type Sniffed } from './packet-payload.js';
import { evidenceItem, homeMatcher, isoUs, maxDistinctInWindow, sample, type AnomalyOptions, type Finding } from './anomalies.js';

const NON_HTTP_FROM_CLIENT: ReadonlySet<Sniffed> = new Set(['irc', 'ssh', 'smtp-command', 'bittorrent', 'tls']);
const NON_HTTP_FROM_SERVER: ReadonlySet<Sniffed> = new Set(['irc', 'ssh', 'bittorrent', 'tls']);
// TLS on 25 follows STARTTLS, which is normal SMTP.
const NON_SMTP_FROM_CLIENT: ReadonlySet<Sniffed> = new Set(['irc', 'ssh', 'http-request', 'bittorrent']);
const NON_SMTP_FROM_SERVER: ReadonlySet<Sniffed> = new Set(['irc', 'ssh', 'http-response', 'bittorrent']);

/**
 * What one alert contributes. Kept only for alerts that can matter (see PortSessions), and its
 * sets made only when something goes in them: a campus log has hundreds of thousands of port-80
 * alerts, nearly all of which say nothing here.
 */
interface AlertState {
  alert: AlertRow;
  /** Position in the alerts' identity order (findings list alerts in that order). */
  seq: number;
  /** Port-80 payload that is HTTP: a 119:31 "unknown method" on it is HTTP with an odd verb. */
  spoke: Set<Sniffed> | null;
  other: Set<Sniffed> | null;
  texts: string[] | null;
  recipients: Set<string> | null;
}

const RCPT = /^RCPT TO:\s*<?([^>\r\n]{1,256})>?/gim;

function recipientsOf(value: string): string[] {
  return value.split(',').map((r) => safeText(r.trim().replace(/^<|>$/g, '').toLowerCase(), 128)).filter((r) => r.length > 0).slice(0, 256);
}

/**
 * Both kinds of finding from the alerts on HTTP/SMTP/mail ports, their packets and the SMTP
 * RCPT TO extra data (unified2 extra type 7) of those alerts.
 */
export function protocolFindings(alerts: readonly AlertRow[], packets: Iterable<PacketRow>,
  rcptExtra: ReadonlyArray<{ alertId: number; value: string }>, o: AnomalyOptions): Finding[] {
  const sessions = new PortSessions(o);
  for (const a of alerts) sessions.addAlert(a);
  for (const p of packets) sessions.addPacket(p);
  return sessions.findings(rcptExtra);
}

/**
 * protocolFindings() one alert and one packet at a time, as the stores stream them: first every
 * alert on the ports (identity order), then their packets, then the findings.
 *
 * An alert is kept whole only if it can matter without its packets: a mass-SMTP candidate (to a
 * mail port from an internal host that is not a mail server) or one whose signature names a
 * mismatch. Any other alert can only matter through a packet that speaks another protocol,
 * and each packet carries its alert, so only its position is remembered until then.
 */
export class PortSessions {
  private readonly states = new Map<number, AlertState>();
  /** Position of every alert read (packets of alerts past the read limit are not counted). */
  private readonly seen = new Map<number, number>();
  private readonly http: Set<number>;
  private readonly smtp: Set<number>;
  private readonly mail: Set<number>;
  private readonly home: (ip: string) => boolean;
  private readonly mailServer: (ip: string) => boolean;

  constructor(private readonly o: AnomalyOptions) {
    this.http = new Set(o.httpPorts);
    this.smtp = new Set([...o.smtpPorts, ...o.mailPorts]);
    this.mail = new Set(o.mailPorts);
    this.home = homeMatcher(o.homeNets);
    this.mailServer = homeMatcher(o.mailServers);
  }

  addAlert(a: AlertRow): void {
    const seq = this.seen.size;
    this.seen.set(a.id, seq);
    if (this.smtpCandidate(a) || signatureReason(a, 'non-http') !== null || signatureReason(a, 'non-smtp') !== null) {
      this.states.set(a.id, { alert: a, seq, spoke: null, other: null, texts: null, recipients: null });
    }
  }

  /** What massSmtp() looks at (it applies the same test). */
  private smtpCandidate(a: AlertRow): boolean {
    return a.proto === 6 && a.src !== null && a.dst !== null && this.mail.has(a.dport ?? -1) && this.home(a.src) && !this.mailServer(a.src);
  }

  addPacket(p: PacketRow): void {
    const o = this.o;
    const seq = this.seen.get(p.alert.id);
    const pkt = seq === undefined ? null : decodePacket(p.linktype, p.data);
    if (seq === undefined || !pkt || pkt.protocol !== 6 || pkt.payload.length === 0) return;
    let st = this.states.get(p.alert.id);
    const kind = sniffProtocol(pkt.payload);
    if (st) (st.spoke ??= new Set()).add(kind);
    const toHttp = this.http.has(pkt.dstPort ?? -1);
    const fromHttp = this.http.has(pkt.srcPort ?? -1);
    const toSmtp = o.smtpPorts.includes(pkt.dstPort ?? -1);
    const fromSmtp = o.smtpPorts.includes(pkt.srcPort ?? -1);
    if ((toHttp && NON_HTTP_FROM_CLIENT.has(kind)) || (fromHttp && NON_HTTP_FROM_SERVER.has(kind))
      || (toSmtp && NON_SMTP_FROM_CLIENT.has(kind)) || (fromSmtp && NON_SMTP_FROM_SERVER.has(kind))) {
      if (!st) this.states.set(p.alert.id, (st = { alert: p.alert, seq, spoke: new Set([kind]), other: null, texts: null, recipients: null }));
      (st.other ??= new Set()).add(kind);
      const texts = (st.texts ??= []);
      if (texts.length < 2) texts.push(safeText(latin1(pkt.payload, 120).split('\n')[0]!.replace(/\r$/, ''), 100));
    }
    // Recipients count only for mass-SMTP candidates, which are kept from the start.
    if (st && this.smtp.has(pkt.dstPort ?? -1)) {
      for (const m of latin1(pkt.payload, 8192).matchAll(RCPT)) {
        const r = recipientsOf(m[1]!)[0];
        const rs = (st.recipients ??= new Set());
        if (r && rs.size < 512) rs.add(r);
      }
    }
  }

  /** The findings, once every packet is in; RCPT TO extra data counts after the packets' own. */
  findings(rcptExtra: ReadonlyArray<{ alertId: number; value: string }>): Finding[] {
    for (const x of rcptExtra) {
      const st = this.states.get(x.alertId);
      if (!st) continue;
      const rs = (st.recipients ??= new Set());
      for (const r of recipientsOf(x.value)) if (rs.size < 512) rs.add(r);
    }
    const all = [...this.states.values()].sort((a, b) => a.seq - b.seq);
    return [
      ...mismatches(all, this.o.httpPorts, 'non-http', this.o),
      ...mismatches(all, this.o.smtpPorts, 'non-smtp', this.o),
      ...massSmtp(all, this.o),
    ];
  }
}

/** Why one alert shows a protocol mismatch on `kind`'s ports, or null. */
function mismatchReason(st: AlertState, kind: 'non-http' | 'non-smtp'): string | null {
  if (st.other !== null && st.other.size > 0) return `payload speaks ${[...st.other].sort().join(', ')}`;
  // http_inspect UNKNOWN METHOD: HTTP-shaped requests with an odd verb (BREW, ...) are HTTP.
  if (kind === 'non-http' && st.spoke?.has('http-request')) return /\bnon[- ]?HTTP\b/i.test(st.alert.message) ? `signature ${st.alert.gid}:${st.alert.sid}` : null;
  return signatureReason(st.alert, kind);
}

/** The mismatch an alert's signature alone names (before any payload is seen), or null. */
function signatureReason(a: AlertRow, kind: 'non-http' | 'non-smtp'): string | null {
  if (kind === 'non-http') {
    if (/\bnon[- ]?HTTP\b/i.test(a.message)) return `signature ${a.gid}:${a.sid}`;
    if (a.gid === 119 && a.sid === 31) return 'http_inspect 119:31 unknown method';
  } else {
    if (/\bnon[- ]?SMTP\b/i.test(a.message)) return `signature ${a.gid}:${a.sid}`;
    if (a.gid === 124 && a.sid === 5) return 'smtp 124:5 unknown command';
  }
  return null;
}

function mismatches(states: readonly AlertState[], ports: readonly number[], kind: 'non-http' | 'non-smtp', o: AnomalyOptions): Finding[] {
  const home = homeMatcher(o.homeNets);
  const svc = new Set(ports);
  const per = new Map<string, { sessions: Set<string>; peers: Set<string>; reasons: Set<string>; protocols: Set<string>; role: Set<string>; items: AlertState[] }>();
  for (const st of states) {
    const a = st.alert;
    if (a.proto !== 6 || !a.src || !a.dst) continue;
    const toSvc = svc.has(a.dport ?? -1);
    if (!toSvc && !svc.has(a.sport ?? -1)) continue;
    const reason = mismatchReason(st, kind);
    if (reason === null) continue;
    const [client, cport, server, sport] = toSvc ? [a.src, a.sport, a.dst, a.dport] : [a.dst, a.dport, a.src, a.sport];
    const host = home(client) ? client : home(server) ? server : null;
    if (host === null) continue;
    let e = per.get(host);
    if (!e) per.set(host, (e = { sessions: new Set(), peers: new Set(), reasons: new Set(), protocols: new Set(), role: new Set(), items: [] }));
    e.sessions.add(`${client}|${cport}|${server}|${sport}`);
    e.peers.add(host === client ? fmt(server, sport) : fmt(client, cport));
    e.role.add(host === client ? 'client' : 'server');
    e.reasons.add(reason);
    for (const p of st.other ?? []) e.protocols.add(p);
    e.items.push(st);
  }
  const out: Finding[] = [];
  const label = kind === 'non-http' ? 'HTTP' : 'SMTP';
  for (const [host, e] of per) {
    if (e.sessions.size < o.mismatchSessions) continue;
    const protos = [...e.protocols].sort();
    out.push({
      kind, host, internal: true, first: isoUs(e.items[0]!.alert.ts), last: isoUs(e.items[e.items.length - 1]!.alert.ts),
      summary: `${host}: ${e.sessions.size} session${e.sessions.size === 1 ? '' : 's'} on ${ports.join('/')} not speaking ${label}${protos.length ? ` (${protos.join(', ')})` : ''} with ${sample(e.peers, 5).join(', ')}`,
      detail: { ports: [...ports], sessions: e.sessions.size, protocols: protos, peers: sample(e.peers), role: [...e.role].sort(), reasons: [...e.reasons].sort() },
      evidence: e.items.slice(0, o.maxEvidence).map((st) => evidenceItem(st.alert, st.texts?.[0] ?? null)),
    });
  }
  return out;
}

const fmt = (ip: string, port: number | null): string => (port === null ? ip : ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
const isSpamSignature = (a: AlertRow): boolean => /\bSPAM\b/i.test(a.message) || /spam|mass mail/i.test(a.classification ?? '');

/**
 * Mass SMTP: an internal host that is not a mail server, sending to many SMTP servers or many
 * recipients within `smtpWindowS`, or named by a spam signature.
 */
function massSmtp(states: readonly AlertState[], o: AnomalyOptions): Finding[] {
  const home = homeMatcher(o.homeNets);
  const mailServer = homeMatcher(o.mailServers);
  const mail = new Set(o.mailPorts);
  const per = new Map<string, AlertState[]>();
  for (const st of states) {
    const a = st.alert;
    if (a.proto !== 6 || !a.src || !a.dst || !mail.has(a.dport ?? -1) || !home(a.src) || mailServer(a.src)) continue;
    const g = per.get(a.src);
    if (g) g.push(st); else per.set(a.src, [st]);
  }
  const out: Finding[] = [];
  const win = o.smtpWindowS * 1e6;
  for (const [host, g] of per) {
    const dsts = maxDistinctInWindow(g.map((s) => ({ ts: s.alert.ts, key: s.alert.dst! })), win);
    const rcpts = maxDistinctInWindow(g.flatMap((s) => [...s.recipients ?? []].map((r) => ({ ts: s.alert.ts, key: r }))), win);
    const spam = g.filter((s) => isSpamSignature(s.alert));
    const reasons: string[] = [];
    if (dsts.count >= o.smtpDestinations) reasons.push(`${dsts.count} SMTP servers within ${o.smtpWindowS} s`);
    if (rcpts.count >= o.smtpRecipients) reasons.push(`${rcpts.count} recipients within ${o.smtpWindowS} s`);
    if (spam.length > 0) reasons.push(`spam signature: ${[...new Set(spam.map((s) => safeText(s.alert.message, 120)))].join('; ')}`);
    if (reasons.length === 0) continue;
    const sessions = new Set(g.map((s) => `${s.alert.dst}|${s.alert.sport}`));
    const allRcpt = new Set(g.flatMap((s) => [...s.recipients ?? []]));
    out.push({
      kind: 'mass-smtp', host, internal: true, first: isoUs(g[0]!.alert.ts), last: isoUs(g[g.length - 1]!.alert.ts),
      summary: `${host} sends mail like a spam bot: ${reasons.join('; ')}`,
      detail: {
        reasons, servers: new Set(g.map((s) => s.alert.dst)).size, serversInWindow: dsts.count, recipients: allRcpt.size,
        recipientsInWindow: rcpts.count, sessions: sessions.size, spamAlerts: spam.length, recipientSample: sample(allRcpt, 10),
      },
      evidence: g.slice(0, o.maxEvidence).map((s) => evidenceItem(s.alert, s.recipients?.size ? `${s.recipients.size} RCPT TO` : null)),
    });
  }
  return out;
}
