/**
 * The reads behind `snarf serve`: pages of alerts by keyset on (ts, id) with any filter, one
 * alert with its packets and extra data, hosts and per-host signatures from the rollups.
 *
 * Every page costs a bounded amount of work whatever the filter, because a live server runs
 * queries on its one thread (better-sqlite3 is synchronous) and a slow query stalls everyone:
 * - time-only filters walk the (ts, h) index from the cursor: O(page);
 * - an address or CIDR filter first counts its matches through the (src, ts) / (dst, ts) index,
 *   capped at SORT_CAP index entries (index-only, cheap). Fewer than that: the matches are
 *   sorted by (ts, id) from the index and the page read, exact. More: the range is dense, so
 *   walking the time index finds a page quickly;
 * - any filter that no index serves (signature, sensor, priority, a dense CIDR) walks the time
 *   index through a window of at most SCAN_CAP rows. A page that is not full when the window
 *   ends comes back `partial` with a cursor at the window's end, so the client asks again.
 * Plans are forced with INDEXED BY and CROSS JOIN (which fixes the join order in SQLite), so
 * they do not depend on statistics that a fresh store lacks.
 */
import type Database from 'better-sqlite3';
import { ipFromKey, cidrRange } from '../../model/ip.js';
import type { AlertFilter } from '../store.js';
import { alertWhere } from './summary-query.js';

export interface Cursor { ts: number; id: number }

export interface AlertQuery {
  filter: AlertFilter;
  sig?: { gid: number; sid: number };
  /** Source or destination in this address/CIDR. */
  addr?: string;
  after?: Cursor;
  limit: number;
}

export interface AlertRow {
  id: number; timeUs: number; sensor: string; gid: number; sid: number; rev: number; message: string;
  classification: string | null; priority: number | null; protocol: number | null;
  src: string | null; sport: number | null; dst: string | null; dport: number | null;
}

export interface AlertPage {
  alerts: AlertRow[];
  /** Where the next page starts; null when there is nothing after this page. */
  next: Cursor | null;
  /** True when the page stopped at the scan bound before it was full. */
  partial: boolean;
  /** Index used per sub-query (diagnostics and tests). */
  plan: string[];
}

export interface AlertDetail extends AlertRow {
  eventId: number | null;
  details: Record<string, unknown> | null;
  refs: string | null;
  input: { path: string; format: string; offset: number | null; line: number | null } | null;
  packets: Array<{ seq: number; timeUs: number; linktype: number; length: number; data: Buffer }>;
  extra: Array<{ seq: number; type: number; name: string; value: Buffer | string }>;
}

export interface HostRow { ip: string; count: number; signatures: number; firstUs: number; lastUs: number }
export interface HostSigRow { gid: number; sid: number; message: string; count: number; firstUs: number; lastUs: number }

export const SORT_CAP = 20_000;
export const SCAN_CAP = 10_000;
const MAX_CACHED_HOSTS = 200_000;
const MAX_PACKETS = 16;
const MAX_EXTRA = 64;

const SELECT_ROW = `a.id, a.ts, s.name AS sensor, g.gid, g.sid, a.rev, coalesce(a.msg, g.message) AS message, g.classification,
  coalesce(a.priority, g.priority) AS priority, a.proto, a.src, a.sport, a.dst, a.dport`;
const JOINS = 'CROSS JOIN signatures g ON g.id = a.sig_id CROSS JOIN sensors s ON s.id = a.sensor_id';

interface RawRow {
  id: number; ts: number; sensor: string; gid: number; sid: number; rev: number; message: string; classification: string | null;
  priority: number | null; proto: number | null; src: Buffer | null; sport: number | null; dst: Buffer | null; dport: number | null;
}

function toRow(r: RawRow): AlertRow {
  return {
    id: r.id, timeUs: r.ts, sensor: r.sensor, gid: r.gid, sid: r.sid, rev: r.rev, message: r.message,
    classification: r.classification, priority: r.priority, protocol: r.proto,
    src: r.src === null ? null : ipFromKey(r.src), sport: r.sport, dst: r.dst === null ? null : ipFromKey(r.dst), dport: r.dport,
  };
}

const before = (a: Cursor, b: Cursor): boolean => a.ts < b.ts || (a.ts === b.ts && a.id < b.id);
const END: Cursor = { ts: Number.POSITIVE_INFINITY, id: Number.POSITIVE_INFINITY };

interface Where { sql: string; params: unknown[] }

export class ServerQueries {
  private readonly st = new Map<string, Database.Statement>();
  private hostCache: { mark: number; src?: HostRow[]; dst?: HostRow[] } = { mark: -1 };

  constructor(readonly db: Database.Database) {}

  private q(sql: string): Database.Statement {
    let s = this.st.get(sql);
    if (!s) this.st.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** An index hint, unless a bulk import has dropped that index for now. */
  private hint(index: string): string {
    const ok = this.q("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(index);
    return ok ? `INDEXED BY ${index}` : '';
  }

  private where(q: AlertQuery, f: AlertFilter): Where {
    const w = alertWhere(f);
    const parts = [w.sql];
    const params = [...w.params];
    if (q.sig) { parts.push('a.sig_id = (SELECT id FROM signatures WHERE gid = ? AND sid = ?)'); params.push(q.sig.gid, q.sig.sid); }
    if (q.after) { parts.push('a.ts >= ? AND (a.ts > ? OR a.id > ?)'); params.push(q.after.ts, q.after.ts, q.after.id); }
    return { sql: parts.join(' AND '), params };
  }

  /** Matches of an address range from its index, counted up to `cap`. */
  private countAddress(col: 'src' | 'dst', cidr: string, q: AlertQuery, cap: number): number {
    const r = cidrRange(cidr);
    const lo = Math.max(q.filter.sinceUs ?? -Number.MAX_SAFE_INTEGER, q.after?.ts ?? -Number.MAX_SAFE_INTEGER);
    const hi = q.filter.untilUs ?? Number.MAX_SAFE_INTEGER;
    const row = this.q(`SELECT count(*) AS n FROM (SELECT 1 FROM alerts ${this.hint(`alerts_${col}`)}
      WHERE ${col} BETWEEN ? AND ? AND ts >= ? AND ts < ? LIMIT ?)`).get(r.low, r.high, lo, hi, cap) as { n: number };
    return row.n;
  }

  /** One page for a filter without `addr` (see the file comment for the plans). */
  private pageOnce(q: AlertQuery, f: AlertFilter): AlertPage {
    const w = this.where(q, f);
    const limit = q.limit;
    const addrCols = (['src', 'dst'] as const).filter((c) => (c === 'src' ? f.srcCidr : f.dstCidr));
    let best: { col: 'src' | 'dst'; n: number } | null = null;
    for (const col of addrCols) {
      const n = this.countAddress(col, (col === 'src' ? f.srcCidr : f.dstCidr)!, q, SORT_CAP);
      if (best === null || n < best.n) best = { col, n };
    }
    if (best !== null && best.n < SORT_CAP) {
      // Sparse address: sort its (few) matches by (ts, id), then read the page's rows.
      const rows = this.q(`SELECT ${SELECT_ROW} FROM (SELECT a.id FROM alerts a ${this.hint(`alerts_${best.col}`)}
          WHERE ${w.sql} ORDER BY a.ts, a.id LIMIT ?) p
        CROSS JOIN alerts a ON a.id = p.id ${JOINS} ORDER BY a.ts, a.id`).all(...w.params, limit) as RawRow[];
      return this.finish(rows.map(toRow), limit, null, [`alerts_${best.col}`]);
    }
    const timeIndex = this.hint('alerts_identity');
    const onlyTime = !q.sig && addrCols.length === 0 && !(f.sensors?.length) && f.minPriority === undefined && !(f.excludeSigs?.length);
    if (onlyTime) {
      const rows = this.q(`SELECT ${SELECT_ROW} FROM alerts a ${timeIndex} ${JOINS} WHERE ${w.sql} ORDER BY a.ts, a.id LIMIT ?`)
        .all(...w.params, limit) as RawRow[];
      return this.finish(rows.map(toRow), limit, null, ['alerts_identity']);
    }
    // Filters no index serves: walk at most SCAN_CAP rows of the time index.
    const tw = this.where({ ...q, sig: undefined }, { sinceUs: f.sinceUs, untilUs: f.untilUs });
    const end = this.q(`SELECT a.ts, a.id FROM alerts a ${timeIndex} WHERE ${tw.sql} ORDER BY a.ts, a.id LIMIT 1 OFFSET ?`)
      .get(...tw.params, SCAN_CAP - 1) as Cursor | undefined;
    // The plain `a.ts <= ?` is what bounds the index range; the OR alone would not stop the scan.
    const bound = end ? ' AND a.ts <= ? AND (a.ts < ? OR a.id <= ?)' : '';
    const rows = this.q(`SELECT ${SELECT_ROW} FROM alerts a ${timeIndex} ${JOINS} WHERE ${w.sql}${bound} ORDER BY a.ts, a.id LIMIT ?`)
      .all(...w.params, ...(end ? [end.ts, end.ts, end.id] : []), limit) as RawRow[];
    return this.finish(rows.map(toRow), limit, end ?? null, ['alerts_identity(window)']);
  }

  private finish(alerts: AlertRow[], limit: number, windowEnd: Cursor | null, plan: string[]): AlertPage {
    if (alerts.length >= limit) {
      const last = alerts[alerts.length - 1]!;
      return { alerts, next: { ts: last.timeUs, id: last.id }, partial: false, plan };
    }
    return { alerts, next: windowEnd, partial: windowEnd !== null, plan };
  }

  /** A page of alerts in (time, id) order after the cursor. */
  alertPage(q: AlertQuery): AlertPage {
    if (!q.addr) return this.pageOnce(q, q.filter);
    // Source OR destination: two index-served pages merged up to where both are complete.
    const a = this.pageOnce(q, { ...q.filter, srcCidr: q.addr });
    const b = this.pageOnce(q, { ...q.filter, dstCidr: q.addr });
    const covered = (p: AlertPage): Cursor => (p.next === null ? END : p.next);
    const upTo = before(covered(a), covered(b)) ? covered(a) : covered(b);
    const seen = new Set<number>();
    const merged = [...a.alerts, ...b.alerts]
      .filter((r) => !before(upTo, { ts: r.timeUs, id: r.id }) && !seen.has(r.id) && seen.add(r.id))
      .sort((x, y) => x.timeUs - y.timeUs || x.id - y.id);
    const plan = [...a.plan, ...b.plan];
    if (merged.length >= q.limit) {
      const page = merged.slice(0, q.limit);
      const last = page[page.length - 1]!;
      return { alerts: page, next: { ts: last.timeUs, id: last.id }, partial: false, plan };
    }
    const next = upTo === END ? null : upTo;
    return { alerts: merged, next, partial: next !== null, plan };
  }

  /** EXPLAIN QUERY PLAN lines of the statements a page would run (for tests and --debug). */
  explain(sql: string, params: unknown[]): string[] {
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
  }

  alert(id: number): AlertDetail | null {
    const r = this.q(`SELECT ${SELECT_ROW}, a.event_id, a.details, g.refs, a.offset, a.line, i.path AS input_path, i.format AS input_format
      FROM alerts a ${JOINS} LEFT JOIN inputs i ON i.id = a.input_id WHERE a.id = ?`).get(id) as
      (RawRow & { event_id: number | null; details: string | null; refs: string | null; offset: number | null; line: number | null;
        input_path: string | null; input_format: string | null }) | undefined;
    if (!r) return null;
    let details: Record<string, unknown> | null = null;
    try {
      details = r.details === null ? null : JSON.parse(r.details) as Record<string, unknown>;
    } catch {
      details = null; // a damaged details column must not break the page
    }
    const packets = (this.q('SELECT seq, ts, linktype, length, data FROM packets WHERE alert_id = ? ORDER BY seq LIMIT ?')
      .all(id, MAX_PACKETS) as Array<{ seq: number; ts: number; linktype: number; length: number; data: Buffer }>)
      .map((p) => ({ seq: p.seq, timeUs: p.ts, linktype: p.linktype, length: p.length, data: p.data }));
    const extra = this.q('SELECT seq, type, name, value FROM extra WHERE alert_id = ? ORDER BY seq LIMIT ?')
      .all(id, MAX_EXTRA) as AlertDetail['extra'];
    return {
      ...toRow(r), eventId: r.event_id, details, refs: r.refs,
      input: r.input_path === null ? null : { path: r.input_path, format: r.input_format ?? '', offset: r.offset, line: r.line },
      packets, extra,
    };
  }

  private watermark(): number {
    return (this.q("SELECT value FROM meta WHERE key = 'rollup_watermark'").get() as { value: number } | undefined)?.value ?? 0;
  }

  /**
   * Every host of one side with its totals, most alerts first, from the rollups. Computed once
   * per rollup watermark (new alerts raise it) and kept: the aggregate is a full rollup scan.
   */
  hosts(side: 'src' | 'dst'): HostRow[] {
    const mark = this.watermark();
    if (this.hostCache.mark !== mark) this.hostCache = { mark };
    const cached = this.hostCache[side];
    if (cached) return cached;
    const rows = (this.q(`SELECT ip, sum(n) AS n, count(DISTINCT sig_id) AS sigs, min(first) AS first, max(last) AS last
        FROM r_sig_${side} GROUP BY ip ORDER BY n DESC, ip LIMIT ?`).all(MAX_CACHED_HOSTS) as
      Array<{ ip: Buffer; n: number; sigs: number; first: number; last: number }>)
      .map((r) => ({ ip: ipFromKey(r.ip), count: r.n, signatures: r.sigs, firstUs: r.first, lastUs: r.last }));
    this.hostCache[side] = rows;
    return rows;
  }

  /** Per-signature counts of one address on one side: one primary-key probe per signature. */
  hostSignatures(side: 'src' | 'dst', key: Buffer): HostSigRow[] {
    return (this.q(`SELECT g.gid, g.sid, g.message, sum(r.n) AS n, min(r.first) AS first, max(r.last) AS last
        FROM signatures g CROSS JOIN r_sig_${side} r ON r.sig_id = g.id AND r.ip = ?
        GROUP BY g.id ORDER BY n DESC, g.gid, g.sid`).all(key) as
      Array<{ gid: number; sid: number; message: string; n: number; first: number; last: number }>)
      .map((r) => ({ gid: r.gid, sid: r.sid, message: r.message, count: r.n, firstUs: r.first, lastUs: r.last }));
  }

  sensorNames(): string[] {
    return (this.q('SELECT name FROM sensors ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  }

  signature(gid: number, sid: number): { gid: number; sid: number; rev: number; message: string; classification: string | null } | null {
    return (this.q('SELECT gid, sid, rev, message, classification FROM signatures WHERE gid = ? AND sid = ?').get(gid, sid) as
      { gid: number; sid: number; rev: number; message: string; classification: string | null } | undefined) ?? null;
  }
}
