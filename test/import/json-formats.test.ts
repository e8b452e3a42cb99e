/** Snort 3 alert_json and Suricata EVE imports (fixtures written by us: see fixtures/json/README.md). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { freshSqlite } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import type { Warning } from '../../src/errors.js';
import { eveTimeMicros } from '../../src/inputs/json/eve.js';

const FIX = path.resolve('test/fixtures/json');

test('EVE: alerts with their metadata, IPv6, minimal records; other event types skipped; bad line warned', async () => {
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  try {
    const r = await importFiles(store, [path.join(FIX, 'eve.json')], { warn: (w) => warnings.push(w) });
    assert.equal(r.files[0]!.format, 'eve');
    assert.equal(r.totals.inserted, 6);
    const bad = warnings.filter((w) => w.code === 'SNARF_TEXT_BAD_LINE');
    assert.equal(bad.length, 1);
    assert.equal(bad[0]!.line, 9);
    assert.match(bad[0]!.message, /invalid JSON/);
    assert.equal(warnings.length, 2, 'and one saying the flow event was not kept (no home networks)');
    const s = await store.summary();
    assert.deepEqual(s.sensors.map((x) => [x.name, x.count]).sort(), [['default', 4], ['dorm-suricata', 2]]);
    const curl = s.signatures.find((g) => g.sid === 2013028)!;
    assert.equal(curl.classification, 'Attempted Information Leak');
    assert.equal(curl.priority, 2);
    const extra = store.db.prepare(`SELECT x.name, x.value FROM extra x JOIN alerts a ON a.id = x.alert_id
      JOIN signatures g ON g.id = a.sig_id WHERE g.sid = 2013028 ORDER BY x.seq`).all() as Array<{ name: string; value: string | Buffer }>;
    const byName = Object.fromEntries(extra.map((x) => [x.name, typeof x.value === 'string' ? x.value : x.value.toString()]));
    assert.equal(byName.http_hostname, 'evil.example<script>');
    assert.equal(byName.http_uri, '/robots.txt?"><img src=x onerror=alert(1)>');
    assert.equal(byName.xff, '192.0.2.99');
    assert.equal(byName.payload, 'GET /robots.txt HTTP/1.1\r\n');
    assert.equal(byName.flow_id, '998877');
    const icmp6 = s.signatures.find((g) => g.sid === 2100366)!;
    assert.equal(icmp6.gid, 1, 'gid defaults to 1');
    assert.ok(s.sources.some((h) => h.ip === '2001:db8:bad:c0::99'));
    // +0900 and Z zones both land in UTC.
    assert.equal(eveTimeMicros('2026-11-20T19:00:01.500000+0900'), Date.UTC(2026, 10, 20, 10, 0, 1, 500) * 1000);
    assert.equal(eveTimeMicros('2026-11-20T10:00:01.5+09:00'), Date.UTC(2026, 10, 20, 1, 0, 1, 500) * 1000);
    const again = await importFiles(store, [path.join(FIX, 'eve.json')], { warn: () => undefined });
    assert.equal(again.totals.inserted, 0, 're-import adds nothing');
  } finally {
    await store.close();
  }
});

test('Snort 3 alert_json: default and full field sets, IPv6 addr:port, unquoted hex tolerated, bad line warned', async () => {
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  try {
    const r = await importFiles(store, [path.join(FIX, 'snort3-alert_json.txt')], { sensor: 's3', year: 2026, tz: 'UTC', warn: (w) => warnings.push(w) });
    assert.equal(r.files[0]!.format, 'snort3_json');
    assert.equal(r.totals.inserted, 5);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.line, 6);
    const rows = store.db.prepare(`SELECT g.gid, g.sid, a.ts, a.sport, a.dport, g.message, g.classification, g.priority FROM alerts a
      JOIN signatures g ON g.id = a.sig_id ORDER BY a.id`).all() as Array<Record<string, unknown>>;
    assert.deepEqual(rows.map((x) => x.sid), [1000032, 1000040, 1000001, 1000053, 1]);
    assert.equal(rows[0]!.ts, Date.UTC(2026, 10, 20, 10, 0, 0) * 1000 + 88806);
    assert.equal(rows[1]!.ts, 1795600801 * 1_000_000 + 250000, 'seconds preferred, microseconds from the text');
    assert.equal(rows[1]!.dport, 80);
    assert.equal(rows[1]!.classification, 'Potential Corporate Privacy Violation');
    assert.equal(rows[2]!.sport, 15682);
    assert.equal(rows[3]!.sport, null, 'ICMPv6 has no ports');
    assert.equal(rows[3]!.classification, null, 'class "none" is no class');
    const s = await store.summary();
    assert.ok(s.destinations.some((h) => h.ip === '2001:db8:beef::1c'));
  } finally {
    await store.close();
  }
});

test('EVE flow events feed the flow rollups for internal hosts, or say why not', async () => {
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  try {
    await importFiles(store, [path.join(FIX, 'eve.json')], { warn: (w) => warnings.push(w) });
    const noNets = warnings.find((w) => /EVE flow events not kept/.test(w.message));
    assert.ok(noNets, 'without home networks the flow is not kept, and a warning says so');
    assert.match(noNets!.message, /--home-net/);
  } finally {
    await store.close();
  }
  const b = freshSqlite();
  try {
    const r = await importFiles(b.store, [path.join(FIX, 'eve.json')], { flow: { homeNets: ['163.221.0.0/16'] }, warn: () => undefined });
    assert.equal(r.totals.inserted, 6);
    const rows = b.store.db.prepare('SELECT hex(host) host, flows, bytes, packets FROM flow_peers').all() as Array<{ host: string; flows: number; bytes: number; packets: number }>;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.host.toLowerCase(), '00000000000000000000ffffa3dd0a0e', '163.221.10.14');
    assert.equal(rows[0]!.bytes, 900 + 120000);
    assert.equal(rows[0]!.packets, 22);
    assert.equal(rows[0]!.flows, 1);
    const again = await importFiles(b.store, [path.join(FIX, 'eve.json')], { flow: { homeNets: ['163.221.0.0/16'] }, warn: () => undefined });
    assert.equal(again.totals.inserted, 0);
    assert.equal((b.store.db.prepare('SELECT sum(flows) n FROM flow_peers').get() as { n: number }).n, 1, 're-import adds no flows');
  } finally {
    await b.store.close();
  }
});
