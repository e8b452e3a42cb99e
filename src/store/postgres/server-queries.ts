/**
 * The reads behind `snarf serve` on PostgreSQL: src/store/sqlite/server-queries.ts ported, with
 * the same plan choices and bounds, so both stores give the same pages (and the same `partial`
 * pages) for the same filter:
 * - time-only filters walk the primary key (ts, h) from the cursor: O(page);
 * - an address or CIDR filter counts its matches through (src, ts) / (dst, ts), capped at
 *   SORT_CAP; fewer: those matches are sorted and the page read; more: the range is dense and
 *   the time walk below finds a page quickly;
 * - any filter no index serves walks the primary key through a window of at most SCAN_CAP rows
 *   and comes back `partial` when the window ends before the page is full.
 *
 * The keyset is (ts, h), the primary key, not (ts, id): ids come from cached sequence ranges,
 * so they follow neither time nor import order, while (ts, h) is unique and indexed. Each page
 * runs in one read-only snapshot with sequential scans disabled, so the plans are index plans
 * whatever the statistics (the role of SQLite's INDEXED BY), and a time bound always goes with
 * the cursor so that whole day partitions are skipped.
 */
import type pg from 'pg';
import { cidrRange, ipFromKey } from '../../model/ip.js';
import type { AlertFilter } from '../store.js';
import { SCAN_CAP, SORT_CAP, type AlertDetail, type AlertRow, type HostRow, type HostSigRow } from '../sqlite/server-queries.js';
import type { AlertPage, AlertSearch, PageCursor, ServerReads } from '../reads/server-reads.js';
import { inTransaction, withRetry } from './connect.js';
import { queryRows } from './read-query.js';
import { pgSensorReads } from './sensor-queries.js';
import { alertWhere, Params, querySummary } from './summary-query.js';

const MAX_CACHED_HOSTS = 200_000;
const MAX_PACKETS = 16;
const MAX_EXTRA = 64;
/** A lookup by id alone reads every day partition: bounded by this, then the client is told to give the time. */
const ID_ONLY_TIMEOUT_MS = 10_000;
const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

const SELECT_ROW = `a.id, a.ts, a.h, s.name AS sensor, g.gid, g.sid, a.rev, coalesce(a.msg, g.message) AS message, g.classification,
  coalesce(a.priority, g.priority) AS priority, a.proto, a.src, a.sport, a.dst, a.dport`;
const JOINS = 'JOIN signatures g ON g.id = a.sig_id JOIN sensors s ON s.id = a.sensor_id';

interface RawRow {
  id: number; ts: number; h: number; sensor: string; gid: number; sid: number; rev: number; message: string;
  classification: string | null; priority: number | null; proto: number | null; src: Buffer | null; sport: number | null;
  dst: Buffer | null; dport: number | null;
}

/** An alert looked up by id alone took longer than the bound: the client should give its time. */
export class LookupTooSlow extends Error {
  constructor(readonly id: number) {
    super(`looking alert ${id} up by its id alone took too long on this PostgreSQL store: give its time as well (?t=<timeUs>, as the search pages' links do)`);
    this.name = 'LookupTooSlow';
  }
}

/** A row and its place in the keyset. */
interface Ranked { row: AlertRow; at: PageCursor }

function toRow(r: RawRow): AlertRow {
  return {
    id: r.id, timeUs: r.ts, sensor: r.sensor, gid: r.gid, sid: r.sid, rev: r.rev, message: r.message,
    classification: r.classification, priority: r.priority, protocol: r.proto,
    src: r.src === null ? null : ipFromKey(r.src), sport: r.sport, dst: r.dst === null ? null : ipFromKey(r.dst), dport: r.dport,
  };
}

const ranked = (r: RawRow): Ranked => ({ row: toRow(r), at: { ts: r.ts, tie: r.h } });
const before = (a: PageCursor, b: PageCursor): boolean => a.ts < b.ts || (a.ts === b.ts && a.tie < b.tie);
const END: PageCursor = { ts: Number.POSITIVE_INFINITY, tie: Number.POSITIVE_INFINITY };

interface Caps { sortCap: number; scanCap: number }
interface RankedPage { rows: Ranked[]; next: PageCursor | null; partial: boolean; plan: string[] }

/** Runs a page's statements on one client; with `trace`, their EXPLAIN output is collected first. */
class PageRun {
  constructor(private readonly c: pg.PoolClient, private readonly trace?: string[]) {}

  async rows<T>(sql: string, p: Params): Promise<T[]> {
    if (this.trace) {
      const plan = await this.c.query(`EXPLAIN (COSTS OFF) ${sql}`, p.values);
      this.trace.push(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
    }
    return (await this.c.query(sql, p.values)).rows as T[];
  }
}

function where(q: AlertSearch, f: AlertFilter, p: Params): string {
  let sql = alertWhere(f, p);
  if (q.sig) sql += ` AND a.sig_id = (SELECT id FROM signatures WHERE gid = ${p.add(q.sig.gid)} AND sid = ${p.add(q.sig.sid)})`;
  if (q.after) {
    const ts = p.add(q.after.ts);
    // The plain bound prunes partitions and bounds the index range; the row comparison is exact.
    sql += ` AND a.ts >= ${ts} AND (a.ts, a.h) > (${ts}::bigint, ${p.add(q.after.tie)}::bigint)`;
  }
  return sql;
}

/** Matches of an address range from its index, counted up to `cap`. */
async function countAddress(run: PageRun, col: 'src' | 'dst', cidr: string, q: AlertSearch, cap: number): Promise<number> {
  const r = cidrRange(cidr);
  const p = new Params();
  const lo = Math.max(q.filter.sinceUs ?? -Number.MAX_SAFE_INTEGER, q.after?.ts ?? -Number.MAX_SAFE_INTEGER);
  const hi = q.filter.untilUs ?? Number.MAX_SAFE_INTEGER;
  const rows = await run.rows<{ n: number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM alerts
    WHERE ${col} BETWEEN ${p.add(r.low)} AND ${p.add(r.high)} AND ts >= ${p.add(lo)} AND ts < ${p.add(hi)} LIMIT ${p.add(cap)}) x`, p);
  return rows[0]!.n;
}

function finish(rows: Ranked[], limit: number, windowEnd: PageCursor | null, plan: string[]): RankedPage {
  if (rows.length >= limit) return { rows, next: rows[rows.length - 1]!.at, partial: false, plan };
  return { rows, next: windowEnd, partial: windowEnd !== null, plan };
}

/** One page for a filter without `addr` (the file comment has the plans). */
async function pageOnce(run: PageRun, q: AlertSearch, f: AlertFilter, caps: Caps): Promise<RankedPage> {
  const limit = q.limit;
  const addrCols = (['src', 'dst'] as const).filter((c) => (c === 'src' ? f.srcCidr : f.dstCidr));
  let best: { col: 'src' | 'dst'; n: number } | null = null;
  for (const col of addrCols) {
    const n = await countAddress(run, col, (col === 'src' ? f.srcCidr : f.dstCidr)!, q, caps.sortCap);
    if (best === null || n < best.n) best = { col, n };
  }
  const p = new Params();
  const w = where(q, f, p);
  if (best !== null && best.n < caps.sortCap) {
    // Sparse address: its (few) matches sorted; `+ 0` keeps the planner off the time order.
    const rows = await run.rows<RawRow>(`SELECT ${SELECT_ROW} FROM (SELECT * FROM alerts a WHERE ${w}
      ORDER BY a.ts + 0, a.h LIMIT ${p.add(limit)}) a ${JOINS} ORDER BY a.ts, a.h`, p);
    return finish(rows.map(ranked), limit, null, [`alerts_${best.col}`]);
  }
  const onlyTime = !q.sig && addrCols.length === 0 && !(f.sensors?.length) && f.minPriority === undefined && !(f.excludeSigs?.length);
  if (onlyTime) {
    const rows = await run.rows<RawRow>(`SELECT ${SELECT_ROW} FROM (SELECT * FROM alerts a WHERE ${w}
      ORDER BY a.ts, a.h LIMIT ${p.add(limit)}) a ${JOINS} ORDER BY a.ts, a.h`, p);
    return finish(rows.map(ranked), limit, null, ['alerts_pkey']);
  }
  // Filters no index serves: walk at most scanCap rows of the primary key.
  const tp = new Params();
  const tw = where({ ...q, sig: undefined }, { sinceUs: f.sinceUs, untilUs: f.untilUs }, tp);
  const ends = await run.rows<{ ts: number; h: number }>(`SELECT a.ts, a.h FROM alerts a WHERE ${tw}
    ORDER BY a.ts, a.h OFFSET ${tp.add(caps.scanCap - 1)} LIMIT 1`, tp);
  const end = ends[0] ? { ts: ends[0].ts, tie: ends[0].h } : null;
  let bound = '';
  if (end) {
    const ts = p.add(end.ts);
    bound = ` AND a.ts <= ${ts} AND (a.ts, a.h) <= (${ts}::bigint, ${p.add(end.tie)}::bigint)`;
  }
  const rows = await run.rows<RawRow>(`SELECT ${SELECT_ROW} FROM (SELECT * FROM alerts a WHERE ${w}${bound}
    ORDER BY a.ts, a.h LIMIT ${p.add(limit)}) a ${JOINS} ORDER BY a.ts, a.h`, p);
  return finish(rows.map(ranked), limit, end, ['alerts_pkey(window)']);
}

/** Source OR destination: two index-served pages merged up to where both are complete. */
async function alertPage(run: PageRun, q: AlertSearch, caps: Caps): Promise<RankedPage> {
  if (!q.addr) return pageOnce(run, q, q.filter, caps);
  const a = await pageOnce(run, q, { ...q.filter, srcCidr: q.addr }, caps);
  const b = await pageOnce(run, q, { ...q.filter, dstCidr: q.addr }, caps);
  const covered = (x: RankedPage): PageCursor => (x.next === null ? END : x.next);
  const upTo = before(covered(a), covered(b)) ? covered(a) : covered(b);
  const seen = new Set<string>();
  const merged = [...a.rows, ...b.rows]
    .filter((r) => {
      const key = `${r.at.ts}.${r.at.tie}`;
      return !before(upTo, r.at) && !seen.has(key) && Boolean(seen.add(key));
    })
    .sort((x, y) => x.at.ts - y.at.ts || x.at.tie - y.at.tie);
  const plan = [...a.plan, ...b.plan];
  if (merged.length >= q.limit) {
    const rows = merged.slice(0, q.limit);
    return { rows, next: rows[rows.length - 1]!.at, partial: false, plan };
  }
  const next = upTo === END ? null : upTo;
  return { rows: merged, next, partial: next !== null, plan };
}

function parseDetails(text: string | null): Record<string, unknown> | null {
  try {
    return text === null ? null : JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null; // a damaged details column must not break the page
  }
}

/** The PostgreSQL reads; `caps` are SQLite's bounds unless a test shrinks them. */
export function pgServerReads(pool: pg.Pool, caps: Caps = { sortCap: SORT_CAP, scanCap: SCAN_CAP }): PgServerReads {
  let hostCache: { mark: string; src?: HostRow[]; dst?: HostRow[] } = { mark: '' };
  const sensors = pgSensorReads(pool);

  const changeMark = async (): Promise<string> => {
    const r = (await queryRows<{ k: number; n: number; f: number; l: number }>(pool,
      'SELECT count(*) AS k, coalesce(sum(n), 0) AS n, coalesce(min(first), 0) AS f, coalesce(max(last), 0) AS l FROM r_sensor'))[0]!;
    return `${r.k}:${r.n}:${r.f}:${r.l}`;
  };

  const page = async (q: AlertSearch, trace?: string[]): Promise<AlertPage> => {
    const r = await withRetry(() => inTransaction(pool, async (c) => {
      await c.query('SET LOCAL enable_seqscan = off');
      return alertPage(new PageRun(c, trace), q, caps);
    }, SNAPSHOT));
    return { alerts: r.rows.map((x) => x.row), next: r.next, partial: r.partial, plan: r.plan };
  };

  const alert = async (id: number, timeUs?: number): Promise<AlertDetail | null> => {
    try {
      return await withRetry(() => inTransaction(pool, async (c) => {
        // With the time, the primary key finds the alert in one day; without, every day is read.
        await c.query(timeUs === undefined ? `SET LOCAL statement_timeout = ${ID_ONLY_TIMEOUT_MS}` : 'SET LOCAL enable_seqscan = off');
        const r = (await c.query(`SELECT ${SELECT_ROW}, a.event_id, a.details, g.refs, a."offset", a.line,
            i.path AS input_path, i.format AS input_format
          FROM alerts a ${JOINS} LEFT JOIN inputs i ON i.id = a.input_id
          WHERE a.id = $1${timeUs === undefined ? '' : ' AND a.ts = $2'}`, timeUs === undefined ? [id] : [id, timeUs])).rows[0] as
          (RawRow & { event_id: number | null; details: string | null; refs: string | null; offset: number | null; line: number | null;
            input_path: string | null; input_format: string | null }) | undefined;
        if (!r) return null;
        const packets = (await c.query('SELECT seq, pkt_ts, linktype, length, data FROM packets WHERE ts = $1 AND h = $2 ORDER BY seq LIMIT $3',
          [r.ts, r.h, MAX_PACKETS])).rows as Array<{ seq: number; pkt_ts: number; linktype: number; length: number; data: Buffer }>;
        const extra = (await c.query('SELECT seq, type, name, value, is_text FROM extra WHERE ts = $1 AND h = $2 ORDER BY seq LIMIT $3',
          [r.ts, r.h, MAX_EXTRA])).rows as Array<{ seq: number; type: number; name: string; value: Buffer; is_text: boolean }>;
        return {
          ...toRow(r), eventId: r.event_id, details: parseDetails(r.details), refs: r.refs,
          input: r.input_path === null ? null : { path: r.input_path, format: r.input_format ?? '', offset: r.offset, line: r.line },
          packets: packets.map((x) => ({ seq: x.seq, timeUs: x.pkt_ts, linktype: x.linktype, length: x.length, data: x.data })),
          extra: extra.map((x) => ({ seq: x.seq, type: x.type, name: x.name, value: x.is_text ? x.value.toString('utf8') : x.value })),
        };
      }, SNAPSHOT));
    } catch (err) {
      if ((err as { code?: string }).code === '57014' && timeUs === undefined) throw new LookupTooSlow(id);
      throw err;
    }
  };

  /** Every host of one side, most alerts first; kept until the rollups change (a full rollup scan). */
  const hosts = async (side: 'src' | 'dst'): Promise<HostRow[]> => {
    const mark = await changeMark();
    if (hostCache.mark !== mark) hostCache = { mark };
    const cached = hostCache[side];
    if (cached) return cached;
    const rows = (await queryRows<{ ip: Buffer; n: number; sigs: number; first: number; last: number }>(pool,
      `SELECT ip, sum(n) AS n, count(DISTINCT sig_id) AS sigs, min(first) AS first, max(last) AS last
        FROM r_sig_${side} GROUP BY ip ORDER BY n DESC, ip LIMIT $1`, [MAX_CACHED_HOSTS]))
      .map((r) => ({ ip: ipFromKey(r.ip), count: r.n, signatures: r.sigs, firstUs: r.first, lastUs: r.last }));
    if (hostCache.mark === mark) hostCache[side] = rows;
    return rows;
  };

  const hostSignatures = async (side: 'src' | 'dst', key: Buffer): Promise<HostSigRow[]> =>
    (await queryRows<{ gid: number; sid: number; message: string; n: number; first: number; last: number }>(pool,
      `SELECT g.gid, g.sid, g.message, sum(r.n) AS n, min(r.first) AS first, max(r.last) AS last
        FROM signatures g JOIN r_sig_${side} r ON r.sig_id = g.id AND r.ip = $1
        GROUP BY g.id ORDER BY n DESC, g.gid, g.sid`, [key]))
      .map((r) => ({ gid: r.gid, sid: r.sid, message: r.message, count: r.n, firstUs: r.first, lastUs: r.last }));

  return {
    kind: 'postgres',
    alertPage: page,
    alert,
    hosts,
    hostSignatures,
    sensorNames: async () => (await queryRows<{ name: string }>(pool, 'SELECT name FROM sensors ORDER BY name COLLATE "C"')).map((r) => r.name),
    sensorStats: () => sensors.sensorStats(),
    // One snapshot: every part of the summary describes the same moment.
    summary: (names, limit) => withRetry(() => inTransaction(pool, (c) => querySummary(c, names.length ? { sensors: names } : {}, limit), SNAPSHOT)),
    newestUs: async () => (await queryRows<{ m: number | null }>(pool, 'SELECT max(ts) AS m FROM alerts'))[0]!.m,
    changeMark,
  };
}

export interface PgServerReads extends ServerReads {
  /** With `trace`, the EXPLAIN output of every statement the page ran is pushed onto it. */
  alertPage(q: AlertSearch, trace?: string[]): Promise<AlertPage>;
}
