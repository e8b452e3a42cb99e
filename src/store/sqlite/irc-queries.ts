/**
 * Store reads behind `snarf clusters`: IRC alerts, the stored packets worth reading for IRC
 * lines, and (when the flow tables of migration 2 exist) flows between internal hosts and the
 * servers found. The analysis is in src/analysis/irc-clusters.ts. Alerts come in identity order
 * (time, then identity hash), as on PostgreSQL (../postgres/irc-queries.ts), so both stores list
 * the same evidence.
 */
import type Database from 'better-sqlite3';
import { ipFromKey, ipKey } from '../../model/ip.js';
import type { AlertFilter } from '../store.js';
import type { AlertRow, FlowContact, IrcReads, PacketRow } from '../reads/irc-reads.js';
import { alertWhere } from './summary-query.js';

export type { AlertRow, FlowContact, PacketRow };

interface RawAlert {
  id: number; ts: number; gid: number; sid: number; message: string; classification: string | null;
  proto: number | null; src: Buffer | null; sport: number | null; dst: Buffer | null; dport: number | null;
}

export const ALERT_COLUMNS = `a.id, a.ts, g.gid, g.sid, coalesce(a.msg, g.message) AS message, g.classification, a.proto,
  a.src, a.sport, a.dst, a.dport`;

export function toAlertRow(r: RawAlert): AlertRow {
  return {
    id: r.id, ts: r.ts, gid: r.gid, sid: r.sid, message: r.message, classification: r.classification, proto: r.proto,
    src: r.src ? ipFromKey(r.src) : null, sport: r.sport, dst: r.dst ? ipFromKey(r.dst) : null, dport: r.dport,
  };
}

/** SQL list of small integers (ports), validated so it can be inlined. */
export function intList(xs: readonly number[]): string {
  const ok = xs.filter((x) => Number.isInteger(x) && x >= 0 && x <= 65535);
  return ok.length ? ok.join(', ') : '-1';
}

/** `LIKE` is case-insensitive for ASCII in SQLite; the analysis re-checks with a word boundary. */
const IRC_SIG = `(coalesce(a.msg, g.message) LIKE '%IRC%')`;
const BOT_SIG = `(coalesce(a.msg, g.message) LIKE '%BOT%' OR coalesce(a.msg, g.message) LIKE '%TROJAN%'
  OR coalesce(a.msg, g.message) LIKE '%C&C%' OR g.classification LIKE '%trojan%')`;
const NON_PROTO_SIG = `((g.gid = 119 AND g.sid = 31) OR coalesce(a.msg, g.message) LIKE '%non-HTTP%'
  OR coalesce(a.msg, g.message) LIKE '%non-standard%')`;

/** Alerts of IRC signatures (the message names IRC): nick, join, bot commands and replies... */
export function ircAlerts(db: Database.Database, filter: AlertFilter): AlertRow[] {
  const w = alertWhere(filter);
  return (db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts a JOIN signatures g ON g.id = a.sig_id
    WHERE ${w.sql} AND ${IRC_SIG} ORDER BY a.ts, a.h`).all(...w.params) as RawAlert[]).map(toAlertRow);
}

/**
 * Packets worth reading for IRC lines: those of IRC, bot/trojan and protocol-mismatch alerts,
 * and of any TCP alert on an IRC port or on a port where IRC alerts fired. Reading every stored
 * packet would make `snarf clusters` cost as much as the whole database; this set is where IRC
 * can be, including IRC on port 80. Streams (iterate), at most `limit` packets (oldest first).
 */
export function* ircPackets(db: Database.Database, filter: AlertFilter, ports: readonly number[], limit: number): Generator<PacketRow> {
  const w = alertWhere(filter);
  const list = intList(ports);
  const rows = db.prepare(`SELECT ${ALERT_COLUMNS}, p.seq, p.ts AS pts, p.linktype, p.data
    FROM alerts a JOIN signatures g ON g.id = a.sig_id JOIN packets p ON p.alert_id = a.id
    WHERE ${w.sql} AND (a.proto = 6 OR a.proto IS NULL)
      AND (${IRC_SIG} OR ${BOT_SIG} OR ${NON_PROTO_SIG} OR a.sport IN (${list}) OR a.dport IN (${list}))
    ORDER BY a.ts, a.h, p.seq LIMIT ?`).iterate(...w.params, limit) as IterableIterator<RawAlert & { seq: number; pts: number; linktype: number; data: Buffer }>;
  for (const r of rows) yield { alert: toAlertRow(r), seq: r.seq, ts: r.pts, linktype: r.linktype, data: r.data };
}

export function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
}

/**
 * Flows (sFlow rollup, migration 2) between internal hosts and these peers, or null when this
 * store has no flow tables. Read directly: the Store interface has no per-peer flow method yet.
 */
export function flowContacts(db: Database.Database, peers: readonly string[], sinceUs?: number, untilUs?: number): FlowContact[] | null {
  if (!hasTable(db, 'flow_peers') || peers.length === 0) return null;
  const HOUR = 3_600_000_000;
  const lo = sinceUs === undefined ? -1e15 : Math.floor(sinceUs / HOUR);
  const hi = untilUs === undefined ? 1e15 : Math.ceil(untilUs / HOUR);
  const q = db.prepare(`SELECT host, peer, sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes,
    min(first) AS first, max(last) AS last FROM flow_peers WHERE peer = ? AND hour >= ? AND hour < ? GROUP BY host`);
  const out: FlowContact[] = [];
  try {
    for (const peer of peers) {
      for (const r of q.all(ipKey(peer), lo, hi) as Array<{ host: Buffer; peer: Buffer; flows: number; packets: number; bytes: number; first: number; last: number }>) {
        out.push({ host: ipFromKey(r.host), peer, flows: r.flows, packets: r.packets, bytes: r.bytes, firstUs: r.first, lastUs: r.last });
      }
    }
  } catch {
    return null; // the flow schema moved on: clusters still stand on alerts and payloads
  }
  return out;
}

/** IrcReads over these queries; packets go to `each` in one synchronous pass, as iterate() yields them. */
export function sqliteIrcReads(db: Database.Database): IrcReads {
  return {
    ircAlerts: async (filter) => ircAlerts(db, filter),
    eachIrcPacket: async (filter, ports, limit, each) => {
      for (const p of ircPackets(db, filter, ports, limit)) each(p);
    },
    flowContacts: async (peers, sinceUs, untilUs) => flowContacts(db, peers, sinceUs, untilUs),
  };
}
