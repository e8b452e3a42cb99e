/**
 * The host layout across re-runs: a host that reaches --min-host-page moves from its network
 * page's section to pages of its own, and pages of the OTHER side that link to it (and whose own
 * alerts did not change, so their keys did not either) are rendered again with the new link.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Alert } from '../../src/model/alert.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { buildSite } from '../../src/report/build-site.js';
import { checkLinks, hostLocation, htmlFiles, linksOn, read } from './site-check.js';

function alert(i: number, src: string, dst: string): Alert {
  return {
    sensor: 'sensor-a', timeUs: Date.UTC(2026, 10, 20, 10) * 1000 + i * 1_000_000, gid: 1, sid: 1000001, rev: 1,
    message: 'P2P test', classification: 'Misc activity', priority: 3, protocol: 6,
    srcIp: src, srcPort: 40000 + i, dstIp: dst, dstPort: 6881, eventId: null, eventSecond: null,
    references: [], packets: [], extra: [], origin: { format: 'unified2', file: 'layout.u2', offset: i * 100 },
  };
}

test('a host reaching --min-host-page gets its own pages; the other side links there on the next run', async () => {
  const { store } = freshSqlite();
  const out = tempDir('snarf-layout-');
  try {
    // 163.221.7.7 sends 4 alerts to 198.51.100.1 (a busy destination with 6 from elsewhere too).
    const items = [];
    for (let i = 0; i < 4; i++) items.push({ alert: alert(i, '163.221.7.7', '198.51.100.1'), identity: `a|${i}` });
    for (let i = 4; i < 10; i++) items.push({ alert: alert(i, `163.221.8.${i}`, '198.51.100.1'), identity: `a|${i}` });
    await store.ingest(items);
    const limits = { minHostPage: 5 };
    await buildSite(store, { outDir: out, limits });
    assert.deepEqual(hostLocation(out, 'src', '163.221.7.7'), { file: 'src/net/163.221.7.0-24.html', anchor: 'h7' });
    assert.equal(hostLocation(out, 'dst', '198.51.100.1')?.anchor, null);
    assert.ok(linksOn(out, 'dst/198.51.100.1.html').includes('src/net/163.221.7.0-24.html#h7'));

    // Two more alerts from 163.221.7.7, to another destination: 198.51.100.1's own alerts are
    // unchanged, but its rows must now link to 163.221.7.7's own page.
    await store.ingest([10, 11].map((i) => ({ alert: alert(i, '163.221.7.7', '198.51.100.2'), identity: `a|${i}` })));
    const again = await buildSite(store, { outDir: out, limits });
    assert.equal(hostLocation(out, 'src', '163.221.7.7')?.anchor, null);
    const links = linksOn(out, 'dst/198.51.100.1.html');
    assert.ok(links.includes('src/163.221.7.7.html'));
    assert.ok(!links.includes('src/net/163.221.7.0-24.html#h7'), 'no link to the old section is left');
    // Its /24 has no other small source: the network page is gone.
    assert.equal(fs.existsSync(path.join(out, 'src/net/163.221.7.0-24.html')), false);
    assert.ok(again.removed >= 1);
    assert.deepEqual(checkLinks(out).problems, []);
    const fresh = tempDir('snarf-layout-');
    try {
      await buildSite(store, { outDir: fresh, limits });
      const files = (d: string): string[] => htmlFiles(d).map((f) => path.relative(d, f));
      assert.deepEqual(files(out), files(fresh));
      for (const f of files(fresh)) assert.equal(read(out, f), read(fresh, f), f);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }

    // Nothing new: everything is kept, nothing read.
    const third = await buildSite(store, { outDir: out, limits });
    assert.equal(third.written, 0);
    assert.equal(third.hostsSkipped, third.sources + third.destinations);
  } finally {
    await store.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
});
