/**
 * Rollup maintenance on PostgreSQL. Deltas come from a table of newly inserted rows (d_ins, the
 * transaction's own INSERT ... RETURNING, or rows taken out of rollup_pending), never from "rows
 * above an id": with several writers committing out of id order that would miss or double rows.
 *
 * Deadlocks: every writer upserts the same tables in the same order, each statement feeding its
 * keys sorted (INSERT ... SELECT ... ORDER BY runs its rows in that order), so two transactions
 * that share rollup keys lock them in one global order and one simply waits for the other.
 */
import type pg from 'pg';

const SRC_COLS = 'ts, sensor_id, sig_id, src, dst, proto, dport';

/** The six rollup upserts from `src` (a table or subquery with SRC_COLS), as one script. */
export function foldSql(src: string): string {
  const up = (t: string): string =>
    `n = ${t}.n + excluded.n, first = least(${t}.first, excluded.first), last = greatest(${t}.last, excluded.last)`;
  return `
    INSERT INTO r_hour (hour, sensor_id, sig_id, n)
      SELECT ts / 3600000000, sensor_id, sig_id, count(*) FROM ${src} x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (hour, sensor_id, sig_id) DO UPDATE SET n = r_hour.n + excluded.n;
    INSERT INTO r_sig (sig_id, sensor_id, n, first, last)
      SELECT sig_id, sensor_id, count(*), min(ts), max(ts) FROM ${src} x GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (sig_id, sensor_id) DO UPDATE SET ${up('r_sig')};
    INSERT INTO r_sig_src (sig_id, ip, sensor_id, n, first, last)
      SELECT sig_id, src, sensor_id, count(*), min(ts), max(ts) FROM ${src} x WHERE src IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (sig_id, ip, sensor_id) DO UPDATE SET ${up('r_sig_src')};
    INSERT INTO r_sig_dst (sig_id, ip, sensor_id, n, first, last)
      SELECT sig_id, dst, sensor_id, count(*), min(ts), max(ts) FROM ${src} x WHERE dst IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (sig_id, ip, sensor_id) DO UPDATE SET ${up('r_sig_dst')};
    INSERT INTO r_sensor (sensor_id, n, first, last)
      SELECT sensor_id, count(*), min(ts), max(ts) FROM ${src} x GROUP BY 1 ORDER BY 1
      ON CONFLICT (sensor_id) DO UPDATE SET ${up('r_sensor')};
    INSERT INTO r_dport (sensor_id, proto, port, n)
      SELECT sensor_id, proto, dport, count(*) FROM ${src} x WHERE proto IS NOT NULL AND dport IS NOT NULL
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (sensor_id, proto, port) DO UPDATE SET n = r_dport.n + excluded.n;`;
}

/**
 * Folds every committed pending row (bulk imports) into the rollups. DELETE ... RETURNING takes
 * the rows it removes, so two processes folding at once never count a row twice; rows of bulk
 * transactions still open are invisible here and are folded by a later call.
 */
export async function foldPending(c: pg.PoolClient, share?: { of: number; part: number }): Promise<number> {
  // A share (signatures whose id is `part` modulo `of`) lets several connections fold at once:
  // their keys differ in every rollup that holds a signature, the big ones. The shares meet only
  // on the small per-sensor and per-port rows, which every writer locks in the same order.
  const where = share ? ` WHERE sig_id % ${share.of} = ${share.part}` : '';
  const r = await c.query(`WITH p AS (DELETE FROM rollup_pending${where} RETURNING ${SRC_COLS}) INSERT INTO d_ins (${SRC_COLS}) SELECT * FROM p`);
  if ((r.rowCount ?? 0) > 10_000) {
    // A bulk import's fold groups up to millions of rows: with statistics and room to hash in
    // memory, each grouping is one pass instead of a sort spilled to disk.
    await c.query("SET LOCAL work_mem = '64MB'");
    await c.query('ANALYZE d_ins');
  }
  if ((r.rowCount ?? 0) > 0) await c.query(foldSql('d_ins'));
  await c.query('TRUNCATE d_ins');
  return r.rowCount ?? 0;
}

/**
 * Takes rows that are about to be dropped (whole days before `cutUs`) out of the rollups: counts
 * are subtracted, keys left empty are deleted, and `first` is recomputed from the remaining rows
 * (through r_hour and the time and address indexes, so no full scans). `last` needs no work: a
 * key whose last alert is older than the cut has no alerts left and is deleted.
 */
export function unfoldSql(src: string, cutUs: number): string {
  const cutHour = Math.floor(cutUs / 3600000000);
  const sub = (t: string, keys: string[], sel: string, where = ''): string => `
    UPDATE ${t} r SET n = r.n - d.n FROM (SELECT ${sel}, count(*) AS n FROM ${src} x ${where} GROUP BY ${keys.map((_, i) => i + 1).join(', ')}) d
      WHERE ${keys.map((k) => `r.${k} = d.${k}`).join(' AND ')};
    DELETE FROM ${t} WHERE n <= 0;`;
  return `
    DELETE FROM r_hour WHERE hour < ${cutHour};
    ${sub('r_sig', ['sig_id', 'sensor_id'], 'sig_id, sensor_id')}
    ${sub('r_sig_src', ['sig_id', 'ip', 'sensor_id'], 'sig_id, src AS ip, sensor_id', 'WHERE src IS NOT NULL')}
    ${sub('r_sig_dst', ['sig_id', 'ip', 'sensor_id'], 'sig_id, dst AS ip, sensor_id', 'WHERE dst IS NOT NULL')}
    ${sub('r_sensor', ['sensor_id'], 'sensor_id')}
    ${sub('r_dport', ['sensor_id', 'proto', 'port'], 'sensor_id, proto, dport AS port', 'WHERE proto IS NOT NULL AND dport IS NOT NULL')}
    UPDATE r_sig_src r SET first = (SELECT min(a.ts) FROM alerts a WHERE a.src = r.ip AND a.ts >= ${cutUs}
      AND a.sig_id = r.sig_id AND a.sensor_id = r.sensor_id) WHERE r.first < ${cutUs};
    UPDATE r_sig_dst r SET first = (SELECT min(a.ts) FROM alerts a WHERE a.dst = r.ip AND a.ts >= ${cutUs}
      AND a.sig_id = r.sig_id AND a.sensor_id = r.sensor_id) WHERE r.first < ${cutUs};
    UPDATE r_sig r SET first = (SELECT min(a.ts) FROM alerts a WHERE a.sig_id = r.sig_id AND a.sensor_id = r.sensor_id
      AND a.ts >= h.hour * 3600000000 AND a.ts < (h.hour + 1) * 3600000000)
      FROM (SELECT sig_id, sensor_id, min(hour) AS hour FROM r_hour GROUP BY 1, 2) h
      WHERE r.first < ${cutUs} AND h.sig_id = r.sig_id AND h.sensor_id = r.sensor_id;
    UPDATE r_sensor r SET first = s.first FROM (SELECT sensor_id, min(first) AS first FROM r_sig GROUP BY 1) s
      WHERE r.first < ${cutUs} AND s.sensor_id = r.sensor_id;`;
}
