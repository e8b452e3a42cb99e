/**
 * The Store contract, run against every store: SQLite and PostgreSQL must give the same answers
 * to the same batches (ingest and dedupe, rollups equal to the raw rows, bookmarks atomic with
 * their rows, bulk mode, IPv4/IPv6, summary filters, concurrent writers).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import type { Alert } from '../../src/model/alert.js';
import type { AlertFilter, Bookmark, IngestItem, Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/store.js';
import { freshPgSchema, pgRows } from '../helpers/pg.js';

interface Handle {
  store: Store;
  /** Another store instance on the same database (a second process, a restart). */
  another(): Promise<Store>;
  rows(sql: string): Promise<unknown[]>;
  cleanup(): Promise<void>;
}

const BACKENDS: Array<{ name: string; fresh(): Promise<Handle> }> = [
  {
    name: 'sqlite',
    fresh: async () => {
      const file = path.join(tempDir(), 's.db');
      return {
        store: new SqliteStore(file),
        another: async () => new SqliteStore(file),
        rows: async (sql) => {
          const db = new Database(file, { readonly: true });
          try { return db.prepare(sql).all(); } finally { db.close(); }
        },
        cleanup: async () => undefined,
      };
    },
  },
  {
    name: 'postgres',
    fresh: async () => {
      const s = await freshPgSchema('contract');
      return {
        store: await PostgresStore.open(s.url),
        another: () => PostgresStore.open(s.url),
        rows: (sql) => pgRows(s.schema, sql),
        cleanup: () => s.drop(),
      };
    },
  },
];

const T0 = 1_700_000_000_000_000;

function alert(i: number, over: Partial<Alert> = {}): Alert {
  return {
    sensor: i % 3 === 0 ? 'b' : 'a', timeUs: T0 + i * 1_000_000_000, gid: 1, sid: 100 + (i % 4), rev: 1,
    message: `sig ${100 + (i % 4)}`, classification: 'Misc activity', priority: 1 + (i % 3), protocol: i % 7 === 0 ? 17 : 6,
    srcIp: i % 5 === 0 ? `2001:db8::${i % 7}` : `10.0.${i % 3}.${i % 11}`, srcPort: 1000 + i, dstIp: `192.0.2.${i % 13}`, dstPort: 80 + (i % 2),
    eventId: null, eventSecond: null, references: [], packets: [], extra: [],
    origin: { format: 'alert_fast', file: 'f', offset: i * 100, line: i + 1 }, ...over,
  };
}
const item = (a: Alert, k: number): IngestItem => ({ alert: a, identity: `test|${k}` });
const items = (ids: number[]): IngestItem[] => ids.map((i) => item(alert(i), i));
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

const RAW = {
  hour: 'SELECT ts / 3600000000 AS h, sensor_id, sig_id, count(*) AS n FROM alerts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3',
  sig: 'SELECT sig_id, sensor_id, count(*) AS n, min(ts) AS f, max(ts) AS l FROM alerts GROUP BY 1, 2 ORDER BY 1, 2',
  src: 'SELECT sig_id, src AS ip, sensor_id, count(*) AS n, min(ts) AS f, max(ts) AS l FROM alerts WHERE src IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3',
  dst: 'SELECT sig_id, dst AS ip, sensor_id, count(*) AS n, min(ts) AS f, max(ts) AS l FROM alerts WHERE dst IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3',
  sensor: 'SELECT sensor_id, count(*) AS n, min(ts) AS f, max(ts) AS l FROM alerts GROUP BY 1 ORDER BY 1',
  dport: 'SELECT sensor_id, proto, dport AS port, count(*) AS n FROM alerts WHERE proto IS NOT NULL AND dport IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3',
};
const ROLLUP = {
  hour: 'SELECT hour AS h, sensor_id, sig_id, n FROM r_hour ORDER BY 1, 2, 3',
  sig: 'SELECT sig_id, sensor_id, n, first AS f, last AS l FROM r_sig ORDER BY 1, 2',
  src: 'SELECT sig_id, ip, sensor_id, n, first AS f, last AS l FROM r_sig_src ORDER BY 1, 2, 3',
  dst: 'SELECT sig_id, ip, sensor_id, n, first AS f, last AS l FROM r_sig_dst ORDER BY 1, 2, 3',
  sensor: 'SELECT sensor_id, n, first AS f, last AS l FROM r_sensor ORDER BY 1',
  dport: 'SELECT sensor_id, proto, port, n FROM r_dport ORDER BY 1, 2, 3',
};

async function assertRollupsMatch(h: Handle): Promise<void> {
  for (const k of Object.keys(RAW) as Array<keyof typeof RAW>) {
    assert.deepEqual(await h.rows(ROLLUP[k]), await h.rows(RAW[k]), `rollup ${k}`);
  }
  // The same through the interface: rollups (no filter) against raw rows (a filter that keeps all).
  const fromRollups = await h.store.summary();
  const fromRows = await h.store.summary({ sinceUs: 0 });
  assert.deepEqual(fromRollups, fromRows);
}

const bookmark = (offset: number): Bookmark => ({
  input: 'spool:x', file: 'snort.u2.1', dev: 1, inode: 2, size: 1000, offset, records: offset / 10,
  lastEventUs: T0 + offset, warnings: 1, errors: 0, updatedUs: 1,
});

for (const backend of BACKENDS) {
  describe(`Store contract: ${backend.name}`, () => {
    const withStore = async (fn: (h: Handle) => Promise<void>): Promise<void> => {
      const h = await backend.fresh();
      try {
        await fn(h);
      } finally {
        await h.store.close().catch(() => undefined);
        await h.cleanup();
      }
    };

    test('ingest and dedupe: the same identity is one alert, within a batch and across batches', () => withStore(async (h) => {
      assert.deepEqual(await h.store.ingest([...items([1, 1, 2]), item(alert(3), 3)]), { inserted: 3, duplicates: 1 });
      assert.deepEqual(await h.store.ingest(items([1, 2, 4])), { inserted: 1, duplicates: 2 });
      assert.deepEqual(await h.store.ingest([]), { inserted: 0, duplicates: 0 });
      assert.equal((await h.store.summary()).totals.alerts, 4);
      await assertRollupsMatch(h);
    }));

    test('rollups equal the raw rows after any mix of batches, duplicates and bulk imports', async () => {
      await fc.assert(fc.asyncProperty(
        fc.array(fc.record({ ids: fc.array(fc.nat(60), { maxLength: 30 }), bulk: fc.boolean() }), { maxLength: 6 }),
        (batches) => withStore(async (h) => {
          for (const b of batches) {
            if (b.bulk) await h.store.beginBulk();
            await h.store.ingest(items(b.ids));
            if (b.bulk) await h.store.endBulk();
          }
          await assertRollupsMatch(h);
        }),
      ), { numRuns: backend.name === 'postgres' ? 10 : 25 });
    });

    test('a bookmark commits with its rows, and a failing batch commits neither', () => withStore(async (h) => {
      await h.store.ingest(items([1]), bookmark(100));
      assert.deepEqual(await h.store.getBookmark('spool:x'), bookmark(100));
      // The second item of a batch fails (SQLite: inside the transaction, after the first row).
      const broken = alert(2, { sensor: null as unknown as string });
      await assert.rejects(h.store.ingest([item(alert(3), 3), item(broken, 2)], bookmark(200)));
      assert.equal((await h.store.getBookmark('spool:x'))?.offset, 100, 'bookmark unchanged');
      assert.equal((await h.store.summary()).totals.alerts, 1, 'first row of the failed batch rolled back too');
      if (backend.name === 'postgres') {
        // PostgreSQL resolves sensors before its transaction: fail inside it instead, after the
        // alerts were inserted (a link type beyond 32 bits breaks the copy of the packets).
        const late = alert(2, { packets: [{ timeUs: T0, linktype: 2 ** 40, length: 4, data: new Uint8Array(4) }] });
        await assert.rejects(h.store.ingest([item(alert(3), 3), item(late, 2)], bookmark(200)), /out of range/);
        assert.equal((await h.store.getBookmark('spool:x'))?.offset, 100, 'bookmark unchanged');
        assert.equal((await h.store.summary()).totals.alerts, 1, 'alerts of the failed batch rolled back');
        await assertRollupsMatch(h);
      }
      await h.store.ingest(items([3]), bookmark(200));
      assert.equal((await h.store.summary()).totals.alerts, 2);
      assert.deepEqual((await h.store.listBookmarks()).map((b) => b.offset), [200]);
      assert.equal(await h.store.getBookmark('nope'), undefined);
      await assertRollupsMatch(h);
    }));

    test('bulk mode: rollups caught up at endBulk, and on the next open after an interrupted bulk import', () => withStore(async (h) => {
      await h.store.ingest(items([0, 1, 2]));
      await h.store.beginBulk();
      await h.store.ingest(items(range(10, 50)));
      await h.store.ingest(items(range(40, 30)));
      // No endBulk: the process "dies" here, rows stored, rollups behind.
      await h.store.close();
      h.store = await h.another();
      assert.equal((await h.store.summary()).totals.alerts, 63);
      await assertRollupsMatch(h);
      await h.store.beginBulk();
      await h.store.ingest(items(range(100, 20)));
      await h.store.endBulk();
      assert.equal((await h.store.summary()).totals.alerts, 83);
      await assertRollupsMatch(h);
    }));

    for (const bulk of [false, true]) {
      test(`a richer duplicate adds captures once, to alerts that had none (${bulk ? 'bulk' : 'normal'} mode)`, () => withStore(async (h) => {
        const pk = (b: number): Alert['packets'] => [{ timeUs: T0, linktype: 1, length: 4, data: new Uint8Array([b, b, b, b]) }];
        const xd = (name: string): Alert['extra'] => [{ type: 4, name, value: name }];
        await h.store.ingest([item(alert(1), 1), item(alert(3, { packets: pk(3) }), 3)]); // as text, and one with a packet
        if (bulk) await h.store.beginBulk();
        // Alert 1 gains its packet and extra data; alert 2 is new, and its second copy in the same
        // batch brings nothing more; alert 3 keeps the packet it had.
        await h.store.ingest([
          item(alert(1, { packets: pk(1), extra: xd('x1') }), 1), item(alert(2, { packets: pk(2) }), 2),
          item(alert(2, { packets: pk(7), extra: xd('x7') }), 2), item(alert(3, { packets: pk(8), extra: xd('x8') }), 3),
        ]);
        await h.store.ingest([item(alert(1, { packets: pk(9), extra: xd('x9') }), 1)]); // later copies change nothing
        if (bulk) await h.store.endBulk();
        const key = (r: { ts: number }): number => Math.round((Number(r.ts) - T0) / 1_000_000_000);
        const packets = (await h.rows(h.store.kind === 'sqlite'
          ? 'SELECT a.ts, p.seq, hex(p.data) AS data FROM packets p JOIN alerts a ON a.id = p.alert_id ORDER BY 1, 2'
          : "SELECT ts, seq, upper(encode(data, 'hex')) AS data FROM packets ORDER BY 1, 2")) as Array<{ ts: number; seq: number; data: string }>;
        assert.deepEqual(packets.map((r) => [key(r), Number(r.seq), r.data]), [[1, 0, '01010101'], [2, 0, '02020202'], [3, 0, '03030303']]);
        const extra = (await h.rows(h.store.kind === 'sqlite'
          ? 'SELECT a.ts, x.name FROM extra x JOIN alerts a ON a.id = x.alert_id ORDER BY 1'
          : 'SELECT ts, name FROM extra ORDER BY 1')) as Array<{ ts: number; name: string }>;
        assert.deepEqual(extra.map((r) => [key(r), r.name]), [[1, 'x1']]);
        assert.equal((await h.store.summary()).totals.alerts, 3);
        await assertRollupsMatch(h);
      }));
    }

    test('IPv4 and IPv6 addresses both count and sort IPv4 first; packets and extra data are kept', () => withStore(async (h) => {
      const withData = alert(40, {
        packets: [{ timeUs: T0, linktype: 1, length: 3, data: new Uint8Array([1, 2, 3]) }],
        extra: [{ type: 9, name: 'http_uri', value: '/a\tb\\c\n' }, { type: 1, name: 'xff', value: new Uint8Array([0, 255]) }],
      });
      await h.store.ingest([...items(range(0, 30)), item(withData, 40)]);
      const s = await h.store.summary();
      assert.equal(s.sources.reduce((t, x) => t + x.count, 0), 31);
      const texts = s.sources.map((x) => x.ip);
      assert.ok(texts.some((t) => t.includes(':')) && texts.some((t) => !t.includes(':')));
      const byCount = new Map<number, string[]>();
      for (const x of s.sources) byCount.set(x.count, [...(byCount.get(x.count) ?? []), x.ip]);
      for (const ips of byCount.values()) {
        const firstV6 = ips.findIndex((ip) => ip.includes(':'));
        if (firstV6 >= 0) assert.ok(ips.slice(firstV6).every((ip) => ip.includes(':')), `IPv4 before IPv6 at equal counts: ${ips}`);
      }
      const pk = await h.rows('SELECT length, data FROM packets') as Array<{ length: number; data: Buffer }>;
      assert.deepEqual(pk.map((p) => [p.length, [...p.data]]), [[3, [1, 2, 3]]]);
      const ex = await h.rows('SELECT name, value FROM extra ORDER BY seq') as Array<{ name: string; value: Buffer | string }>;
      assert.deepEqual(ex.map((x) => [x.name, Buffer.from(x.value as Buffer).toString('latin1')]), [['http_uri', '/a\tb\\c\n'], ['xff', '\x00\xff']]);
    }));

    test('summary filters: time, priority, CIDR (v4 and v6), sensor, excluded signatures', () => withStore(async (h) => {
      const all = range(0, 60).map((i) => alert(i));
      await h.store.ingest(all.map((a, i) => item(a, i)));
      const inV4 = (ip: string | null, p: string): boolean => ip !== null && !ip.includes(':') && ip.startsWith(p);
      const cases: Array<[AlertFilter, (a: Alert) => boolean]> = [
        [{ sinceUs: T0 + 10_000_000_000, untilUs: T0 + 20_000_000_000 }, (a) => a.timeUs >= T0 + 10e9 && a.timeUs < T0 + 20e9],
        [{ minPriority: 2 }, (a) => a.priority !== null && a.priority <= 2],
        [{ srcCidr: '10.0.1.0/24' }, (a) => inV4(a.srcIp, '10.0.1.')],
        [{ srcCidr: '2001:db8::/32' }, (a) => a.srcIp !== null && a.srcIp.startsWith('2001:db8:')],
        [{ dstCidr: '192.0.2.0/30' }, (a) => ['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.3'].includes(a.dstIp!)],
        [{ sensors: ['b'] }, (a) => a.sensor === 'b'],
        [{ excludeSigs: [{ gid: 1, sid: 101 }], sensors: ['a', 'b'] }, (a) => a.sid !== 101],
      ];
      for (const [filter, keep] of cases) {
        const want = all.filter(keep);
        const s = await h.store.summary(filter);
        assert.equal(s.totals.alerts, want.length, JSON.stringify(filter));
        assert.equal(s.totals.sources, new Set(want.map((a) => a.srcIp)).size, JSON.stringify(filter));
        assert.equal(s.sensors.reduce((t, x) => t + x.count, 0), want.length);
        assert.equal(s.firstUs, want.length ? Math.min(...want.map((a) => a.timeUs)) : null);
      }
      const top = await h.store.summary({}, 3);
      assert.equal(top.sources.length, 3);
      assert.deepEqual(top.sensors.map((x) => x.name), ['a', 'b']);
    }));

    test('concurrent writers with overlapping batches store exactly the union', () => withStore(async (h) => {
      const writers = await Promise.all([0, 1, 2, 3].map(() => h.another()));
      try {
        // Writer w takes ids [w*40, w*40+120): each id is offered by up to three writers at once.
        const results = await Promise.all(writers.map(async (s, w) => {
          const ids = range(w * 40, 120);
          let inserted = 0;
          for (let k = 0; k < ids.length; k += 30) {
            const batch = ids.slice(k, k + 30);
            if (w % 2 === 1) batch.reverse();
            const r = await s.ingest(items(batch), { ...bookmark(k + 30), input: `w${w}` });
            inserted += r.inserted;
          }
          return inserted;
        }));
        const union = new Set(writers.flatMap((_, w) => range(w * 40, 120))).size;
        assert.equal(results.reduce((t, n) => t + n, 0), union, 'each alert inserted by exactly one writer');
        assert.equal((await h.store.summary()).totals.alerts, union);
        assert.deepEqual((await h.rows('SELECT count(*) AS c FROM alerts')).map((r) => Number((r as { c: number }).c)), [union]);
        assert.equal((await h.store.listBookmarks()).length, 4);
        await assertRollupsMatch(h);
      } finally {
        for (const s of writers) await s.close();
      }
    }));

    test('registerInput returns one id per (path, format, sensor)', () => withStore(async (h) => {
      const a = await h.store.registerInput('/x', 'unified2', 's');
      assert.equal(await h.store.registerInput('/x', 'unified2', 's'), a);
      assert.notEqual(await h.store.registerInput('/x', 'alert_fast', 's'), a);
    }));
  });
}

test('SQLite and PostgreSQL give identical summaries for the same batches', async () => {
  const handles = await Promise.all(BACKENDS.map((b) => b.fresh()));
  try {
    const batches = [range(0, 40), range(20, 40), [5, 5, 61, 62]];
    for (const h of handles) for (const b of batches) await h.store.ingest(items(b));
    const filters: AlertFilter[] = [{}, { sensors: ['a'] }, { minPriority: 1 }, { srcCidr: '10.0.0.0/8' }, { untilUs: T0 + 30e9 }];
    for (const f of filters) {
      const [a, b] = await Promise.all(handles.map((h) => h.store.summary(f, 5)));
      assert.deepEqual(b, a, JSON.stringify(f));
    }
  } finally {
    for (const h of handles) {
      await h.store.close();
      await h.cleanup();
    }
  }
});
