/**
 * Signature rows with the same count (a host's or a network page's signature table) are listed
 * by gid:sid, not in the store's row id order: SQLite numbers signatures in the order an import
 * first meets them, PostgreSQL per batch, so id order would make the page depend on which store
 * and which import order produced it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Alert } from '../../src/model/alert.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { buildSite } from '../../src/report/build-site.js';
import { read } from './site-check.js';

function alert(i: number, sid: number, src: string): Alert {
  return {
    sensor: 'sensor-a', timeUs: Date.UTC(2026, 10, 20, 10) * 1000 + i * 1_000_000, gid: 1, sid, rev: 1,
    message: `rule ${sid}`, classification: 'Misc activity', priority: 3, protocol: 6,
    srcIp: src, srcPort: 40000 + i, dstIp: '198.51.100.1', dstPort: 80, eventId: null, eventSecond: null,
    references: [], packets: [], extra: [], origin: { format: 'unified2', file: 'order.u2', offset: i * 100 },
  };
}

test('signatures of equal count are listed by gid:sid whatever order the import met them in', async () => {
  const { store } = freshSqlite();
  const out = tempDir('snarf-order-');
  try {
    // 1:1000009 is met first (lower row id), then 1:1000003; both twice, from one source.
    const sids = [1000009, 1000009, 1000003, 1000003];
    await store.ingest(sids.map((sid, i) => ({ alert: alert(i, sid, '163.221.7.7'), identity: `o|${i}` })));
    await buildSite(store, { outDir: out, limits: { minHostPage: 2 }, analysis: false });
    const table = (rel: string): string[] => [...read(out, rel).matchAll(/<td>(1:\d+:1)<td>2\n/g)].map((m) => m[1]!);
    assert.deepEqual(table('src/163.221.7.7.html'), ['1:1000003:1', '1:1000009:1']);
    assert.deepEqual(table('dst/198.51.100.1.html'), ['1:1000003:1', '1:1000009:1']);
  } finally {
    await store.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
});
