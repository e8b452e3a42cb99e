/**
 * Connections to the central PostgreSQL: URL options Snarf reads itself, the pool, and the retry
 * loop for transient errors. Everything a transaction does is idempotent (identities dedupe rows,
 * rollups count only rows this transaction inserted, bookmarks are upserts), so a retry after an
 * unknown outcome (connection lost during COMMIT) can neither lose nor double anything.
 */
import pg from 'pg';

export interface PgOptions {
  /** Connection string handed to pg (Snarf's own parameters removed). */
  connectionString: string;
  /** Printable location: the URL without its password. */
  location: string;
  /** Schema holding Snarf's tables (`?schema=`; default `public`). */
  schema: string;
  /** Drop day partitions older than this many days (`?retention=90d`); null keeps everything. */
  retentionDays: number | null;
  /** Pool size per process (`?pool=`; default 4). */
  poolMax: number;
  /** Every session read-only (default_transaction_read_only): `snarf serve` never writes. */
  readOnly?: boolean;
}

const OWN_PARAMS = ['schema', 'retention', 'pool'];

/** Splits Snarf's parameters off a postgres:// URL. */
export function parsePgUrl(spec: string): PgOptions {
  const url = new URL(spec);
  const schema = url.searchParams.get('schema') ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) throw new Error(`schema=${schema}: expected a plain SQL identifier`);
  const ret = url.searchParams.get('retention');
  let retentionDays: number | null = null;
  if (ret !== null) {
    const m = /^(\d+)d?$/.exec(ret);
    if (!m || Number(m[1]) < 1) throw new Error(`retention=${ret}: expected a number of days such as 90d`);
    retentionDays = Number(m[1]);
  }
  const poolRaw = url.searchParams.get('pool');
  const poolMax = poolRaw === null ? 4 : Number(poolRaw);
  if (!Number.isInteger(poolMax) || poolMax < 1 || poolMax > 100) throw new Error(`pool=${poolRaw}: expected 1 to 100`);
  for (const p of OWN_PARAMS) url.searchParams.delete(p);
  const connectionString = url.toString();
  if (url.password) url.password = '***';
  return { connectionString, location: url.toString(), schema, retentionDays, poolMax };
}

/**
 * bigint (count(*), µs times, hashes below 2^53) and numeric (sum()) as JS numbers: every value
 * Snarf stores fits in 53 bits. Per pool, so other users of pg in the process are unaffected.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (v: string) => unknown {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text') as (v: string) => unknown;
  },
};

/** `onConnect` runs on each new connection before anyone can use it (pg-pool awaits it). */
export function createPool(o: PgOptions, onConnect?: (client: pg.PoolClient) => Promise<void>): pg.Pool {
  const pool = new pg.Pool({
    onConnect,
    connectionString: o.connectionString,
    max: o.poolMax,
    types,
    // search_path per connection: tests and tenants live in their own schemas.
    options: `-c search_path=${o.schema}${o.readOnly ? ' -c default_transaction_read_only=on' : ''}`,
    application_name: 'snarf',
    connectionTimeoutMillis: 15_000,
  } as pg.PoolConfig);
  // An idle client losing its connection (server restart) must not crash the process; the
  // next query gets a fresh one.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATEs worth another attempt: serialization, deadlock, connection and shutdown classes. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  if (code === '40001' || code === '40P01') return true;
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(e?.message ?? '');
}

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  /** Called before each new attempt (e.g. to forget cached partitions). */
  onRetry?(err: unknown, attempt: number): void | Promise<void>;
  /** Extra errors this caller knows how to repair before retrying. */
  retryable?(err: unknown): boolean;
}

/** Runs fn until it succeeds or fails with a non-transient error; exponential backoff with jitter. */
export async function withRetry<T>(fn: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const attempts = o.attempts ?? 8;
  const base = o.baseMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const again = isTransient(err) || (o.retryable?.(err) ?? false);
      if (!again || attempt >= attempts) throw err;
      await o.onRetry?.(err, attempt);
      const ms = Math.min(5000, base * 2 ** (attempt - 1)) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, ms));
    }
  }
}

/** One transaction on one pooled client; a client whose connection broke is discarded. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (e) {
      broken = e as Error;
    }
    if (isTransient(err)) broken ??= err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}
