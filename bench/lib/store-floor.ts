/**
 * The database's own floor for the rows an import stored: how long the engine itself takes to
 * write the same alert and packet rows, copied table to table inside the database (no parsing, no
 * JavaScript per row, no rollups), into fresh tables that carry only the keys deduplication needs.
 * Then, as separate steps, what else Snarf's queries require of every import: the two address
 * indexes (host pages) and the per-address rollups (signature × source / destination).
 *
 * An import can never beat `rowsSeconds`; `rowsSeconds + indexSeconds + addressRollupSeconds` is
 * what the schema costs before a single byte is parsed. Import targets are judged against it, in
 * the same run, on the same machine (docs/benchmarks.md).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import pg from 'pg';

export interface StoreFloor {
  /** Alert (and packet) rows with their identity keys only. */
  rowsSeconds: number;
  /** The (src, ts) and (dst, ts) indexes, built by one sort each. */
  indexSeconds: number;
  /** r_sig_src / r_sig_dst contents, grouped in one pass each. */
  addressRollupSeconds: number;
  alerts: number;
  packets: number;
}

const ALERT_COLS = 'ts, h, sensor_id, sig_id, rev, priority, proto, src, sport, dst, dport, event_id, msg, details, input_id, "offset", line';

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Floor of the SQLite database an import just wrote (it is read, never changed). */
export function sqliteFloor(dbPath: string, scratchPath: string): StoreFloor {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(scratchPath + suffix, { force: true });
  const db = new Database(dbPath);
  try {
    db.pragma('cache_size = -32768');
    db.prepare('ATTACH DATABASE ? AS f').run(scratchPath);
    // The very table an import writes (same columns, same rowid id), under the scratch name.
    const alertsDdl = (db.prepare("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = 'alerts'").get() as { sql: string }).sql;
    db.exec(`PRAGMA f.journal_mode = WAL; PRAGMA f.synchronous = NORMAL;
      ${alertsDdl.replace(/^CREATE TABLE alerts/, 'CREATE TABLE f.alerts')};
      CREATE UNIQUE INDEX f.alerts_identity ON alerts (ts, h);
      CREATE TABLE f.packets (alert_id INTEGER NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, linktype INTEGER NOT NULL,
        length INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (alert_id, seq)) WITHOUT ROWID;
      CREATE TABLE f.r_src (sig_id INTEGER, ip BLOB, sensor_id INTEGER, n INTEGER, first INTEGER, last INTEGER,
        PRIMARY KEY (sig_id, ip, sensor_id)) WITHOUT ROWID;
      CREATE TABLE f.r_dst (sig_id INTEGER, ip BLOB, sensor_id INTEGER, n INTEGER, first INTEGER, last INTEGER,
        PRIMARY KEY (sig_id, ip, sensor_id)) WITHOUT ROWID;`);
    const step = (sql: string): number => {
      const t0 = process.hrtime.bigint();
      db.transaction(() => db.exec(sql))();
      return seconds(t0);
    };
    const rowsSeconds = step(`INSERT INTO f.alerts SELECT id, ${ALERT_COLS} FROM main.alerts ORDER BY id;
      INSERT INTO f.packets SELECT alert_id, seq, ts, linktype, length, data FROM main.packets ORDER BY alert_id, seq;`);
    const indexSeconds = step('CREATE INDEX f.alerts_src ON alerts (src, ts); CREATE INDEX f.alerts_dst ON alerts (dst, ts);');
    const addressRollupSeconds = step(`
      INSERT INTO f.r_src SELECT sig_id, src, sensor_id, count(*), min(ts), max(ts) FROM f.alerts WHERE src IS NOT NULL GROUP BY 1, 2, 3;
      INSERT INTO f.r_dst SELECT sig_id, dst, sensor_id, count(*), min(ts), max(ts) FROM f.alerts WHERE dst IS NOT NULL GROUP BY 1, 2, 3;`);
    const count = (t: string): number => (db.prepare(`SELECT count(*) AS c FROM f.${t}`).get() as { c: number }).c;
    return { rowsSeconds, indexSeconds, addressRollupSeconds, alerts: count('alerts'), packets: count('packets') };
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(scratchPath + suffix, { force: true });
  }
}

/**
 * Floor of a PostgreSQL schema an import just wrote: the same steps, server side, into plain
 * (unpartitioned) tables of a scratch schema that is dropped afterwards.
 */
export async function postgresFloor(url: string, schema: string): Promise<StoreFloor> {
  const scratch = `${schema}_floor`;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // The floor is the best case: memory enough to hash-aggregate and sort without spilling.
    await c.query("SET work_mem = '256MB'; SET maintenance_work_mem = '256MB'");
    await c.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE; CREATE SCHEMA ${scratch};
      CREATE TABLE ${scratch}.alerts AS SELECT ${ALERT_COLS} FROM ${schema}.alerts WHERE false;
      ALTER TABLE ${scratch}.alerts ADD PRIMARY KEY (ts, h);
      CREATE TABLE ${scratch}.packets AS SELECT ts, h, seq, pkt_ts, linktype, length, data FROM ${schema}.packets WHERE false;
      ALTER TABLE ${scratch}.packets ADD PRIMARY KEY (ts, h, seq);
      CREATE TABLE ${scratch}.r_src (sig_id integer, ip bytea, sensor_id integer, n bigint, first bigint, last bigint, PRIMARY KEY (sig_id, ip, sensor_id));
      CREATE TABLE ${scratch}.r_dst (LIKE ${scratch}.r_src INCLUDING ALL);`);
    const step = async (sql: string): Promise<number> => {
      const t0 = process.hrtime.bigint();
      await c.query(`BEGIN; ${sql}; COMMIT`);
      return seconds(t0);
    };
    const rowsSeconds = await step(`INSERT INTO ${scratch}.alerts SELECT ${ALERT_COLS} FROM ${schema}.alerts ORDER BY ts, h;
      INSERT INTO ${scratch}.packets SELECT ts, h, seq, pkt_ts, linktype, length, data FROM ${schema}.packets ORDER BY ts, h, seq`);
    // Built on the filled table, as SQLite's are: the cheapest way to have them at all.
    const indexSeconds = await step(`CREATE INDEX ON ${scratch}.alerts (src, ts); CREATE INDEX ON ${scratch}.alerts (dst, ts)`);
    const addressRollupSeconds = await step(`
      INSERT INTO ${scratch}.r_src SELECT sig_id, src, sensor_id, count(*), min(ts), max(ts) FROM ${scratch}.alerts WHERE src IS NOT NULL GROUP BY 1, 2, 3;
      INSERT INTO ${scratch}.r_dst SELECT sig_id, dst, sensor_id, count(*), min(ts), max(ts) FROM ${scratch}.alerts WHERE dst IS NOT NULL GROUP BY 1, 2, 3`);
    const count = async (t: string): Promise<number> => Number((await c.query<{ c: string }>(`SELECT count(*) AS c FROM ${scratch}.${t}`)).rows[0]!.c);
    return { rowsSeconds, indexSeconds, addressRollupSeconds, alerts: await count('alerts'), packets: await count('packets') };
  } finally {
    await c.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`).catch(() => undefined);
    await c.end();
  }
}

/** Seconds of everything the schema requires: rows, address indexes, per-address rollups. */
export function floorSeconds(f: StoreFloor): number {
  return f.rowsSeconds + f.indexSeconds + f.addressRollupSeconds;
}
