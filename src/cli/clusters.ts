/**
 * `snarf clusters [--json]`: IRC-bot clusters, internal hosts grouped by the chat server that
 * commands them, with channels, nicks, bot commands, members and evidence; hosts newly joining
 * a server recorded by an earlier run are flagged. clusterReport() is what the HTML report calls.
 * Also the options both bot/anomaly commands share (home networks, times, ports).
 * The store and the state file are imported when needed (see main.ts); analysis/irc-clusters.js
 * is light and gives the default ports the options show.
 */
import { Command, InvalidArgumentError } from 'commander';
import type { AlertFilter, Store } from '../store/store.js';
import { ClusterBuilder, DEFAULT_IRC_PORTS, rememberClusters, type IrcCluster, type KnownServers } from '../analysis/irc-clusters.js';
import { parseCidr, parseInstant, parsePort as parsePortList } from './flow-options.js';
import { DEFAULT_DB } from './options.js';

export { parseCidr, parseInstant, parsePortList };

/** Internal networks when neither --home-net nor the store (an sFlow import) names them. */
export const DEFAULT_HOME_NETS: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];

export function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${v}" is not a whole number of at least 1`);
  return n;
}

export const collectNames = (v: string, prev: string[] = []): string[] => [...prev, v];

/** --home-net if given, else the networks the store remembers (sFlow import), else RFC 1918 + ULA. */
export async function resolveHomeNets(store: Store, given: readonly string[] | undefined): Promise<{ homeNets: string[]; from: 'option' | 'store' | 'default' }> {
  if (given?.length) return { homeNets: [...given], from: 'option' };
  const stored = store.flowSettings ? (await store.flowSettings()).homeNets : null;
  if (stored?.length) return { homeNets: stored, from: 'store' };
  return { homeNets: [...DEFAULT_HOME_NETS], from: 'default' };
}

export interface ClusterReportOptions {
  homeNets?: readonly string[];
  sinceUs?: number;
  untilUs?: number;
  sensors?: string[];
  ircPorts?: readonly number[];
  /** Servers and members recorded by earlier runs (loadKnownClusters); omit to flag nothing as new. */
  known?: KnownServers;
  /** Stored packets read for IRC lines at most. */
  maxPackets?: number;
}

export interface ClusterReport {
  homeNets: string[];
  homeNetsFrom: 'option' | 'store' | 'default';
  ircPorts: number[];
  /** Bot clusters: confirmed first, then suspected. */
  clusters: IrcCluster[];
  /** IRC servers without bot evidence, and their internal clients (never bot clusters). */
  chatServers: IrcCluster[];
  /** Internal host → the servers it is a member of (links from host pages). */
  hosts: Array<{ host: string; servers: Array<{ server: string; level: IrcCluster['level']; new: boolean }> }>;
}

/** Clusters straight from an open store: what `snarf clusters` prints and the report pages call. */
export async function clusterReport(store: Store, o: ClusterReportOptions = {}): Promise<ClusterReport> {
  const { ircReadsFor } = await import('../store/reads/reads-for.js');
  const reads = ircReadsFor(store);
  const { homeNets, from } = await resolveHomeNets(store, o.homeNets);
  const ircPorts = [...(o.ircPorts?.length ? o.ircPorts : DEFAULT_IRC_PORTS)];
  const filter: AlertFilter = { sinceUs: o.sinceUs, untilUs: o.untilUs, sensors: o.sensors };
  const b = new ClusterBuilder({ homeNets, ircPorts, known: o.known });
  for (const a of await reads.ircAlerts(filter)) b.addAlert(a);
  // Packets on IRC ports and on every server port IRC alerts showed (IRC on 80, 31337...).
  const ports = [...new Set([...ircPorts, ...b.serverPorts()])];
  await reads.eachIrcPacket(filter, ports, o.maxPackets ?? 500_000, (p) => b.addPacket(p));
  b.addFlows(await reads.flowContacts(b.serverAddresses(), o.sinceUs, o.untilUs));
  const all = b.result();
  const clusters = all.filter((c) => c.level !== 'chat');
  const hosts = new Map<string, ClusterReport['hosts'][number]['servers']>();
  for (const c of all) {
    for (const m of c.members) {
      const list = hosts.get(m.host) ?? [];
      list.push({ server: c.server, level: c.level, new: m.new });
      hosts.set(m.host, list);
    }
  }
  return {
    homeNets, homeNetsFrom: from, ircPorts, clusters, chatServers: all.filter((c) => c.level === 'chat'),
    hosts: [...hosts].map(([host, servers]) => ({ host, servers })).sort((a, b) => (a.host < b.host ? -1 : 1)),
  };
}

export async function loadKnownClusters(db: string): Promise<KnownServers> {
  const { openState, statePathFor } = await import('../state/state-file.js');
  return (await openState(statePathFor(db))).data.ircClusters ?? {};
}

/** Records this run's bot clusters in `<db>.state.json` (append-only). */
export async function saveKnownClusters(db: string, clusters: readonly IrcCluster[], now = new Date()): Promise<void> {
  const { openState, statePathFor } = await import('../state/state-file.js');
  const state = await openState(statePathFor(db));
  state.data.ircClusters = rememberClusters(state.data.ircClusters ?? {}, clusters, now.toISOString());
  await state.write();
}

const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');

function clusterText(r: ClusterReport): string {
  const out: string[] = [`home networks (${r.homeNetsFrom}): ${r.homeNets.join(' ')}`];
  if (r.clusters.length === 0) out.push('no IRC-bot clusters');
  for (const c of r.clusters) {
    const fresh = c.newMembers.length ? `, ${c.newMembers.length} new` : '';
    out.push('', `${c.level.toUpperCase()}  C&C ${c.server}  port${c.ports.length === 1 ? '' : 's'} ${c.ports.join(',')}  ${c.members.length} member${c.members.length === 1 ? '' : 's'}${fresh}  ${c.first} .. ${c.last}`);
    for (const why of c.reasons) out.push(`  why: ${why}`);
    if (c.channels.length) out.push(`  channels: ${c.channels.map((ch) => (ch.keys.length ? `${ch.name} (key ${ch.keys.join(',')})` : ch.name)).join(' ')}`);
    if (c.nickPatterns.length) out.push(`  nicks: ${c.nickPatterns.map((p) => `${p.pattern} x${p.count}`).join('  ')}`);
    for (const cmd of c.commands.slice(0, 8)) out.push(`  command: ${cmd.text}  (x${cmd.count})`);
    if (c.senders.length) out.push(`  commanded by: ${c.senders.join(' ')}`);
    for (const m of c.members) {
      out.push(`  ${m.new ? 'NEW ' : '    '}${m.host.padEnd(22)} port ${m.ports.join(',').padEnd(11)} ${m.nicks.join(',').padEnd(18)} alerts ${m.alerts}  ${m.first} .. ${m.last}`);
    }
  }
  if (r.chatServers.length) {
    out.push('', 'IRC servers without bot evidence:');
    for (const c of r.chatServers) out.push(`  ${c.server} port ${c.ports.join(',')}: ${c.members.map((m) => m.host).join(' ')}`);
  }
  return `${out.map(clean).join('\n')}\n`;
}

interface ClustersCliOptions {
  db: string;
  homeNet?: string[];
  ircPort?: number[];
  since?: number;
  until?: number;
  sensor?: string[];
  maxPackets: number;
  remember: boolean;
  json?: boolean;
}

export function clustersCommand(): Command {
  return new Command('clusters')
    .description('IRC-bot clusters: internal hosts grouped by the chat server that commands them')
    .option('--db <path>', 'SQLite database path or postgres:// URL', DEFAULT_DB)
    .option('--home-net <cidr>', 'internal networks (repeatable; default: those remembered from an sFlow import, else RFC 1918 and fc00::/7)', parseCidr)
    .option('--irc-port <port>', `ports IRC normally uses (repeatable; default ${DEFAULT_IRC_PORTS.join(',')})`, parsePortList)
    .option('--since <time>', 'only alerts from this time (YYYY-MM-DD, ISO 8601 or epoch seconds)', parseInstant)
    .option('--until <time>', 'only alerts before this time', parseInstant)
    .option('--sensor <name>', 'only alerts of this sensor (repeatable)', collectNames)
    .option('--max-packets <n>', 'stored packets read for IRC lines at most', parseCount, 500_000)
    .option('--no-remember', 'do not record the clusters found in <db>.state.json (new members stay new)')
    .option('--json', 'machine-readable output')
    .action(async (o: ClustersCliOptions) => {
      const { openStore } = await import('../store/open.js');
      const store = await openStore(o.db, { mustExist: true });
      try {
        const known = await loadKnownClusters(o.db);
        const r = await clusterReport(store, {
          homeNets: o.homeNet, ircPorts: o.ircPort, sinceUs: o.since, untilUs: o.until, sensors: o.sensor, known, maxPackets: o.maxPackets,
        });
        if (o.remember) await saveKnownClusters(o.db, r.clusters);
        process.stdout.write(o.json ? `${JSON.stringify({ db: store.location, ...r }, null, 2)}\n` : clusterText(r));
      } finally {
        await store.close();
      }
    });
}
