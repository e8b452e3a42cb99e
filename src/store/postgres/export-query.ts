/**
 * `snarf export` on PostgreSQL: alerts in identity order (ts, h: the primary key of every day
 * partition, so a page is a merge of index range scans), keyset-paged, each page with its extra
 * data and first packet read in the same snapshot. Nothing stays open between pages: an export
 * piped somewhere slow holds no locks that retention or the collectors would wait for.
 */
import type pg from 'pg';
import { ipFromKey } from '../../model/ip.js';
import type { AlertFilter } from '../store.js';
import type { ExportReads, ExportRow } from '../reads/export-reads.js';
import { withRetry } from './connect.js';
import { alertWhere, Params } from './summary-query.js';

interface Row {
  id: number; ts: number; h: number; sensor: string; gid: number; sid: number; rev: number; message: string; msg: string | null;
  classification: string | null; priority: number | null; sig_priority: number | null; proto: number | null;
  src: Buffer | null; sport: number | null; dst: Buffer | null; dport: number | null; event_id: number | null; details: string | null;
}
interface ExtraRow { ts: number; h: number; type: number; name: string; value: Buffer; is_text: boolean }
interface PacketRow { ts: number; h: number; linktype: number; length: number; data: Buffer }

const key = (ts: number, h: number): string => `${ts}:${h}`;

interface Key { ts: number; h: number }
interface Page { rows: ExportRow[]; last: Key | null }

async function page(c: pg.PoolClient, filter: AlertFilter, after: Key | null, size: number): Promise<Page> {
  const p = new Params();
  let where = alertWhere(filter, p);
  // The plain ts bound lets the planner skip the day partitions already exported.
  if (after) where += ` AND a.ts >= ${p.add(after.ts)} AND (a.ts, a.h) > (${p.add(after.ts)}, ${p.add(after.h)})`;
  const rows = (await c.query(`SELECT a.id, a.ts, a.h, s.name AS sensor, g.gid, g.sid, a.rev, g.message, a.msg, g.classification,
      a.priority, g.priority AS sig_priority, a.proto, a.src, a.sport, a.dst, a.dport, a.event_id, a.details
    FROM alerts a JOIN signatures g ON g.id = a.sig_id JOIN sensors s ON s.id = a.sensor_id
    WHERE ${where} ORDER BY a.ts, a.h LIMIT ${p.add(size)}`, p.values)).rows as Row[];
  if (rows.length === 0) return { rows: [], last: null };
  const ts = rows.map((r) => r.ts);
  const hs = rows.map((r) => r.h);
  const span = [rows[0]!.ts, rows[rows.length - 1]!.ts];
  const keys = 'JOIN unnest($1::bigint[], $2::bigint[]) AS k(ts, h) ON k.ts = x.ts AND k.h = x.h WHERE x.ts BETWEEN $3 AND $4';
  const extras = new Map<string, ExportRow['extra']>();
  const xr = await c.query(`SELECT x.ts, x.h, x.type, x.name, x.value, x.is_text FROM extra x ${keys} ORDER BY x.ts, x.h, x.seq`, [ts, hs, ...span]);
  for (const x of xr.rows as ExtraRow[]) {
    const k = key(x.ts, x.h);
    const list = extras.get(k) ?? [];
    // Text extra data goes back out as text, as SQLite (which stores it as TEXT) hands it out.
    list.push({ type: x.type, name: x.name, value: x.is_text ? x.value.toString('utf8') : x.value });
    extras.set(k, list);
  }
  const packets = new Map<string, ExportRow['packet']>();
  const pr = await c.query(`SELECT x.ts, x.h, x.linktype, x.length, x.data FROM packets x ${keys} AND x.seq = 0`, [ts, hs, ...span]);
  for (const x of pr.rows as PacketRow[]) packets.set(key(x.ts, x.h), { linktype: x.linktype, length: x.length, data: x.data });
  const out = rows.map((r): ExportRow => ({
    id: r.id, sensor: r.sensor, timeUs: r.ts, gid: r.gid, sid: r.sid, rev: r.rev, message: r.msg ?? r.message,
    classification: r.classification, priority: r.priority ?? r.sig_priority, protocol: r.proto,
    srcIp: r.src === null ? null : ipFromKey(r.src), srcPort: r.sport,
    dstIp: r.dst === null ? null : ipFromKey(r.dst), dstPort: r.dport,
    eventId: r.event_id, details: r.details === null ? null : JSON.parse(r.details) as Record<string, unknown>,
    extra: extras.get(key(r.ts, r.h)) ?? [], packet: packets.get(key(r.ts, r.h)) ?? null,
  }));
  const last = rows[rows.length - 1]!;
  return { rows: out, last: { ts: last.ts, h: last.h } };
}

/** One page in one read-only snapshot, so its rows and their captures agree even while retention drops days. */
async function snapshotPage(pool: pg.Pool, filter: AlertFilter, after: Key | null, size: number): Promise<Page> {
  return withRetry(async () => {
    const c = await pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const got = await page(c, filter, after, size);
      await c.query('COMMIT');
      return got;
    } catch (err) {
      await c.query('ROLLBACK').catch((e: Error) => { broken = e; });
      throw err;
    } finally {
      c.release(broken);
    }
  });
}

export function pgExportReads(pool: pg.Pool): ExportReads {
  return {
    async* pages(filter, pageSize = 2000) {
      let after: Key | null = null;
      for (;;) {
        const got: Page = await snapshotPage(pool, filter, after, pageSize);
        if (got.last === null) return;
        yield got.rows;
        after = got.last;
      }
    },
  };
}
