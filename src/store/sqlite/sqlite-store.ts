/**
 * The embedded default store: SQLite through better-sqlite3 (synchronous, one writer).
 * Each ingest call is one transaction holding the alerts, their packets and extra data, the
 * rollup deltas and the bookmark that covers them, so a crash at any instant loses or doubles
 * nothing.
 */
import Database from 'better-sqlite3';
import type { AlertFilter, Bookmark, IngestItem, IngestResult, Store, Summary } from '../store.js';
import { ADDRESS_INDEXES, MIGRATIONS } from './schema.js';
import { RollupAccumulator } from './rollup-accumulator.js';
import { AddressKeys } from './address-keys.js';
import { EXTRA_FIELDS, F, FIELDS, KEY_BYTES, PACKET_FIELDS, groupRows, type AlertRows } from '../alert-rows.js';
import { querySummary } from './summary-query.js';
import { bookmarkFromRow, type BookmarkRow } from '../bookmark-row.js';
import { attachFlowStore, type FlowStoreMethods } from './flow-store.js';
import { attachResponseStore } from './response-store.js';
import type { ResponseStoreMethods } from '../../response/types.js';

type Stmt = Database.Statement;

/**
 * Alerts between rollup writes in a bulk import. None by default: the per-address rollups are
 * built at the end from the address indexes, in address order (see addressRollups), which costs
 * half the CPU of upserting each 100k alerts' keys at random and rewrites far fewer pages. Tests
 * set a small value to exercise early writes; the key bound below still forces them.
 */
const BULK_ROLLUP_EVERY = Number.POSITIVE_INFINITY;

/** A bulk import pays when it adds at least 1/BULK_SHARE of the alerts already stored. */
const BULK_SHARE = 4;

/** Page cache of a connection (KiB). */
const CACHE_KIB = 32768;

/** WAL pages between automatic checkpoints during a bulk import (SQLite's default is 1000). */
const BULK_CHECKPOINT_PAGES = 16384;

/**
 * Page cache while the address indexes are built (KiB). SQLite's sorter takes its run size from
 * the cache: runs of a few MB stay in the CPU's caches and leave several to merge, which the
 * helper thread below sorts in parallel. At 1M alerts: 1.8 s against 2.7 s with the 32 MB cache.
 */
const INDEX_BUILD_CACHE_KIB = 4096;

/** Distinct rollup keys a bulk import holds in memory before writing them out early. */
const ACCUMULATOR_LIMIT = 400_000;

/** Copies the 16-byte key at `at` into `into` (cheaper than a view per alert). */
function copyKey(keys: Uint8Array, at: number, into: Buffer): Buffer {
  for (let k = 0; k < 16; k++) into[k] = keys[at + k]!;
  return into;
}

/** End of the run of packet or extra entries (width numbers each) that belong to alert i. */
function runEnd(list: unknown[], from: number, width: number, i: number): number {
  let j = from;
  while (j < list.length && list[j] === i) j += width;
  return j;
}

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

  /** Distinct rollup keys a bulk import holds before writing them out early. */
  private readonly bulkRollupKeys: number;

  /** Alerts a bulk import inserts between rollup writes. */
  private readonly bulkRollupEvery: number;

  constructor(readonly location: string, opts: { readonly?: boolean; bulkRollupKeys?: number; bulkRollupEvery?: number } = {}) {
    this.bulkRollupKeys = opts.bulkRollupKeys ?? ACCUMULATOR_LIMIT;
    this.bulkRollupEvery = opts.bulkRollupEvery ?? BULK_ROLLUP_EVERY;
    this.db = new Database(location, { readonly: opts.readonly ?? false });
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    }
    this.db.pragma(`cache_size = -${CACHE_KIB}`);
    this.db.pragma('busy_timeout = 10000');
    if (!opts.readonly) this.migrate();
    this.st = this.prepare();
    if (!opts.readonly) this.repair();
  }

  /** Finishes what an interrupted bulk import left undone: its indexes and rollups. */
  private repair(): void {
    if (!this.hasAddressIndexes()) this.buildAddressIndexes();
    this.catchUpRollups();
  }

  /** Creates the missing address indexes, sorting on both cores (PRAGMA threads). */
  private buildAddressIndexes(): void {
    this.db.pragma(`cache_size = -${INDEX_BUILD_CACHE_KIB}`);
    this.db.pragma('threads = 1');
    try {
      for (const [, sql] of ADDRESS_INDEXES) this.db.exec(sql);
    } finally {
      this.db.pragma('threads = 0');
      this.db.pragma(`cache_size = -${CACHE_KIB}`);
    }
  }

  /** Rollup deltas of a bulk import, summed as rows are inserted; null outside bulk mode. */
  private acc: RollupAccumulator | null = null;
  private bulkMark = 0;
  private bulkVersion = 0;

  /**
   * Bulk mode for large imports: rows are stored (and deduplicated) batch by batch; the address
   * indexes are built once, in endBulk(), and the rollups are written then (writeAccumulated,
   * with the watermark), or earlier when the accumulator holds too many keys.
   */
  async beginBulk(expectedAlerts?: number): Promise<void> {
    if (this.acc) return;
    // Rebuilding the address indexes sorts the whole table: worth it only when the import is a
    // good share of what is there (the same share that makes addressRollups scan the index).
    if (expectedAlerts !== undefined && expectedAlerts * BULK_SHARE < (this.st.maxId!.get() as { m: number }).m) return;
    for (const [name] of ADDRESS_INDEXES) this.db.exec(`DROP INDEX IF EXISTS ${name}`);
    this.catchUpRollups();
    this.acc = new RollupAccumulator();
    // Fewer, larger checkpoints (each ends in an fsync) while hundreds of MB stream in.
    this.db.pragma(`wal_autocheckpoint = ${BULK_CHECKPOINT_PAGES}`);
    this.bulkMark = (this.st.getMark!.get() as { value: number }).value;
    this.bulkVersion = this.db.pragma('data_version', { simple: true }) as number;
  }

  async endBulk(): Promise<void> {
    if (!this.acc) return;
    // Indexes first: the per-address rollups are then read from them in address order. A crash
    // between the two leaves rollups behind the rows, which the next open catches up.
    this.buildAddressIndexes();
    this.db.transaction(() => this.writeAccumulated())();
    this.acc = null;
    this.db.pragma('wal_autocheckpoint = 1000');
  }

  /** Adds every row above the watermark to the rollups and raises the watermark, atomically. */
  catchUpRollups(): void {
    this.db.transaction(() => this.rollUpPending())();
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
      addrIndexes: p(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND name IN (${ADDRESS_INDEXES.map(([n]) => `'${n}'`).join(', ')})`),
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
      rSensor: p(`INSERT INTO r_sensor (sensor_id, n, first, last)
               SELECT sensor_id, sum(n), min(first), max(last) FROM temp.d_hour WHERE 1 GROUP BY 1
               ON CONFLICT DO UPDATE SET n = n + excluded.n, first = min(first, excluded.first), last = max(last, excluded.last)`),
      // Per-row upserts (no GROUP BY): grouping by signature × address sorts every new row and
      // is slow when addresses are many; these walk the new rows once, in id order.
      rowSrc: p(`INSERT INTO r_sig_src (sig_id, ip, sensor_id, n, first, last)
               SELECT sig_id, src, sensor_id, 1, ts, ts FROM alerts WHERE id > ? AND src IS NOT NULL
               ON CONFLICT DO UPDATE SET n = n + 1, first = min(first, excluded.first), last = max(last, excluded.last)`),
      rowDst: p(`INSERT INTO r_sig_dst (sig_id, ip, sensor_id, n, first, last)
               SELECT sig_id, dst, sensor_id, 1, ts, ts FROM alerts WHERE id > ? AND dst IS NOT NULL
               ON CONFLICT DO UPDATE SET n = n + 1, first = min(first, excluded.first), last = max(last, excluded.last)`),
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

  /** Signature row id, inserting the signature or filling in what an earlier input lacked. */
  private signature(
    gid: number, sid: number, rev: number, message: string, classification: string | null, priority: number | null,
    refs: string | null,
  ): SigCacheEntry {
    // Numeric key (no string per alert); gids above 2^20 never occur but stay correct.
    const key = gid < 0x100000 ? gid * 4294967296 + sid : `${gid}:${sid}`;
    let e = this.sigs.get(key);
    if (e === undefined) {
      const row = this.st.sigGet!.get(gid, sid) as
        { id: number; rev: number; message: string; classification: string | null; priority: number | null } | undefined;
      if (row) {
        e = { id: row.id, rev: row.rev, message: row.message, hasClass: row.classification !== null, hasPriority: row.priority !== null };
      } else {
        const id = Number(this.st.sigIns!.run(gid, sid, rev, message, classification, priority, refs).lastInsertRowid);
        e = { id, rev, message, hasClass: classification !== null, hasPriority: priority !== null };
      }
      this.sigs.set(key, e);
    }
    if (rev > e.rev || (!e.hasClass && classification !== null) || (!e.hasPriority && priority !== null)) {
      this.st.sigUpd!.run(rev, classification, priority, refs, e.id);
      e.rev = Math.max(e.rev, rev);
      e.hasClass ||= classification !== null;
      e.hasPriority ||= priority !== null;
    }
    return e;
  }

  private lastInput: { sensorId: number; format: string; file: string; id: number } | null = null;

  private inputId(file: string, format: string, sensorId: number): number {
    // Consecutive alerts nearly always come from the same input: skip building a key for them.
    const last = this.lastInput;
    if (last !== null && last.sensorId === sensorId && last.file === file && last.format === format) return last.id;
    const key = `${sensorId}|${format}|${file}`;
    let id = this.inputIds.get(key);
    if (id === undefined) {
      const row = this.st.inputGet!.get(file, format, sensorId) as { id: number } | undefined;
      id = row ? row.id : Number(this.st.inputIns!.run(file, format, sensorId).lastInsertRowid);
      this.inputIds.set(key, id);
    }
    this.lastInput = { sensorId, format, file, id };
    return id;
  }

  private readonly addresses = new AddressKeys();
  /** Scratch blobs for keys a producer computed: SQLite copies a blob when it is bound. */
  private readonly srcKey = Buffer.alloc(16);
  private readonly dstKey = Buffer.alloc(16);

  async registerInput(path: string, format: string, sensor: string): Promise<number> {
    const sensorId = this.sensorId(sensor);
    const row = this.st.inputGet!.get(path, format, sensorId) as { id: number } | undefined;
    return row ? row.id : Number(this.st.inputIns!.run(path, format, sensorId).lastInsertRowid);
  }

  async ingest(items: IngestItem[], bookmark?: Bookmark): Promise<IngestResult> {
    return this.ingestRows(groupRows(items), bookmark);
  }

  async ingestRows(batches: AlertRows[], bookmark?: Bookmark): Promise<IngestResult> {
    try {
      return this.ingestTx(batches, bookmark);
    } catch (err) {
      // Ids cached during a rolled-back transaction may not exist: forget them. Rollup deltas
      // summed for its rows are void too, so the end of a bulk import must use the SQL pass.
      this.sensorIds.clear();
      this.sigs.clear();
      this.inputIds.clear();
      this.lastInput = null;
      if (this.acc) this.acc.usable = false;
      throw err;
    }
  }

  private readonly ingestTx = (batches: AlertRows[], bookmark?: Bookmark): IngestResult => this.db.transaction(() => {
    let inserted = 0;
    let duplicates = 0;
    const st = this.st;
    const acc = this.acc;
    for (const rows of batches) {
      const v = rows.v;
      const pk = rows.packets;
      const xs = rows.extra;
      const keys = rows.keys ?? null;
      let pj = 0;
      let xj = 0;
      for (let i = 0, o = 0; i < rows.count; i++, o += FIELDS) {
        const sensorId = this.sensorId(v[o] as string);
        const ts = v[o + F.timeUs] as number;
        const h = v[o + F.hash] as number;
        const rev = v[o + F.rev] as number;
        const message = v[o + F.message] as string;
        const sig = this.signature(
          v[o + F.gid] as number, v[o + F.sid] as number, rev, message,
          v[o + F.classification] as string | null, v[o + F.priority] as number | null, v[o + F.refs] as string | null,
        );
        const srcIp = v[o + F.srcIp] as string | null;
        const dstIp = v[o + F.dstIp] as string | null;
        const proto = v[o + F.protocol] as number | null;
        const dport = v[o + F.dstPort] as number | null;
        const details = v[o + F.details] as string | null;
        const info = st.alertIns!.run(
          ts, h, sensorId, sig.id, rev, v[o + F.priority], proto,
          srcIp === null ? null : keys ? copyKey(keys, i * KEY_BYTES, this.srcKey) : this.addresses.key(srcIp),
          v[o + F.srcPort],
          dstIp === null ? null : keys ? copyKey(keys, i * KEY_BYTES + 16, this.dstKey) : this.addresses.key(dstIp),
          dport, v[o + F.eventId], message === sig.message ? null : message, details,
          this.inputId(rows.file, rows.format, sensorId), v[o + F.offset], v[o + F.line],
        );
        const pEnd = runEnd(pk, pj, PACKET_FIELDS, i);
        const xEnd = runEnd(xs, xj, EXTRA_FIELDS, i);
        let alertId: number;
        if (info.changes === 0) {
          duplicates++;
          // The same alert from a richer format fills in what the first one lacked: alert_full's
          // header fields after alert_fast, unified2's packets and extra data after a text log.
          if (details !== null) st.alertEnrich!.run(details, ts, h);
          const skip = pEnd === pj && xEnd === xj;
          if (!skip) alertId = (st.alertIdOf!.get(ts, h) as { id: number }).id;
          if (skip || st.hasPackets!.get(alertId!) !== undefined || st.hasExtra!.get(alertId!) !== undefined) {
            pj = pEnd;
            xj = xEnd;
            continue;
          }
        } else {
          inserted++;
          alertId = Number(info.lastInsertRowid);
          acc?.add(sig.id, sensorId, ts, proto, dport);
        }
        for (let seq = 0; pj < pEnd; pj += PACKET_FIELDS, seq++) {
          st.packetIns!.run(alertId!, seq, pk[pj + 1], pk[pj + 2], pk[pj + 3], rows.packetBytes!.subarray(pk[pj + 4], pk[pj + 5]));
        }
        for (let seq = 0; xj < xEnd; xj += EXTRA_FIELDS, seq++) {
          const value = xs[xj + 3] as string | Uint8Array;
          st.extraIns!.run(alertId!, seq, xs[xj + 1], xs[xj + 2], typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        }
      }
    }
    if (inserted > 0) {
      // Rows above the watermark are summed into the rollups in this same transaction; a bulk
      // import sums them as it goes and writes them once at its end (or early, past a bound).
      if (acc === null) this.rollUpPending();
      else if (acc.entries > this.bulkRollupKeys || acc.alerts >= this.bulkRollupEvery) this.writeAccumulated();
    }
    if (bookmark) this.putBookmark(bookmark);
    return { inserted, duplicates };
  })();

  /** SQL pass: adds rows above the watermark to the rollups (inside a transaction). */
  private rollUpPending(): void {
    const mark = (this.st.getMark!.get() as { value: number }).value;
    const max = (this.st.maxId!.get() as { m: number }).m;
    if (max > mark) {
      this.applyRollups(mark);
      this.st.setMark!.run(max);
    }
  }

  /**
   * Writes the bulk accumulator's deltas and raises the watermark (inside a transaction). The
   * deltas are used only when they provably cover exactly the rows above the watermark: no
   * other connection has committed since the bulk began (data_version), the watermark is where
   * this import left it, and the new ids number what was summed. Otherwise the SQL pass does it.
   */
  private writeAccumulated(): void {
    const acc = this.acc!;
    const mark = (this.st.getMark!.get() as { value: number }).value;
    const max = (this.st.maxId!.get() as { m: number }).m;
    const exact = acc.usable && mark === this.bulkMark && max - mark === acc.alerts
      && this.db.pragma('data_version', { simple: true }) === this.bulkVersion;
    if (exact) {
      if (acc.alerts > 0) {
        acc.writeTo(this.db);
        this.addressRollups(mark, max);
      }
    } else if (max > mark) {
      this.applyRollups(mark);
    }
    if (max > mark) this.st.setMark!.run(max);
    acc.clear();
    acc.usable = true;
    this.bulkMark = max;
    this.bulkVersion = this.db.pragma('data_version', { simple: true }) as number;
  }

  private applyRollups(above: number): void {
    const st = this.st;
    // One grouped pass by (hour, sensor, signature) feeds the three small rollups; the
    // address and port rollups need their own passes.
    st.dHourClear!.run();
    st.dHour!.run(above);
    st.rHour!.run();
    st.rSig!.run();
    st.rSensor!.run();
    this.addressRollups(above, (st.maxId!.get() as { m: number }).m);
    st.rDport!.run(above);
  }

  /**
   * Adds the rows with ids in (above, max] to r_sig_src and r_sig_dst. Rows in id order carry
   * their addresses at random; a scan of the covering address index gives them in address order,
   * but reads the whole index: worth it when the new rows are a large share of the table (a bulk
   * import's end), not for a collector's batch. Both give the same sums.
   */
  private addressRollups(above: number, max: number): void {
    const st = this.st;
    if (max <= above) return;
    // During a bulk import the indexes do not exist (they are built at its end).
    if ((max - above) * BULK_SHARE >= max && this.hasAddressIndexes()) {
      // Prepared here, not with the others: a statement naming an index cannot be prepared
      // while a bulk import in another process has dropped it.
      for (const side of ['src', 'dst'] as const) {
        this.db.prepare(`INSERT INTO r_sig_${side} (sig_id, ip, sensor_id, n, first, last)
          SELECT sig_id, ${side}, sensor_id, 1, ts, ts FROM alerts INDEXED BY alerts_${side} WHERE ${side} IS NOT NULL AND id > ?
          ORDER BY ${side} ON CONFLICT DO UPDATE SET n = n + 1, first = min(first, excluded.first), last = max(last, excluded.last)`).run(above);
      }
    } else {
      st.rowSrc!.run(above);
      st.rowDst!.run(above);
    }
  }

  private hasAddressIndexes(): boolean {
    return (this.st.addrIndexes!.get() as { n: number }).n === ADDRESS_INDEXES.length;
  }

  private putBookmark(b: Bookmark): void {
    this.st.bmPut!.run(b.input, b.file, b.dev, b.inode, b.size, b.offset, b.records, b.lastEventUs, b.warnings, b.errors, b.updatedUs);
  }

  async getBookmark(input: string): Promise<Bookmark | undefined> {
    const row = this.st.bmGet!.get(input) as BookmarkRow | undefined;
    return row ? bookmarkFromRow(row) : undefined;
  }

  async listBookmarks(): Promise<Bookmark[]> {
    return (this.st.bmAll!.all() as BookmarkRow[]).map(bookmarkFromRow);
  }

  async summary(filter: AlertFilter = {}, limit = 0): Promise<Summary> {
    return querySummary(this.db, filter, limit);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

// Issue 5: flows, Winny events, imported daily reports and P2P evidence (migration 2) live in
// flow-store.ts; attaching them here keeps this file about alerts.
export interface SqliteStore extends FlowStoreMethods {}
attachFlowStore(SqliteStore);

// Issue 12: policy responses, decisions and incident history (migration 3) live in response-store.ts.
export interface SqliteStore extends ResponseStoreMethods {}
attachResponseStore(SqliteStore);
