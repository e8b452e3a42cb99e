/**
 * The queries behind `snarf report` on SQLite: ReportQueries (synchronous, better-sqlite3), and
 * sqliteReportReads, the ReportReads adapter the page builders use (src/store/reads/report-reads.ts;
 * PostgreSQL's is src/store/postgres/report-queries.ts).
 *
 * prepare() materialises the report's working set once into TEMP tables (per signature, per
 * signature × hour, per host × signature, per host, sensor, destination port). Unfiltered or
 * sensor-only reports fill them from the rollups; any other SnortSnarf filter (time, priority,
 * CIDR, excluded sids) fills them with one grouped pass over the matching alerts, since the
 * rollups carry no per-row attributes. Every page then reads these small tables through their
 * primary keys, and host pages page through raw alerts by keyset on the (src, ts) / (dst, ts)
 * indexes: no OFFSET, no count(*) over alerts, nothing proportional to the store held in memory.
 */
import type Database from 'better-sqlite3';
import { rollupsAnswer, type AlertFilter } from '../store.js';
import {
  ALL_STALE, NONE_STALE, type Bucket, type ExtraRow, type HostSigRow, type InputRow, type PacketRow, type PortRow, type RawAlert,
  type ReportHost, type ReportMark, type ReportReads, type ReportSignature, type SensorRow, type SigHost, type SignatureRow, type Side,
  type StaleHosts,
} from '../reads/report-reads.js';
import { alertWhere } from './summary-query.js';

export type {
  Bucket, ExtraRow, HostSig, InputRow, PacketRow, PortRow, ReportHost, ReportSignature, SensorRow, SigHost, Side,
} from '../reads/report-reads.js';

const SIDE_NO: Record<Side, number> = { src: 0, dst: 1 };

const TEMP_TABLES = `
  DROP TABLE IF EXISTS temp.rep_sig; DROP TABLE IF EXISTS temp.rep_hour; DROP TABLE IF EXISTS temp.rep_host_sig;
  DROP TABLE IF EXISTS temp.rep_host; DROP TABLE IF EXISTS temp.rep_sensor; DROP TABLE IF EXISTS temp.rep_dport;
  CREATE TEMP TABLE rep_sig (sig_id INTEGER PRIMARY KEY, n INTEGER, first INTEGER, last INTEGER);
  CREATE TEMP TABLE rep_hour (sig_id INTEGER, hour INTEGER, n INTEGER, PRIMARY KEY (sig_id, hour)) WITHOUT ROWID;
  CREATE TEMP TABLE rep_host_sig (side INTEGER, ip BLOB, sig_id INTEGER, n INTEGER, first INTEGER, last INTEGER,
    PRIMARY KEY (side, ip, sig_id)) WITHOUT ROWID;
  CREATE TEMP TABLE rep_host (side INTEGER, ip BLOB, n INTEGER, first INTEGER, last INTEGER, sigs INTEGER,
    PRIMARY KEY (side, ip)) WITHOUT ROWID;
  CREATE TEMP TABLE rep_sensor (sensor_id INTEGER PRIMARY KEY, n INTEGER, first INTEGER, last INTEGER);
  CREATE TEMP TABLE rep_dport (proto INTEGER, port INTEGER, n INTEGER, PRIMARY KEY (proto, port)) WITHOUT ROWID;
`;

export class ReportQueries {
  private readonly where: { sql: string; params: unknown[] };
  private readonly st = new Map<string, Database.Statement>();
  /** The highest alert id the working set covers (set by prepare()): host pages read no later row. */
  private maxId = Number.MAX_SAFE_INTEGER;

  constructor(private readonly db: Database.Database, private readonly filter: AlertFilter) {
    this.where = alertWhere(filter);
  }

  private q(sql: string): Database.Statement {
    let s = this.st.get(sql);
    if (!s) this.st.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** Builds the TEMP working set for this filter; call once before any page query. */
  prepare(): void {
    const db = this.db;
    db.exec(TEMP_TABLES);
    const fill = db.transaction(() => {
      // Rollups cover ids up to the watermark; a grouped pass covers what exists now. Alerts
      // arriving while the site is written must not show up on host pages the tables omit.
      this.maxId = rollupsAnswer(this.filter)
        ? this.watermark()
        : ((db.prepare('SELECT max(id) AS m FROM alerts').get() as { m: number | null }).m ?? 0);
      if (rollupsAnswer(this.filter)) this.fillFromRollups();
      else this.fillFromAlerts();
      db.exec(`INSERT INTO temp.rep_host (side, ip, n, first, last, sigs)
        SELECT side, ip, sum(n), min(first), max(last), count(*) FROM temp.rep_host_sig GROUP BY side, ip`);
      // Sorted lists (signature pages' top hosts, top-sources) read these indexes in order.
      db.exec(`CREATE INDEX temp.rep_host_sig_top ON rep_host_sig (side, sig_id, n DESC);
        CREATE INDEX temp.rep_host_top ON rep_host (side, n DESC)`);
    });
    fill();
  }

  private sensorIn(col: string): { sql: string; params: string[] } {
    const names = this.filter.sensors ?? [];
    if (names.length === 0) return { sql: '', params: [] };
    return { sql: ` AND ${col} IN (SELECT id FROM sensors WHERE name IN (${names.map(() => '?').join(', ')}))`, params: names };
  }

  private fillFromRollups(): void {
    const s = this.sensorIn('sensor_id');
    const run = (sql: string): void => { this.db.prepare(sql).run(...s.params); };
    run(`INSERT INTO temp.rep_sig SELECT sig_id, sum(n), min(first), max(last) FROM r_sig WHERE 1 = 1 ${s.sql} GROUP BY sig_id`);
    run(`INSERT INTO temp.rep_hour SELECT sig_id, hour, sum(n) FROM r_hour WHERE 1 = 1 ${s.sql} GROUP BY sig_id, hour`);
    for (const [table, side] of [['r_sig_src', 0], ['r_sig_dst', 1]] as const) {
      run(`INSERT INTO temp.rep_host_sig SELECT ${side}, ip, sig_id, sum(n), min(first), max(last)
           FROM ${table} WHERE 1 = 1 ${s.sql} GROUP BY sig_id, ip`);
    }
    run(`INSERT INTO temp.rep_sensor SELECT sensor_id, n, first, last FROM r_sensor WHERE 1 = 1 ${s.sql}`);
    run(`INSERT INTO temp.rep_dport SELECT proto, port, sum(n) FROM r_dport WHERE 1 = 1 ${s.sql} GROUP BY proto, port`);
  }

  private fillFromAlerts(): void {
    const w = this.where;
    const run = (sql: string): void => { this.db.prepare(sql).run(...w.params); };
    run(`INSERT INTO temp.rep_hour SELECT a.sig_id, a.ts / 3600000000, count(*) FROM alerts a WHERE ${w.sql} GROUP BY 1, 2`);
    this.db.exec(`INSERT INTO temp.rep_sig SELECT sig_id, sum(n), NULL, NULL FROM temp.rep_hour GROUP BY sig_id`);
    run(`INSERT INTO temp.rep_host_sig SELECT 0, a.src, a.sig_id, count(*), min(a.ts), max(a.ts)
         FROM alerts a WHERE ${w.sql} AND a.src IS NOT NULL GROUP BY a.src, a.sig_id`);
    run(`INSERT INTO temp.rep_host_sig SELECT 1, a.dst, a.sig_id, count(*), min(a.ts), max(a.ts)
         FROM alerts a WHERE ${w.sql} AND a.dst IS NOT NULL GROUP BY a.dst, a.sig_id`);
    run(`INSERT INTO temp.rep_sensor SELECT a.sensor_id, count(*), min(a.ts), max(a.ts) FROM alerts a WHERE ${w.sql} GROUP BY 1`);
    run(`INSERT INTO temp.rep_dport SELECT a.proto, a.dport, count(*) FROM alerts a
         WHERE ${w.sql} AND a.proto IS NOT NULL AND a.dport IS NOT NULL GROUP BY 1, 2`);
    // First/last per signature: from the host tables when the alerts have addresses, which
    // they all do in Snort output; a pass per signature over alerts would cost far more.
    this.db.exec(`UPDATE temp.rep_sig SET
      first = (SELECT min(first) FROM temp.rep_host_sig h WHERE h.side = 0 AND h.sig_id = rep_sig.sig_id),
      last = (SELECT max(last) FROM temp.rep_host_sig h WHERE h.side = 0 AND h.sig_id = rep_sig.sig_id)`);
    this.db.exec(`UPDATE temp.rep_sig SET first = coalesce(first, (SELECT min(hour) * 3600000000 FROM temp.rep_hour h WHERE h.sig_id = rep_sig.sig_id)),
      last = coalesce(last, (SELECT (max(hour) + 1) * 3600000000 - 1 FROM temp.rep_hour h WHERE h.sig_id = rep_sig.sig_id))`);
  }

  signatures(): ReportSignature[] {
    return (this.q(`
      SELECT g.id, g.gid, g.sid, g.rev, g.message, g.classification, g.priority, g.refs, r.n AS count,
        r.first AS firstUs, r.last AS lastUs,
        (SELECT count(*) FROM temp.rep_host_sig x WHERE x.side = 0 AND x.sig_id = g.id) AS sources,
        (SELECT count(*) FROM temp.rep_host_sig y WHERE y.side = 1 AND y.sig_id = g.id) AS destinations
      FROM temp.rep_sig r JOIN signatures g ON g.id = r.sig_id
      ORDER BY coalesce(g.priority, 99), r.n DESC, g.gid, g.sid`).all()) as ReportSignature[];
  }

  /** Every signature row in the store (not only reported ones): messages for host pages. */
  allSignatures(): SignatureRow[] {
    return this.q('SELECT id, gid, sid, rev, message, classification, priority, refs FROM signatures ORDER BY id').all() as never;
  }

  hostTotals(): { sources: number; destinations: number } {
    const c = (side: number): number => (this.q('SELECT count(*) AS c FROM temp.rep_host WHERE side = ?').get(side) as { c: number }).c;
    return { sources: c(0), destinations: c(1) };
  }

  sensors(): SensorRow[] {
    return this.q(`SELECT s.id, s.name, r.n AS count, r.first AS firstUs, r.last AS lastUs
      FROM temp.rep_sensor r JOIN sensors s ON s.id = r.sensor_id ORDER BY s.name`).all() as SensorRow[];
  }

  /** Every sensor name by id (alert rows carry ids). */
  sensorNames(): Map<number, string> {
    const rows = this.q('SELECT id, name FROM sensors').all() as Array<{ id: number; name: string }>;
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  inputs(limit: number): { rows: InputRow[]; total: number } {
    const s = this.sensorIn('i.sensor_id');
    const rows = this.db.prepare(`SELECT i.path, i.format, s.name AS sensor FROM inputs i JOIN sensors s ON s.id = i.sensor_id
      WHERE 1 = 1 ${s.sql} ORDER BY s.name, i.path, i.format LIMIT ?`).all(...s.params, limit) as InputRow[];
    const total = (this.db.prepare(`SELECT count(*) AS c FROM inputs i WHERE 1 = 1 ${s.sql}`).get(...s.params) as { c: number }).c;
    return { rows, total };
  }

  /** Alerts per hour (hour = µs / 3.6e9), for all signatures or one. Sparse: only hours with alerts. */
  hourly(sigId?: number): Bucket[] {
    return (sigId === undefined
      ? this.q('SELECT hour AS key, sum(n) AS count FROM temp.rep_hour GROUP BY hour ORDER BY hour').all()
      : this.q('SELECT hour AS key, n AS count FROM temp.rep_hour WHERE sig_id = ? ORDER BY hour').all(sigId)) as Bucket[];
  }

  destinationPorts(limit: number): PortRow[] {
    return this.q('SELECT proto, port, n AS count FROM temp.rep_dport ORDER BY n DESC, proto, port LIMIT ?').all(limit) as PortRow[];
  }

  /** A signature's hosts on one side, most alerts first, with the host's total over all signatures. */
  sigHosts(side: Side, sigId: number, limit: number): SigHost[] {
    return this.q(`SELECT x.ip, x.n AS count, x.first AS firstUs, x.last AS lastUs,
        (SELECT h.n FROM temp.rep_host h WHERE h.side = x.side AND h.ip = x.ip) AS total
      FROM temp.rep_host_sig x WHERE x.side = ? AND x.sig_id = ? ORDER BY x.n DESC LIMIT ?`).all(SIDE_NO[side], sigId, limit) as SigHost[];
  }

  topHosts(side: Side, limit: number): ReportHost[] {
    return (this.q(`SELECT h.ip, h.n AS count, h.first AS firstUs, h.last AS lastUs, h.sigs,
        EXISTS (SELECT 1 FROM temp.rep_host o WHERE o.side = 1 - h.side AND o.ip = h.ip) AS other
      FROM temp.rep_host h WHERE h.side = ? ORDER BY h.n DESC, h.ip LIMIT ?`).all(SIDE_NO[side], limit) as Array<Omit<ReportHost, 'other'> & { other: number }>)
      .map((r) => ({ ...r, other: r.other === 1 }));
  }

  /** Every host of one side in address order as raw [ip, alerts] rows (the host map's pass). */
  hostCounts(side: Side): IterableIterator<[Buffer, number]> {
    return this.q('SELECT ip, n FROM temp.rep_host WHERE side = ? ORDER BY ip').raw(true).iterate(SIDE_NO[side]) as IterableIterator<[Buffer, number]>;
  }

  /** Hosts of one side in address order, after `after` (keyset), `limit` at a time. */
  hostBatch(side: Side, after: Buffer | null, limit: number): ReportHost[] {
    return (this.q(`SELECT h.ip, h.n AS count, h.first AS firstUs, h.last AS lastUs, h.sigs,
        EXISTS (SELECT 1 FROM temp.rep_host o WHERE o.side = 1 - h.side AND o.ip = h.ip) AS other
      FROM temp.rep_host h WHERE h.side = ? AND h.ip > ? ORDER BY h.ip LIMIT ?`)
      .all(SIDE_NO[side], after ?? Buffer.alloc(0), limit) as Array<Omit<ReportHost, 'other'> & { other: number }>)
      .map((r) => ({ ...r, other: r.other === 1 }));
  }

  /**
   * Every alert of one side in (address, ts, id) order: ONE scan of the address index for the
   * whole site, as raw rows [id, ts, sig_id, rev, msg, proto, hex(src), sport, hex(dst), dport,
   * sensor_id] (upper-case hex of the 16-byte keys), from address `from` on (the page builder
   * restarts the scan past hosts it keeps from the previous run). Per-host queries cost ~80 µs each in
   * better-sqlite3, which dominated sites with tens of thousands of small hosts.
   */
  sideAlerts(side: Side, from?: Buffer): IterableIterator<unknown[]> {
    const [col, index] = side === 'src' ? ['a.src', 'alerts_src'] : ['a.dst', 'alerts_dst'];
    const w = this.where;
    // Addresses as hex text: cheaper to materialise than Buffers, and ordered like the blobs.
    return this.q(`SELECT a.id, a.ts, a.sig_id, a.rev, a.msg, a.proto, hex(a.src), a.sport, hex(a.dst), a.dport, a.sensor_id
      FROM alerts a INDEXED BY ${index} WHERE ${col} >= ? AND a.id <= ? AND ${w.sql} ORDER BY ${col}, a.ts, a.id`)
      .raw(true).iterate(from ?? Buffer.alloc(0), this.maxId, ...w.params) as IterableIterator<unknown[]>;
  }

  /**
   * Signature counts of the hosts in (after, upTo] on one side as raw [ip, sigId, count, first,
   * last] rows in primary key order (address, signature id): no sort in SQLite.
   */
  hostSigsRange(side: Side, after: Buffer | null, upTo: Buffer): HostSigRow[] {
    return this.q(`SELECT ip, sig_id, n, first, last FROM temp.rep_host_sig
      WHERE side = ? AND ip > ? AND ip <= ? ORDER BY ip, sig_id`).raw(true).all(SIDE_NO[side], after ?? Buffer.alloc(0), upTo) as HostSigRow[];
  }

  /**
   * A host's peers by alert count, straight from its alerts: only for hosts with so many
   * distinct peers that the page builder stopped counting them in memory.
   */
  hostPeers(side: Side, ip: Buffer, limit: number): { rows: Array<{ ip: Buffer; count: number }>; total: number } {
    const [col, peer] = side === 'src' ? ['a.src', 'a.dst'] : ['a.dst', 'a.src'];
    const w = this.where;
    const rows = this.q(`SELECT ${peer} AS ip, count(*) AS count FROM alerts a WHERE ${col} = ? AND ${peer} IS NOT NULL AND ${w.sql}
      GROUP BY ${peer} ORDER BY count DESC, ${peer} LIMIT ?`).all(ip, ...w.params, limit) as Array<{ ip: Buffer; count: number }>;
    const total = (this.q(`SELECT count(DISTINCT ${peer}) AS c FROM alerts a WHERE ${col} = ? AND ${w.sql}`)
      .get(ip, ...w.params) as { c: number }).c;
    return { rows, total };
  }

  packets(alertIds: number[]): PacketRow[] {
    if (alertIds.length === 0) return [];
    // One prepared statement for any page: the ids travel as one JSON array parameter.
    return this.q(`SELECT alert_id AS alertId, seq, linktype, length, data FROM packets
      WHERE alert_id IN (SELECT value FROM json_each(?)) ORDER BY alert_id, seq`).all(JSON.stringify(alertIds)) as PacketRow[];
  }

  extra(alertIds: number[]): ExtraRow[] {
    if (alertIds.length === 0) return [];
    return this.q(`SELECT alert_id AS alertId, seq, type, name, value FROM extra
      WHERE alert_id IN (SELECT value FROM json_each(?)) ORDER BY alert_id, seq`).all(JSON.stringify(alertIds)) as ExtraRow[];
  }

  /**
   * Rows of packets and extra data. A duplicate from a richer format (unified2 after a text
   * log) adds captures to an old alert without changing any count: incremental re-runs compare
   * the counts up to the previous run's watermark (rows are never deleted).
   */
  captureCountsUpTo(alertId: number): { packets: number; extra: number } {
    const c = (t: string): number => (this.q(`SELECT count(*) AS c FROM ${t} WHERE alert_id <= ?`).get(alertId) as { c: number }).c;
    return { packets: c('packets'), extra: c('extra') };
  }

  /** Whether any alert carries packets or extra data (text-only stores skip those lookups). */
  hasCaptures(): { packets: boolean; extra: boolean } {
    const has = (t: string): boolean => (this.q(`SELECT EXISTS (SELECT 1 FROM ${t}) AS e`).get() as { e: number }).e === 1;
    return { packets: has('packets'), extra: has('extra') };
  }

  /** The rollup watermark: the highest alert id the rollups cover (changes when alerts arrive). */
  watermark(): number {
    return (this.q("SELECT value FROM meta WHERE key = 'rollup_watermark'").get() as { value: number }).value;
  }
}

/** Rows per batch of the streamed reads: one await per batch in the page builders, none per row. */
const BATCH = 1024;

/** A synchronous statement iterator as async batches; ending the loop early closes the statement. */
async function* batches<T>(rows: IterableIterator<T>): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * ReportReads over ReportQueries: the same SQL, each answer wrapped in a resolved promise (there
 * is nothing to wait for in better-sqlite3). Alerts' captures are looked up by row id.
 */
class SqliteReportReads implements ReportReads {
  readonly kind = 'sqlite' as const;
  readonly q: ReportQueries;

  constructor(db: Database.Database, filter: AlertFilter) {
    this.q = new ReportQueries(db, filter);
  }

  async prepare(): Promise<void> { this.q.prepare(); }
  async signatures(): Promise<ReportSignature[]> { return this.q.signatures(); }
  async allSignatures(): Promise<SignatureRow[]> { return this.q.allSignatures(); }
  async hostTotals(): Promise<{ sources: number; destinations: number }> { return this.q.hostTotals(); }
  async sensors(): Promise<SensorRow[]> { return this.q.sensors(); }
  async sensorNames(): Promise<Map<number, string>> { return this.q.sensorNames(); }
  async inputs(limit: number): Promise<{ rows: InputRow[]; total: number }> { return this.q.inputs(limit); }
  async hourly(sigId?: number): Promise<Bucket[]> { return this.q.hourly(sigId); }
  async destinationPorts(limit: number): Promise<PortRow[]> { return this.q.destinationPorts(limit); }
  async sigHosts(side: Side, sigId: number, limit: number): Promise<SigHost[]> { return this.q.sigHosts(side, sigId, limit); }
  async topHosts(side: Side, limit: number): Promise<ReportHost[]> { return this.q.topHosts(side, limit); }
  hostCounts(side: Side): AsyncIterable<Array<[Buffer, number]>> { return batches(this.q.hostCounts(side)); }
  async hostBatch(side: Side, after: Buffer | null, limit: number): Promise<ReportHost[]> { return this.q.hostBatch(side, after, limit); }
  async hostSigsRange(side: Side, after: Buffer | null, upTo: Buffer): Promise<HostSigRow[]> { return this.q.hostSigsRange(side, after, upTo); }
  sideAlerts(side: Side, from?: Buffer): AsyncIterable<RawAlert[]> { return batches(this.q.sideAlerts(side, from)); }
  async hostPeers(side: Side, ip: Buffer, limit: number): Promise<{ rows: Array<{ ip: Buffer; count: number }>; total: number }> {
    return this.q.hostPeers(side, ip, limit);
  }
  async packets(alerts: readonly RawAlert[]): Promise<PacketRow[]> { return this.q.packets(alerts.map((a) => a[0] as number)); }
  async extra(alerts: readonly RawAlert[]): Promise<ExtraRow[]> { return this.q.extra(alerts.map((a) => a[0] as number)); }
  async hasCaptures(): Promise<{ packets: boolean; extra: boolean }> { return this.q.hasCaptures(); }

  /** The rollup watermark and the capture rows of the alerts up to it (ids are dense and ordered). */
  async mark(): Promise<ReportMark> {
    const watermark = this.q.watermark();
    return { watermark, ...this.q.captureCountsUpTo(watermark) };
  }

  /** Any capture row added to the alerts up to the previous watermark makes every host stale. */
  async staleSince(prev: ReportMark | undefined): Promise<StaleHosts> {
    if (!prev || prev.store !== undefined) return ALL_STALE;
    const seen = this.q.captureCountsUpTo(prev.watermark);
    return seen.packets !== prev.packets || seen.extra !== prev.extra ? ALL_STALE : NONE_STALE;
  }

  async close(): Promise<void> {
    // TEMP tables live with the connection; the next prepare() replaces them.
  }
}

export function sqliteReportReads(db: Database.Database, filter: AlertFilter): ReportReads {
  return new SqliteReportReads(db, filter);
}
