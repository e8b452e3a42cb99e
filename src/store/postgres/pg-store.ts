/**
 * The central store: PostgreSQL through pg, for many collectors writing into one database.
 * One ingest call is one transaction holding the batch's alerts (COPY into a staging table, then
 * INSERT ... ON CONFLICT (ts, h) DO NOTHING, sorted by identity), their packets and extra data,
 * the rollup deltas of exactly the rows that insert reported, and the bookmark covering them.
 * A failed transaction commits nothing and is retried on transient errors; a retry after an
 * unknown outcome is harmless because every step is idempotent (rows dedupe on identity, rollups
 * count only rows inserted by that attempt, the bookmark is an upsert).
 */
import type pg from 'pg';
import { ipKey } from '../../model/ip.js';
import { EXTRA_FIELDS, F, FIELDS, groupRows, KEY_BYTES, PACKET_FIELDS, type AlertRows } from '../alert-rows.js';
import { bookmarkFromRow, type BookmarkRow } from '../bookmark-row.js';
import type { AlertFilter, Bookmark, IngestItem, IngestResult, Store, Summary } from '../store.js';
import { createPool, inTransaction, parsePgUrl, withRetry, type PgOptions } from './connect.js';
import { copyBool, copyBytes, copyInto, copyNum, copyText, LineChunks } from './copy-text.js';
import { Dimensions } from './dimensions.js';
import { DAY_US, dayOf, lockKey, Partitions, underLock } from './partitions.js';
import { foldPending, foldSql } from './rollups.js';
import { MIGRATIONS, STAGING_DDL } from './schema.js';
import { querySummary } from './summary-query.js';
import { queryEvidence } from './evidence-query.js';
import type { EvidenceQuery, FlowSettings } from '../flow-types.js';
import type { Evidence } from '../../model/verdict.js';

const ALERT_COLS = 'ts, h, sensor_id, sig_id, rev, priority, proto, src, sport, dst, dport, event_id, msg, details, input_id, "offset", line';
const RETURNED = 'ts, sensor_id, sig_id, src, dst, proto, dport';
/** How often a long-running writer applies the retention option. */
const PRUNE_EVERY_MS = 3_600_000;
/** Connections that fold pending rollup rows at once. */
const FOLD_SHARES = 2;
/** How long automatic pruning waits for the old days' locks, and when it tries again if it gave up. */
const PRUNE_LOCK_TIMEOUT_MS = 2_000;
const PRUNE_RETRY_MS = 300_000;

interface Staged {
  alerts: string[];
  packets: string[];
  extra: string[];
  rows: number;
  days: Set<number>;
  anyDetails: boolean;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly pool: pg.Pool;
  readonly partitions: Partitions;
  private readonly dims: Dimensions;
  private bulk = false;
  private lastPruneMs = 0;

  private constructor(readonly options: PgOptions) {
    this.location = options.location;
    // Staging tables are per connection (TEMP): created once, before the pool hands the new
    // connection out (a 'connect' listener would race the first query on it).
    this.pool = createPool(options, options.readOnly ? undefined : async (client) => { await client.query(STAGING_DDL); });
    this.partitions = new Partitions(this.pool, options.schema);
    this.dims = new Dimensions(this.pool);
  }

  /** Connects, applies migrations (serialised across processes) and finishes pending rollups. */
  static async open(spec: string): Promise<PostgresStore> {
    const store = new PostgresStore(parsePgUrl(spec));
    try {
      await withRetry(() => store.migrate(), { attempts: 4 });
      await store.foldPending();
      await store.maybePrune();
    } catch (err) {
      await store.pool.end().catch(() => undefined);
      throw new Error(`${store.location}: ${(err as Error).message}`, { cause: err });
    }
    return store;
  }

  /**
   * For readers that must never write (`snarf serve`): every session is read-only, and nothing
   * is migrated, folded or pruned. A database without Snarf's tables, or at another schema
   * version than this Snarf's, is an error saying which command fixes it.
   */
  static async openReadOnly(spec: string): Promise<PostgresStore> {
    const store = new PostgresStore({ ...parsePgUrl(spec), readOnly: true });
    try {
      const c = await withRetry(() => store.pool.connect());
      try {
        const ro = await c.query<{ default_transaction_read_only: string }>('SHOW default_transaction_read_only');
        if (ro.rows[0]?.default_transaction_read_only !== 'on') throw new Error('the connection is not read-only (an `options` parameter in the URL replaces Snarf\'s)');
        const has = await c.query<{ ok: boolean }>("SELECT to_regclass('snarf_meta') IS NOT NULL AS ok");
        const version = has.rows[0]?.ok
          ? (await c.query<{ value: number }>("SELECT value FROM snarf_meta WHERE key = 'schema_version'")).rows[0]?.value ?? 0 : 0;
        if (version === 0) throw new Error(`no Snarf tables in schema ${store.options.schema}: import alerts first (\`snarf import --db URL\`)`);
        if (version > MIGRATIONS.length) throw new Error(`database schema version ${version} is newer than this Snarf (${MIGRATIONS.length})`);
        if (version < MIGRATIONS.length) {
          throw new Error(`database schema version ${version} is older than this Snarf (${MIGRATIONS.length}): \`snarf status --db URL\` migrates it (read-only readers never do)`);
        }
      } finally {
        c.release();
      }
    } catch (err) {
      await store.pool.end().catch(() => undefined);
      throw new Error(`${store.location}: ${(err as Error).message}`, { cause: err });
    }
    return store;
  }

  private async migrate(): Promise<void> {
    const { schema } = this.options;
    await underLock(this.pool, lockKey(schema, 'migrate'), async (c) => {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await c.query('CREATE TABLE IF NOT EXISTS snarf_meta (key text PRIMARY KEY, value bigint NOT NULL)');
      const r = await c.query<{ value: number }>("SELECT value FROM snarf_meta WHERE key = 'schema_version'");
      const version = r.rows[0]?.value ?? 0;
      if (version > MIGRATIONS.length) {
        throw new Error(`database schema version ${version} is newer than this Snarf (${MIGRATIONS.length})`);
      }
      for (let v = version; v < MIGRATIONS.length; v++) await c.query(MIGRATIONS[v]!);
      await c.query(`INSERT INTO snarf_meta (key, value) VALUES ('schema_version', $1)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [MIGRATIONS.length]);
    });
  }

  async beginBulk(): Promise<void> {
    this.bulk = true;
  }

  /** Folds what the bulk import parked in rollup_pending (secondary indexes stay: other writers share them). */
  async endBulk(): Promise<void> {
    if (!this.bulk) return;
    this.bulk = false;
    await this.foldPending();
  }

  /**
   * Folds the pending rows in FOLD_SHARES transactions at once (a bulk import's end folds a
   * million rows: one backend would leave the server's other cores idle), each exactly once.
   */
  async foldPending(): Promise<number> {
    const of = Math.max(1, Math.min(FOLD_SHARES, this.options.poolMax));
    const n = await Promise.all(Array.from({ length: of }, (_, part) =>
      withRetry(() => inTransaction(this.pool, (c) => foldPending(c, of > 1 ? { of, part } : undefined)))));
    return n.reduce((a, b) => a + b, 0);
  }

  /**
   * Retention: drops whole UTC days before `beforeUs` (their rows leave the rollups too). With
   * `lockTimeoutMs`, fails with SQLSTATE 55P03 instead of waiting longer for a reader of those days.
   */
  async prune(beforeUs: number, opts: { lockTimeoutMs?: number } = {}): Promise<{ days: number[]; alerts: number }> {
    return withRetry(() => this.partitions.dropBefore(beforeUs, opts.lockTimeoutMs));
  }

  private async maybePrune(): Promise<void> {
    const days = this.options.retentionDays;
    if (days === null || Date.now() - this.lastPruneMs < PRUNE_EVERY_MS) return;
    this.lastPruneMs = Date.now();
    try {
      await this.prune(Date.now() * 1000 - days * DAY_US, { lockTimeoutMs: PRUNE_LOCK_TIMEOUT_MS });
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err;
      // A reader (a report's snapshot) holds an old day: this batch goes on, pruning retries soon.
      this.lastPruneMs = Date.now() - PRUNE_EVERY_MS + PRUNE_RETRY_MS;
    }
  }

  async registerInput(path: string, format: string, sensor: string): Promise<number> {
    return withRetry(async () => this.dims.input(path, format, await this.dims.sensorIdOf(sensor)));
  }

  async ingest(items: IngestItem[], bookmark?: Bookmark): Promise<IngestResult> {
    return this.ingestRows(groupRows(items), bookmark);
  }

  /** One write path, as SQLite's: Alert objects arrive as row batches too (groupRows). */
  async ingestRows(batches: AlertRows[], bookmark?: Bookmark): Promise<IngestResult> {
    if (!batches.some((b) => b.count > 0) && !bookmark) return { inserted: 0, duplicates: 0 };
    await this.maybePrune();
    try {
      await withRetry(() => this.dims.resolve(batches));
      const staged = this.stage(batches);
      await withRetry(() => this.partitions.ensure(staged.days));
      return await withRetry(() => inTransaction(this.pool, (c) => this.write(c, staged, bookmark)), {
        // Another process pruned a day we had cached as existing: create it again and retry.
        retryable: (err) => (err as { code?: string }).code === '23514' && /no partition/i.test((err as Error).message),
        onRetry: async (err) => {
          if ((err as { code?: string }).code === '23514') {
            this.partitions.forget();
            await this.partitions.ensure(staged.days);
          }
        },
      });
    } catch (err) {
      this.dims.clear();
      throw err;
    }
  }

  /**
   * Encodes the batches as COPY text (ord keeps input order: the first of equal identities wins),
   * straight from the row columns; the address keys a parse worker computed are used as they are.
   */
  private stage(batches: AlertRows[]): Staged {
    const alerts = new LineChunks();
    const packets = new LineChunks();
    const extra = new LineChunks();
    const days = new Set<number>();
    let anyDetails = false;
    let ord = 0;
    for (const rows of batches) {
      const { v, keys } = rows;
      const pk = rows.packets;
      const xs = rows.extra;
      let pj = 0;
      let xj = 0;
      let lastSensor = '';
      let sensorId = 0;
      let inputId = 0;
      for (let i = 0, o = 0; i < rows.count; i++, o += FIELDS, ord++) {
        const sensor = v[o + F.sensor] as string;
        if (sensor !== lastSensor) {
          lastSensor = sensor;
          sensorId = this.dims.sensorId(sensor);
          inputId = this.dims.inputId(sensorId, rows.format, rows.file);
        }
        const sig = this.dims.signature(v[o + F.gid] as number, v[o + F.sid] as number);
        const timeUs = v[o + F.timeUs] as number;
        const h = v[o + F.hash] as number;
        const message = v[o + F.message] as string;
        const details = v[o + F.details] as string | null;
        const srcIp = v[o + F.srcIp] as string | null;
        const dstIp = v[o + F.dstIp] as string | null;
        if (details !== null) anyDetails = true;
        days.add(dayOf(timeUs));
        const ts = String(timeUs);
        const src = srcIp === null ? null : keys ? keys.subarray(i * KEY_BYTES, i * KEY_BYTES + 16) : ipKey(srcIp);
        const dst = dstIp === null ? null : keys ? keys.subarray(i * KEY_BYTES + 16, i * KEY_BYTES + 32) : ipKey(dstIp);
        alerts.push(`${ord}\t${ts}\t${h}\t${sensorId}\t${sig.id}\t${v[o + F.rev] as number}\t${copyNum(v[o + F.priority] as number | null)}\t`
          + `${copyNum(v[o + F.protocol] as number | null)}\t${copyBytes(src)}\t${copyNum(v[o + F.srcPort] as number | null)}\t`
          + `${copyBytes(dst)}\t${copyNum(v[o + F.dstPort] as number | null)}\t${copyNum(v[o + F.eventId] as number | null)}\t`
          + `${copyText(message === sig.message ? null : message)}\t${copyText(details)}\t${inputId}\t`
          + `${v[o + F.offset] as number}\t${copyNum(v[o + F.line] as number | null)}\n`);
        for (let seq = 0; pj < pk.length && pk[pj] === i; pj += PACKET_FIELDS, seq++) {
          const data = rows.packetBytes!.subarray(pk[pj + 4], pk[pj + 5]);
          packets.push(`${ord}\t${ts}\t${h}\t${seq}\t${pk[pj + 1]}\t${pk[pj + 2]}\t${pk[pj + 3]}\t${copyBytes(data)}\n`);
        }
        for (let seq = 0; xj < xs.length && xs[xj] === i; xj += EXTRA_FIELDS, seq++) {
          const value = xs[xj + 3] as string | Uint8Array;
          const isText = typeof value === 'string';
          const bytes = isText ? Buffer.from(value, 'utf8') : value;
          extra.push(`${ord}\t${ts}\t${h}\t${seq}\t${xs[xj + 1] as number}\t${copyText(xs[xj + 2] as string)}\t${copyBytes(bytes)}\t${copyBool(isText)}\n`);
        }
      }
    }
    return { alerts: alerts.done(), packets: packets.done(), extra: extra.done(), rows: alerts.rows, days, anyDetails };
  }

  private async write(c: pg.PoolClient, s: Staged, bookmark?: Bookmark): Promise<IngestResult> {
    let inserted = 0;
    // A bulk import need not wait for each commit to reach disk: a server crash can only lose
    // its last few whole batches (rows and rollups commit together), which re-running restores.
    if (this.bulk) await c.query('SET LOCAL synchronous_commit = off');
    if (s.rows > 0) {
      await copyInto(c, 's_alerts', s.alerts);
      // Sorted by identity: writers sharing identities take their index locks in one order.
      // The new rows go to d_ins, to be folded into the rollups in this transaction (and, with
      // h, to spare captures of new alerts an existence check); a bulk import instead parks
      // them in rollup_pending for a later fold, and its capture check reads the tables.
      const ins = await c.query(`WITH ins AS (
          INSERT INTO alerts (${ALERT_COLS}) SELECT ${ALERT_COLS} FROM s_alerts ORDER BY ts, h, ord
          ON CONFLICT (ts, h) DO NOTHING RETURNING h, ${RETURNED})
        ${this.bulk ? `INSERT INTO rollup_pending (${RETURNED}) SELECT ${RETURNED} FROM ins`
    : `INSERT INTO d_ins (h, ${RETURNED}) SELECT h, ${RETURNED} FROM ins`}`);
      inserted = ins.rowCount ?? 0;
      // The same alert from a richer format fills in what the first one lacked (as SQLite does).
      if (inserted < s.rows && s.anyDetails) {
        await c.query(`UPDATE alerts a SET details = s.details FROM s_alerts s
          WHERE a.ts = s.ts AND a.h = s.h AND a.details IS NULL AND s.details IS NOT NULL`);
      }
      if (s.packets.length > 0 || s.extra.length > 0) await this.writeCaptures(c, s, inserted < s.rows);
      if (inserted > 0 && !this.bulk) await c.query(foldSql('d_ins'));
    }
    if (bookmark) await putBookmark(c, bookmark);
    return { inserted, duplicates: s.rows - inserted };
  }

  /**
   * Packets and extra data go to alerts that have none yet (new ones, or a text-read alert now
   * seen in unified2), taken from the first item of the batch that carries any.
   */
  private async writeCaptures(c: pg.PoolClient, s: Staged, someDuplicates: boolean): Promise<void> {
    await copyInto(c, 's_packets', s.packets);
    await copyInto(c, 's_extra', s.extra);
    if (!someDuplicates) {
      // Every staged alert is new, and each appears once: its captures go in as they are (the
      // grouping below cost a bulk unified2 import more than the inserts themselves).
      if (s.packets.length > 0) {
        await c.query(`INSERT INTO packets (ts, h, seq, pkt_ts, linktype, length, data)
          SELECT ts, h, seq, pkt_ts, linktype, length, data FROM s_packets ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING`);
      }
      if (s.extra.length > 0) {
        await c.query(`INSERT INTO extra (ts, h, seq, type, name, value, is_text)
          SELECT ts, h, seq, type, name, value, is_text FROM s_extra ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING`);
      }
      return;
    }
    // Alerts this transaction inserted have no captures yet (d_ins names them, outside bulk
    // mode); for the others the tables say whether they have any.
    const none = (t: string): string => `(NOT EXISTS (SELECT 1 FROM packets p WHERE p.ts = ${t}.ts AND p.h = ${t}.h)
        AND NOT EXISTS (SELECT 1 FROM extra x WHERE x.ts = ${t}.ts AND x.h = ${t}.h))`;
    const unseen = (t: string): string => (this.bulk ? none(t)
      : `(EXISTS (SELECT 1 FROM d_ins d WHERE d.ts = ${t}.ts AND d.h = ${t}.h) OR ${none(t)})`);
    const firsts = (t: string): string => (s.extra.length === 0 ? `SELECT ts, h, min(ord) AS ord FROM s_packets GROUP BY ts, h`
      : s.packets.length === 0 ? `SELECT ts, h, min(ord) AS ord FROM s_extra GROUP BY ts, h`
        : `SELECT ts, h, min(ord) AS ord FROM (SELECT ts, h, ord FROM s_packets UNION ALL SELECT ts, h, ord FROM s_extra) ${t} GROUP BY ts, h`);
    await c.query(`WITH k AS (${firsts('u')}),
      e AS (SELECT k.* FROM k ${someDuplicates ? `WHERE ${unseen('k')}` : ''}),
      p AS (INSERT INTO packets (ts, h, seq, pkt_ts, linktype, length, data)
        SELECT s.ts, s.h, s.seq, s.pkt_ts, s.linktype, s.length, s.data FROM s_packets s JOIN e ON e.ts = s.ts AND e.h = s.h AND e.ord = s.ord
        ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING)
      INSERT INTO extra (ts, h, seq, type, name, value, is_text)
        SELECT s.ts, s.h, s.seq, s.type, s.name, s.value, s.is_text FROM s_extra s JOIN e ON e.ts = s.ts AND e.h = s.h AND e.ord = s.ord
        ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING`);
  }

  /** P2P evidence from Snort alerts (./evidence-query.ts); flows and Winny logs live in SQLite. */
  async p2pEvidence(q: EvidenceQuery): Promise<Evidence[]> {
    return queryEvidence(this.pool, q);
  }

  /** No flow rollup here, so no remembered home networks: `snarf hosts` takes --home-net. */
  async flowSettings(): Promise<FlowSettings> {
    return { homeNets: null, classing: null };
  }

  async getBookmark(input: string): Promise<Bookmark | undefined> {
    const r = await withRetry(() => this.pool.query<BookmarkRow>('SELECT * FROM bookmarks WHERE input = $1', [input]));
    return r.rows[0] ? bookmarkFromRow(r.rows[0]) : undefined;
  }

  async listBookmarks(): Promise<Bookmark[]> {
    const r = await withRetry(() => this.pool.query<BookmarkRow>('SELECT * FROM bookmarks ORDER BY input COLLATE "C"'));
    return r.rows.map(bookmarkFromRow);
  }

  async summary(filter: AlertFilter = {}, limit = 0): Promise<Summary> {
    // One connection and one snapshot: every part of the summary describes the same moment.
    return withRetry(async () => {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const s = await querySummary(c, filter, limit);
        await c.query('COMMIT');
        return s;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function putBookmark(c: pg.PoolClient, b: Bookmark): Promise<void> {
  await c.query(`INSERT INTO bookmarks (input, file, dev, inode, size, "offset", records, last_event, warnings, errors, updated)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (input) DO UPDATE SET file = excluded.file,
    dev = excluded.dev, inode = excluded.inode, size = excluded.size, "offset" = excluded."offset",
    records = excluded.records, last_event = excluded.last_event, warnings = excluded.warnings,
    errors = excluded.errors, updated = excluded.updated`,
  [b.input, b.file, b.dev, b.inode, b.size, b.offset, b.records, b.lastEventUs, b.warnings, b.errors, b.updatedUs]);
}
