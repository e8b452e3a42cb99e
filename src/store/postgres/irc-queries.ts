/**
 * `snarf clusters` on PostgreSQL: the reads of src/store/sqlite/irc-queries.ts over the same
 * columns. Packets are keyed by their alert's identity (ts, h) here rather than by alert id, so
 * they join on it, inside the same day partition.
 */
import type pg from 'pg';
import type { AlertFilter } from '../store.js';
import type { AlertRow, FlowContact, IrcReads, PacketRow } from '../reads/irc-reads.js';
// The column list and row conversion are plain SQL and JS, the same for both stores.
import { ALERT_COLUMNS, intList, toAlertRow } from '../sqlite/irc-queries.js';
import { alertWhere, Params } from './summary-query.js';
import { asciiLower, eachRow, queryRows } from './read-query.js';

type RawAlert = Parameters<typeof toAlertRow>[0];
export type RawPacket = RawAlert & { seq: number; pts: number; linktype: number; data: Buffer };

export const toPacketRow = (r: RawPacket): PacketRow => ({ alert: toAlertRow(r), seq: r.seq, ts: r.pts, linktype: r.linktype, data: r.data });

const MSG = asciiLower('coalesce(a.msg, g.message)');
const like = (expr: string, pattern: string): string => `${expr} LIKE '${pattern}'`;
const IRC_SIG = `(${like(MSG, '%irc%')})`;
const BOT_SIG = `(${like(MSG, '%bot%')} OR ${like(MSG, '%trojan%')} OR ${like(MSG, '%c&c%')}
  OR ${like(asciiLower('g.classification'), '%trojan%')})`;
const NON_PROTO_SIG = `((g.gid = 119 AND g.sid = 31) OR ${like(MSG, '%non-http%')} OR ${like(MSG, '%non-standard%')})`;
export const SCAN_SIG = `(g.gid = 122 OR ${like(MSG, 'scan %')})`;

async function ircAlerts(pool: pg.Pool, filter: AlertFilter): Promise<AlertRow[]> {
  const p = new Params();
  const rows = await queryRows<RawAlert>(pool, `SELECT ${ALERT_COLUMNS} FROM alerts a JOIN signatures g ON g.id = a.sig_id
    WHERE ${alertWhere(filter, p)} AND ${IRC_SIG} ORDER BY a.ts, a.h`, p.values);
  return rows.map(toAlertRow);
}

async function eachIrcPacket(pool: pg.Pool, filter: AlertFilter, ports: readonly number[], limit: number, each: (p: PacketRow) => void): Promise<void> {
  const p = new Params();
  const list = intList(ports);
  await eachRow<RawPacket>(pool, `SELECT ${ALERT_COLUMNS}, p.seq, p.pkt_ts AS pts, p.linktype, p.data
    FROM alerts a JOIN signatures g ON g.id = a.sig_id JOIN packets p ON p.ts = a.ts AND p.h = a.h
    WHERE ${alertWhere(filter, p)} AND (a.proto = 6 OR a.proto IS NULL)
      AND (${IRC_SIG} OR ${BOT_SIG} OR ${NON_PROTO_SIG} OR a.sport IN (${list}) OR a.dport IN (${list}))
    ORDER BY a.ts, a.h, p.seq LIMIT ${p.add(limit)}`, p.values, (r) => each(toPacketRow(r)));
}

export function pgIrcReads(pool: pg.Pool): IrcReads {
  return {
    ircAlerts: (filter) => ircAlerts(pool, filter),
    eachIrcPacket: (filter, ports, limit, each) => eachIrcPacket(pool, filter, ports, limit, each),
    // The PostgreSQL store keeps no flows yet (sFlow imports are SQLite's): clusters stand on
    // alerts and payloads, as on a SQLite store without flow tables.
    flowContacts: async (): Promise<FlowContact[] | null> => null,
  };
}
