/**
 * `snarf report` from PostgreSQL writes the site SQLite writes: the same Snort corpus (two
 * sensors, unified2 with packets and extra data, alert_fast text) imported into a fresh SQLite
 * file and a fresh PostgreSQL schema, and the site built from each, unfiltered, with a sensor
 * filter (rollups) and with filters that force the raw-alert pass, then every file compared byte
 * for byte. Then the PostgreSQL site is rebuilt in place as alerts arrive (new alerts, packets
 * added to old alerts, alerts parked in rollup_pending by a bulk import, a late day dropped again
 * by retention), and each incremental result is checked against a fresh build.
 *
 * The only differences allowed are what the stores keep, each named in ALLOWED: the PostgreSQL
 * store keeps no flows (p2p.html's daily report) and no response proposals (policy.html), and its
 * policy file is ./snarf.policy.yaml rather than <db>.policy.yaml. Row ids never reach a page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusPath } from '../helpers/corpus.js';
import { tempDir } from '../helpers/store.js';
import { freshPgSchema, pgRows } from '../helpers/pg.js';
import { checkLinks, hostSection, read } from '../report/site-check.js';
import type { Alert } from '../../src/model/alert.js';
import { importFiles } from '../../src/import/import-files.js';
import { loadCatalog } from '../../src/cli/catalog.js';
import type { SignatureCatalog } from '../../src/rules/catalog.js';
import { buildSite, type BuildOptions, type BuildResult } from '../../src/report/build-site.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AlertFilter, Store } from '../../src/store/store.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const RULES = corpusPath('snort', 'rules');
const HOME = ['163.221.0.0/16', '2001:db8:a3dd::/48', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** Small pages: busy hosts run over several (paging is compared too). */
const LIMITS = { pageSize: 7 };

const spool = (sensor: string): string => corpusPath('snort', 'out', sensor, 'spool');
const u2 = (sensor: string): string[] =>
  fs.readdirSync(spool(sensor)).filter((n) => n.startsWith('snort.u2.')).sort().map((n) => path.join(spool(sensor), n));

interface Allowed { file: string; name: string; sqlite: RegExp; postgres: RegExp }

/** What differs, and why: each is a thing the PostgreSQL store does not keep, or keeps elsewhere. */
function allowed(sqlitePath: string): Allowed[] {
  const literal = (s: string): RegExp => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g');
  return [
    // sFlow and flow imports are SQLite's (docs/postgres.md): no daily flow report on PostgreSQL.
    {
      file: 'p2p.html', name: 'daily flow report',
      sqlite: /<p class="muted" id="no-flows">This store holds no flows: [^\n]*<\/p>/g,
      postgres: /<p class="error">The daily report could not be computed: the PostgreSQL store keeps no flows [^\n]*<\/p>/g,
    },
    // `snarf response` keeps its proposals in SQLite only.
    {
      file: 'policy.html', name: 'response proposals',
      sqlite: /<p class="muted">No pending or approved proposals [^\n]*<\/p>/g,
      postgres: /<p class="error">Proposals could not be read: the postgres store does not keep response proposals<\/p>/g,
    },
    // A URL carries a password: a central store's policy file sits in the working directory.
    { file: 'policy.html', name: 'policy file', sqlite: literal(`${sqlitePath}.policy.yaml`), postgres: /snarf\.policy\.yaml/g },
  ];
}

function siteFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== '.snarf-manifest.json') out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Asserts that two sites hold the same files with the same bytes, except for `allow` (each
 * difference must be present on both sides, the same number of times, and is then blanked).
 */
function assertSameSite(a: string, b: string, allow: Allowed[] = [], skip: string[] = []): number {
  const files = siteFiles(a);
  assert.deepEqual(siteFiles(b), files, 'the same files');
  for (const f of files) {
    if (skip.includes(f)) continue;
    let x = fs.readFileSync(path.join(a, f), 'utf8');
    let y = fs.readFileSync(path.join(b, f), 'utf8');
    for (const d of allow.filter((d) => d.file === f)) {
      const nx = x.match(d.sqlite)?.length ?? 0;
      const ny = y.match(d.postgres)?.length ?? 0;
      assert.ok(nx > 0 && nx === ny, `${f}: ${d.name} (${nx} on SQLite, ${ny} on PostgreSQL)`);
      x = x.replace(d.sqlite, `«${d.name}»`);
      y = y.replace(d.postgres, `«${d.name}»`);
    }
    assert.equal(y, x, f);
  }
  return files.length;
}

/** A synthetic alert (no packets) of sensor-a; hosts shared with the corpus so pages change. */
function synthetic(i: number, timeUs: number, src: string, dst: string): { alert: Alert; identity: string } {
  return {
    alert: {
      sensor: 'sensor-a', timeUs: timeUs + i * 1_000_000, gid: 1, sid: 1000001, rev: 1, message: 'late P2P test',
      classification: 'Misc activity', priority: 3, protocol: 6, srcIp: src, srcPort: 40000 + i, dstIp: dst, dstPort: 6881,
      eventId: null, eventSecond: null, references: [], packets: [], extra: [],
      origin: { format: 'unified2', file: 'late.u2', offset: i * 100 },
    },
    identity: `late|${i}`,
  };
}

describe('snarf report from PostgreSQL writes the site SQLite writes', () => {
  const home = process.cwd();
  let sqlite: SqliteStore;
  let pg: PostgresStore;
  let pgUrl = '';
  let schema = '';
  let sqlitePath = '';
  let drop: (() => Promise<void>) | undefined;
  let catalog: SignatureCatalog;
  let work = '';
  /** The PostgreSQL site rebuilt in place across the incremental tests. */
  let pgOut = '';
  let sqOut = '';

  const build = (store: Store, outDir: string, o: Partial<BuildOptions> = {}): Promise<BuildResult> =>
    buildSite(store, { outDir, catalog, limits: LIMITS, homeNets: HOME, ...o });
  const both = async (filter: AlertFilter): Promise<{ sq: string; pg: string; r: BuildResult }> => {
    const dirs = { sq: tempDir('snarf-rep-sq-'), pg: tempDir('snarf-rep-pg-') };
    await build(sqlite, dirs.sq, { filter });
    const r = await build(pg, dirs.pg, { filter });
    return { ...dirs, r };
  };
  /** Imports into both stores, in the same order. */
  const importBoth = async (files: string[], sensor: string, tz?: string): Promise<number> => {
    const opts = { sensor, tz, year: 2026, catalog, warn: () => {} };
    const a = (await importFiles(sqlite, files, opts)).totals.inserted;
    const b = (await importFiles(pg, files, opts)).totals.inserted;
    assert.equal(b, a, `${sensor}: both stores took the same alerts`);
    return a;
  };
  /** The PostgreSQL site rebuilt in place equals a fresh build; returns the in-place result. */
  const rebuildPg = async (): Promise<BuildResult> => {
    const r = await build(pg, pgOut);
    const fresh = tempDir('snarf-rep-fresh-');
    try {
      await build(pg, fresh);
      assertSameSite(fresh, pgOut);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
    assert.deepEqual(checkLinks(pgOut).problems, []);
    return r;
  };

  before(async () => {
    // A PostgreSQL store's state, policy and notes files are in the working directory.
    work = tempDir('snarf-rep-cwd-');
    process.chdir(work);
    catalog = await loadCatalog([RULES], true, () => {});
    sqlitePath = path.join(work, 'snarf.db');
    sqlite = new SqliteStore(sqlitePath);
    const fresh = await freshPgSchema('report');
    ({ url: pgUrl, schema, drop } = fresh);
    pg = await PostgresStore.open(pgUrl);
    // sensor-a: its alert_fast only (text: no packets yet); sensor-b: its first spool file.
    // The rest of both arrives in the incremental tests below.
    assert.ok(await importBoth([path.join(spool('sensor-a'), 'alert.fast')], 'sensor-a', 'UTC') > 500);
    assert.ok(await importBoth(u2('sensor-b').slice(0, 1), 'sensor-b') > 0);
    pgOut = tempDir('snarf-rep-pg-');
    sqOut = tempDir('snarf-rep-sq-');
  });

  after(async () => {
    process.chdir(home);
    await sqlite?.close();
    await pg?.close();
    await drop?.();
    for (const d of [work, pgOut, sqOut]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  test('unfiltered (rollups): every page the same, byte for byte', async () => {
    await build(sqlite, sqOut);
    const r = await build(pg, pgOut);
    const n = assertSameSite(sqOut, pgOut, allowed(sqlitePath));
    assert.ok(n > 50 && r.sources > 20 && r.destinations > 100, `${n} files, ${r.sources} sources, ${r.destinations} destinations`);
    // The comparison is about something: paging, IPv6 network pages, two sensors per line.
    assert.ok(fs.existsSync(path.join(pgOut, 'src/163.221.10.14/2.html')), 'a busy host runs over several pages');
    assert.ok(fs.existsSync(path.join(pgOut, 'src/net/2001-db8-a3dd-10---64.html')), 'an IPv6 network page');
    assert.match(read(pgOut, 'src/163.221.10.14.html'), / sensor-a\n/);
    assert.deepEqual(checkLinks(pgOut).problems, []);
  });

  test('the orders the stores do not share by themselves are exercised', async () => {
    // Several alerts of one address in the same microsecond (one packet, several rules): listed
    // in import order on both. Hosts with signatures of equal counts: listed by gid:sid on both.
    const ties = await pgRows<{ n: number }>(schema, `SELECT count(*) AS n FROM (SELECT src, ts FROM alerts
      WHERE src IS NOT NULL GROUP BY src, ts HAVING count(DISTINCT sig_id) > 1) x`);
    assert.ok(ties[0]!.n > 10, `${ties[0]!.n} same-microsecond groups`);
    const equal = await pgRows<{ n: number }>(schema, 'SELECT count(*) AS n FROM (SELECT ip FROM r_sig_src GROUP BY ip, n HAVING count(*) > 1) x');
    assert.ok(equal[0]!.n > 5, `${equal[0]!.n} hosts with signatures of equal counts`);
  });

  test('a sensor filter (rollups), a time window with a priority, and CIDR with an excluded sid (raw alert passes)', async () => {
    const [span] = await pgRows<{ lo: number; hi: number }>(schema, 'SELECT min(ts) AS lo, max(ts) AS hi FROM alerts');
    const third = Math.floor((span!.hi - span!.lo) / 3);
    const filters: AlertFilter[] = [
      { sensors: ['sensor-b'] },
      { sinceUs: span!.lo + third, untilUs: span!.hi - third, minPriority: 2 },
      { srcCidr: '163.221.0.0/16', excludeSigs: [{ gid: 1, sid: 1000002 }], sensors: ['sensor-a'] },
    ];
    for (const filter of filters) {
      const { sq, pg: p, r } = await both(filter);
      try {
        assertSameSite(sq, p, allowed(sqlitePath));
        const total = Number(/id="total-alerts" data-v="(\d+)"/.exec(read(p, 'index.html'))?.[1]);
        assert.ok(total > 0 && r.signatures > 0, `${JSON.stringify(filter)}: ${total} alerts`);
        assert.match(read(p, 'index.html'), /filter: /);
        assert.deepEqual(checkLinks(p).problems, []);
      } finally {
        fs.rmSync(sq, { recursive: true, force: true });
        fs.rmSync(p, { recursive: true, force: true });
      }
    }
  });

  test('hosts with more peers than are counted in memory: the peer tables come from each store, the same', async () => {
    const dirs = { sq: tempDir('snarf-rep-sq-'), pg: tempDir('snarf-rep-pg-') };
    try {
      const limits = { ...LIMITS, peersInMemory: 2 };
      await build(sqlite, dirs.sq, { limits });
      await build(pg, dirs.pg, { limits });
      assertSameSite(dirs.sq, dirs.pg, allowed(sqlitePath));
      // Peer tables read from the store cannot count the peers with one alert, which the
      // in-memory count does: pages that say so now are the hosts that took the store's path.
      const saying = (dir: string): string[] => ['src', 'dst'].flatMap((side) => fs.readdirSync(path.join(dir, side))
        .filter((f) => f.endsWith('.html') && /with one alert \(in the alert list\)/.test(read(dir, `${side}/${f}`))).map((f) => `${side}/${f}`));
      const before = saying(pgOut);
      const now = new Set(saying(dirs.pg));
      assert.ok(before.length > 0, 'some hosts have peers with one alert');
      assert.deepEqual(before.filter((f) => now.has(f)), [], 'every one of them took the store\'s path');
    } finally {
      fs.rmSync(dirs.sq, { recursive: true, force: true });
      fs.rmSync(dirs.pg, { recursive: true, force: true });
    }
  });

  test('an unchanged store: the PostgreSQL re-run reads no alert and writes nothing', async () => {
    const r = await build(pg, pgOut);
    assert.equal(r.written, 0);
    assert.equal(r.removed, 0);
    assert.equal(r.hostsSkipped, r.sources + r.destinations);
  });

  test('new alerts of a sensor behind the other: the pages they touch are rewritten, the others kept', async () => {
    // sensor-b's next files hold alerts older than sensor-a's latest, with packets: new alerts
    // that come in under another sensor's clock must not be taken for packets added to old ones.
    const [before] = await pgRows<{ a: number; b: number }>(schema, `SELECT max(ts) FILTER (WHERE s.name = 'sensor-a') AS a,
      max(ts) FILTER (WHERE s.name = 'sensor-b') AS b FROM alerts JOIN sensors s ON s.id = sensor_id`);
    assert.ok(await importBoth(u2('sensor-b').slice(1), 'sensor-b') > 100);
    const [behind] = await pgRows<{ n: number }>(schema, `SELECT count(*) AS n FROM alerts a JOIN sensors s ON s.id = a.sensor_id
      WHERE s.name = 'sensor-b' AND a.ts > $1 AND a.ts < $2 AND EXISTS (SELECT 1 FROM packets p WHERE p.ts = a.ts AND p.h = a.h)`, [before!.b, before!.a]);
    assert.ok(behind!.n > 50, `${behind!.n} new alerts with packets, older than sensor-a's latest`);
    const r = await rebuildPg();
    assert.ok(r.written > 0 && r.written < r.files, `wrote ${r.written} of ${r.files}`);
    assert.ok(r.hostsSkipped > 0, 'hosts sensor-b never saw were kept unread');
    await build(sqlite, sqOut);
    assertSameSite(sqOut, pgOut, allowed(sqlitePath));
  });

  test('alerts parked in rollup_pending by a bulk import still open are on every page', async () => {
    const day = Date.UTC(2026, 10, 1, 10) * 1000;
    const items = [
      ...[0, 1, 2].map((i) => synthetic(i, day, '163.221.10.14', '198.51.100.23')),
      ...[3, 4].map((i) => synthetic(i, day, '163.221.99.5', '203.0.113.66')),
    ];
    await sqlite.ingest(items);
    await pg.beginBulk();
    await pg.ingest(items);
    const [pending] = await pgRows<{ n: number }>(schema, 'SELECT count(*) AS n FROM rollup_pending');
    assert.equal(pending!.n, items.length, 'the rollups do not hold them yet');
    const r = await rebuildPg();
    assert.ok(r.hostsSkipped > 0, 'older alerts without captures rewrite only their hosts');
    assert.match(read(pgOut, 'index.html'), /2026-11-01 10:00:00/);
    await build(sqlite, sqOut);
    // sensors.html is the one page that does not see them yet: it reads the sensor rollups, as
    // `snarf sensors` does, and they get the parked rows when the bulk import ends.
    assertSameSite(sqOut, pgOut, allowed(sqlitePath), ['sensors.html']);
    const count = (dir: string): string | undefined => /<tr data-sensor="sensor-a">.*?<td class="n c-count">(\d+)</.exec(read(dir, 'sensors.html'))?.[1];
    assert.deepEqual([count(sqOut), count(pgOut)], ['554', '549']);
    await pg.endBulk();
    const [left] = await pgRows<{ n: number }>(schema, 'SELECT count(*) AS n FROM rollup_pending');
    assert.equal(left!.n, 0);
    const again = await build(pg, pgOut);
    assert.equal(again.written, 1, 'folding the pending rows changes sensors.html only');
    assertSameSite(sqOut, pgOut, allowed(sqlitePath));
  });

  test('packets added to old alerts (unified2 after alert_fast): that day\'s hosts are rewritten, payloads appear', async () => {
    // The IRC bot's section: sensor-b's unified2 gave some of its alerts payloads already.
    const dumps = (): number => hostSection(pgOut, 'src', '163.221.10.17').match(/class="hex"/g)?.length ?? 0;
    const shown = dumps();
    const [before] = await pgRows<{ n: number }>(schema, 'SELECT count(*) AS n FROM packets');
    assert.equal(await importBoth(u2('sensor-a'), 'sensor-a'), 0, 'the same alerts, merged: no count changes');
    const [now] = await pgRows<{ n: number }>(schema, 'SELECT count(*) AS n FROM packets');
    assert.ok(now!.n > before!.n, 'packets were added to alerts already shown');
    const r = await rebuildPg();
    // Every host of 2026-11-20 with packets is rendered again; 2026-11-01's own host is kept.
    assert.equal(r.hostsSkipped, 1, 'only the host of the other day kept unread');
    assert.ok(dumps() > shown, `payload dumps in the bot's section: ${shown} -> ${dumps()}`);
    assert.match(hostSection(pgOut, 'src', '163.221.10.17'), /<pre class="hex">0000 {2}4e 49 43 4b/);
    assert.ok(siteFiles(pgOut).some((f) => read(pgOut, f).includes('<span class="k">http_uri</span>')), 'extra data on some page');
    await build(sqlite, sqOut);
    assertSameSite(sqOut, pgOut, allowed(sqlitePath));
  });

  test('retention dropping a day: its hosts leave, the pages of the others change, as a fresh build', async () => {
    const dropped = await pg.prune(Date.UTC(2026, 10, 2) * 1000);
    assert.equal(dropped.alerts, 5);
    const r = await rebuildPg();
    assert.ok(r.removed > 0, 'pages of hosts only the dropped day had are deleted');
    assert.doesNotMatch(read(pgOut, 'index.html'), /2026-11-01 10:00:00/);
    assert.ok(!siteFiles(pgOut).some((f) => read(pgOut, f).includes('163.221.99.5')), 'no page names a host only the dropped day had');
  });

  test('snarf report --db postgres://... (the CLI) writes the same site and never prints the password', () => {
    const out = tempDir('snarf-rep-cli-');
    try {
      const args = ['report', '--db', pgUrl, '--out', out, '--rules', RULES, '--page-size', '7', '--json', ...HOME.flatMap((c) => ['--home-net', c])];
      const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: work });
      assert.equal(run.status, 0, run.stderr);
      const j = JSON.parse(run.stdout) as { db: string; files: number };
      assert.match(j.db, /^postgres:\/\/snarf:\*\*\*@/);
      assert.doesNotMatch(run.stdout + run.stderr, /snarf:snarf@/);
      assert.ok(j.files > 50);
      assertSameSite(pgOut, out);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
