/**
 * The report's analysis pages (clusters, anomalies, p2p, sensors, policy) on the real corpus:
 * both sensors' unified2 output of the irc, ipv6, p2p and recon runs, the site built first (so
 * host links can be followed), then writeAnalysisPages into the same directory. Also: a bare
 * store (no flows, no policy, no home networks) degrades with explanations, and hostile nicks,
 * channels, messages and sensor names render as text.
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
import { writeAnalysisPages, type PageWriter } from '../../src/report/pages/analysis-pages.js';
import { hostVerdicts } from '../../src/analysis/host-verdicts.js';
import { sensorId, signatureCounts } from '../../src/store/sqlite/sensor-queries.js';
import { storedAlert } from '../analysis/irc-fixtures.js';
import { decodeEntities, read } from './site-check.js';

const PAGES = ['clusters.html', 'anomalies.html', 'p2p.html', 'sensors.html', 'policy.html'];
const HOME = ['163.221.0.0/16', '2001:db8:a3dd::/48'];
const NOW = new Date('2026-11-21T00:00:00Z');

/** Writes straight to files (the lead's build passes its SiteWriter instead). */
function fileWriter(dir: string): PageWriter {
  return {
    async write(rel, content) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
    },
  };
}

const u2 = (sensor: string, run: string): string[] => {
  const dir = corpusPath('snort', 'out', sensor, run);
  return fs.readdirSync(dir).filter((n) => n.startsWith('snort.u2.')).map((n) => path.join(dir, n));
};

/** The `<section>` / table row text of an address on a page, tags stripped. */
function rowOf(html: string, id: string): string {
  const i = html.indexOf(`id="${id}"`);
  assert.ok(i >= 0, `no element with id ${id}`);
  const end = html.indexOf('</tr>', i);
  return decodeEntities(html.slice(i, end).replace(/<[^>]+>/g, ' '));
}

const ATTRS = /\s([a-zA-Z][\w:-]*)(?:=(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** Attributes of every tag, parsed in order so text inside a quoted value is never an attribute. */
function* tags(html: string): Generator<{ tag: string; attrs: Map<string, string> }> {
  for (const t of html.matchAll(/<([a-z][a-z0-9]*)\b([^>]*)>/gi)) {
    const attrs = new Map<string, string>();
    for (const a of t[2]!.matchAll(ATTRS)) attrs.set(a[1]!.toLowerCase(), decodeEntities(a[2] ?? a[3] ?? a[4] ?? ''));
    yield { tag: t[1]!.toLowerCase(), attrs };
  }
}

/**
 * Links on the analysis pages that do not resolve: a missing file, a `#fragment` no element of
 * the target has as its id, or anything not relative (other pages are the site build's to check).
 */
function linkProblems(out: string): string[] {
  const problems: string[] = [];
  const ids = new Map<string, Set<string>>();
  const idsIn = (file: string): Set<string> => {
    let s = ids.get(file);
    if (!s) ids.set(file, (s = new Set([...tags(fs.readFileSync(file, 'utf8'))].map((t) => t.attrs.get('id')).filter((x): x is string => !!x))));
    return s;
  };
  for (const page of PAGES) {
    for (const { attrs } of tags(read(out, page))) {
      for (const name of ['href', 'src']) {
        const url = attrs.get(name);
        if (url === undefined) continue;
        if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('/')) {
          problems.push(`${page}: non-relative ${url}`);
          continue;
        }
        const [file, frag] = url.split('#') as [string, string | undefined];
        const target = path.resolve(out, file || page);
        if (!fs.existsSync(target)) problems.push(`${page}: broken ${url}`);
        else if (frag && !idsIn(target).has(frag)) problems.push(`${page}: no id ${frag} in ${file || page}`);
      }
    }
  }
  return problems;
}

test('corpus: clusters, anomalies, p2p, sensors and policy pages', async () => {
  const { store, path: db } = freshSqlite();
  const out = tempDir('snarf-ana-');
  try {
    const catalog = await loadCatalog([corpusPath('snort', 'rules')], true, () => {});
    for (const sensor of ['sensor-a', 'sensor-b']) {
      const files = ['irc', 'ipv6', 'p2p', 'recon'].flatMap((r) => u2(sensor, r));
      await importFiles(store, files, { sensor, catalog, warn: () => {} });
    }
    fs.copyFileSync('rules/policy.example.yaml', `${db}.policy.yaml`);
    await buildSite(store, { outDir: out, catalog });
    const r = await writeAnalysisPages({ store, dbPath: db, writer: fileWriter(out), homeNets: HOME, now: NOW });
    assert.deepEqual(r.pages, PAGES);

    // clusters.html: 203.0.113.66 with its 7 bots, 198.51.100.23 (IRC on port 80) with 2.
    const clusters = read(out, 'clusters.html');
    const cl = (server: string): string => {
      const start = clusters.indexOf(`id="c-${server.replace(/\./g, '-')}"`);
      assert.ok(start >= 0, `cluster ${server} listed`);
      return clusters.slice(start, clusters.indexOf('</section>', start));
    };
    const a = cl('203.0.113.66');
    assert.match(a, /<span class="members">7<\/span>/);
    for (const h of ['163.221.10.17', '163.221.10.18', '163.221.52.27', '163.221.130.37', '163.221.200.47', '163.221.52.28', '163.221.200.48']) {
      assert.match(a, new RegExp(`>${h.replace(/\./g, '\\.')}<`), `${h} is a member`);
    }
    assert.match(a, /#x0x/);
    assert.match(a, /\[JPN\|XP\|nnnnnn\]/);
    assert.match(a, /!ddos\.syn/);
    const b = cl('198.51.100.23');
    assert.match(b, /<span class="members">2<\/span>/);
    assert.match(b, /80 <strong class="flag">\(IRC on port 80\)<\/strong>/);
    assert.match(clusters, /id="chat-servers"[\s\S]*192\.0\.2\.6/, 'the ordinary chat server is listed apart');
    assert.match(clusters, /Home networks \(given to the report\)/);

    // p2p.html: every P2P host of the p2p run with the level hostVerdicts gives it.
    const p2p = read(out, 'p2p.html');
    const verdicts = await hostVerdicts(store, { homeNets: ['163.221.0.0/16'] });
    const p2pHosts = ['163.221.10.11', '163.221.10.12', '163.221.10.13', '163.221.52.21', '163.221.130.31', '163.221.200.41', '163.221.10.15', '163.221.52.25', '163.221.200.45'];
    for (const h of p2pHosts) {
      const v = verdicts.find((x) => x.host === h);
      assert.ok(v, `${h} has a verdict`);
      const row = rowOf(p2p, `h-${h.replace(/\./g, '-')}`);
      assert.match(row, new RegExp(`\\b${v.level}\\b`), `${h} is ${v.level} on the page`);
    }
    assert.equal(Number(/id="verdict-count">(\d+)</.exec(p2p)?.[1]), r.data.verdicts.value!.length);
    assert.match(p2p, /id="no-flows"/, 'no sFlow imported: the page says so');

    // sensors.html: both sensors, per-signature counts as the store's rollups have them.
    const sensors = read(out, 'sensors.html');
    assert.match(sensors, /data-sensor="sensor-a"/);
    assert.match(sensors, /data-sensor="sensor-b"/);
    const counts = signatureCounts(store.db, sensorId(store.db, 'sensor-a')!, sensorId(store.db, 'sensor-b')!, {});
    assert.ok(counts.length > 10);
    for (const c of counts) {
      const m = new RegExp(`data-sig="${c.gid}:${c.sid}:${c.rev}">[\\s\\S]*?class="n c-a">(\\d+)<[\\s\\S]*?class="n c-b">(\\d+)<`).exec(sensors);
      assert.ok(m, `${c.gid}:${c.sid} compared`);
      assert.deepEqual([Number(m[1]), Number(m[2])], [c.a, c.b], `${c.gid}:${c.sid} counts`);
    }
    assert.equal((sensors.match(/<svg /g) ?? []).length, 1, 'one chart for both sensors');
    assert.match(sensors, /id="clock-offsets"/);

    // anomalies.html: the recon sweepers.
    const anomalies = read(out, 'anomalies.html');
    const sweeps = anomalies.slice(anomalies.indexOf('data-kind="sweep"'), anomalies.indexOf('</table>', anomalies.indexOf('data-kind="sweep"')));
    for (const h of ['163.221.52.32', '198.51.100.99']) assert.match(sweeps, new RegExp(`>${h.replace(/\./g, '\\.')}<`), `${h} swept`);
    assert.match(anomalies, /Threshold: 25 distinct hosts on one port/);

    // policy.html: the example policy bans irc-bot: the bots are violations.
    const policy = read(out, 'policy.html');
    assert.ok(Number(/id="violation-count">(\d+)</.exec(policy)?.[1]) >= 9);
    assert.match(rowOf(policy, 'h-163-221-52-29'), /irc-bot/);

    // Host annotations: O(1) lookups for the host pages, with links to these pages.
    const bot = r.annotations.get('163.221.52.29')!;
    assert.deepEqual(bot.clusters, [{ server: '198.51.100.23', level: 'confirmed', new: false }]);
    assert.ok(bot.anomalies.some((f) => f.kind === 'non-http'));
    assert.equal(bot.policy?.state, 'violation');
    assert.equal(r.annotations.get('163.221.10.11')!.verdict?.level, verdicts.find((v) => v.host === '163.221.10.11')!.level);
    assert.ok(r.annotations.links('163.221.52.29').some((l) => l.href === 'clusters.html#c-198-51-100-23'));
    assert.equal(r.annotations.get('192.0.2.250'), null);
    assert.equal(r.annotations.keyOf('192.0.2.250'), '');
    assert.match(r.annotations.keyOf('163.221.52.29'), /^[\w-]{16}$/);

    // Every link on these pages resolves (host pages, anchors' files, each other).
    assert.deepEqual(linkProblems(out), []);
    assert.match(clusters, /<a class="host" href="src\/163\.221\.10\.17\.html">|href="src\/net\/163\.221\.10\.0-24\.html#h17"/);
    for (const f of PAGES) assert.match(read(out, f), /http-equiv="Content-Security-Policy"/);
  } finally {
    await store.close();
  }
});

test('no flows, no policy, no home networks: each page explains what is missing', async () => {
  const { store, path: db } = freshSqlite();
  const out = tempDir('snarf-ana-');
  try {
    await importFiles(store, u2('sensor-a', 'irc'), { sensor: 'sensor-a', warn: () => {} });
    await buildSite(store, { outDir: out });
    const r = await writeAnalysisPages({ store, dbPath: db, writer: fileWriter(out), now: NOW });
    assert.equal(r.data.homeNetsFrom, 'default');
    assert.match(read(out, 'clusters.html'), /Home networks \(defaults[^)]*\): <span class="nets">10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16, fc00::\/7/);
    assert.match(read(out, 'p2p.html'), /id="no-flows"/);
    const policy = read(out, 'policy.html');
    assert.match(policy, /id="no-policy"/);
    assert.ok(policy.includes(`${db}.policy.yaml`));
    assert.match(read(out, 'sensors.html'), /exactly two sensors/);
    assert.deepEqual(linkProblems(out), []);
    // Pages depend on the store, not on the clock: a re-run leaves the site's files unchanged.
    const before = PAGES.map((f) => read(out, f));
    await writeAnalysisPages({ store, dbPath: db, writer: fileWriter(out), now: new Date('2027-01-01T00:00:00Z') });
    assert.deepEqual(PAGES.map((f) => read(out, f)), before);
  } finally {
    await store.close();
  }
});

test('hostile nicks, channels, messages and sensor names render as text', async () => {
  const { store, path: db } = freshSqlite();
  const out = tempDir('snarf-ana-');
  const EVIL = '<script>alert(1)</script>';
  const ATTR = '"><img src=x onerror=alert(2)>';
  try {
    const nick = Buffer.from(`NICK [JPN|XP|${ATTR}]\r\nUSER x 0 0 :y\r\nJOIN #${EVIL} k${ATTR}\r\n`);
    await store.ingest([
      { alert: storedAlert(1, { message: `BOT IRC ${EVIL}` }, nick), identity: 'h|1' },
      { alert: storedAlert(2, { srcIp: '203.0.113.66', srcPort: 6667, dstIp: '163.221.10.17', dstPort: 42211, sid: 1000033, message: `BOT IRC bot command ${ATTR}` },
        Buffer.from(`:evil!${ATTR}@x PRIVMSG #${EVIL} :!scan ${EVIL}\r\n`)), identity: 'h|2' },
      { alert: storedAlert(3, { sensor: ATTR, message: `BOT IRC ${EVIL}` }, null), identity: 'h|3' },
    ]);
    await buildSite(store, { outDir: out });
    const r = await writeAnalysisPages({ store, dbPath: db, writer: fileWriter(out), homeNets: ['163.221.0.0/16'], now: NOW });
    assert.equal(r.data.clusters.value!.clusters.length, 1);
    for (const f of PAGES) {
      const html = read(out, f);
      assert.ok(!html.includes('<script>alert'), `${f}: no live script`);
      assert.ok(!html.includes('<img src=x'), `${f}: no live img`);
    }
    const clusters = read(out, 'clusters.html');
    assert.ok(clusters.includes('#&lt;script&gt;alert(1)&lt;/script&gt;'), 'the channel is shown as text');
    assert.ok(clusters.includes('&#34;&gt;&lt;img src=x onerror=alert(2)&gt;') || clusters.includes('&quot;&gt;&lt;img'), 'the nick is shown as text');
    assert.ok(read(out, 'sensors.html').includes('&lt;img src=x onerror=alert(2)&gt;'), 'the sensor name is text');
    assert.deepEqual(linkProblems(out), []);
  } finally {
    await store.close();
  }
});

test('sFlow in the store: p2p.html shows the daily report of the last day with flows', async () => {
  const { store, path: db } = freshSqlite();
  const out = tempDir('snarf-ana-');
  try {
    await importFiles(store, [corpusPath('sflow', 'sflow-day.pcap')], { warn: () => {}, flow: { homeNets: ['192.0.2.0/24', '2001:db8:1::/48'] } });
    await buildSite(store, { outDir: out });
    const r = await writeAnalysisPages({ store, dbPath: db, writer: fileWriter(out), now: NOW });
    assert.equal(r.data.homeNetsFrom, 'store', 'the networks the sFlow import remembered');
    const daily = r.data.daily.value!;
    assert.ok(daily, 'flows found');
    const want = await store.p2pReport({ day: daily.day, timeZone: 'UTC', internalNetworks: ['192.0.2.0/24', '2001:db8:1::/48'] });
    assert.ok(want.sections.some((s) => s.rows.length > 0));
    const p2p = read(out, 'p2p.html');
    assert.ok(p2p.includes(`id="daily-day">${daily.day}<`));
    want.sections.forEach((s, i) => {
      if (s.rows.length === 0) return;
      const start = p2p.indexOf(`id="daily-${i + 1}"`);
      const table = p2p.slice(start, p2p.indexOf('</table>', start));
      assert.equal((table.match(/<tr><td>/g) ?? []).length, s.rows.length, `section ${i + 1} rows`);
      for (const x of s.rows) assert.ok(table.includes(`>${x.dstAddr}<`), `${x.dstAddr} in section ${i + 1}`);
    });
    assert.deepEqual(linkProblems(out), []);
  } finally {
    await store.close();
  }
});
