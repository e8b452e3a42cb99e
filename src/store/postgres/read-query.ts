/**
 * Helpers for the read-only queries of sensors, export, clusters and anomalies on PostgreSQL:
 * whole results (retried on transient errors: a read can always run again), and server-side
 * cursors for results too big to hold (rows handed over a batch at a time).
 */
import type pg from 'pg';
import { inTransaction, withRetry } from './connect.js';

export async function queryRows<T>(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await withRetry(() => pool.query(sql, params))).rows as T[];
}

/**
 * Runs `sql` through a cursor inside one read-only snapshot and calls `each` for every row, in
 * the query's order. Not retried: rows already handed over cannot be taken back.
 */
export async function eachRow<T>(pool: pg.Pool, sql: string, params: unknown[], each: (row: T) => void, batch = 2000): Promise<number> {
  return inTransaction(pool, async (c) => {
    let n = 0;
    await c.query(`DECLARE snarf_rows NO SCROLL CURSOR FOR ${sql}`, params);
    for (;;) {
      const r = await c.query(`FETCH ${batch} FROM snarf_rows`);
      for (const row of r.rows) each(row as T);
      n += r.rows.length;
      if (r.rows.length < batch) return n;
    }
  }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
}

/**
 * SQLite's LIKE folds ASCII letters only; ILIKE would fold by the database's locale. Lowering
 * ASCII alone (and matching lower-case patterns) gives the same matches on both stores.
 */
export function asciiLower(expr: string): string {
  return `translate(${expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
}
