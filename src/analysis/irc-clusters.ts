/**
 * IRC-bot clusters: internal hosts grouped by the chat server that commands them ("round up
 * every host connected to the same chat server in one sweep"). Pure: fed alert rows, stored
 * packets and flow totals, it returns clusters ready for JSON and HTML.
 *
 * - A server is keyed by its address alone, so one C&C reached on 6667 and 31337 (or on 80) is
 *   one cluster, with every port listed. IPv4 and IPv6 alike.
 * - The server is the external end of the conversation, whichever side sent the packet (the C&C
 *   is the *source* of `!scan` alerts). Payload lines decide when they can: a server's lines
 *   carry a prefix. Both ends internal: the end on the IRC port, else the lower port.
 * - Level: `confirmed` when bot/trojan alerts, bot commands or bot status replies involve the
 *   server; `suspected` on bot-style nicks or IRC on another service's port (< 1024) alone;
 *   other servers are chat servers, listed apart so ordinary IRC users are in no bot cluster.
 * - New members: `known` (the state file) holds the servers and members recorded by earlier
 *   runs; a host not recorded when its server already was, or recorded by a later run than the
 *   server, has `new: true`. rememberClusters() returns the updated record (append-only).
 */
import type { AlertRow, FlowContact, PacketRow } from '../store/reads/irc-reads.js';
import { decodePacket, safeText } from './packet-payload.js';
import { ircFacts, isBotNick, nickPattern, parseIrcLines, type IrcFacts } from './irc-payload.js';
import { homeMatcher, isoUs, sigText, type EvidenceItem } from './anomalies.js';

/** Default IRC ports: IANA 194/994/6697, the 6660-6669 block, 7000/7001 and 8000/8001 (common). */
export const DEFAULT_IRC_PORTS: readonly number[] = [194, 994, 6660, 6661, 6662, 6663, 6664, 6665, 6666, 6667, 6668, 6669, 6697, 7000, 7001, 8000, 8001];

export interface KnownServer {
  /** When a run first recorded this server (ISO). */
  since: string;
  /** Member host → when a run first recorded it (ISO). */
  members: Record<string, string>;
}
export type KnownServers = Record<string, KnownServer>;

export interface ClusterOptions {
  homeNets: readonly string[];
  ircPorts?: readonly number[];
  known?: KnownServers;
  /** Evidence items kept per cluster (earliest first). */
  maxEvidence?: number;
}

export interface ClusterMember {
  host: string;
  /** Server ports this host reached the server on. */
  ports: number[];
  nicks: string[];
  channels: string[];
  alerts: number;
  payloadLines: number;
  flows: number | null;
  via: Array<'alerts' | 'payload' | 'flows'>;
  first: string | null;
  last: string | null;
  new: boolean;
  knownSince: string | null;
}

export interface IrcCluster {
  server: string;
  family: 4 | 6;
  ports: number[];
  level: 'confirmed' | 'suspected' | 'chat';
  reasons: string[];
  members: ClusterMember[];
  newMembers: string[];
  channels: Array<{ name: string; keys: string[] }>;
  nicks: string[];
  nickPatterns: Array<{ pattern: string; count: number; botStyle: boolean }>;
  commands: Array<{ verb: string; text: string; count: number; first: string | null }>;
  replies: Array<{ tag: string; count: number }>;
  /** nick!user@host that sent channel messages through the server (the herder). */
  senders: string[];
  serverNames: string[];
  signatures: Array<{ gid: number; sid: number; message: string; count: number; bot: boolean }>;
  first: string | null;
  last: string | null;
  known: boolean;
  evidence: { alerts: number; payloadLines: number; flows: number | null; items: EvidenceItem[] };
}

interface MemberAcc {
  host: string; ports: Set<number>; nicks: Set<string>; channels: Set<string>; alerts: Set<number>; payloadLines: number;
  flows: number | null; via: Set<'alerts' | 'payload' | 'flows'>; firstUs: number; lastUs: number;
}
interface ServerAcc {
  server: string; ports: Set<number>; members: Map<string, MemberAcc>; channels: Map<string, Set<string>>;
  nicks: Set<string>; commands: Map<string, { verb: string; text: string; count: number; firstUs: number }>;
  replies: Map<string, number>; senders: Set<string>; serverNames: Set<string>; alertIds: Set<number>;
  signatures: Map<string, { gid: number; sid: number; message: string; count: number; bot: boolean }>;
  botAlerts: number; payloadLines: number; flows: number | null; firstUs: number; lastUs: number; items: EvidenceItem[];
  itemOf: Map<number, EvidenceItem>;
}

const BOT_MESSAGE = /\b(BOT|BOTNET|TROJAN|C&C|CNC|C2)\b/i;
export const isBotSignature = (a: Pick<AlertRow, 'message' | 'classification'>): boolean =>
  BOT_MESSAGE.test(a.message) || /trojan/i.test(a.classification ?? '');
const isIrcSignature = (a: AlertRow): boolean => /\bIRC\b/i.test(a.message);

/** Accumulates evidence; call result() once everything has been added. */
export class ClusterBuilder {
  private readonly servers = new Map<string, ServerAcc>();
  private readonly home: (ip: string) => boolean;
  private readonly ircPorts: Set<number>;
  private readonly maxEvidence: number;

  constructor(private readonly opts: ClusterOptions) {
    this.home = homeMatcher(opts.homeNets);
    this.ircPorts = new Set(opts.ircPorts ?? DEFAULT_IRC_PORTS);
    this.maxEvidence = opts.maxEvidence ?? 40;
  }

  /** An alert of an IRC signature (no payload needed: text imports give only these). */
  addAlert(a: AlertRow): void {
    if (!isIrcSignature(a)) return;
    const ends = this.orient(a.src, a.sport, a.dst, a.dport, 'unknown');
    if (!ends) return;
    const { s, m } = this.touch(ends.server, ends.serverPort, ends.client, a.ts);
    this.countAlert(s, m, a);
    this.evidence(s, { time: isoUs(a.ts), alertId: a.id, signature: sigText(a), from: hostPort(a.src, a.sport), to: hostPort(a.dst, a.dport), text: null });
  }

  /** A stored packet: IRC lines in it add channels, nicks, commands and members. */
  addPacket(p: PacketRow): void {
    const pkt = decodePacket(p.linktype, p.data);
    if (!pkt || pkt.protocol !== 6 || pkt.payload.length === 0) return;
    const lines = parseIrcLines(pkt.payload);
    if (lines.length === 0) return;
    const facts = ircFacts(lines);
    const ends = this.orient(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort, facts.sender);
    if (!ends) return;
    const { s, m } = this.touch(ends.server, ends.serverPort, ends.client, p.ts);
    // The alert of a payload counts once, whether it came through addAlert or only here (IRC on
    // port 80 may raise only a protocol-mismatch alert).
    if (!s.alertIds.has(p.alert.id)) this.countAlert(s, m, p.alert);
    this.absorb(s, m, facts, p.ts, !ends.clientSent);
    const first = lines[0]!;
    const text = facts.commands[0]?.text ?? safeText(`${first.command} ${first.params.join(' ')}`, 160);
    // The alert's item (from addAlert) gets the payload line; else the packet is an item itself.
    const seen = s.itemOf.get(p.alert.id);
    if (seen) seen.text ??= text;
    else this.evidence(s, { time: isoUs(p.ts), alertId: p.alert.id, signature: sigText(p.alert), from: hostPort(pkt.src, pkt.srcPort), to: hostPort(pkt.dst, pkt.dstPort), text });
  }

  /** Flow totals between internal hosts and servers already found (other peers are ignored). */
  addFlows(contacts: readonly FlowContact[] | null): void {
    if (contacts === null) return;
    for (const c of contacts) {
      const s = this.servers.get(c.peer);
      if (!s || !this.home(c.host)) continue;
      s.flows = (s.flows ?? 0) + c.flows;
      let m = s.members.get(c.host);
      if (!m) {
        m = newMember(c.host, c.firstUs);
        s.members.set(c.host, m);
      }
      m.flows = (m.flows ?? 0) + c.flows;
      m.via.add('flows');
      m.firstUs = Math.min(m.firstUs, c.firstUs);
      m.lastUs = Math.max(m.lastUs, c.lastUs);
    }
  }

  /** Ports the servers found so far were reached on (where else to look for IRC payloads). */
  serverPorts(): number[] {
    const out = new Set<number>();
    for (const s of this.servers.values()) for (const p of s.ports) out.add(p);
    return [...out];
  }

  /** Server addresses found so far (to ask the store for flows to them). */
  serverAddresses(): string[] {
    return [...this.servers.keys()];
  }

  result(): IrcCluster[] {
    const out = [...this.servers.values()].map((s) => this.finish(s));
    const rank = { confirmed: 0, suspected: 1, chat: 2 } as const;
    return out.sort((a, b) => rank[a.level] - rank[b.level] || b.members.length - a.members.length || (a.server < b.server ? -1 : 1));
  }

  // --- internals --------------------------------------------------------------------------------

  /** Which end is the server; null when no end is an internal client. */
  private orient(src: string | null, sport: number | null, dst: string | null, dport: number | null, sender: IrcFacts['sender']):
    { server: string; serverPort: number | null; client: string; clientSent: boolean } | null {
    if (!src || !dst) return null;
    let serverIsDst: boolean;
    if (sender === 'server') serverIsDst = false;
    else if (sender === 'client') serverIsDst = true;
    else {
      const hs = this.home(src);
      const hd = this.home(dst);
      if (hs !== hd) serverIsDst = hs;
      else if (!hs) return null;
      else if (this.ircPorts.has(dport ?? -1) !== this.ircPorts.has(sport ?? -1)) serverIsDst = this.ircPorts.has(dport ?? -1);
      else serverIsDst = (dport ?? 65536) <= (sport ?? 65536);
    }
    const client = serverIsDst ? src : dst;
    if (!this.home(client)) return null; // an outside client of some server: not one of our hosts
    return serverIsDst
      ? { server: dst, serverPort: dport, client: src, clientSent: true }
      : { server: src, serverPort: sport, client: dst, clientSent: false };
  }

  private touch(server: string, port: number | null, client: string, ts: number): { s: ServerAcc; m: MemberAcc } {
    let s = this.servers.get(server);
    if (!s) {
      s = {
        server, ports: new Set(), members: new Map(), channels: new Map(), nicks: new Set(), commands: new Map(), replies: new Map(),
        senders: new Set(), serverNames: new Set(), alertIds: new Set(), signatures: new Map(), botAlerts: 0, payloadLines: 0,
        flows: null, firstUs: ts, lastUs: ts, items: [], itemOf: new Map(),
      };
      this.servers.set(server, s);
    }
    let m = s.members.get(client);
    if (!m) {
      m = newMember(client, ts);
      s.members.set(client, m);
    }
    if (port !== null) { s.ports.add(port); m.ports.add(port); }
    s.firstUs = Math.min(s.firstUs, ts);
    s.lastUs = Math.max(s.lastUs, ts);
    m.firstUs = Math.min(m.firstUs, ts);
    m.lastUs = Math.max(m.lastUs, ts);
    return { s, m };
  }

  private countAlert(s: ServerAcc, m: MemberAcc, a: AlertRow): void {
    if (s.alertIds.has(a.id)) return;
    s.alertIds.add(a.id);
    m.alerts.add(a.id);
    m.via.add('alerts');
    const bot = isBotSignature(a);
    if (bot) s.botAlerts++;
    const key = `${a.gid}:${a.sid}`;
    const sig = s.signatures.get(key) ?? { gid: a.gid, sid: a.sid, message: a.message, count: 0, bot };
    sig.count++;
    s.signatures.set(key, sig);
  }

  private absorb(s: ServerAcc, m: MemberAcc, f: IrcFacts, ts: number, fromServer: boolean): void {
    s.payloadLines += f.lines;
    m.payloadLines += f.lines;
    m.via.add('payload');
    for (const c of f.channels) {
      const keys = s.channels.get(c.name) ?? new Set<string>();
      if (c.key !== null && keys.size < 8) keys.add(c.key);
      if (s.channels.size < 64) s.channels.set(c.name, keys);
      m.channels.add(c.name);
    }
    // Nicks a client announces are its own; the server only echoes them back.
    if (!fromServer) for (const n of f.nicks) { if (s.nicks.size < 256) s.nicks.add(n); if (m.nicks.size < 8) m.nicks.add(n); }
    for (const c of f.commands) {
      const e = s.commands.get(c.text) ?? { verb: c.verb, text: c.text, count: 0, firstUs: ts };
      e.count++;
      e.firstUs = Math.min(e.firstUs, ts);
      if (s.commands.size < 64 || s.commands.has(c.text)) s.commands.set(c.text, e);
    }
    for (const r of f.replies) s.replies.set(r, (s.replies.get(r) ?? 0) + 1);
    for (const x of f.senders) if (s.senders.size < 16) s.senders.add(x);
    for (const x of f.serverNames) if (s.serverNames.size < 8) s.serverNames.add(x);
  }

  private evidence(s: ServerAcc, item: EvidenceItem): void {
    if (s.items.length >= this.maxEvidence) return;
    s.items.push(item);
    if (item.alertId !== null) s.itemOf.set(item.alertId, item);
  }

  private finish(s: ServerAcc): IrcCluster {
    const known = this.opts.known?.[s.server];
    const members = [...s.members.values()].sort((a, b) => a.firstUs - b.firstUs || (a.host < b.host ? -1 : 1)).map((m): ClusterMember => {
      const recorded = known?.members[m.host] ?? null;
      return {
        host: m.host, ports: [...m.ports].sort((a, b) => a - b), nicks: [...m.nicks].sort(), channels: [...m.channels].sort(),
        alerts: m.alerts.size, payloadLines: m.payloadLines, flows: m.flows, via: [...m.via].sort(),
        first: isoUs(m.firstUs), last: isoUs(m.lastUs),
        new: known !== undefined && (recorded === null || recorded > known.since), knownSince: recorded,
      };
    });
    const patterns = new Map<string, { pattern: string; count: number; botStyle: boolean }>();
    for (const n of s.nicks) {
      const p = nickPattern(n);
      const e = patterns.get(p) ?? { pattern: p, count: 0, botStyle: isBotNick(n) };
      e.count++;
      patterns.set(p, e);
    }
    const ports = [...s.ports].sort((a, b) => a - b);
    const reasons: string[] = [];
    if (s.botAlerts > 0) {
      const sigs = [...s.signatures.values()].filter((x) => x.bot).map((x) => x.message);
      reasons.push(`${s.botAlerts} bot/trojan alert${s.botAlerts === 1 ? '' : 's'}: ${sigs.join('; ')}`);
    }
    if (s.commands.size > 0) reasons.push(`bot commands: ${[...new Set([...s.commands.values()].map((c) => c.verb))].join(', ')}`);
    if (s.replies.size > 0) reasons.push(`bot status replies: ${[...s.replies.keys()].join(', ')}`);
    const confirmed = reasons.length > 0;
    const botNicks = [...patterns.values()].filter((p) => p.botStyle);
    if (botNicks.length > 0) reasons.push(`bot-style nicks: ${botNicks.map((p) => p.pattern).join(', ')}`);
    const offPort = ports.filter((p) => p < 1024 && !this.ircPorts.has(p));
    if (offPort.length > 0) reasons.push(`IRC on port ${offPort.join(', ')} (another service's port)`);
    const odd = ports.filter((p) => p >= 1024 && !this.ircPorts.has(p));
    if (odd.length > 0 && reasons.length > 0) reasons.push(`IRC on non-IRC port ${odd.join(', ')}`);
    const level = confirmed ? 'confirmed' : reasons.length > 0 ? 'suspected' : 'chat';
    return {
      server: s.server, family: s.server.includes(':') ? 6 : 4, ports, level, reasons, members,
      newMembers: members.filter((m) => m.new).map((m) => m.host),
      channels: [...s.channels].map(([name, keys]) => ({ name, keys: [...keys].sort() })).sort((a, b) => (a.name < b.name ? -1 : 1)),
      nicks: [...s.nicks].sort(),
      nickPatterns: [...patterns.values()].sort((a, b) => b.count - a.count || (a.pattern < b.pattern ? -1 : 1)),
      commands: [...s.commands.values()].sort((a, b) => a.firstUs - b.firstUs).map((c) => ({ verb: c.verb, text: c.text, count: c.count, first: isoUs(c.firstUs) })),
      replies: [...s.replies].map(([tag, count]) => ({ tag, count })),
      senders: [...s.senders].sort(), serverNames: [...s.serverNames].sort(),
      signatures: [...s.signatures.values()].sort((a, b) => b.count - a.count || a.gid - b.gid || a.sid - b.sid),
      first: isoUs(s.firstUs), last: isoUs(s.lastUs), known: known !== undefined,
      evidence: { alerts: s.alertIds.size, payloadLines: s.payloadLines, flows: s.flows, items: s.items },
    };
  }
}

function newMember(host: string, ts: number): MemberAcc {
  return { host, ports: new Set(), nicks: new Set(), channels: new Set(), alerts: new Set(), payloadLines: 0, flows: null, via: new Set(), firstUs: ts, lastUs: ts };
}

const hostPort = (ip: string | null, port: number | null): string =>
  ip === null ? '?' : port === null ? ip : ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;

/** The record of known servers after this run: bot clusters (confirmed or suspected) added, nothing removed. */
export function rememberClusters(known: KnownServers, clusters: readonly IrcCluster[], nowIso: string): KnownServers {
  const out: KnownServers = { ...known };
  for (const c of clusters) {
    if (c.level === 'chat') continue;
    const k: KnownServer = out[c.server] ? { since: out[c.server]!.since, members: { ...out[c.server]!.members } } : { since: nowIso, members: {} };
    for (const m of c.members) k.members[m.host] ??= nowIso;
    out[c.server] = k;
  }
  return out;
}
