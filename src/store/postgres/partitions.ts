/**
 * Day partitions of alerts, packets and extra: created on demand before a batch is written, and
 * dropped whole for retention. Creation is serialised across every collector by an advisory
 * lock, so two collectors meeting a new day at once neither fail nor race; each remembers the
 * days it has seen so the check costs nothing on the hot path.
 */
import type pg from 'pg';
import { PARTITIONED } from './schema.js';
import { unfoldSql, foldPending } from './rollups.js';

export const DAY_US = 86_400_000_000;

export function dayOf(ts: number): number {
  return Math.floor(ts / DAY_US);
}

/** alerts_d20240115: readable, sorts by day, and derivable from the day number alone. */
export function partitionName(table: string, day: number): string {
  const d = new Date(day * 86_400_000);
  const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${table}_d${ymd}`;
}

/** Advisory lock keys are per database; the schema name keeps tenants (and tests) apart. */
export function lockKey(schema: string, what: string): string {
  return `hashtext('snarf:${schema}:${what}')`;
}

/**
 * Runs fn in a transaction under a session-level advisory lock taken before BEGIN. Not a
 * transaction-level lock: a transaction that started before the lock was granted could miss, in
 * its catalog caches, the schema or partition the previous holder just committed, and its
 * CREATE ... IF NOT EXISTS would then fail on the duplicate.
 */
export async function underLock<T>(pool: pg.Pool, key: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`SELECT pg_advisory_lock(${key})`);
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => { broken = e; });
      throw err;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${key})`).catch((e: Error) => { broken = e; });
    }
  } finally {
    client.release(broken);
  }
}

export class Partitions {
  private readonly known = new Set<number>();

  constructor(private readonly pool: pg.Pool, private readonly schema: string) {}

  /** Forgets what it knew (after "no partition found for row": another process pruned). */
  forget(): void {
    this.known.clear();
  }

  async ensure(days: Iterable<number>): Promise<void> {
    const missing = [...new Set(days)].filter((d) => !this.known.has(d)).sort((a, b) => a - b);
    if (missing.length === 0) return;
    await underLock(this.pool, lockKey(this.schema, 'partitions'), async (client) => {
      for (const day of missing) {
        for (const t of PARTITIONED) {
          await client.query(`CREATE TABLE IF NOT EXISTS ${partitionName(t, day)} PARTITION OF ${t}
            FOR VALUES FROM (${day * DAY_US}) TO (${(day + 1) * DAY_US})`);
        }
      }
    });
    for (const d of missing) this.known.add(d);
  }

  /** Days that have an alerts partition, oldest first. */
  async list(): Promise<number[]> {
    const r = await this.pool.query<{ name: string }>(`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE p.relname = 'alerts' AND n.nspname = $1`, [this.schema]);
    const days: number[] = [];
    for (const { name } of r.rows) {
      const m = /^alerts_d(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (m) days.push(dayOf(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) * 1000));
    }
    return days.sort((a, b) => a - b);
  }

  /**
   * Drops every day partition wholly before `beforeUs` (rounded down to a UTC day), taking its
   * alerts out of the rollups in the same transaction so summaries never count dropped rows.
   * Collectors keep writing meanwhile: they wait only for the brief exclusive lock on the days
   * being dropped (and retry if they were about to write into one).
   */
  /**
   * `lockTimeoutMs`: give up (SQLSTATE 55P03) rather than wait longer for the doomed days. A
   * long reader (a report's snapshot) holds them; a DROP waiting behind it would queue every
   * collector's insert behind itself, so the automatic pruning tries again later instead.
   */
  async dropBefore(beforeUs: number, lockTimeoutMs?: number): Promise<{ days: number[]; alerts: number }> {
    const cutDay = dayOf(beforeUs);
    const cutUs = cutDay * DAY_US;
    const old = (await this.list()).filter((d) => d < cutDay);
    if (old.length === 0) return { days: [], alerts: 0 };
    const r = await underLock(this.pool, lockKey(this.schema, 'partitions'), async (client) => {
      // Lock the doomed days first (tables in the order writers take them): no writer can add
      // to them between counting and dropping. Another pruner may have dropped some already.
      const names = PARTITIONED.flatMap((t) => old.map((day) => partitionName(t, day)));
      const exist = await client.query<{ name: string }>('SELECT n AS name FROM unnest($1::text[]) n WHERE to_regclass(n) IS NOT NULL', [names]);
      if (lockTimeoutMs !== undefined) await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
      if (exist.rows.length > 0) await client.query(`LOCK TABLE ${exist.rows.map((r) => r.name).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      // Pending rows (bulk imports) must be in the rollups before their rows are taken out.
      await foldPending(client);
      const gone = old.filter((d) => exist.rows.some((r) => r.name === partitionName('alerts', d)));
      if (gone.length === 0) return { days: gone, n: 0 };
      const union = gone.map((d) => `SELECT ts, sensor_id, sig_id, src, dst, proto, dport FROM ${partitionName('alerts', d)}`).join(' UNION ALL ');
      await client.query(`TRUNCATE d_ins; INSERT INTO d_ins (ts, sensor_id, sig_id, src, dst, proto, dport) ${union}`);
      const count = await client.query<{ n: number }>('SELECT count(*) AS n FROM d_ins');
      await client.query(unfoldSql('d_ins', cutUs));
      await client.query('TRUNCATE d_ins');
      for (const name of [...exist.rows.map((r) => r.name)].reverse()) await client.query(`DROP TABLE IF EXISTS ${name}`);
      return { days: gone, n: count.rows[0]!.n };
    });
    for (const d of old) this.known.delete(d);
    return { days: r.days, alerts: r.n };
  }
}
