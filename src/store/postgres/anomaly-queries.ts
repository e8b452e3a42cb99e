/**
 * `snarf anomalies` on PostgreSQL: the reads of src/store/sqlite/anomaly-queries.ts. Groups are
 * chosen in SQL the same way (only groups that can pass a threshold, by key order, bounded), and
 * their alerts read in one query instead of one per group (each would be a round trip here).
 * Orders match SQLite's: group keys with NULLs first, then identity order within a group.
 */
import type pg from 'pg';
import { ipFromKey } from '../../model/ip.js';
import type { AlertFilter } from '../store.js';
import type { AnomalyReads, HostHour } from '../reads/anomaly-reads.js';
import type { AlertRow, PacketRow } from '../reads/irc-reads.js';
import { ALERT_COLUMNS, intList, toAlertRow } from '../sqlite/irc-queries.js';
import { alertWhere, Params } from './summary-query.js';
import { SCAN_SIG, toPacketRow, type RawPacket } from './irc-queries.js';
import { eachRow, queryRows } from './read-query.js';

type Raw = Parameters<typeof toAlertRow>[0];

/** Groups examined per rule at most: enough for a campus, bounded for a hostile log. */
const MAX_GROUPS = 2000;
const HOUR_US = 3_600_000_000;

/** Addresses of a group are never NULL (plain equality reaches the address indexes); ports and protocols may be. */
const matches = (c: string): string => (c === 'src' || c === 'dst' ? `a.${c} = grp.${c}` : `a.${c} IS NOT DISTINCT FROM grp.${c}`);

async function rowsOfGroups(pool: pg.Pool, filter: AlertFilter, groupCols: string[], distinctCol: string, min: number, extra = ''): Promise<AlertRow[]> {
  const p = new Params();
  const w = alertWhere(filter, p);
  const cols = groupCols.map((c) => `a.${c}`).join(', ');
  // SQLite sorts NULL first; a NULL port (ICMP) is a group key like any other.
  const order = (t: string): string => groupCols.map((c) => `${t}.${c} NULLS FIRST`).join(', ');
  const rows = await queryRows<Raw>(pool, `WITH grp AS (
      SELECT ${cols} FROM alerts a JOIN signatures g ON g.id = a.sig_id
      WHERE ${w} AND g.gid != 122 AND a.src IS NOT NULL AND a.dst IS NOT NULL ${extra}
      GROUP BY ${cols} HAVING count(DISTINCT a.${distinctCol}) >= ${p.add(min)} ORDER BY ${order('a')} LIMIT ${MAX_GROUPS})
    SELECT ${ALERT_COLUMNS} FROM grp JOIN alerts a ON ${groupCols.map(matches).join(' AND ')}
      JOIN signatures g ON g.id = a.sig_id
    WHERE ${w} AND g.gid != 122 AND a.dst IS NOT NULL
    ORDER BY ${order('grp')}, a.ts, a.h`, p.values);
  return rows.map(toAlertRow);
}

const portWhere = (ports: readonly number[]): string => `a.proto = 6 AND (a.dport IN (${intList(ports)}) OR a.sport IN (${intList(ports)}))`;

async function scanAlerts(pool: pg.Pool, filter: AlertFilter): Promise<Array<{ alert: AlertRow; packet: PacketRow | null }>> {
  const p = new Params();
  const rows = await queryRows<Raw & { seq: number | null; pts: number | null; linktype: number | null; data: Buffer | null }>(pool,
    `SELECT ${ALERT_COLUMNS}, p.seq, p.pkt_ts AS pts, p.linktype, p.data
    FROM alerts a JOIN signatures g ON g.id = a.sig_id LEFT JOIN packets p ON p.ts = a.ts AND p.h = a.h AND p.seq = 0
    WHERE ${alertWhere(filter, p)} AND ${SCAN_SIG} ORDER BY a.ts, a.h LIMIT 100000`, p.values);
  return rows.map((r) => {
    const alert = toAlertRow(r);
    const packet = r.data === null ? null : { alert, seq: r.seq ?? 0, ts: r.pts ?? r.ts, linktype: r.linktype ?? 1, data: r.data };
    return { alert, packet };
  });
}

async function eachPortAlert(pool: pg.Pool, filter: AlertFilter, ports: readonly number[], limit: number, each: (a: AlertRow) => void): Promise<void> {
  const p = new Params();
  await eachRow<Raw>(pool, `SELECT ${ALERT_COLUMNS} FROM alerts a JOIN signatures g ON g.id = a.sig_id
    WHERE ${alertWhere(filter, p)} AND ${portWhere(ports)} ORDER BY a.ts, a.h LIMIT ${p.add(limit)}`, p.values, (r) => each(toAlertRow(r)));
}

async function eachPortPacket(pool: pg.Pool, filter: AlertFilter, ports: readonly number[], limit: number, each: (p: PacketRow) => void): Promise<void> {
  const p = new Params();
  await eachRow<RawPacket>(pool, `SELECT ${ALERT_COLUMNS}, p.seq, p.pkt_ts AS pts, p.linktype, p.data
    FROM alerts a JOIN signatures g ON g.id = a.sig_id JOIN packets p ON p.ts = a.ts AND p.h = a.h
    WHERE ${alertWhere(filter, p)} AND ${portWhere(ports)} ORDER BY a.ts, a.h, p.seq LIMIT ${p.add(limit)}`, p.values, (r) => each(toPacketRow(r)));
}

async function rcptExtra(pool: pg.Pool, filter: AlertFilter, ports: readonly number[]): Promise<Array<{ alertId: number; value: string }>> {
  const p = new Params();
  const rows = await queryRows<{ id: number; value: Buffer; is_text: boolean }>(pool, `SELECT a.id, e.value, e.is_text
    FROM alerts a JOIN extra e ON e.ts = a.ts AND e.h = a.h
    WHERE ${alertWhere(filter, p)} AND e.type = 7 AND a.dport IN (${intList(ports)}) ORDER BY a.ts, a.h, e.seq LIMIT 100000`, p.values);
  // As SQLite hands them out: text whole, binary as Latin-1 of its first 64 KiB.
  return rows.map((r) => ({ alertId: r.id, value: r.is_text ? r.value.toString('utf8') : r.value.subarray(0, 65536).toString('latin1') }));
}

async function eachHostHour(pool: pg.Pool, filter: AlertFilter, each: (h: HostHour) => void): Promise<void> {
  for (const col of ['src', 'dst']) {
    const p = new Params();
    await eachRow<{ ip: Buffer; hour: number }>(pool, `SELECT a.${col} AS ip, a.ts / ${HOUR_US} AS hour FROM alerts a
      WHERE ${alertWhere(filter, p)} AND a.${col} IS NOT NULL GROUP BY 1, 2`, p.values,
    (r) => each({ ip: ipFromKey(r.ip), hour: r.hour, source: 'alerts' }));
  }
  // No flows on PostgreSQL yet (sFlow imports are SQLite's): hours come from alerts alone.
}

export function pgAnomalyReads(pool: pg.Pool): AnomalyReads {
  return {
    fanOutRows: (f, min) => rowsOfGroups(pool, f, ['src', 'proto', 'dport'], 'dst', min),
    fanInRows: (f, min) => rowsOfGroups(pool, f, ['dst', 'proto', 'dport'], 'src', min),
    portScanRows: (f, min) => rowsOfGroups(pool, f, ['src', 'dst'], 'dport', min, 'AND a.proto IN (6, 17)'),
    scanAlerts: (f) => scanAlerts(pool, f),
    eachPortAlert: (f, ports, limit, each) => eachPortAlert(pool, f, ports, limit, each),
    eachPortPacket: (f, ports, limit, each) => eachPortPacket(pool, f, ports, limit, each),
    rcptExtra: (f, ports) => rcptExtra(pool, f, ports),
    eachHostHour: (f, each) => eachHostHour(pool, f, each),
  };
}
