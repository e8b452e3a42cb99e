/**
 * PostgreSQL specifics: day partitions created on demand (also by several writers meeting a new
 * day at once), retention dropping whole days and taking them out of the rollups, a writer
 * whose cached partition was dropped by another process, and the URL options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { parsePgUrl, isTransient } from '../../src/store/postgres/connect.js';
import { DAY_US, partitionName } from '../../src/store/postgres/partitions.js';
import type { Alert } from '../../src/model/alert.js';
import type { IngestItem } from '../../src/store/store.js';
import pg_ from 'pg';
import { freshPgSchema, pgRows } from '../helpers/pg.js';

const DAY0 = 19_700; // 2023-12-09
function alert(i: number, day: number): Alert {
  return {
    sensor: i % 2 ? 's1' : 's2', timeUs: (DAY0 + day) * DAY_US + i * 3_000_000_000, gid: 1, sid: 1 + (i % 3), rev: 1,
    message: 'm', classification: null, priority: 2, protocol: 6, srcIp: `10.0.0.${i % 4}`, srcPort: 1, dstIp: `10.1.0.${i % 5}`,
    dstPort: 22 + (i % 2), eventId: null, eventSecond: null, references: [], packets: [], extra: [],
    origin: { format: 'alert_fast', file: 'f', offset: i },
  };
}
const items = (day: number, n: number): IngestItem[] => Array.from({ length: n }, (_, i) => ({ alert: alert(i, day), identity: `${day}|${i}` }));

async function rollupsMatch(schema: string): Promise<void> {
  const pairs: Array<[string, string]> = [
    ['SELECT sig_id, sensor_id, n, first, last FROM r_sig ORDER BY 1, 2',
      'SELECT sig_id, sensor_id, count(*) AS n, min(ts) AS first, max(ts) AS last FROM alerts GROUP BY 1, 2 ORDER BY 1, 2'],
    ['SELECT sig_id, ip, sensor_id, n, first, last FROM r_sig_src ORDER BY 1, 2, 3',
      'SELECT sig_id, src AS ip, sensor_id, count(*) AS n, min(ts) AS first, max(ts) AS last FROM alerts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3'],
    ['SELECT sig_id, ip, sensor_id, n, first, last FROM r_sig_dst ORDER BY 1, 2, 3',
      'SELECT sig_id, dst AS ip, sensor_id, count(*) AS n, min(ts) AS first, max(ts) AS last FROM alerts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3'],
    ['SELECT sensor_id, n, first, last FROM r_sensor ORDER BY 1',
      'SELECT sensor_id, count(*) AS n, min(ts) AS first, max(ts) AS last FROM alerts GROUP BY 1 ORDER BY 1'],
    ['SELECT hour, sensor_id, sig_id, n FROM r_hour ORDER BY 1, 2, 3',
      'SELECT ts / 3600000000 AS hour, sensor_id, sig_id, count(*) AS n FROM alerts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3'],
    ['SELECT sensor_id, proto, port, n FROM r_dport ORDER BY 1, 2, 3',
      'SELECT sensor_id, proto, dport AS port, count(*) AS n FROM alerts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3'],
  ];
  for (const [r, raw] of pairs) assert.deepEqual(await pgRows(schema, r), await pgRows(schema, raw), r);
}

test('partitions by UTC day; writers meeting a new day at once all succeed', async () => {
  const pg = await freshPgSchema('part');
  const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open(pg.url)));
  try {
    await Promise.all(stores.map((s, w) => s.ingest([0, 1, 2].flatMap((d) => items(d, 10).slice(w, w + 6)))));
    assert.deepEqual(await stores[0]!.partitions.list(), [DAY0, DAY0 + 1, DAY0 + 2]);
    const names = await pgRows<{ n: string }>(pg.schema, `SELECT c.relname AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
      WHERE s.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE '%\\_d2023%' ORDER BY 1`, [pg.schema]);
    assert.equal(names.length, 9, 'alerts, packets and extra per day');
    assert.ok(names.some((r) => r.n === partitionName('alerts', DAY0)));
    assert.equal(partitionName('alerts', DAY0), 'alerts_d20231209');
    assert.equal((await stores[0]!.summary()).totals.alerts, 27);
    await rollupsMatch(pg.schema);
  } finally {
    for (const s of stores) await s.close();
    await pg.drop();
  }
});

test('retention drops whole old days and takes them out of the rollups', async () => {
  const pg = await freshPgSchema('prune');
  const store = await PostgresStore.open(pg.url);
  try {
    for (let d = 0; d < 5; d++) await store.ingest(items(d, 12));
    await store.beginBulk();
    await store.ingest(items(1, 20)); // pending rollup rows on a day about to go: folded first
    const r = await store.prune((DAY0 + 2) * DAY_US + 5); // mid-day: only whole days before it go
    assert.deepEqual(r, { days: [DAY0, DAY0 + 1], alerts: 32 });
    assert.deepEqual(await store.partitions.list(), [DAY0 + 2, DAY0 + 3, DAY0 + 4]);
    await store.endBulk();
    const s = await store.summary();
    assert.equal(s.totals.alerts, 36);
    assert.equal(s.firstUs, (DAY0 + 2) * DAY_US);
    assert.deepEqual(s, await store.summary({ sinceUs: 0 }), 'rollups agree with the remaining rows');
    await rollupsMatch(pg.schema);
    assert.deepEqual(await store.prune((DAY0 + 2) * DAY_US), { days: [], alerts: 0 });
  } finally {
    await store.close();
    await pg.drop();
  }
});

test('pruning with a lock timeout gives up on days a long reader holds, and the writers go on', async () => {
  const pg = await freshPgSchema('prunelock');
  const store = await PostgresStore.open(pg.url);
  const reader = new pg_.Client({ connectionString: pg.url.replace(/\?.*$/, '') });
  await reader.connect();
  try {
    for (let d = 0; d < 3; d++) await store.ingest(items(d, 6));
    // A report's snapshot: it has read day 0 and holds it until it commits.
    await reader.query(`SET search_path = ${pg.schema}`);
    await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await reader.query(`SELECT count(*) FROM alerts WHERE ts < ${(DAY0 + 1) * DAY_US}`);
    const t0 = Date.now();
    await assert.rejects(store.prune((DAY0 + 1) * DAY_US, { lockTimeoutMs: 200 }), (err: { code?: string }) => err.code === '55P03');
    assert.ok(Date.now() - t0 < 10_000, 'gave up instead of waiting for the reader');
    // Nothing was dropped or unfolded, and writers are not queued behind a waiting DROP.
    assert.deepEqual(await store.partitions.list(), [DAY0, DAY0 + 1, DAY0 + 2]);
    assert.deepEqual(await store.ingest(items(2, 9)), { inserted: 3, duplicates: 6 });
    await rollupsMatch(pg.schema);
    await reader.query('COMMIT');
    assert.deepEqual(await store.prune((DAY0 + 1) * DAY_US, { lockTimeoutMs: 200 }), { days: [DAY0], alerts: 6 });
    await rollupsMatch(pg.schema);
  } finally {
    await reader.end();
    await store.close();
    await pg.drop();
  }
});

test('a writer whose cached day was dropped by another process recreates it', async () => {
  const pg = await freshPgSchema('repart');
  const a = await PostgresStore.open(pg.url);
  const b = await PostgresStore.open(pg.url);
  try {
    await a.ingest(items(0, 5));
    await b.ingest(items(3, 5));
    await b.prune((DAY0 + 1) * DAY_US); // a still believes day 0 exists
    const late = items(0, 8); // a late-arriving log for the dropped day
    assert.deepEqual(await a.ingest(late), { inserted: 8, duplicates: 0 });
    assert.equal((await a.summary()).totals.alerts, 13);
    await rollupsMatch(pg.schema);
  } finally {
    await a.close();
    await b.close();
    await pg.drop();
  }
});

test('retention option in the URL applies when a store opens', async () => {
  const pg = await freshPgSchema('ret');
  const a = await PostgresStore.open(pg.url);
  await a.ingest(items(0, 3)); // 2023: far older than 30 days
  await a.close();
  const b = await PostgresStore.open(`${pg.url}&retention=30d`);
  try {
    assert.deepEqual(await b.partitions.list(), []);
    assert.equal((await b.summary()).totals.alerts, 0);
  } finally {
    await b.close();
    await pg.drop();
  }
});

test('URL options: schema, retention and pool are read and stripped; the password is hidden', () => {
  const o = parsePgUrl('postgres://u:secret@db.example:5433/snarf?schema=campus&retention=90d&pool=8&sslmode=require');
  assert.equal(o.schema, 'campus');
  assert.equal(o.retentionDays, 90);
  assert.equal(o.poolMax, 8);
  assert.equal(o.connectionString, 'postgres://u:secret@db.example:5433/snarf?sslmode=require');
  assert.ok(!o.location.includes('secret'));
  assert.throws(() => parsePgUrl('postgres://h/db?schema=a;drop'), /identifier/);
  assert.throws(() => parsePgUrl('postgres://h/db?retention=soon'), /days/);
  assert.ok(isTransient({ code: '40P01' }) && isTransient({ code: '40001' }) && isTransient({ code: 'ECONNRESET' }));
  assert.ok(!isTransient({ code: '23505' }));
});
