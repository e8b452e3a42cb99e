/**
 * `snarf summary`: totals and per signature / source / destination / sensor counts.
 * Unfiltered (or sensor-only) summaries read the rollups; any other filter is answered from
 * the raw alerts through their indexes, since rollups carry no per-row attributes.
 */
import type Database from 'better-sqlite3';
import { cidrRange, ipFromKey } from '../../model/ip.js';
import { rollupsAnswer, type AlertFilter, type HostCount, type SensorSummary, type SignatureSummary, type Summary } from '../store.js';

interface Where {
  sql: string;
  params: unknown[];
}

function sensorClause(filter: AlertFilter, column: string): Where {
  if (!filter.sensors || filter.sensors.length === 0) return { sql: '', params: [] };
  const marks = filter.sensors.map(() => '?').join(', ');
  return { sql: ` AND ${column} IN (SELECT id FROM sensors WHERE name IN (${marks}))`, params: [...filter.sensors] };
}

/** WHERE clause over the alerts table (alias a) for any filter. */
export function alertWhere(filter: AlertFilter): Where {
  const parts: string[] = ['1 = 1'];
  const params: unknown[] = [];
  if (filter.sinceUs !== undefined) { parts.push('a.ts >= ?'); params.push(filter.sinceUs); }
  if (filter.untilUs !== undefined) { parts.push('a.ts < ?'); params.push(filter.untilUs); }
  if (filter.minPriority !== undefined) { parts.push('a.priority IS NOT NULL AND a.priority <= ?'); params.push(filter.minPriority); }
  if (filter.srcCidr) { const r = cidrRange(filter.srcCidr); parts.push('a.src BETWEEN ? AND ?'); params.push(r.low, r.high); }
  if (filter.dstCidr) { const r = cidrRange(filter.dstCidr); parts.push('a.dst BETWEEN ? AND ?'); params.push(r.low, r.high); }
  for (const s of filter.excludeSigs ?? []) {
    parts.push('a.sig_id NOT IN (SELECT id FROM signatures WHERE gid = ? AND sid = ?)');
    params.push(s.gid, s.sid);
  }
  const sensors = sensorClause(filter, 'a.sensor_id');
  return { sql: parts.join(' AND ') + sensors.sql, params: [...params, ...sensors.params] };
}

/** Row shapes of the summary queries, the same on both stores. */
export interface SigRow {
  gid: number; sid: number; rev: number; message: string; classification: string | null; priority: number | null;
  n: number; srcs: number; dsts: number; first: number; last: number;
}
export interface HostRow { ip: Buffer; n: number; first: number; last: number }

export function querySummary(db: Database.Database, filter: AlertFilter, limit: number): Summary {
  const lim = limit > 0 ? ` LIMIT ${Math.floor(limit)}` : '';
  let sigRows: SigRow[];
  let srcRows: HostRow[];
  let dstRows: HostRow[];
  if (rollupsAnswer(filter)) {
    const s = (col: string): Where => sensorClause(filter, col);
    sigRows = db.prepare(`
      SELECT g.gid, g.sid, g.rev, g.message, g.classification, g.priority, r.n, r.first, r.last,
        (SELECT count(DISTINCT ip) FROM r_sig_src x WHERE x.sig_id = g.id ${s('x.sensor_id').sql}) AS srcs,
        (SELECT count(DISTINCT ip) FROM r_sig_dst y WHERE y.sig_id = g.id ${s('y.sensor_id').sql}) AS dsts
      FROM (SELECT sig_id, sum(n) AS n, min(first) AS first, max(last) AS last FROM r_sig WHERE 1 = 1 ${s('sensor_id').sql} GROUP BY sig_id) r
      JOIN signatures g ON g.id = r.sig_id
      ORDER BY r.n DESC, g.gid, g.sid`).all(...s('x.sensor_id').params, ...s('y.sensor_id').params, ...s('sensor_id').params) as SigRow[];
    const hosts = (table: string): HostRow[] => db.prepare(`
      SELECT ip, sum(n) AS n, min(first) AS first, max(last) AS last FROM ${table} WHERE 1 = 1 ${s('sensor_id').sql}
      GROUP BY ip ORDER BY n DESC, ip${lim}`).all(...s('sensor_id').params) as HostRow[];
    srcRows = hosts('r_sig_src');
    dstRows = hosts('r_sig_dst');
  } else {
    const w = alertWhere(filter);
    sigRows = db.prepare(`
      SELECT g.gid, g.sid, g.rev, g.message, g.classification, g.priority, r.n, r.srcs, r.dsts, r.first, r.last
      FROM (SELECT a.sig_id, count(*) AS n, count(DISTINCT a.src) AS srcs, count(DISTINCT a.dst) AS dsts,
                   min(a.ts) AS first, max(a.ts) AS last FROM alerts a WHERE ${w.sql} GROUP BY a.sig_id) r
      JOIN signatures g ON g.id = r.sig_id ORDER BY r.n DESC, g.gid, g.sid`).all(...w.params) as SigRow[];
    const hosts = (col: string): HostRow[] => db.prepare(`
      SELECT a.${col} AS ip, count(*) AS n, min(a.ts) AS first, max(a.ts) AS last FROM alerts a
      WHERE ${w.sql} AND a.${col} IS NOT NULL GROUP BY a.${col} ORDER BY n DESC, ip${lim}`).all(...w.params) as HostRow[];
    srcRows = hosts('src');
    dstRows = hosts('dst');
  }

  const sensorW = rollupsAnswer(filter) ? null : alertWhere(filter);
  const sensorRows = (sensorW === null
    ? db.prepare(`SELECT s.name, r.n, r.first, r.last FROM r_sensor r JOIN sensors s ON s.id = r.sensor_id
        WHERE 1 = 1 ${sensorClause(filter, 's.id').sql} ORDER BY s.name`).all(...sensorClause(filter, 's.id').params)
    : db.prepare(`SELECT s.name, count(*) AS n, min(a.ts) AS first, max(a.ts) AS last FROM alerts a
        JOIN sensors s ON s.id = a.sensor_id WHERE ${sensorW.sql} GROUP BY s.name ORDER BY s.name`).all(...sensorW.params)
  ) as Array<{ name: string; n: number; first: number; last: number }>;

  const signatures: SignatureSummary[] = sigRows.map((r) => ({
    gid: r.gid, sid: r.sid, rev: r.rev, message: r.message, classification: r.classification, priority: r.priority,
    count: r.n, sources: r.srcs, destinations: r.dsts, firstUs: r.first, lastUs: r.last,
  }));
  const host = (r: HostRow): HostCount => ({ ip: ipFromKey(r.ip), count: r.n, firstUs: r.first, lastUs: r.last });
  const sensors: SensorSummary[] = sensorRows.map((r) => ({ name: r.name, count: r.n, firstUs: r.first, lastUs: r.last }));
  const alerts = signatures.reduce((t, s) => t + s.count, 0);
  const distinct = (table: string, col: string): number => {
    if (rollupsAnswer(filter)) {
      const c = sensorClause(filter, 'sensor_id');
      return (db.prepare(`SELECT count(DISTINCT ip) AS c FROM ${table} WHERE 1 = 1 ${c.sql}`).get(...c.params) as { c: number }).c;
    }
    const w = alertWhere(filter);
    return (db.prepare(`SELECT count(DISTINCT a.${col}) AS c FROM alerts a WHERE ${w.sql}`).get(...w.params) as { c: number }).c;
  };
  const firsts = sensors.map((s) => s.firstUs).filter((x): x is number => x !== null);
  const lasts = sensors.map((s) => s.lastUs).filter((x): x is number => x !== null);
  return {
    totals: {
      alerts,
      signatures: signatures.length,
      sources: distinct('r_sig_src', 'src'),
      destinations: distinct('r_sig_dst', 'dst'),
      sensors: sensors.length,
    },
    firstUs: firsts.length ? Math.min(...firsts) : null,
    lastUs: lasts.length ? Math.max(...lasts) : null,
    signatures,
    sources: srcRows.map(host),
    destinations: dstRows.map(host),
    sensors,
  };
}
