/**
 * Store reads behind `snarf anomalies`. Grouping is pushed into SQL so that only the groups
 * that can pass a threshold (enough distinct hosts or ports at all) come back as rows; the
 * windows are then computed in src/analysis/anomalies.ts. Rows come in identity order (time,
 * then identity hash) and groups in key order, as on PostgreSQL (../postgres/anomaly-queries.ts),
 * so both stores report the same evidence.
 */
import type Database from 'better-sqlite3';
import { ipFromKey } from '../../model/ip.js';
import type { AlertFilter } from '../store.js';
import type { AnomalyReads } from '../reads/anomaly-reads.js';
import { alertWhere } from './summary-query.js';
import { ALERT_COLUMNS, hasTable, intList, toAlertRow, type AlertRow, type PacketRow } from './irc-queries.js';

type Raw = Parameters<typeof toAlertRow>[0];

/** Groups examined per rule at most: enough for a campus, bounded for a hostile log. */
const MAX_GROUPS = 2000;

function rowsOfGroups(db: Database.Database, filter: AlertFilter, groupCols: string[], distinctCol: string, min: number, extra = ''): AlertRow[] {
  const w = alertWhere(filter);
  const cols = groupCols.map((c) => `a.${c}`).join(', ');
  const groups = db.prepare(`SELECT ${cols} FROM alerts a JOIN signatures g ON g.id = a.sig_id
    WHERE ${w.sql} AND g.gid != 122 AND a.src IS NOT NULL AND a.dst IS NOT NULL ${extra}
    GROUP BY ${cols} HAVING count(DISTINCT a.${distinctCol}) >= ? ORDER BY ${cols} LIMIT ${MAX_GROUPS}`).raw().all(...w.params, min) as unknown[][];
  if (groups.length === 0) return [];
  // `IS` so that a NULL port (ICMP) matches itself.
  const rows = db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts a JOIN signatures g ON g.id = a.sig_id
    WHERE ${w.sql} AND g.gid != 122 AND a.dst IS NOT NULL AND ${groupCols.map((c) => `a.${c} IS ?`).join(' AND ')} ORDER BY a.ts, a.h`);
  const out: AlertRow[] = [];
  for (const gv of groups) for (const r of rows.all(...w.params, ...gv) as Raw[]) out.push(toAlertRow(r));
  return out;
}

/** Alerts of (source, protocol, port) groups that reach at least `min` distinct hosts. */
export function fanOutRows(db: Database.Database, filter: AlertFilter, min: number): AlertRow[] {
  return rowsOfGroups(db, filter, ['src', 'proto', 'dport'], 'dst', min);
}

/** Alerts of (destination, protocol, port) groups reached from at least `min` distinct hosts. */
export function fanInRows(db: Database.Database, filter: AlertFilter, min: number): AlertRow[] {
  return rowsOfGroups(db, filter, ['dst', 'proto', 'dport'], 'src', min);
}

/** TCP/UDP alerts of (source, destination) pairs over at least `min` distinct ports. */
export function portScanRows(db: Database.Database, filter: AlertFilter, min: number): AlertRow[] {
  return rowsOfGroups(db, filter, ['src', 'dst'], 'dport', min, 'AND a.proto IN (6, 17)');
}

/** sfportscan alerts (gid 122) and `SCAN ...` signatures, each with its first stored packet. */
export function scanAlerts(db: Database.Database, filter: AlertFilter): Array<{ alert: AlertRow; packet: PacketRow | null }> {
  const w = alertWhere(filter);
  const rows = db.prepare(`SELECT ${ALERT_COLUMNS}, p.seq, p.ts AS pts, p.linktype, p.data
    FROM alerts a JOIN signatures g ON g.id = a.sig_id LEFT JOIN packets p ON p.alert_id = a.id AND p.seq = 0
    WHERE ${w.sql} AND (g.gid = 122 OR coalesce(a.msg, g.message) LIKE 'SCAN %') ORDER BY a.ts, a.h LIMIT 100000`)
    .all(...w.params) as Array<Raw & { seq: number | null; pts: number | null; linktype: number | null; data: Buffer | null }>;
  return rows.map((r) => {
    const alert = toAlertRow(r);
    const packet = r.data === null ? null : { alert, seq: r.seq ?? 0, ts: r.pts ?? r.ts, linktype: r.linktype ?? 1, data: r.data };
    return { alert, packet };
  });
}

const portWhere = (ports: readonly number[]): string => `a.proto = 6 AND (a.dport IN (${intList(ports)}) OR a.sport IN (${intList(ports)}))`;

/** TCP alerts to or from these ports (HTTP, SMTP and mail ports), streamed. */
export function* portAlerts(db: Database.Database, filter: AlertFilter, ports: readonly number[], limit: number): Generator<AlertRow> {
  const w = alertWhere(filter);
  const it = db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts a JOIN signatures g ON g.id = a.sig_id
    WHERE ${w.sql} AND ${portWhere(ports)} ORDER BY a.ts, a.h LIMIT ?`).iterate(...w.params, limit) as IterableIterator<Raw>;
  for (const r of it) yield toAlertRow(r);
}

/** The stored packets of portAlerts(), streamed. */
export function* portPackets(db: Database.Database, filter: AlertFilter, ports: readonly number[], limit: number): Generator<PacketRow> {
  const w = alertWhere(filter);
  const it = db.prepare(`SELECT ${ALERT_COLUMNS}, p.seq, p.ts AS pts, p.linktype, p.data
    FROM alerts a JOIN signatures g ON g.id = a.sig_id JOIN packets p ON p.alert_id = a.id
    WHERE ${w.sql} AND ${portWhere(ports)} ORDER BY a.ts, a.h, p.seq LIMIT ?`)
    .iterate(...w.params, limit) as IterableIterator<Raw & { seq: number; pts: number; linktype: number; data: Buffer }>;
  for (const r of it) yield { alert: toAlertRow(r), seq: r.seq, ts: r.pts, linktype: r.linktype, data: r.data };
}

/** SMTP RCPT TO lists (unified2 extra data type 7) of alerts to these ports. */
export function rcptExtra(db: Database.Database, filter: AlertFilter, ports: readonly number[]): Array<{ alertId: number; value: string }> {
  const w = alertWhere(filter);
  // CROSS JOIN keeps extra as the outer loop: the few type-7 rows are sorted, rather than every
  // alert being walked in order to probe for them.
  return (db.prepare(`SELECT e.alert_id AS alertId, e.value FROM extra e CROSS JOIN alerts a ON e.alert_id = a.id
    WHERE ${w.sql} AND e.type = 7 AND a.dport IN (${intList(ports)}) ORDER BY a.ts, a.h, e.seq LIMIT 100000`).all(...w.params) as Array<{ alertId: number; value: Buffer | string }>)
    .map((r) => ({ alertId: r.alertId, value: typeof r.value === 'string' ? r.value : r.value.subarray(0, 65536).toString('latin1') }));
}

const HOUR_US = 3_600_000_000;

/**
 * (host, UTC hour) pairs in which a host appears in alerts (either end) and, when the store
 * has the flow rollup of migration 2, in flows. Streamed: hosts × hours can be large.
 */
export function* hostHours(db: Database.Database, filter: AlertFilter): Generator<{ ip: string; hour: number; source: 'alerts' | 'flows' }> {
  const w = alertWhere(filter);
  for (const col of ['src', 'dst']) {
    const it = db.prepare(`SELECT a.${col} AS ip, a.ts / ${HOUR_US} AS hour FROM alerts a WHERE ${w.sql} AND a.${col} IS NOT NULL
      GROUP BY a.${col}, a.ts / ${HOUR_US}`).raw().iterate(...w.params) as IterableIterator<[Buffer, number]>;
    for (const [ip, hour] of it) yield { ip: ipFromKey(ip), hour, source: 'alerts' };
  }
  if (!hasTable(db, 'flow_peers')) return;
  const lo = filter.sinceUs === undefined ? -1e15 : Math.floor(filter.sinceUs / HOUR_US);
  const hi = filter.untilUs === undefined ? 1e15 : Math.ceil(filter.untilUs / HOUR_US);
  let it: IterableIterator<[Buffer, number]>;
  try {
    it = db.prepare('SELECT host, hour FROM flow_peers WHERE hour >= ? AND hour < ? GROUP BY host, hour').raw().iterate(lo, hi) as IterableIterator<[Buffer, number]>;
  } catch {
    return; // flow schema changed: alerts alone
  }
  for (const [ip, hour] of it) yield { ip: ipFromKey(ip), hour, source: 'flows' };
}

/** AnomalyReads over these queries; streamed rows go to `each` in one synchronous pass. */
export function sqliteAnomalyReads(db: Database.Database): AnomalyReads {
  return {
    fanOutRows: async (f, min) => fanOutRows(db, f, min),
    fanInRows: async (f, min) => fanInRows(db, f, min),
    portScanRows: async (f, min) => portScanRows(db, f, min),
    scanAlerts: async (f) => scanAlerts(db, f),
    eachPortAlert: async (f, ports, limit, each) => {
      for (const a of portAlerts(db, f, ports, limit)) each(a);
    },
    eachPortPacket: async (f, ports, limit, each) => {
      for (const p of portPackets(db, f, ports, limit)) each(p);
    },
    rcptExtra: async (f, ports) => rcptExtra(db, f, ports),
    eachHostHour: async (f, each) => {
      for (const h of hostHours(db, f)) each(h);
    },
  };
}
