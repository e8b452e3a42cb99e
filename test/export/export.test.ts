/**
 * Export: CSV with a header and quoting that survives hostile text; EVE that imports back
 * into exactly the same alerts and counts (real Snort output in, EVE out, EVE in).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import { exportAlerts } from '../../src/export/export.js';
import { exportReadsFor } from '../../src/store/reads/reads-for.js';
import { csvCell } from '../../src/export/csv-format.js';
import { splitCsv } from '../../src/inputs/snort-text/csv.js';
import { loadCatalog } from '../../src/cli/catalog.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

async function exported(store: SqliteStore, format: 'json' | 'csv' | 'eve', filter = {}): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportAlerts(exportReadsFor(store), filter, format, out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

function identities(store: SqliteStore): unknown[] {
  return store.db.prepare(`SELECT s.name, a.ts, g.gid, g.sid, a.rev, a.proto, hex(a.src) src, a.sport, hex(a.dst) dst, a.dport,
      coalesce(a.msg, g.message) msg, coalesce(a.priority, g.priority) pri
    FROM alerts a JOIN signatures g ON g.id = a.sig_id JOIN sensors s ON s.id = a.sensor_id ORDER BY a.ts, g.sid, a.sport, a.dport, src, dst`).all();
}

test('import real Snort output, export as EVE, import again: every alert and count preserved', async () => {
  const a = freshSqlite();
  const b = freshSqlite();
  try {
    const catalog = await loadCatalog([corpusPath('snort', 'rules')], true, () => undefined);
    for (const [sensor, tz] of [['sensor-a', 'UTC'], ['sensor-b', 'Asia/Tokyo']] as const) {
      const dir = corpusPath('snort', 'out', sensor, 'spool');
      const files = fs.readdirSync(dir).filter((n) => n.startsWith('snort.u2.') || n === 'alert.full').map((n) => path.join(dir, n));
      await importFiles(a.store, files, { sensor, tz, catalog, warn: () => undefined });
    }
    const before = await a.store.summary();
    assert.equal(before.totals.alerts, 549 + 407);
    const eve = await exported(a.store, 'eve');
    const lines = eve.trimEnd().split('\n');
    assert.equal(lines.length, 956);
    const first = JSON.parse(lines[0]!) as Record<string, any>;
    assert.equal(first.event_type, 'alert');
    assert.match(first.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
    assert.ok(['sensor-a', 'sensor-b'].includes(first.host));
    assert.ok(typeof first.alert.signature_id === 'number' && typeof first.alert.severity === 'number');
    assert.ok(lines.some((l) => (JSON.parse(l) as { http?: { url?: string } }).http?.url !== undefined), 'unified2 URIs become http.url');
    assert.ok(lines.some((l) => (JSON.parse(l) as { packet?: string }).packet !== undefined), 'packets exported');
    const file = path.join(tempDir(), 'eve.json');
    fs.writeFileSync(file, eve);
    const r = await importFiles(b.store, [file], { warn: (w) => assert.fail(JSON.stringify(w)) });
    assert.equal(r.totals.inserted, 956);
    const after = await b.store.summary();
    assert.deepEqual(after.totals, before.totals);
    assert.deepEqual(after.signatures.map((g) => [g.gid, g.sid, g.rev, g.count, g.sources, g.destinations]),
      before.signatures.map((g) => [g.gid, g.sid, g.rev, g.count, g.sources, g.destinations]));
    assert.deepEqual(after.sensors, before.sensors);
    assert.deepEqual(identities(b.store), identities(a.store));
  } finally {
    await a.store.close();
    await b.store.close();
  }
});

test('CSV: header row, quoting, formula-looking cells defused, filters applied', async () => {
  const { store } = freshSqlite();
  try {
    await importFiles(store, [path.resolve('test/fixtures/json/eve.json')], { warn: () => undefined });
    const csv = await exported(store, 'csv');
    const rows = csv.trimEnd().split('\r\n').map(splitCsv);
    assert.deepEqual(rows[0]!.slice(0, 6), ['timestamp', 'sensor', 'gid', 'sid', 'rev', 'message']);
    assert.equal(rows.length, 1 + 6);
    const curl = rows.find((r) => r[3] === '2013028')!;
    assert.equal(curl[15], '/robots.txt?"><img src=x onerror=alert(1)>');
    assert.equal(curl[14], 'evil.example<script>');
    assert.equal(csvCell('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
    assert.equal(csvCell('a,b'), '"a,b"');
    const only = await exported(store, 'csv', { srcCidr: '2001:db8::/32' });
    assert.equal(only.trimEnd().split('\r\n').length, 1 + 2);
    const json = (await exported(store, 'json', { minPriority: 1 })).trimEnd().split('\n').map((l) => JSON.parse(l) as { sid: number });
    assert.deepEqual(json.map((j) => j.sid), [2008581]);
  } finally {
    await store.close();
  }
});
