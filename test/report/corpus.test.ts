/**
 * The site built from real Snort 2.9.6.2 output (../shared/corpus/snort): for every run of both
 * sensors, the index and signature pages show expected.json's counts, top-sources and
 * top-destinations its per-host counts, and every internal link resolves to a file. One
 * unified2 run checks payload dumps and extra data; a re-run checks incremental writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import { loadCatalog } from '../../src/cli/catalog.js';
import { buildSite } from '../../src/report/build-site.js';
import { sigPagePath } from '../../src/report/filenames.js';
import { checkLinks, decodeEntities, hostLocation, hostRows, hostSection, htmlFiles, indexSignatures, linksOn, read } from './site-check.js';

interface Run {
  per_signature: Record<string, number>;
  per_source: Record<string, number>;
  per_destination: Record<string, number>;
  per_signature_source: Record<string, Record<string, number>>;
}
const expected = JSON.parse(fs.readFileSync(corpusPath('snort', 'expected.json'), 'utf8')) as { runs: Record<string, Run> };
const rules = corpusPath('snort', 'rules');

for (const [runName, run] of Object.entries(expected.runs)) {
  test(`${runName}: index, signature and top pages match expected.json; links resolve`, async () => {
    const sensor = runName.split('/')[0]!;
    const { store } = freshSqlite();
    const out = tempDir('snarf-site-');
    try {
      const catalog = await loadCatalog([rules], true, () => {});
      const dir = corpusPath('snort', 'out', runName);
      await importFiles(store, [path.join(dir, 'alert.fast')], {
        sensor, tz: sensor === 'sensor-b' ? 'Asia/Tokyo' : 'UTC', catalog, warn: () => {},
      });
      const r = await buildSite(store, { outDir: out, catalog });
      const total = Object.values(run.per_signature).reduce((a, b) => a + b, 0);
      const index = read(out, 'index.html');
      assert.equal(Number(/id="total-alerts" data-v="(\d+)"/.exec(index)?.[1]), total);
      assert.equal(Number(/id="total-sources">(\d+)</.exec(index)?.[1]), Object.keys(run.per_source).length);
      assert.equal(Number(/id="total-destinations">(\d+)</.exec(index)?.[1]), Object.keys(run.per_destination).length);
      const rows = indexSignatures(index);
      const want = new Map<string, { count: number; message: string }>();
      for (const [k, n] of Object.entries(run.per_signature)) want.set(k.slice(0, k.indexOf(' ')), { count: n, message: k.slice(k.indexOf(' ') + 1) });
      assert.deepEqual(new Set(rows.keys()), new Set(want.keys()));
      for (const [id, w] of want) {
        const row = rows.get(id)!;
        assert.equal(row.count, w.count, `${runName} ${id} count`);
        assert.equal(decodeEntities(row.message), w.message, `${runName} ${id} message`);
        const [gid, sid] = id.split(':').map(Number) as [number, number];
        const sources = run.per_signature_source[`${gid}:${sid}`] ?? {};
        assert.equal(row.sources, Object.keys(sources).length, `${runName} ${id} sources`);
        const page = read(out, sigPagePath(gid, sid));
        assert.equal(Number(/id="sig-count" data-v="(\d+)"/.exec(page)?.[1]), w.count);
        assert.match(page, new RegExp(`id="sig-id">${id}<`));
        assert.deepEqual(Object.fromEntries(hostRows(page, 'sources')), sources, `${runName} ${id} per-source counts`);
      }
      assert.deepEqual(Object.fromEntries(hostRows(read(out, 'top-sources.html'), 'hosts')), run.per_source);
      assert.deepEqual(Object.fromEntries(hostRows(read(out, 'top-destinations.html'), 'hosts')), run.per_destination);
      const links = checkLinks(out);
      assert.deepEqual(links.problems, []);
      assert.equal(r.sources, Object.keys(run.per_source).length);
      assert.equal(r.destinations, Object.keys(run.per_destination).length);
      // Every host is shown on each side it appears on: its own page from 20 alerts up, else a
      // section of its network's page (and every link to it carries the section's anchor).
      for (const [side, hosts] of [['src', run.per_source], ['dst', run.per_destination]] as const) {
        for (const [ip, n] of Object.entries(hosts)) {
          const loc = hostLocation(out, side, ip);
          assert.ok(loc, `${side} ${ip}`);
          assert.equal(loc.anchor === null, n >= 20, `${side} ${ip} (${n} alerts): ${loc.file}`);
          if (loc.anchor !== null) assert.equal(fs.existsSync(path.join(out, side, `${ip.replace(/:/g, '-')}.html`)), false);
        }
      }
    } finally {
      await store.close();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
}

test('unified2 spool of sensor-a: payloads as escaped hex + ASCII, extra data, rule text, paging', async () => {
  const { store } = freshSqlite();
  const out = tempDir('snarf-site-');
  try {
    const catalog = await loadCatalog([rules], true, () => {});
    const dir = corpusPath('snort', 'out', 'sensor-a', 'spool');
    const u2 = fs.readdirSync(dir).filter((n) => n.startsWith('snort.u2.')).map((n) => path.join(dir, n));
    await importFiles(store, u2, { sensor: 'sensor-a', catalog, warn: () => {} });
    // sensor-b's first spool file too: two sensors from the start (alert rows name the sensor;
    // a site of one sensor names it once per page instead).
    const dirB = corpusPath('snort', 'out', 'sensor-b', 'spool');
    const u2b = fs.readdirSync(dirB).filter((n) => n.startsWith('snort.u2.')).sort().map((n) => path.join(dirB, n));
    const b1 = (await importFiles(store, u2b.slice(0, 1), { sensor: 'sensor-b', catalog, warn: () => {} })).totals.inserted;
    assert.ok(b1 > 0 && b1 < 407);
    const r = await buildSite(store, { outDir: out, catalog, limits: { pageSize: 7 } });
    const links = checkLinks(out);
    assert.deepEqual(links.problems, []);
    assert.ok(links.anchors > 0, 'links into network pages carry anchors, and they were checked');
    assert.equal(Number(/id="total-alerts" data-v="(\d+)"/.exec(read(out, 'index.html'))?.[1]), 549 + b1);
    // Two sensors: every alert line ends with its sensor's name.
    const busy = read(out, 'src/163.221.10.14.html');
    assert.match(busy, /Per alert: time, gid:sid:rev, protocol, src port, destination:port, sensor\./);
    const lines = busy.split('\n').filter((l) => /^(?:<dd>)?\d\d:\d\d:\d\d\.\d{6} /.test(l));
    assert.ok(lines.length > 0 && lines.every((l) => / sensor-[ab]$/.test(l)), 'sensor at the end of each line');
    // The IRC bot (12 alerts: a section of its /24's page) has its NICK line in the payload dump.
    assert.deepEqual(hostLocation(out, 'src', '163.221.10.17'), { file: 'src/net/163.221.10.0-24.html', anchor: 'h17' });
    const bot = hostSection(out, 'src', '163.221.10.17');
    assert.match(bot, /<pre class="hex">0000 {2}4e 49 43 4b/);
    // Extra data (HTTP URI / hostname / XFF / SMTP) appears on some host page.
    const pages = htmlFiles(out).map((f) => fs.readFileSync(f, 'utf8'));
    assert.ok(pages.some((p) => /<span class="k">http_uri<\/span>/.test(p)), 'an http_uri extra-data line');
    assert.ok(pages.some((p) => /<span class="k">smtp_rcptto<\/span>|<span class="k">smtp_mailfrom<\/span>/.test(p)), 'an SMTP extra-data line');
    // Rule text from local.rules on the signature page.
    assert.match(read(out, 'sig/1-1000032.html'), /<pre class="rule">alert tcp/);
    // 163.221.10.14 (mass downloader) has more than 7 alerts: several pages, linked both ways.
    const first = read(out, 'src/163.221.10.14.html');
    assert.match(first, /Alerts, page 1 of (\d+)/);
    assert.ok(fs.existsSync(path.join(out, 'src/163.221.10.14/2.html')));
    assert.ok(linksOn(out, 'src/163.221.10.14/2.html').includes('src/163.221.10.14.html#alerts'), 'page 2 links back to page 1');
    assert.ok(linksOn(out, 'src/163.221.10.14.html').includes('src/163.221.10.14/2.html#alerts'), 'page 1 links on to page 2');
    // IPv6 hosts are grouped by /64, with colon-free names.
    assert.deepEqual(hostLocation(out, 'src', '2001:db8:a3dd:10::11'), { file: 'src/net/2001-db8-a3dd-10---64.html', anchor: 'h11' });

    // A second run over the same store writes nothing and skips every host unread.
    const again = await buildSite(store, { outDir: out, catalog, limits: { pageSize: 7 } });
    assert.equal(again.written, 0);
    assert.equal(again.removed, 0);
    assert.equal(again.files, r.files);
    assert.equal(again.hostsSkipped, r.sources + r.destinations);

    // New alerts (the rest of sensor-b's spool) rewrite the pages they touch, not the whole site.
    await importFiles(store, u2b.slice(1), { sensor: 'sensor-b', catalog, warn: () => {} });
    const third = await buildSite(store, { outDir: out, catalog, limits: { pageSize: 7 } });
    assert.ok(third.written > 0 && third.written < third.files, `wrote ${third.written} of ${third.files}`);
    assert.ok(third.hostsSkipped > 0, 'hosts sensor-b never saw are skipped');
    assert.equal(Number(/id="total-alerts" data-v="(\d+)"/.exec(read(out, 'index.html'))?.[1]), 549 + 407);
    assert.deepEqual(checkLinks(out).problems, []);
    // The incremental result is exactly the site a fresh build writes.
    const fresh = tempDir('snarf-site-');
    try {
      await buildSite(store, { outDir: fresh, catalog, limits: { pageSize: 7 } });
      const files = (d: string): string[] => htmlFiles(d).map((f) => path.relative(d, f));
      assert.deepEqual(files(out), files(fresh));
      for (const f of files(fresh)) assert.equal(read(out, f), read(fresh, f), f);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }

    // A filter (only sensor-b, priority 1) removes pages of hosts it leaves out.
    const filtered = await buildSite(store, { outDir: out, catalog, filter: { sensors: ['sensor-b'], minPriority: 1 } });
    assert.ok(filtered.removed > 0);
    assert.deepEqual(checkLinks(out).problems, []);
    assert.match(read(out, 'index.html'), /filter: priority ≤ 1; sensors sensor-b/);

    // SnortSnarf's layout on request: a page per address, the network pages removed.
    const perHost = await buildSite(store, { outDir: out, catalog, limits: { minHostPage: 1 } });
    assert.equal(fs.existsSync(path.join(out, 'src', 'net')) && fs.readdirSync(path.join(out, 'src', 'net')).length > 0, false);
    assert.ok(perHost.removed > 0);
    assert.ok(fs.existsSync(path.join(out, 'src/163.221.10.17.html')));
    assert.ok(fs.existsSync(path.join(out, 'src/2001-db8-a3dd-10--11.html')));
    assert.deepEqual(checkLinks(out).problems, []);
  } finally {
    await store.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('a richer duplicate (unified2 after alert_fast) adds payloads to pages a re-run had kept', async () => {
  const { store } = freshSqlite();
  const out = tempDir('snarf-site-');
  try {
    const catalog = await loadCatalog([rules], true, () => {});
    const dir = corpusPath('snort', 'out', 'sensor-a', 'irc');
    await importFiles(store, [path.join(dir, 'alert.fast')], { sensor: 'sensor-a', tz: 'UTC', catalog, warn: () => {} });
    await buildSite(store, { outDir: out, catalog });
    assert.doesNotMatch(hostSection(out, 'src', '163.221.10.17'), /class="hex"/);
    const u2 = fs.readdirSync(dir).filter((n) => n.startsWith('snort.u2.')).map((n) => path.join(dir, n));
    const r = await importFiles(store, u2, { sensor: 'sensor-a', catalog, warn: () => {} });
    assert.equal(r.totals.inserted, 0, 'the same alerts, merged');
    const again = await buildSite(store, { outDir: out, catalog });
    assert.equal(again.hostsSkipped, 0);
    assert.match(hostSection(out, 'src', '163.221.10.17'), /<pre class="hex">0000 {2}4e 49 43 4b/);
  } finally {
    await store.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
});
