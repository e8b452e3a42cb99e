/**
 * The embedded default store: SQLite through better-sqlite3 (synchronous, one writer).
 * Each ingest call is one transaction holding the alerts, their packets and extra data, the
 * rollup deltas and the bookmark that covers them, so a crash at any instant loses or doubles
 * nothing.
 */
import Database from 'better-sqlite3';
import type { Alert } from '../../model/alert.js';
import { identityHash } from '../../model/identity.js';
import { ipKey } from '../../model/ip.js';
import type { AlertFilter, Bookmark, IngestItem, IngestResult, Store, Summary } from '../store.js';
import { ADDRESS_INDEXES, MIGRATIONS } from './schema.js';
import { querySummary } from './summary-query.js';
import { attachFlowStore, type FlowStoreMethods } from './flow-store.js';
import { attachResponseStore } from './response-store.js';
import type { ResponseStoreMethods } from '../../response/types.js';

type Stmt = Database.Statement;

interface SigCacheEntry {
  id: number;
  rev: number;
  message: string;
  hasClass: boolean;
  hasPriority: boolean;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly sensorIds = new Map<string, number>();
  private readonly sigs = new Map<number | string, SigCacheEntry>();
  private readonly inputIds = new Map<string, number>();
  private readonly st: Record<string, Stmt>;

  constructor(readonly location: string, opts: { readonly?: boolean } = {}) {
    this.db = new Database(location, { readonly: opts.readonly ?? false });
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    }
    this.db.pragma('cache_size = -32768');
    this.db.pragma('busy_timeout = 10000');
    if (!opts.readonly) this.migrate();
    this.st = this.prepare();
    if (!opts.readonly) this.repair();
  }

  /** Finishes what an interrupted bulk import left undone: its indexes and rollups. */
  private repair(): void {
    for (const [, sql] of ADDRESS_INDEXES) this.db.exec(sql);
    this.catchUpRollups();
  }

  private bulk = false;

  /**
   * Bulk mode for large imports: rows are stored (and deduplicated) batch by batch, while the
   * rollups and the address indexes are brought up to date once, in endBulk().
   */
  async beginBulk(): Promise<void> {
    if (this.bulk) return;
    this.bulk = true;
    for (const [name] of ADDRESS_INDEXES) this.db.exec(`DROP INDEX IF EXISTS ${name}`);
  }

  async endBulk(): Promise<void> {
    if (!this.bulk) return;
    this.bulk = false;
    this.catchUpRollups();
    for (const [, sql] of ADDRESS_INDEXES) this.db.exec(sql);
  }

  /** Adds every row above the watermark to the rollups and raises the watermark, atomically. */
  catchUpRollups(): void {
    this.db.transaction(() => {
      const mark = (this.st.getMark!.get() as { value: number }).value;
      const max = (this.st.maxId!.get() as { m: number }).m;
      if (max > mark) {
        this.applyRollups(mark);
        this.st.setMark!.run(max);
      }
    })();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`${this.location}: database schema version ${version} is newer than this Snarf (${MIGRATIONS.length})`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private prepare(): Record<string, Stmt> {
    this.db.exec(`CREATE TEMP TABLE IF NOT EXISTS d_hour (
      hour INTEGER, sensor_id INTEGER, sig_id INTEGER, n INTEGER, first INTEGER, last INTEGER)`);
    const p = (sql: string): Stmt => this.db.prepare(sql);
    return {
      sensorGet: p('SELECT id FROM sensors WHERE name = ?'),
      sensorIns: p('INSERT INTO sensors (name) VALUES (?)'),
      sigGet: p('SELECT id, rev, message, classification, priority FROM signatures WHERE gid = ? AND sid = ?'),
      sigIns: p('INSERT INTO signatures (gid, sid, rev, message, classification, priority, refs) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      sigUpd: p(`UPDATE signatures SET rev = max(rev, ?), classification = coalesce(classification, ?),
                 priority = coalesce(priority, ?), refs = coalesce(refs, ?) WHERE id = ?`),
      inputGet: p('SELECT id FROM inputs WHERE path = ? AND format = ? AND sensor_id = ?'),
      inputIns: p('INSERT INTO inputs (path, format, sensor_id) VALUES (?, ?, ?)'),
      alertIns: p(`INSERT OR IGNORE INTO alerts (ts, h, sensor_id, sig_id, rev, priority, proto, src, sport, dst, dport,
                   event_id, msg, details, input_id, offset, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      alertEnrich: p('UPDATE alerts SET details = ? WHERE ts = ? AND h = ? AND details IS NULL'),
      alertIdOf: p('SELECT id FROM alerts WHERE ts = ? AND h = ?'),
      hasPackets: p('SELECT 1 FROM packets WHERE alert_id = ? LIMIT 1'),
      hasExtra: p('SELECT 1 FROM extra WHERE alert_id = ? LIMIT 1'),
      packetIns: p('INSERT OR IGNORE INTO packets (alert_id, seq, ts, linktype, length, data) VALUES (?, ?, ?, ?, ?, ?)'),
      extraIns: p('INSERT OR IGNORE INTO extra (alert_id, seq, type, name, value) VALUES (?, ?, ?, ?, ?)'),
      maxId: p('SELECT coalesce(max(id), 0) AS m FROM alerts'),
      getMark: p("SELECT value FROM meta WHERE key = 'rollup_watermark'"),
      setMark: p("UPDATE meta SET value = ? WHERE key = 'rollup_watermark'"),
      dHourClear: p('DELETE FROM temp.d_hour'),
      dHour: p(`INSERT INTO temp.d_hour (hour, sensor_id, sig_id, n, first, last)
               SELECT ts / 3600000000, sensor_id, sig_id, count(*), min(ts), max(ts) FROM alerts WHERE id > ? GROUP BY 1, 2, 3`),
      rHour: p(`INSERT INTO r_hour (hour, sensor_id, sig_id, n) SELECT hour, sensor_id, sig_id, n FROM temp.d_hour WHERE 1
               ON CONFLICT DO UPDATE SET n = n + excluded.n`),
      rSig: p(`INSERT INTO r_sig (sig_id, sensor_id, n, first, last)
               SELECT sig_id, sensor_id, sum(n), min(first), max(last) FROM temp.d_hour WHERE 1 GROUP BY 1, 2
               ON CONFLICT DO UPDATE SET n = n + excluded.n, first = min(first, excluded.first), last = max(last, excluded.last)`),
      rSigSrc: p(`INSERT INTO r_sig_src (sig_id, ip, sensor_id, n, first, last)
               SELECT sig_id, src, sensor_id, count(*), min(ts), max(ts) FROM alerts WHERE id > ? AND src IS NOT NULL GROUP BY 1, 2, 3
               ON CONFLICT DO UPDATE SET n = n + excluded.n, first = min(first, excluded.first), last = max(last, excluded.last)`),
      rSigDst: p(`INSERT INTO r_sig_dst (sig_id, ip, sensor_id, n, first, last)
               SELECT sig_id, dst, sensor_id, count(*), min(ts), max(ts) FROM alerts WHERE id > ? AND dst IS NOT NULL GROUP BY 1, 2, 3
               ON CONFLICT DO UPDATE SET n = n + excluded.n, first = min(first, excluded.first), last = max(last, excluded.last)`),
      rSensor: p(`INSERT INTO r_sensor (sensor_id, n, first, last)
               SELECT sensor_id, sum(n), min(first), max(last) FROM temp.d_hour WHERE 1 GROUP BY 1
               ON CONFLICT DO UPDATE SET n = n + excluded.n, first = min(first, excluded.first), last = max(last, excluded.last)`),
      rDport: p(`INSERT INTO r_dport (sensor_id, proto, port, n)
               SELECT sensor_id, proto, dport, count(*) FROM alerts WHERE id > ? AND proto IS NOT NULL AND dport IS NOT NULL GROUP BY 1, 2, 3
               ON CONFLICT DO UPDATE SET n = n + excluded.n`),
      bmGet: p('SELECT * FROM bookmarks WHERE input = ?'),
      bmAll: p('SELECT * FROM bookmarks ORDER BY input'),
      bmPut: p(`INSERT INTO bookmarks (input, file, dev, inode, size, offset, records, last_event, warnings, errors, updated)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (input) DO UPDATE SET file = excluded.file,
                dev = excluded.dev, inode = excluded.inode, size = excluded.size, offset = excluded.offset,
                records = excluded.records, last_event = excluded.last_event, warnings = excluded.warnings,
                errors = excluded.errors, updated = excluded.updated`),
    };
  }

  sensorId(name: string): number {
    let id = this.sensorIds.get(name);
    if (id !== undefined) return id;
    const row = this.st.sensorGet!.get(name) as { id: number } | undefined;
    id = row ? row.id : Number(this.st.sensorIns!.run(name).lastInsertRowid);
    this.sensorIds.set(name, id);
    return id;
  }

  private signature(a: Alert): SigCacheEntry {
    // Numeric key (no string per alert); gids above 2^20 never occur but stay correct.
    const key = a.gid < 0x100000 ? a.gid * 4294967296 + a.sid : `${a.gid}:${a.sid}`;
    let e = this.sigs.get(key);
    if (e === undefined) {
      const row = this.st.sigGet!.get(a.gid, a.sid) as
        { id: number; rev: number; message: string; classification: string | null; priority: number | null } | undefined;
      if (row) {
        e = { id: row.id, rev: row.rev, message: row.message, hasClass: row.classification !== null, hasPriority: row.priority !== null };
      } else {
        const refs = a.references.length > 0 ? JSON.stringify(a.references) : null;
        const id = Number(this.st.sigIns!.run(a.gid, a.sid, a.rev, a.message, a.classification, a.priority, refs).lastInsertRowid);
        e = { id, rev: a.rev, message: a.message, hasClass: a.classification !== null, hasPriority: a.priority !== null };
      }
      this.sigs.set(key, e);
    }
    if (a.rev > e.rev || (!e.hasClass && a.classification !== null) || (!e.hasPriority && a.priority !== null)) {
      const refs = a.references.length > 0 ? JSON.stringify(a.references) : null;
      this.st.sigUpd!.run(a.rev, a.classification, a.priority, refs, e.id);
      e.rev = Math.max(e.rev, a.rev);
      e.hasClass ||= a.classification !== null;
      e.hasPriority ||= a.priority !== null;
    }
    return e;
  }

  private lastInput: { sensorId: number; format: string; file: string; id: number } | null = null;

  private inputId(a: Alert, sensorId: number): number {
    // Consecutive alerts nearly always come from the same input: skip building a key for them.
    const last = this.lastInput;
    if (last !== null && last.sensorId === sensorId && last.file === a.origin.file && last.format === a.origin.format) return last.id;
    const key = `${sensorId}|${a.origin.format}|${a.origin.file}`;
    let id = this.inputIds.get(key);
    if (id === undefined) {
      const row = this.st.inputGet!.get(a.origin.file, a.origin.format, sensorId) as { id: number } | undefined;
      id = row ? row.id : Number(this.st.inputIns!.run(a.origin.file, a.origin.format, sensorId).lastInsertRowid);
      this.inputIds.set(key, id);
    }
    this.lastInput = { sensorId, format: a.origin.format, file: a.origin.file, id };
    return id;
  }

  async registerInput(path: string, format: string, sensor: string): Promise<number> {
    const sensorId = this.sensorId(sensor);
    const row = this.st.inputGet!.get(path, format, sensorId) as { id: number } | undefined;
    return row ? row.id : Number(this.st.inputIns!.run(path, format, sensorId).lastInsertRowid);
  }

  async ingest(items: IngestItem[], bookmark?: Bookmark): Promise<IngestResult> {
    try {
      return this.ingestTx(items, bookmark);
    } catch (err) {
      // Ids cached during a rolled-back transaction may not exist: forget them.
      this.sensorIds.clear();
      this.sigs.clear();
      this.inputIds.clear();
      this.lastInput = null;
      throw err;
    }
  }

  private readonly ingestTx = (items: IngestItem[], bookmark?: Bookmark): IngestResult => this.db.transaction(() => {
    let inserted = 0;
    let duplicates = 0;
    const st = this.st;
    for (const item of items) {
      const a = item.alert;
      const sensorId = this.sensorId(a.sensor);
      const sig = this.signature(a);
      const h = item.hash ?? identityHash(item.identity);
      const src = a.srcIp === null ? null : ipKey(a.srcIp);
      const dst = a.dstIp === null ? null : ipKey(a.dstIp);
      const details = item.details !== undefined ? item.details : a.packet === undefined ? null : JSON.stringify(a.packet);
      const info = st.alertIns!.run(
        a.timeUs, h, sensorId, sig.id, a.rev, a.priority, a.protocol, src, a.srcPort, dst, a.dstPort,
        a.eventId, a.message === sig.message ? null : a.message, details, this.inputId(a, sensorId),
        a.origin.offset, a.origin.line ?? null,
      );
      let alertId: number;
      if (info.changes === 0) {
        duplicates++;
        // The same alert from a richer format fills in what the first one lacked: alert_full's
        // header fields after alert_fast, unified2's packets and extra data after a text log.
        if (details !== null) st.alertEnrich!.run(details, a.timeUs, h);
        if (a.packets.length === 0 && a.extra.length === 0) continue;
        alertId = (st.alertIdOf!.get(a.timeUs, h) as { id: number }).id;
        if (st.hasPackets!.get(alertId) !== undefined || st.hasExtra!.get(alertId) !== undefined) continue;
      } else {
        inserted++;
        alertId = Number(info.lastInsertRowid);
      }
      for (let i = 0; i < a.packets.length; i++) {
        const p = a.packets[i]!;
        st.packetIns!.run(alertId, i, p.timeUs, p.linktype, p.length, p.data);
      }
      for (let i = 0; i < a.extra.length; i++) {
        const x = a.extra[i]!;
        st.extraIns!.run(alertId, i, x.type, x.name, typeof x.value === 'string' ? x.value : Buffer.from(x.value));
      }
    }
    // Rows above the watermark are summed into the rollups by SQLite itself (one grouped pass
    // per rollup) in this same transaction; bulk imports do it once at their end.
    if (inserted > 0 && !this.bulk) {
      const mark = (st.getMark!.get() as { value: number }).value;
      this.applyRollups(mark);
      st.setMark!.run((st.maxId!.get() as { m: number }).m);
    }
    if (bookmark) this.putBookmark(bookmark);
    return { inserted, duplicates };
  })();

  private applyRollups(above: number): void {
    const st = this.st;
    // One grouped pass by (hour, sensor, signature) feeds the three small rollups; the
    // address and port rollups need their own passes.
    st.dHourClear!.run();
    st.dHour!.run(above);
    st.rHour!.run();
    st.rSig!.run();
    st.rSensor!.run();
    st.rSigSrc!.run(above);
    st.rSigDst!.run(above);
    st.rDport!.run(above);
  }

  private putBookmark(b: Bookmark): void {
    this.st.bmPut!.run(b.input, b.file, b.dev, b.inode, b.size, b.offset, b.records, b.lastEventUs, b.warnings, b.errors, b.updatedUs);
  }

  async getBookmark(input: string): Promise<Bookmark | undefined> {
    const row = this.st.bmGet!.get(input) as BookmarkRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  async listBookmarks(): Promise<Bookmark[]> {
    return (this.st.bmAll!.all() as BookmarkRow[]).map(fromRow);
  }

  async summary(filter: AlertFilter = {}, limit = 0): Promise<Summary> {
    return querySummary(this.db, filter, limit);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

interface BookmarkRow {
  input: string; file: string; dev: number; inode: number; size: number; offset: number; records: number;
  last_event: number | null; warnings: number; errors: number; updated: number;
}

function fromRow(r: BookmarkRow): Bookmark {
  return {
    input: r.input, file: r.file, dev: r.dev, inode: r.inode, size: r.size, offset: r.offset, records: r.records,
    lastEventUs: r.last_event, warnings: r.warnings, errors: r.errors, updatedUs: r.updated,
  };
}

// Issue 5: flows, Winny events, imported daily reports and P2P evidence (migration 2) live in
// flow-store.ts; attaching them here keeps this file about alerts.
export interface SqliteStore extends FlowStoreMethods {}
attachFlowStore(SqliteStore);

// Issue 12: policy responses, decisions and incident history (migration 3) live in response-store.ts.
export interface SqliteStore extends ResponseStoreMethods {}
attachResponseStore(SqliteStore);
