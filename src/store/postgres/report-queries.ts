/**
 * `snarf report` on PostgreSQL: the working set and reads of src/store/sqlite/report-queries.ts
 * over the same rollups and columns, giving rows of the same JS shapes, so the page builders
 * write the same site from either store.
 *
 * One dedicated pooled connection for the whole report: TEMP tables are per session, and every
 * read runs in ONE `REPEATABLE READ` transaction, so all pages describe the same snapshot however
 * long the site takes to write while collectors keep committing. The transaction writes only
 * the working set (TEMP tables, ON COMMIT DROP, indexed once filled: a read-only transaction
 * could fill them but not create or index them) and is then made read-only (SET TRANSACTION
 * READ ONLY) for everything the pages read. The alert stream and the host lists go through
 * server-side cursors, a batch at a time.
 *
 * Differences from SQLite, and why the pages still agree:
 * - No rollup watermark: rollups can lag the alerts only by the rows a bulk import parked in
 *   `rollup_pending` (committed with their alerts, removed when folded into the rollups). In one
 *   snapshot, alerts = rollups + pending rows, so the working set adds the pending rows and then
 *   matches exactly the alerts the host pages stream: no id bound is needed.
 * - Ids carry no order, so alerts of one address in the same microsecond cannot come in id order
 *   as on SQLite (where ids follow import order). They come in the order they were imported:
 *   input registration order, then their byte offset in the input (then identity hash), which is
 *   SQLite's row order for everything one import or one collector wrote.
 * - Packets and extra data are keyed by the alert's identity (ts, h), not by its id: the alert
 *   rows carry h as an extra column and captures are looked up by (ts, h), day partition pruned.
 * - Text sorts are COLLATE "C" (bytewise, as SQLite's BINARY).
 */
import type pg from 'pg';
import { rollupsAnswer, type AlertFilter } from '../store.js';
import {
  ALL_STALE, NONE_STALE, type Bucket, type ExtraRow, type HostSigRow, type InputRow, type PacketRow, type PortRow, type RawAlert,
  type ReportHost, type ReportMark, type ReportReads, type ReportSignature, type SensorRow, type SigHost, type SignatureRow, type Side,
  type StaleHosts,
} from '../reads/report-reads.js';
import { SnarfError } from '../../errors.js';
import { withRetry } from './connect.js';
import { DAY_US } from './partitions.js';
import { alertWhere, Params } from './summary-query.js';

const SIDE_NO: Record<Side, number> = { src: 0, dst: 1 };
/** Rows per cursor FETCH. */
const FETCH = 2000;
/** Index of the identity hash appended to the alert stream's rows (after sensor_id). */
const COL_H = 11;

const TEMP_TABLES = ['rep_sig', 'rep_hour', 'rep_host_sig', 'rep_host', 'rep_sensor', 'rep_dport'];
/** The working set: dropped with the transaction, so the pooled connection goes back clean. */
const CREATE_TEMP = `DROP TABLE IF EXISTS ${TEMP_TABLES.map((t) => `pg_temp.${t}`).join(', ')};
  CREATE TEMP TABLE rep_sig (sig_id integer, n bigint, first bigint, last bigint) ON COMMIT DROP;
  CREATE TEMP TABLE rep_hour (sig_id integer, hour bigint, n bigint) ON COMMIT DROP;
  CREATE TEMP TABLE rep_host_sig (side smallint, ip bytea, sig_id integer, n bigint, first bigint, last bigint) ON COMMIT DROP;
  CREATE TEMP TABLE rep_host (side smallint, ip bytea, n bigint, first bigint, last bigint, sigs bigint) ON COMMIT DROP;
  CREATE TEMP TABLE rep_sensor (sensor_id integer, n bigint, first bigint, last bigint) ON COMMIT DROP;
  CREATE TEMP TABLE rep_dport (proto smallint, port integer, n bigint) ON COMMIT DROP;`;
/** Indexed once filled (a third of the cost of filling indexed tables), then analysed for the planner. */
const INDEX_TEMP = `
  CREATE UNIQUE INDEX ON rep_sig (sig_id);
  CREATE UNIQUE INDEX ON rep_hour (sig_id, hour);
  CREATE UNIQUE INDEX ON rep_host_sig (side, ip, sig_id);
  CREATE UNIQUE INDEX ON rep_host (side, ip);
  CREATE INDEX ON rep_host_sig (side, sig_id, n DESC, ip);
  CREATE INDEX ON rep_host (side, n DESC, ip);
  ANALYZE ${TEMP_TABLES.join(', ')};`;

/**
 * Host rows with `other` (the address is on the other side too). A join through the primary key
 * rather than SQLite's EXISTS: PostgreSQL would hash the whole other side for every batch.
 */
const HOST_ROWS = `SELECT h.ip, h.n AS count, h.first AS "firstUs", h.last AS "lastUs", h.sigs, o.ip IS NOT NULL AS other
  FROM rep_host h LEFT JOIN rep_host o ON o.side = 1 - h.side AND o.ip = h.ip`;

class PgReportReads implements ReportReads {
  readonly kind = 'postgres' as const;
  private client: pg.PoolClient | null = null;
  private cursors = 0;
  private days: Promise<Map<string, number>> | null = null;

  constructor(private readonly pool: pg.Pool, private readonly filter: AlertFilter) {}

  private c(): pg.PoolClient {
    if (this.client === null) throw new Error('report reads used before prepare() or after close()');
    return this.client;
  }

  private async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.c().query(sql, params)).rows as T[];
  }

  /**
   * Takes a connection, opens the snapshot and fills the working set; from then on the
   * transaction is read-only (SET TRANSACTION READ ONLY: the pages only read). Retried as a
   * whole on transient errors: nothing has been handed out yet.
   */
  async prepare(): Promise<void> {
    // The analyses of the report's other pages read through the pool meanwhile.
    if ((this.pool.options.max ?? 10) < 2) {
      throw new SnarfError('SNARF_CONFIG_INVALID', 'snarf report holds one connection for its snapshot and needs another for its analyses: use ?pool=2 or more');
    }
    await withRetry(async () => {
      const client = await this.pool.connect();
      try {
        // READ WRITE stated: the working set is written into TEMP tables (even on a connection
        // whose sessions default to read-only), nothing else is.
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE');
        await client.query(CREATE_TEMP);
        this.client = client;
        if (rollupsAnswer(this.filter)) await this.fillFromRollups();
        else await this.fillFromAlerts();
        await client.query(`INSERT INTO rep_host (side, ip, n, first, last, sigs)
          SELECT side, ip, sum(n), min(first), max(last), count(*) FROM rep_host_sig GROUP BY side, ip`);
        await client.query(INDEX_TEMP);
        await client.query('SET TRANSACTION READ ONLY');
      } catch (err) {
        this.client = null;
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(err as Error);
        throw err;
      }
    });
  }

  /** `AND <col> IN (the filter's sensors)` with the names as parameter $1, or nothing. */
  private sensorIn(col: string): { sql: string; params: unknown[] } {
    const names = this.filter.sensors ?? [];
    if (names.length === 0) return { sql: '', params: [] };
    return { sql: ` AND ${col} IN (SELECT id FROM sensors WHERE name = ANY($1::text[]))`, params: [names] };
  }

  /** The rollups plus the rows a bulk import parked in rollup_pending (not folded yet). */
  private async fillFromRollups(): Promise<void> {
    const s = this.sensorIn('sensor_id');
    const run = (sql: string): Promise<unknown> => this.c().query(sql, s.params);
    await run(`INSERT INTO rep_sig SELECT sig_id, sum(n), min(first), max(last) FROM (
        SELECT sig_id, n, first, last FROM r_sig WHERE true ${s.sql}
        UNION ALL SELECT sig_id, count(*), min(ts), max(ts) FROM rollup_pending WHERE true ${s.sql} GROUP BY sig_id) x
      GROUP BY sig_id`);
    await run(`INSERT INTO rep_hour SELECT sig_id, hour, sum(n) FROM (
        SELECT sig_id, hour, n FROM r_hour WHERE true ${s.sql}
        UNION ALL SELECT sig_id, ts / 3600000000, count(*) FROM rollup_pending WHERE true ${s.sql} GROUP BY 1, 2) x
      GROUP BY sig_id, hour`);
    for (const [table, side, col] of [['r_sig_src', 0, 'src'], ['r_sig_dst', 1, 'dst']] as const) {
      await run(`INSERT INTO rep_host_sig SELECT ${side}, ip, sig_id, sum(n), min(first), max(last) FROM (
          SELECT sig_id, ip, n, first, last FROM ${table} WHERE true ${s.sql}
          UNION ALL SELECT sig_id, ${col}, count(*), min(ts), max(ts) FROM rollup_pending WHERE ${col} IS NOT NULL ${s.sql} GROUP BY 1, 2) x
        GROUP BY sig_id, ip`);
    }
    await run(`INSERT INTO rep_sensor SELECT sensor_id, sum(n), min(first), max(last) FROM (
        SELECT sensor_id, n, first, last FROM r_sensor WHERE true ${s.sql}
        UNION ALL SELECT sensor_id, count(*), min(ts), max(ts) FROM rollup_pending WHERE true ${s.sql} GROUP BY 1) x
      GROUP BY sensor_id`);
    await run(`INSERT INTO rep_dport SELECT proto, port, sum(n) FROM (
        SELECT proto, port, n FROM r_dport WHERE true ${s.sql}
        UNION ALL SELECT proto, dport, count(*) FROM rollup_pending WHERE proto IS NOT NULL AND dport IS NOT NULL ${s.sql} GROUP BY 1, 2) x
      GROUP BY proto, port`);
  }

  /** One grouped pass per table over the matching alerts (a time filter prunes day partitions). */
  private async fillFromAlerts(): Promise<void> {
    const run = async (build: (w: string) => string): Promise<void> => {
      const p = new Params();
      const sql = build(alertWhere(this.filter, p));
      await this.c().query(sql, p.values);
    };
    await run((w) => `INSERT INTO rep_hour SELECT a.sig_id, a.ts / 3600000000, count(*) FROM alerts a WHERE ${w} GROUP BY 1, 2`);
    await this.c().query('INSERT INTO rep_sig SELECT sig_id, sum(n), NULL, NULL FROM rep_hour GROUP BY sig_id');
    await run((w) => `INSERT INTO rep_host_sig SELECT 0, a.src, a.sig_id, count(*), min(a.ts), max(a.ts)
      FROM alerts a WHERE ${w} AND a.src IS NOT NULL GROUP BY a.src, a.sig_id`);
    await run((w) => `INSERT INTO rep_host_sig SELECT 1, a.dst, a.sig_id, count(*), min(a.ts), max(a.ts)
      FROM alerts a WHERE ${w} AND a.dst IS NOT NULL GROUP BY a.dst, a.sig_id`);
    await run((w) => `INSERT INTO rep_sensor SELECT a.sensor_id, count(*), min(a.ts), max(a.ts) FROM alerts a WHERE ${w} GROUP BY 1`);
    await run((w) => `INSERT INTO rep_dport SELECT a.proto, a.dport, count(*) FROM alerts a
      WHERE ${w} AND a.proto IS NOT NULL AND a.dport IS NOT NULL GROUP BY 1, 2`);
    // First/last per signature from the source hosts, else from the hours (as on SQLite).
    await this.c().query(`UPDATE rep_sig SET
      first = (SELECT min(first) FROM rep_host_sig h WHERE h.side = 0 AND h.sig_id = rep_sig.sig_id),
      last = (SELECT max(last) FROM rep_host_sig h WHERE h.side = 0 AND h.sig_id = rep_sig.sig_id)`);
    await this.c().query(`UPDATE rep_sig SET
      first = coalesce(first, (SELECT min(hour) * 3600000000 FROM rep_hour h WHERE h.sig_id = rep_sig.sig_id)),
      last = coalesce(last, (SELECT (max(hour) + 1) * 3600000000 - 1 FROM rep_hour h WHERE h.sig_id = rep_sig.sig_id))`);
  }

  async signatures(): Promise<ReportSignature[]> {
    return this.rows<ReportSignature>(`
      SELECT g.id, g.gid, g.sid, g.rev, g.message, g.classification, g.priority, g.refs, r.n AS count,
        r.first AS "firstUs", r.last AS "lastUs",
        (SELECT count(*) FROM rep_host_sig x WHERE x.side = 0 AND x.sig_id = g.id) AS sources,
        (SELECT count(*) FROM rep_host_sig y WHERE y.side = 1 AND y.sig_id = g.id) AS destinations
      FROM rep_sig r JOIN signatures g ON g.id = r.sig_id
      ORDER BY coalesce(g.priority, 99), r.n DESC, g.gid, g.sid`);
  }

  async allSignatures(): Promise<SignatureRow[]> {
    return this.rows<SignatureRow>('SELECT id, gid, sid, rev, message, classification, priority, refs FROM signatures ORDER BY id');
  }

  async hostTotals(): Promise<{ sources: number; destinations: number }> {
    return (await this.rows<{ sources: number; destinations: number }>(`SELECT count(*) FILTER (WHERE side = 0) AS sources,
      count(*) FILTER (WHERE side = 1) AS destinations FROM rep_host`))[0]!;
  }

  async sensors(): Promise<SensorRow[]> {
    return this.rows<SensorRow>(`SELECT s.id, s.name, r.n AS count, r.first AS "firstUs", r.last AS "lastUs"
      FROM rep_sensor r JOIN sensors s ON s.id = r.sensor_id ORDER BY s.name COLLATE "C"`);
  }

  async sensorNames(): Promise<Map<number, string>> {
    const rows = await this.rows<{ id: number; name: string }>('SELECT id, name FROM sensors');
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async inputs(limit: number): Promise<{ rows: InputRow[]; total: number }> {
    const s = this.sensorIn('i.sensor_id');
    const rows = await this.rows<InputRow>(`SELECT i.path, i.format, s.name AS sensor FROM inputs i JOIN sensors s ON s.id = i.sensor_id
      WHERE true ${s.sql} ORDER BY s.name COLLATE "C", i.path COLLATE "C", i.format COLLATE "C" LIMIT ${Math.floor(limit)}`, s.params);
    const total = (await this.rows<{ c: number }>(`SELECT count(*) AS c FROM inputs i WHERE true ${s.sql}`, s.params))[0]!.c;
    return { rows, total };
  }

  async hourly(sigId?: number): Promise<Bucket[]> {
    return sigId === undefined
      ? this.rows<Bucket>('SELECT hour AS key, sum(n) AS count FROM rep_hour GROUP BY hour ORDER BY hour')
      : this.rows<Bucket>('SELECT hour AS key, n AS count FROM rep_hour WHERE sig_id = $1 ORDER BY hour', [sigId]);
  }

  async destinationPorts(limit: number): Promise<PortRow[]> {
    return this.rows<PortRow>('SELECT proto, port, n AS count FROM rep_dport ORDER BY n DESC, proto, port LIMIT $1', [limit]);
  }

  async sigHosts(side: Side, sigId: number, limit: number): Promise<SigHost[]> {
    // Ties in count by address: the order SQLite's (side, sig_id, n DESC) index hands them out.
    return this.rows<SigHost>(`SELECT x.ip, x.n AS count, x.first AS "firstUs", x.last AS "lastUs", h.n AS total
      FROM rep_host_sig x JOIN rep_host h ON h.side = x.side AND h.ip = x.ip
      WHERE x.side = $1 AND x.sig_id = $2 ORDER BY x.n DESC, x.ip LIMIT $3`, [SIDE_NO[side], sigId, limit]);
  }

  async topHosts(side: Side, limit: number): Promise<ReportHost[]> {
    return this.rows<ReportHost>(`${HOST_ROWS} WHERE h.side = $1 ORDER BY h.n DESC, h.ip LIMIT $2`, [SIDE_NO[side], limit]);
  }

  hostCounts(side: Side): AsyncIterable<Array<[Buffer, number]>> {
    return this.cursor('SELECT ip, n FROM rep_host WHERE side = $1 ORDER BY ip', [SIDE_NO[side]]) as AsyncIterable<Array<[Buffer, number]>>;
  }

  async hostBatch(side: Side, after: Buffer | null, limit: number): Promise<ReportHost[]> {
    return this.rows<ReportHost>(`${HOST_ROWS} WHERE h.side = $1 AND h.ip > $2 ORDER BY h.ip LIMIT $3`,
      [SIDE_NO[side], after ?? Buffer.alloc(0), limit]);
  }

  async hostSigsRange(side: Side, after: Buffer | null, upTo: Buffer): Promise<HostSigRow[]> {
    return (await this.c().query({
      text: 'SELECT ip, sig_id, n, first, last FROM rep_host_sig WHERE side = $1 AND ip > $2 AND ip <= $3 ORDER BY ip, sig_id',
      values: [SIDE_NO[side], after ?? Buffer.alloc(0), upTo], rowMode: 'array',
    })).rows as HostSigRow[];
  }

  /**
   * The side's alerts as SQLite's raw rows (hex text addresses, '' for none as SQLite's hex(NULL))
   * plus the identity hash, in (address, time, import order): see the module comment.
   */
  sideAlerts(side: Side, from?: Buffer): AsyncIterable<RawAlert[]> {
    const col = side === 'src' ? 'a.src' : 'a.dst';
    const p = new Params();
    const start = p.add(from ?? Buffer.alloc(0));
    const where = alertWhere(this.filter, p);
    return this.cursor(`SELECT a.id, a.ts, a.sig_id, a.rev, a.msg, a.proto, coalesce(upper(encode(a.src, 'hex')), ''), a.sport,
        coalesce(upper(encode(a.dst, 'hex')), ''), a.dport, a.sensor_id, a.h
      FROM alerts a WHERE ${col} >= ${start} AND ${where} ORDER BY ${col}, a.ts, a.input_id, a."offset", a.h`, p.values);
  }

  async hostPeers(side: Side, ip: Buffer, limit: number): Promise<{ rows: Array<{ ip: Buffer; count: number }>; total: number }> {
    const [col, peer] = side === 'src' ? ['a.src', 'a.dst'] : ['a.dst', 'a.src'];
    const p = new Params();
    const host = p.add(ip);
    const where = alertWhere(this.filter, p);
    const rows = await this.rows<{ ip: Buffer; count: number }>(`SELECT ${peer} AS ip, count(*) AS count FROM alerts a
      WHERE ${col} = ${host} AND ${peer} IS NOT NULL AND ${where} GROUP BY ${peer} ORDER BY count DESC, ${peer} LIMIT ${p.add(limit)}`, p.values);
    const q = new Params();
    const host2 = q.add(ip);
    const total = (await this.rows<{ c: number }>(`SELECT count(DISTINCT ${peer}) AS c FROM alerts a
      WHERE ${col} = ${host2} AND ${alertWhere(this.filter, q)}`, q.values))[0]!.c;
    return { rows, total };
  }

  /** Captures of these alerts by identity, within their time span (day partitions pruned). */
  private async captures<T>(table: 'packets' | 'extra', cols: string, alerts: readonly RawAlert[]): Promise<T[]> {
    if (alerts.length === 0) return [];
    const ids: number[] = [];
    const ts: number[] = [];
    const hs: number[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of alerts) {
      const t = a[1] as number;
      ids.push(a[0] as number);
      ts.push(t);
      hs.push(a[COL_H] as number);
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    return this.rows<T>(`SELECT k.id AS "alertId", ${cols} FROM ${table} x
      JOIN unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS k(id, ts, h) ON x.ts = k.ts AND x.h = k.h
      WHERE x.ts BETWEEN $4 AND $5 ORDER BY k.id, x.seq`, [ids, ts, hs, lo, hi]);
  }

  async packets(alerts: readonly RawAlert[]): Promise<PacketRow[]> {
    return this.captures<PacketRow>('packets', 'x.seq, x.linktype, x.length, x.data', alerts);
  }

  async extra(alerts: readonly RawAlert[]): Promise<ExtraRow[]> {
    const rows = await this.captures<ExtraRow & { is_text: boolean }>('extra', 'x.seq, x.type, x.name, x.value, x.is_text', alerts);
    // Text extra data as text, as SQLite (which stores it as TEXT) hands it out.
    return rows.map((r) => ({ alertId: r.alertId, seq: r.seq, type: r.type, name: r.name, value: r.is_text ? (r.value as Buffer).toString('utf8') : r.value }));
  }

  async hasCaptures(): Promise<{ packets: boolean; extra: boolean }> {
    const r = (await this.rows<{ p: boolean; e: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM packets) AS p, EXISTS (SELECT 1 FROM extra) AS e'))[0]!;
    return { packets: r.p, extra: r.e };
  }

  /**
   * What this run covers: each sensor's latest alert (rollups plus pending rows: every alert of
   * the snapshot), and the capture rows per day. One index-only pass over each capture table.
   */
  async mark(): Promise<ReportMark> {
    const sensorLast: Record<string, number> = {};
    const rows = await this.rows<{ sensor_id: number; last: number }>(`SELECT sensor_id, max(last) AS last FROM (
        SELECT sensor_id, last FROM r_sensor UNION ALL SELECT sensor_id, max(ts) FROM rollup_pending GROUP BY 1) x GROUP BY 1`);
    for (const r of rows) sensorLast[r.sensor_id] = r.last;
    const days = await this.captureDays();
    const totals = await this.rows<{ p: number; x: number }>('SELECT (SELECT count(*) FROM packets) AS p, (SELECT count(*) FROM extra) AS x');
    return {
      store: 'postgres', watermark: Math.max(-1, ...Object.values(sensorLast)), packets: totals[0]!.p, extra: totals[0]!.x,
      sensorLast, captureDays: Object.fromEntries(days),
    };
  }

  /** Capture rows (packets and extra data) per UTC day of their alerts, from the primary keys. */
  private async captureDays(): Promise<Map<string, number>> {
    this.days ??= this.rows<{ day: number; n: number }>(`SELECT day, sum(n) AS n FROM (
        SELECT ts / ${DAY_US} AS day, count(*) AS n FROM packets GROUP BY 1
        UNION ALL SELECT ts / ${DAY_US}, count(*) FROM extra GROUP BY 1) x GROUP BY day`)
      .then((rows) => new Map(rows.map((r) => [String(r.day), r.n])));
    return this.days;
  }

  /**
   * Host pages whose unchanged keys cannot be trusted. Capture rows are only ever added (and
   * dropped with their whole day by retention), and an alert gets its captures either with
   * itself or later (a richer duplicate): so a day whose capture rows did not change holds no
   * alert that gained any. A day that did change is checked again counting only the captures of
   * alerts no later than their sensor's latest alert of the previous run (the alerts that run
   * could have shown; a sensor's new alerts come after its own latest, whatever the others'
   * clocks say): if those are the previous run's count, the change is all new alerts, whose
   * hosts' keys changed anyway. Otherwise alerts gained captures (or alerts with captures came in
   * late), and every host with a capture-bearing alert of that day that the previous run could
   * have shown is rendered again. Unsure (no mark, a mark of another store): every host.
   */
  async staleSince(prev: ReportMark | undefined): Promise<StaleHosts> {
    if (!prev || prev.store !== 'postgres' || !prev.captureDays || !prev.sensorLast) return ALL_STALE;
    const now = await this.captureDays();
    const ids = Object.keys(prev.sensorLast).map(Number);
    const lasts = ids.map((id) => prev.sensorLast![id]!);
    const dirty: number[] = [];
    for (const day of new Set([...now.keys(), ...Object.keys(prev.captureDays)])) {
      const was = prev.captureDays[day] ?? 0;
      const is = now.get(day) ?? 0;
      // Unchanged, or a day retention dropped whole (its hosts' counts changed).
      if (is === was || is === 0) continue;
      const lo = Number(day) * DAY_US;
      const [old] = await this.rows<{ n: number }>(`SELECT count(*) AS n FROM (
          SELECT ts, h FROM packets WHERE ts >= $1 AND ts < $2 UNION ALL SELECT ts, h FROM extra WHERE ts >= $1 AND ts < $2) c
        JOIN alerts a ON a.ts = c.ts AND a.h = c.h AND a.ts >= $1 AND a.ts < $2
        JOIN unnest($3::int[], $4::bigint[]) AS b(sensor_id, last) ON b.sensor_id = a.sensor_id AND a.ts <= b.last`,
      [lo, lo + DAY_US, ids, lasts]);
      if (old!.n !== was) dirty.push(lo);
    }
    if (dirty.length === 0) return NONE_STALE;
    const stale = { all: false, src: new Set<string>(), dst: new Set<string>() };
    for (const lo of dirty) {
      for (const side of ['src', 'dst'] as const) {
        const r = await this.c().query<[string]>({
          text: `SELECT DISTINCT upper(encode(a.${side}, 'hex')) FROM alerts a
            JOIN unnest($3::int[], $4::bigint[]) AS b(sensor_id, last) ON b.sensor_id = a.sensor_id AND a.ts <= b.last
            WHERE a.ts >= $1 AND a.ts < $2 AND a.${side} IS NOT NULL
              AND (EXISTS (SELECT 1 FROM packets p WHERE p.ts = a.ts AND p.h = a.h) OR EXISTS (SELECT 1 FROM extra x WHERE x.ts = a.ts AND x.h = a.h))`,
          values: [lo, lo + DAY_US, ids, lasts], rowMode: 'array',
        });
        for (const [hex] of r.rows) stale[side].add(hex);
      }
    }
    return stale;
  }

  /**
   * Rows of `sql` through a server-side cursor in this snapshot, FETCH batch by batch. No batch
   * is requested ahead: the page builders query this connection between batches (captures, host
   * batches) and pg runs one query at a time. Leaving the loop closes the cursor.
   */
  private async *cursor(sql: string, params: unknown[]): AsyncGenerator<unknown[][]> {
    const c = this.c();
    const name = `rep_cursor_${++this.cursors}`;
    await c.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
    try {
      for (;;) {
        const r = await c.query<unknown[]>({ text: `FETCH ${FETCH} FROM ${name}`, rowMode: 'array' });
        if (r.rows.length > 0) yield r.rows;
        if (r.rows.length < FETCH) return;
      }
    } finally {
      await c.query(`CLOSE ${name}`).catch(() => undefined);
    }
  }

  /** Ends the snapshot (which drops the working set) and returns the connection. */
  async close(): Promise<void> {
    const c = this.client;
    if (c === null) return;
    this.client = null;
    let broken: Error | undefined;
    try {
      await c.query('COMMIT');
    } catch (err) {
      broken = err as Error;
    } finally {
      c.release(broken);
    }
  }
}

export function pgReportReads(pool: pg.Pool, filter: AlertFilter): ReportReads {
  return new PgReportReads(pool, filter);
}
