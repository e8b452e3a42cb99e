/**
 * `snarf summary` on PostgreSQL: the same queries and the same answers as
 * src/store/sqlite/summary-query.ts. Unfiltered (or sensor-only) summaries read the rollups; any
 * other filter reads the raw alerts (the time filter prunes day partitions). Text is ordered
 * with COLLATE "C" so names sort bytewise, as SQLite sorts them, whatever the database locale.
 */
import type pg from 'pg';
import { cidrRange, ipFromKey } from '../../model/ip.js';
import { rollupsAnswer, type AlertFilter, type HostCount, type SensorSummary, type SignatureSummary, type Summary } from '../store.js';
import type { HostRow, SigRow } from '../sqlite/summary-query.js';

/** Collects positional parameters while a query is assembled. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

function sensorClause(filter: AlertFilter, column: string, p: Params): string {
  if (!filter.sensors || filter.sensors.length === 0) return '';
  return ` AND ${column} IN (SELECT id FROM sensors WHERE name = ANY(${p.add(filter.sensors)}::text[]))`;
}

/** WHERE clause over alerts (alias a) for any filter. */
export function alertWhere(filter: AlertFilter, p: Params): string {
  const parts: string[] = ['true'];
  if (filter.sinceUs !== undefined) parts.push(`a.ts >= ${p.add(filter.sinceUs)}`);
  if (filter.untilUs !== undefined) parts.push(`a.ts < ${p.add(filter.untilUs)}`);
  if (filter.minPriority !== undefined) parts.push(`a.priority IS NOT NULL AND a.priority <= ${p.add(filter.minPriority)}`);
  if (filter.srcCidr) { const r = cidrRange(filter.srcCidr); parts.push(`a.src BETWEEN ${p.add(r.low)} AND ${p.add(r.high)}`); }
  if (filter.dstCidr) { const r = cidrRange(filter.dstCidr); parts.push(`a.dst BETWEEN ${p.add(r.low)} AND ${p.add(r.high)}`); }
  for (const s of filter.excludeSigs ?? []) {
    parts.push(`a.sig_id NOT IN (SELECT id FROM signatures WHERE gid = ${p.add(s.gid)} AND sid = ${p.add(s.sid)})`);
  }
  return parts.join(' AND ') + sensorClause(filter, 'a.sensor_id', p);
}


export async function querySummary(db: pg.Pool | pg.PoolClient, filter: AlertFilter, limit: number): Promise<Summary> {
  const lim = limit > 0 ? ` LIMIT ${Math.floor(limit)}` : '';
  const q = async <T>(build: (p: Params) => string): Promise<T[]> => {
    const p = new Params();
    const sql = build(p);
    return (await db.query(sql, p.values)).rows as T[];
  };
  const rollups = rollupsAnswer(filter);
  let sigRows: SigRow[];
  let srcRows: HostRow[];
  let dstRows: HostRow[];
  if (rollups) {
    sigRows = await q<SigRow>((p) => `
      SELECT g.gid, g.sid, g.rev, g.message, g.classification, g.priority, r.n, r.first, r.last,
        (SELECT count(DISTINCT ip) FROM r_sig_src x WHERE x.sig_id = g.id ${sensorClause(filter, 'x.sensor_id', p)}) AS srcs,
        (SELECT count(DISTINCT ip) FROM r_sig_dst y WHERE y.sig_id = g.id ${sensorClause(filter, 'y.sensor_id', p)}) AS dsts
      FROM (SELECT sig_id, sum(n) AS n, min(first) AS first, max(last) AS last FROM r_sig WHERE true ${sensorClause(filter, 'sensor_id', p)}
            GROUP BY sig_id) r
      JOIN signatures g ON g.id = r.sig_id
      ORDER BY r.n DESC, g.gid, g.sid`);
    const hosts = (table: string): Promise<HostRow[]> => q<HostRow>((p) => `
      SELECT ip, sum(n) AS n, min(first) AS first, max(last) AS last FROM ${table} WHERE true ${sensorClause(filter, 'sensor_id', p)}
      GROUP BY ip ORDER BY n DESC, ip${lim}`);
    srcRows = await hosts('r_sig_src');
    dstRows = await hosts('r_sig_dst');
  } else {
    sigRows = await q<SigRow>((p) => `
      SELECT g.gid, g.sid, g.rev, g.message, g.classification, g.priority, r.n, r.srcs, r.dsts, r.first, r.last
      FROM (SELECT a.sig_id, count(*) AS n, count(DISTINCT a.src) AS srcs, count(DISTINCT a.dst) AS dsts,
                   min(a.ts) AS first, max(a.ts) AS last FROM alerts a WHERE ${alertWhere(filter, p)} GROUP BY a.sig_id) r
      JOIN signatures g ON g.id = r.sig_id ORDER BY r.n DESC, g.gid, g.sid`);
    const hosts = (col: string): Promise<HostRow[]> => q<HostRow>((p) => `
      SELECT a.${col} AS ip, count(*) AS n, min(a.ts) AS first, max(a.ts) AS last FROM alerts a
      WHERE ${alertWhere(filter, p)} AND a.${col} IS NOT NULL GROUP BY a.${col} ORDER BY n DESC, ip${lim}`);
    srcRows = await hosts('src');
    dstRows = await hosts('dst');
  }

  const sensorRows = await q<{ name: string; n: number; first: number; last: number }>((p) => rollups
    ? `SELECT s.name, r.n, r.first, r.last FROM r_sensor r JOIN sensors s ON s.id = r.sensor_id
        WHERE true ${sensorClause(filter, 's.id', p)} ORDER BY s.name COLLATE "C"`
    : `SELECT s.name, count(*) AS n, min(a.ts) AS first, max(a.ts) AS last FROM alerts a
        JOIN sensors s ON s.id = a.sensor_id WHERE ${alertWhere(filter, p)} GROUP BY s.name ORDER BY s.name COLLATE "C"`);

  const distinct = async (table: string, col: string): Promise<number> => {
    const rows = await q<{ c: number }>((p) => rollups
      ? `SELECT count(DISTINCT ip) AS c FROM ${table} WHERE true ${sensorClause(filter, 'sensor_id', p)}`
      : `SELECT count(DISTINCT a.${col}) AS c FROM alerts a WHERE ${alertWhere(filter, p)}`);
    return rows[0]!.c;
  };

  const signatures: SignatureSummary[] = sigRows.map((r) => ({
    gid: r.gid, sid: r.sid, rev: r.rev, message: r.message, classification: r.classification, priority: r.priority,
    count: r.n, sources: r.srcs, destinations: r.dsts, firstUs: r.first, lastUs: r.last,
  }));
  const host = (r: HostRow): HostCount => ({ ip: ipFromKey(r.ip), count: r.n, firstUs: r.first, lastUs: r.last });
  const sensors: SensorSummary[] = sensorRows.map((r) => ({ name: r.name, count: r.n, firstUs: r.first, lastUs: r.last }));
  const firsts = sensors.map((s) => s.firstUs).filter((x): x is number => x !== null);
  const lasts = sensors.map((s) => s.lastUs).filter((x): x is number => x !== null);
  return {
    totals: {
      alerts: signatures.reduce((t, s) => t + s.count, 0),
      signatures: signatures.length,
      sources: await distinct('r_sig_src', 'src'),
      destinations: await distinct('r_sig_dst', 'dst'),
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
