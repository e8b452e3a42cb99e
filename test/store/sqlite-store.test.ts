/** The SQLite store: rollups always equal the raw rows, bookmarks commit with their rows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/store.js';
import type { Alert } from '../../src/model/alert.js';
import type { Bookmark, IngestItem } from '../../src/store/store.js';
import { identityHash } from '../../src/model/identity.js';

function alert(i: number, over: Partial<Alert> = {}): Alert {
  return {
    sensor: i % 3 === 0 ? 'b' : 'a', timeUs: 1_700_000_000_000_000 + i * 1_000_000, gid: 1, sid: 100 + (i % 4), rev: 1,
    message: `sig ${100 + (i % 4)}`, classification: 'Misc activity', priority: 3, protocol: 6,
    srcIp: i % 5 === 0 ? `2001:db8::${i % 7}` : `10.0.${i % 3}.${i % 11}`, srcPort: 1000 + i, dstIp: `192.0.2.${i % 13}`, dstPort: 80,
    eventId: null, eventSecond: null, references: [], packets: [], extra: [],
    origin: { format: 'alert_fast', file: 'f', offset: i * 100, line: i + 1 }, ...over,
  };
}
const item = (a: Alert, k: number): IngestItem => ({ alert: a, identity: `test|${k}` });

function rawCounts(store: SqliteStore): unknown {
  return {
    sig: store.db.prepare('SELECT sig_id, sensor_id, count(*) n, min(ts) f, max(ts) l FROM alerts GROUP BY 1, 2 ORDER BY 1, 2').all(),
    src: store.db.prepare('SELECT sig_id, src ip, sensor_id, count(*) n, min(ts) f, max(ts) l FROM alerts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3').all(),
    hour: store.db.prepare('SELECT ts / 3600000000 h, sensor_id, sig_id, count(*) n FROM alerts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3').all(),
    dst: store.db.prepare('SELECT sig_id, dst ip, sensor_id, count(*) n, min(ts) f, max(ts) l FROM alerts WHERE dst IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3').all(),
    sensor: store.db.prepare('SELECT sensor_id, count(*) n, min(ts) f, max(ts) l FROM alerts GROUP BY 1 ORDER BY 1').all(),
    dport: store.db.prepare('SELECT sensor_id, proto, dport, count(*) n FROM alerts WHERE proto IS NOT NULL AND dport IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3').all(),
  };
}
function rollupCounts(store: SqliteStore): unknown {
  return {
    sig: store.db.prepare('SELECT sig_id, sensor_id, n, first f, last l FROM r_sig ORDER BY 1, 2').all(),
    src: store.db.prepare('SELECT sig_id, ip, sensor_id, n, first f, last l FROM r_sig_src ORDER BY 1, 2, 3').all(),
    hour: store.db.prepare('SELECT hour h, sensor_id, sig_id, n FROM r_hour ORDER BY 1, 2, 3').all(),
    dst: store.db.prepare('SELECT sig_id, ip, sensor_id, n, first f, last l FROM r_sig_dst ORDER BY 1, 2, 3').all(),
    sensor: store.db.prepare('SELECT sensor_id, n, first f, last l FROM r_sensor ORDER BY 1').all(),
    dport: store.db.prepare('SELECT sensor_id, proto, port dport, n FROM r_dport ORDER BY 1, 2, 3').all(),
  };
}

test('rollups equal the raw rows after any mix of batches, duplicates and bulk imports', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.record({ ids: fc.array(fc.nat(60), { maxLength: 30 }), bulk: fc.boolean() }), { maxLength: 8 }),
    async (batches) => {
      const store = new SqliteStore(path.join(tempDir(), 's.db'));
      try {
        for (const b of batches) {
          if (b.bulk) await store.beginBulk();
          await store.ingest(b.ids.map((i) => item(alert(i), i)));
          if (b.bulk) await store.endBulk();
        }
        assert.deepEqual(rollupCounts(store), rawCounts(store));
      } finally {
        await store.close();
      }
    },
  ), { numRuns: 25 });
});

test('bulk rollups summed in memory equal the raw rows, written early or late, with other writers and failed batches', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.record({
      ids: fc.array(fc.nat(80), { maxLength: 40 }),
      // What happens around this batch: nothing, a write by another connection, a batch that fails.
      // otherBulk: another connection's own bulk import, ending after this one.
      event: fc.constantFrom('none', 'none', 'other', 'otherBulk', 'fail'),
    }), { maxLength: 8 }),
    // Early writes past a number of distinct keys or of alerts, or one write at the end.
    fc.constantFrom(5, 50, 1_000_000),
    fc.constantFrom(3, 25, 100_000),
    async (batches, keys, every) => {
      const file = path.join(tempDir(), 's.db');
      const store = new SqliteStore(file, { bulkRollupKeys: keys, bulkRollupEvery: every });
      const other = new SqliteStore(file);
      try {
        await store.ingest([item(alert(1000), 1000)]);
        await store.beginBulk();
        for (const b of batches) {
          await store.ingest(b.ids.map((i) => item(alert(i, { dstIp: i % 9 === 0 ? null : alert(i).dstIp }), i)));
          if (b.event === 'other' || b.event === 'otherBulk') {
            if (b.event === 'otherBulk') await other.beginBulk();
            await other.ingest([item(alert(500 + b.ids.length), 500 + b.ids.length)]);
          }
          if (b.event === 'fail') {
            const broken = alert(3, { sensor: null as unknown as string });
            await assert.rejects(store.ingest([item(alert(700), 700), item(broken, 701)]));
          }
        }
        await store.endBulk();
        await other.endBulk();
        assert.deepEqual(rollupCounts(store), rawCounts(store));
      } finally {
        await other.close();
        await store.close();
      }
    },
  ), { numRuns: 40 });
});

test('a bulk import killed before its end is caught up when the store is next opened', async () => {
  const file = path.join(tempDir(), 's.db');
  const first = new SqliteStore(file);
  await first.ingest([0, 1, 2].map((i) => item(alert(i), i)));
  await first.beginBulk();
  await first.ingest(Array.from({ length: 50 }, (_, i) => item(alert(i + 10), i + 10)));
  // No endBulk: the process "dies" here with rows stored but rollups and indexes behind.
  await first.close();
  const again = new SqliteStore(file);
  try {
    assert.deepEqual(rollupCounts(again), rawCounts(again));
    const idx = again.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'alerts_%' ORDER BY name").all();
    assert.deepEqual(idx.map((r) => (r as { name: string }).name), ['alerts_dst', 'alerts_identity', 'alerts_src']);
    assert.equal((await again.summary()).totals.alerts, 53);
  } finally {
    await again.close();
  }
});

test('the address indexes cover the per-address rollups, which a bulk import reads from them in address order', async () => {
  const store = new SqliteStore(path.join(tempDir(), 's.db'));
  try {
    await store.beginBulk();
    await store.ingest(Array.from({ length: 40 }, (_, i) => item(alert(i), i)));
    await store.endBulk();
    assert.deepEqual(rollupCounts(store), rawCounts(store));
    for (const side of ['src', 'dst']) {
      const cols = store.db.prepare(`SELECT name FROM pragma_index_info('alerts_${side}') ORDER BY seqno`).all().map((r) => (r as { name: string }).name);
      assert.deepEqual(cols, [side, 'ts', 'id', 'sig_id', 'sensor_id']);
      const plan = store.db.prepare(`EXPLAIN QUERY PLAN SELECT sig_id, ${side}, sensor_id, ts FROM alerts INDEXED BY alerts_${side}
        WHERE ${side} IS NOT NULL AND id > 0 ORDER BY ${side}`).all().map((r) => (r as { detail: string }).detail).join(' | ');
      assert.match(plan, new RegExp(`USING COVERING INDEX alerts_${side}`));
      assert.doesNotMatch(plan, /TEMP B-TREE/);
    }
  } finally {
    await store.close();
  }
});

test('bulk mode only for imports that are a good share of the store: small ones keep the indexes', async () => {
  const store = new SqliteStore(path.join(tempDir(), 's.db'));
  const indexes = (): number => (store.db.prepare("SELECT count(*) n FROM sqlite_master WHERE name IN ('alerts_src', 'alerts_dst')").get() as { n: number }).n;
  try {
    await store.ingest(Array.from({ length: 400 }, (_, i) => item(alert(i), i)));
    // 50 expected beside 400 stored: rebuilding the indexes would cost more than it saves.
    await store.beginBulk(50);
    assert.equal(indexes(), 2);
    await store.ingest(Array.from({ length: 50 }, (_, i) => item(alert(400 + i), 400 + i)));
    await store.endBulk();
    assert.equal(indexes(), 2);
    assert.deepEqual(rollupCounts(store), rawCounts(store));
    // 200 expected beside 450: bulk (indexes dropped until the end, rollups from them then).
    await store.beginBulk(200);
    assert.equal(indexes(), 0);
    await store.ingest(Array.from({ length: 200 }, (_, i) => item(alert(450 + i), 450 + i)));
    await store.endBulk();
    assert.equal(indexes(), 2);
    assert.deepEqual(rollupCounts(store), rawCounts(store));
  } finally {
    await store.close();
  }
});

test('a bookmark commits with its rows, and a failing batch commits neither', async () => {
  const store = new SqliteStore(path.join(tempDir(), 's.db'));
  try {
    const bm = (offset: number): Bookmark => ({
      input: 'spool:x', file: 'snort.u2.1', dev: 1, inode: 2, size: 1000, offset, records: offset / 10,
      lastEventUs: null, warnings: 0, errors: 0, updatedUs: 1,
    });
    await store.ingest([item(alert(1), 1)], bm(100));
    assert.equal((await store.getBookmark('spool:x'))?.offset, 100);
    const broken = alert(2, { sensor: null as unknown as string });
    await assert.rejects(store.ingest([item(alert(3), 3), item(broken, 2)], bm(200)));
    assert.equal((await store.getBookmark('spool:x'))?.offset, 100, 'bookmark unchanged');
    assert.equal((await store.summary()).totals.alerts, 1, 'first row of the failed batch rolled back too');
    await store.ingest([item(alert(3), 3)], bm(200));
    assert.equal((await store.summary()).totals.alerts, 2);
    assert.deepEqual((await store.listBookmarks()).map((b) => b.offset), [200]);
  } finally {
    await store.close();
  }
});

test('identity: the same identity twice is one alert; hashes differ for different identities', async () => {
  const store = new SqliteStore(path.join(tempDir(), 's.db'));
  try {
    const r1 = await store.ingest([item(alert(1), 1), item(alert(1), 1), item(alert(2), 2)]);
    assert.deepEqual(r1, { inserted: 2, duplicates: 1 });
    const r2 = await store.ingest([item(alert(1), 1)]);
    assert.deepEqual(r2, { inserted: 0, duplicates: 1 });
  } finally {
    await store.close();
  }
  const seen = new Set<number>();
  for (let i = 0; i < 100_000; i++) seen.add(identityHash(`t|a|1700000000000000|1:100:1|6|10.0.0.1|${i}|192.0.2.1|80|0`));
  assert.equal(seen.size, 100_000);
});

test('IPv4 and IPv6 sources both count, and sort IPv4 first', async () => {
  const store = new SqliteStore(path.join(tempDir(), 's.db'));
  try {
    await store.ingest(Array.from({ length: 30 }, (_, i) => item(alert(i), i)));
    const s = await store.summary();
    const ips = store.db.prepare('SELECT DISTINCT ip FROM r_sig_src ORDER BY ip').all().map((r) => (r as { ip: Buffer }).ip);
    assert.ok(ips.length > 5);
    const texts = s.sources.map((h) => h.ip);
    assert.ok(texts.some((t) => t.includes(':')) && texts.some((t) => !t.includes(':')));
    assert.equal(s.sources.reduce((t, h) => t + h.count, 0), 30);
  } finally {
    await store.close();
  }
});

test('migrations: reopening an existing store changes nothing', async () => {
  const file = path.join(tempDir(), 's.db');
  const a = new SqliteStore(file);
  await a.ingest([item(alert(1), 1)]);
  const version = a.db.pragma('user_version', { simple: true });
  await a.close();
  const b = new SqliteStore(file);
  try {
    assert.equal(b.db.pragma('user_version', { simple: true }), version);
    assert.equal((await b.summary()).totals.alerts, 1);
  } finally {
    await b.close();
  }
});
