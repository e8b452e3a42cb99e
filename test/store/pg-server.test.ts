/**
 * `snarf serve --db postgres://...` answers as `snarf serve --db snarf.db` does: the corpus
 * imported into a fresh SQLite file and a fresh PostgreSQL schema, one server app on each, and
 * the same requests to both (the API and the HTML pages: searches with filters and paging,
 * alert detail with unified2 packets and extra data, hosts, summary, sensors, verdicts, clusters).
 *
 * Allowed differences, normalised here and nowhere else:
 * - row ids (`id`, the `/alert/<id>` links, "Alert <id>"): each store's own; compared as the
 *   identity (ts, h) of the alert they name;
 * - the order of alerts of the same microsecond, and so which of them a page boundary falls
 *   between, and the cursor's tie part: SQLite breaks ties by row id (import order), PostgreSQL
 *   by identity hash (its ids follow neither time nor import order). Pages are compared by size,
 *   `partial`, the cursor's time and the times of their alerts; the alerts themselves over the
 *   whole paging, in (time, identity) order;
 * - `store` in the summary (kind and location), and the nav's link to response approval, which
 *   PostgreSQL does not offer in this version (its routes answer 501, checked below).
 * PostgreSQL's paging is also proved exact on its own, with shrunken bounds so that every plan
 * (time walk, sparse address, scan window with partial pages, source-or-destination merge) runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { CLI, CORPUS_RULES, corpusOut, corpusU2, snarfIn } from '../helpers/corpus-cli.js';
import { tempDir } from '../helpers/store.js';
import { freshPgSchema, pgRows } from '../helpers/pg.js';
import { createServerApp, openServerApp, type ServerApp } from '../../src/server/app.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { pgServerReads } from '../../src/store/postgres/server-queries.js';
import type { AlertSearch } from '../../src/store/reads/server-reads.js';
import { inCidr, ipFromKey } from '../../src/model/ip.js';

const CWD = tempDir('snarf-pg-serve-');
const TOKEN = 'pg-server-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
// Before the corpus (2026-11-20): acks made "now" cover up to the newest alert held.
const NOW_MS = Date.UTC(2026, 0, 1);
const HOME = ['163.221.0.0/16', '2001:db8:a3dd::/48', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

const snarf = snarfIn(CWD);

const out = corpusOut;
const u2 = corpusU2;
const RULES = CORPUS_RULES;

/** Two sensors' spools (unified2 with packets and extra data, and alert_fast), then the scenario spools. */
function importCorpus(db: string): void {
  snarf('import', '-q', '--db', db, ...RULES, '--sensor', 'sensor-a', '--year', '2026', ...u2('sensor-a', 'spool'), path.join(out('sensor-a', 'spool'), 'alert.fast'));
  snarf('import', '-q', '--db', db, ...RULES, '--sensor', 'sensor-b', '--year', '2026', ...u2('sensor-b', 'spool'), path.join(out('sensor-b', 'spool'), 'alert.fast'));
  snarf('import', '-q', '--db', db, ...RULES, '--sensor', 'sensor-a', ...['irc', 'ipv6', 'recon', 'mail', 'web', 'p2p'].flatMap((s) => u2('sensor-a', s)));
  snarf('import', '-q', '--db', db, ...RULES, '--sensor', 'sensor-b', ...['irc', 'recon'].flatMap((s) => u2('sensor-b', s)));
}

interface Side {
  name: 'sqlite' | 'postgres';
  srv: ServerApp;
  /** Row id → identity `ts:h`, and back. */
  identity: Map<number, string>;
  idOf: Map<string, number>;
}

let sqlite: Side;
let postgres: Side;
let pg: Awaited<ReturnType<typeof freshPgSchema>>;
let sqliteFile: string;
let total = 0;
let fingerprintBefore: unknown;

/** What a write would change: row counts, rollup sums, the id sequence. */
const fingerprint = async (): Promise<unknown> => pgRows(pg.schema, `SELECT
  (SELECT count(*) FROM alerts) AS alerts, (SELECT count(*) FROM packets) AS packets, (SELECT count(*) FROM extra) AS extra,
  (SELECT count(*) FROM sensors) AS sensors, (SELECT count(*) FROM signatures) AS sigs, (SELECT count(*) FROM inputs) AS inputs,
  (SELECT sum(n) FROM r_sig_src) AS r_src, (SELECT sum(n) FROM r_hour) AS r_hour, (SELECT count(*) FROM rollup_pending) AS pending,
  (SELECT count(*) FROM bookmarks) AS bookmarks, (SELECT last_value FROM alert_ids) AS seq`);

function side(name: Side['name'], srv: ServerApp, rows: Array<{ id: number; ts: number; h: number }>): Side {
  const identity = new Map(rows.map((r) => [r.id, `${r.ts}:${r.h}`]));
  return { name, srv, identity, idOf: new Map([...identity].map(([id, k]) => [k, id])) };
}

const get = (s: Side, url: string) => request(s.srv.app).get(url).set(AUTH);

/** Each response of both stores, SQLite first. */
async function both(url: string, status = 200): Promise<[request.Response, request.Response]> {
  return [await get(sqlite, url).expect(status), await get(postgres, url).expect(status)];
}

/** `alertId`/`id` of alerts replaced by the identity of the alert named. */
function byIdentity(value: unknown, s: Side): unknown {
  if (Array.isArray(value)) return value.map((v) => byIdentity(v, s));
  if (value === null || typeof value !== 'object') return value;
  const alertLike = 'timeUs' in value && 'sid' in value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => {
    if ((k === 'alertId' && v !== null) || (k === 'id' && alertLike)) {
      const key = s.identity.get(v as number);
      assert.ok(key !== undefined, `${s.name}: ${k} ${String(v)} names no stored alert`);
      return [k, key];
    }
    return [k, byIdentity(v, s)];
  }));
}

interface AlertJson { id: number; timeUs: number; [k: string]: unknown }
interface AlertsBody { alerts: AlertJson[]; next: string | null; partial: boolean; limit: number }

async function pages(s: Side, query: string, limit: number): Promise<AlertsBody[]> {
  const list: AlertsBody[] = [];
  let afterCursor: string | null = null;
  for (let guard = 0; guard < 2000; guard++) {
    const res = await get(s, `/api/alerts?${query}${query ? '&' : ''}limit=${limit}${afterCursor ? `&after=${afterCursor}` : ''}`).expect(200);
    const body = res.body as AlertsBody;
    list.push(body);
    if (body.next === null) return list;
    afterCursor = body.next;
  }
  throw new Error('paging did not end');
}

const tsOf = (cursor: string | null): string | null => (cursor === null ? null : cursor.split('.')[0]!);
type Normalised = Record<string, unknown> & { id: string; timeUs: number };
const identityOrder = (x: Normalised, y: Normalised): number =>
  x.timeUs - y.timeUs || Number(x.id.split(':')[1]) - Number(y.id.split(':')[1]);

/** Pages through a search on both stores and compares them (see the file comment); returns SQLite's alerts. */
async function samePaging(query: string, limit = 37): Promise<Normalised[]> {
  const [a, b] = [await pages(sqlite, query, limit), await pages(postgres, query, limit)];
  assert.equal(b.length, a.length, `${query}: as many pages`);
  a.forEach((pa, i) => {
    const pb = b[i]!;
    assert.equal(pb.alerts.length, pa.alerts.length, `${query}: page ${i} size`);
    assert.equal(pb.partial, pa.partial, `${query}: page ${i} partial`);
    assert.equal(tsOf(pb.next), tsOf(pa.next), `${query}: page ${i} ends at the same time`);
    assert.deepEqual(pb.alerts.map((x) => x.timeUs), pa.alerts.map((x) => x.timeUs), `${query}: page ${i} alert times`);
  });
  const all = (s: Side, list: AlertsBody[]): Normalised[] => byIdentity(list.flatMap((p) => p.alerts), s) as Normalised[];
  const [la, lb] = [all(sqlite, a), all(postgres, b)];
  // Each store in its own keyset order: SQLite (time, row id), PostgreSQL (time, identity hash).
  const raw = a.flatMap((p) => p.alerts);
  raw.forEach((x, i) => i === 0 || assert.ok(raw[i - 1]!.timeUs < x.timeUs || (raw[i - 1]!.timeUs === x.timeUs && raw[i - 1]!.id < x.id)));
  assert.deepEqual([...lb].sort(identityOrder), lb, `${query}: PostgreSQL pages in (time, identity) order`);
  assert.equal(new Set(lb.map((x) => x.id)).size, lb.length, `${query}: no alert twice`);
  assert.deepEqual(lb, [...la].sort(identityOrder), `${query}: the same alerts`);
  return la;
}

describe('snarf serve on PostgreSQL answers as on SQLite', () => {
  before(async () => {
    sqliteFile = path.join(tempDir(), 'snarf.db');
    pg = await freshPgSchema('srv');
    importCorpus(sqliteFile);
    importCorpus(pg.url);
    const db = new Database(sqliteFile, { readonly: true });
    const sqliteRows = db.prepare('SELECT id, ts, h FROM alerts').all() as Array<{ id: number; ts: number; h: number }>;
    db.close();
    const pgRowsList = await pgRows<{ id: number; ts: number; h: number }>(pg.schema, 'SELECT id, ts, h FROM alerts');
    total = sqliteRows.length;
    fingerprintBefore = await fingerprint();
    assert.ok(total > 1000, `corpus imported (${total} alerts)`);
    assert.equal(pgRowsList.length, total, 'both stores hold the same alerts');
    const notesDir = tempDir();
    const o = { auth: { token: TOKEN, users: [] }, now: () => NOW_MS };
    sqlite = side('sqlite', createServerApp({ ...o, db: sqliteFile, notesFile: path.join(notesDir, 'sqlite.notes.json') }), sqliteRows);
    postgres = side('postgres', await openServerApp({ ...o, db: pg.url, notesFile: path.join(notesDir, 'pg.notes.json') }), pgRowsList);
  });

  after(async () => {
    await sqlite?.srv.close();
    await postgres?.srv.close();
    await pg?.drop();
  });

  test('the test data can tell (ts, id) paging from exact paging: PostgreSQL ids do not follow time', async () => {
    const rows = await pgRows<{ id: number }>(pg.schema, 'SELECT id FROM alerts ORDER BY ts, h');
    const ids = rows.map((r) => r.id);
    assert.notDeepEqual(ids, [...ids].sort((x, y) => x - y));
    const ties = await pgRows<{ n: number }>(pg.schema, 'SELECT count(*) AS n FROM (SELECT ts FROM alerts GROUP BY ts HAVING count(*) > 1) t');
    assert.ok(ties[0]!.n > 50, 'many alerts share their microsecond (page boundaries fall inside such groups)');
  });

  test('/api/summary, with and without a sensor filter: the same, bar the store it names', async () => {
    for (const url of ['/api/summary', '/api/summary?sensor=sensor-b&top=5', '/api/summary?top=0']) {
      const [a, b] = await both(url);
      assert.deepEqual([a.body.store.kind, b.body.store.kind], ['sqlite', 'postgres']);
      delete a.body.store;
      delete b.body.store;
      assert.deepEqual(b.body, a.body, url);
    }
    const [a] = await both('/api/summary');
    assert.equal(a.body.totals.alerts, total);
    assert.ok(a.body.signatures.length > 10 && a.body.sources.length > 10 && a.body.sensors.length === 2);
  });

  test('/api/alerts: every alert, paged by keyset, the same on both', async () => {
    const all = await samePaging('');
    assert.equal(all.length, total);
    await samePaging('', 500);
  });

  test('/api/alerts with filters: address or CIDR on either side, source, destination, signature, sensor, priority, window', async () => {
    const every = await samePaging('', 500);
    const times = every.map((x) => x.timeUs);
    // Whole seconds (`@unix`), and not an alert's own time: the window bounds fall between alerts.
    const [t1, t2] = [times[Math.floor(times.length / 4)]!, times[Math.floor(times.length / 2)]!].map((t) => Math.floor(t / 1e6)) as [number, number];
    const cases: Array<[string, (x: Record<string, any>) => boolean]> = [
      ['addr=163.221.0.0%2F16', (x) => [x.src, x.dst].some((ip) => ip !== null && inCidr(ip, '163.221.0.0/16'))],
      ['addr=2001%3Adb8%3Aa3dd%3A%3A%2F48', (x) => [x.src, x.dst].some((ip) => ip !== null && ip.includes(':') && inCidr(ip, '2001:db8:a3dd::/48'))],
      ['src=198.51.100.99', (x) => x.src === '198.51.100.99'],
      ['dst=163.221.0.0%2F16&sensor=sensor-b', (x) => x.dst !== null && inCidr(x.dst, '163.221.0.0/16') && x.sensor === 'sensor-b'],
      ['sig=1%3A1000001', (x) => x.sid === 1000001],
      ['sensor=sensor-a&priority=2', (x) => x.sensor === 'sensor-a' && x.priority !== null && x.priority <= 2],
      [`since=@${t1}&until=@${t2}`, (x) => x.timeUs >= t1 * 1e6 && x.timeUs < t2 * 1e6],
    ];
    for (const [query, match] of cases) {
      const got = await samePaging(query, 23);
      const want = every.filter(match);
      assert.ok(want.length > 0 && want.length < total, `${query}: a real subset`);
      assert.deepEqual(got.map((x) => x.id), want.map((x) => x.id), `${query}: exactly the matching alerts`);
    }
  });

  test('/api/alerts/:id: the same alert with its unified2 packets and extra data, with or without its time', async () => {
    const db = new Database(sqliteFile, { readonly: true });
    const picks = db.prepare(`SELECT a.id, a.ts, a.h FROM alerts a WHERE EXISTS (SELECT 1 FROM packets p WHERE p.alert_id = a.id)
      AND EXISTS (SELECT 1 FROM extra x WHERE x.alert_id = a.id) ORDER BY a.ts, a.h LIMIT 3`).all() as Array<{ id: number; ts: number; h: number }>;
    const plain = db.prepare('SELECT a.id, a.ts, a.h FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM packets p WHERE p.alert_id = a.id) LIMIT 1')
      .all() as Array<{ id: number; ts: number; h: number }>;
    db.close();
    assert.equal(picks.length, 3, 'alerts with packets and extra data in the corpus');
    for (const r of [...picks, ...plain]) {
      const key = `${r.ts}:${r.h}`;
      const pgId = postgres.idOf.get(key)!;
      const a = await get(sqlite, `/api/alerts/${r.id}?t=${r.ts}`).expect(200);
      const b = await get(postgres, `/api/alerts/${pgId}?t=${r.ts}`).expect(200);
      assert.deepEqual(byIdentity(b.body, postgres), byIdentity(a.body, sqlite), key);
      const byIdAlone = await get(postgres, `/api/alerts/${pgId}`).expect(200);
      assert.deepEqual(byIdAlone.body, b.body, 'the time only speeds the lookup up');
      await get(postgres, `/api/alerts/${pgId}?t=${r.ts + 1}`).expect(404);
      await get(sqlite, `/api/alerts/${r.id}?t=${r.ts + 1}`).expect(404);
    }
    const d = (await get(postgres, `/api/alerts/${postgres.idOf.get(`${picks[0]!.ts}:${picks[0]!.h}`)}`).expect(200)).body;
    assert.ok(d.packets.length > 0 && d.packets[0].captured > 0 && d.packets[0].dump.length > 0, 'packets with their dump');
    assert.ok(d.extra.length > 0 && typeof d.extra[0].text === 'string', 'extra data as text');
    assert.equal(d.input.format, 'unified2');
    await both('/api/alerts/999999999', 404);
    await both('/api/alerts/1?t=abc', 400);
    await both('/api/alerts/1?x=1', 400);
  });

  test('/api/hosts and /api/hosts/:ip: the same hosts, counts and signatures', async () => {
    for (const url of ['/api/hosts?side=src&limit=50', '/api/hosts?side=dst&limit=1000', '/api/hosts?side=dst&cidr=163.221.0.0/16&offset=2&limit=7']) {
      const [a, b] = await both(url);
      assert.deepEqual(b.body, a.body, url);
      assert.ok(a.body.hosts.length > 0, url);
    }
    const [hosts] = await both('/api/hosts?side=src&limit=5');
    for (const ip of [...hosts.body.hosts.map((x: { ip: string }) => x.ip), '2001:db8:a3dd::1', '192.0.2.254']) {
      const [a, b] = await both(`/api/hosts/${encodeURIComponent(ip)}`);
      assert.deepEqual(b.body, a.body, ip);
    }
    assert.ok(hosts.body.hosts[0].count > 0);
  });

  test('/api/sensors, /api/verdicts and /api/clusters: the same', async () => {
    const [a, b] = await both('/api/sensors');
    const noInputIds = (body: any): unknown => body.sensors.map((s: any) => ({ ...s, inputs: s.inputs.map((i: any) => ({ path: i.path, format: i.format })) }));
    // Input ids are each store's row ids too; the inputs are compared by path and format.
    assert.deepEqual(noInputIds(b.body), noInputIds(a.body));
    assert.deepEqual(a.body.sensors.map((s: any) => [s.name, s.alerts > 0, s.inputs.length > 0]), [['sensor-a', true, true], ['sensor-b', true, true]]);
    const home = HOME.map((c) => `home-net=${encodeURIComponent(c)}`).join('&');
    const [va, vb] = await both(`/api/verdicts?${home}`);
    assert.deepEqual(byIdentity(vb.body, postgres), byIdentity(va.body, sqlite));
    assert.ok(va.body.hosts.length > 0);
    const [ca, cb] = await both(`/api/clusters?${home}`);
    assert.deepEqual(byIdentity(cb.body, postgres), byIdentity(ca.body, sqlite));
    assert.ok(ca.body.clusters.length > 0);
  });

  /** A page's HTML with ids as identities and cursors as times; the nav's responses link checked and dropped. */
  function html(s: Side, text: string): string {
    const responsesLink = ' | <a href="/responses">responses</a>';
    assert.equal(text.includes(responsesLink), s.name === 'sqlite', `${s.name}: the nav links to response approval only on SQLite`);
    return text.replace(responsesLink, '')
      .replace(/\/alert\/(\d+)/g, (_m, id: string) => `/alert/${s.identity.get(Number(id))}`)
      .replace(/Alert (\d+)/g, (_m, id: string) => `Alert ${s.identity.get(Number(id))}`)
      .replace(/after=(\d+)\.\d+/g, 'after=$1.TIE');
  }

  test('HTML: /search pages (rows and next links) and /alert/:id pages are the same', async () => {
    for (const query of ['addr=163.221.0.0%2F16&limit=50', 'sig=1%3A1000031', 'sensor=sensor-b&since=2026-11-20']) {
      const rows = { sqlite: [] as string[], postgres: [] as string[] };
      let urls = [`/search?${query}`, `/search?${query}`];
      let n = 0;
      for (;;) {
        const [a, b] = [await get(sqlite, urls[0]!).expect(200), await get(postgres, urls[1]!).expect(200)];
        const [ha, hb] = [html(sqlite, a.text), html(postgres, b.text)];
        const split = (t: string): { rest: string; rows: string[] } => {
          const m = /<tbody>([\s\S]*?)<\/tbody>/.exec(t);
          assert.ok(m, 'a results table');
          return { rest: t.replace(m[1]!, ''), rows: m[1]!.split('\n').filter((l) => l.startsWith('<tr')) };
        };
        const [sa, sb] = [split(ha), split(hb)];
        assert.equal(sb.rest, sa.rest, `${query}: page ${n} around the results`);
        rows.sqlite.push(...sa.rows);
        rows.postgres.push(...sb.rows);
        const next = (t: string): string | undefined => /id="next-page" href="([^"]+)"/.exec(t)?.[1]?.replace(/&amp;/g, '&');
        const [na, nb] = [next(a.text), next(b.text)];
        assert.equal(nb === undefined, na === undefined);
        if (na === undefined) break;
        urls = [na, nb!];
        n++;
      }
      assert.ok(rows.sqlite.length > 0, `${query}: rows`);
      assert.deepEqual(rows.postgres.sort(), rows.sqlite.sort(), `${query}: the same rows over all pages`);
    }
    const [pa] = await both('/search?addr=163.221.0.0%2F16&limit=5');
    assert.match(pa.text, /id="next-page"/, 'paged');
    const db = new Database(sqliteFile, { readonly: true });
    const keys = (db.prepare(`SELECT ts || ':' || h AS k FROM alerts a WHERE EXISTS (SELECT 1 FROM extra x WHERE x.alert_id = a.id)
      UNION ALL SELECT * FROM (SELECT ts || ':' || h FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM packets p WHERE p.alert_id = a.id) LIMIT 1)`)
      .all() as Array<{ k: string }>).map((r) => r.k);
    db.close();
    assert.ok(keys.length > 2);
    for (const k of keys) {
      const t = k.split(':')[0];
      const a = await get(sqlite, `/alert/${sqlite.idOf.get(k)}?t=${t}`).expect(200);
      const b = await get(postgres, `/alert/${postgres.idOf.get(k)}?t=${t}`).expect(200);
      assert.equal(html(postgres, b.text), html(sqlite, a.text), k);
    }
    const withExtra = await get(postgres, `/alert/${postgres.idOf.get(keys[0]!)}?t=${keys[0]!.split(':')[0]}`).expect(200);
    assert.match(withExtra.text, /<h2>Extra data<\/h2>/);
    assert.match(withExtra.text, /<pre class="hex payload">/);
  });

  test('PostgreSQL paging is exact: every plan, shrunken bounds, each alert once in (time, identity) order', async () => {
    const store = postgres.srv.ctx.store as PostgresStore;
    const reads = pgServerReads(store.pool, { sortCap: 100, scanCap: 120 });
    const rows = await pgRows<{ id: number; ts: number; h: number; src: Buffer | null; dst: Buffer | null; sid: number; sensor: string; priority: number | null }>(pg.schema,
      `SELECT a.id, a.ts, a.h, a.src, a.dst, g.sid, s.name AS sensor, coalesce(a.priority, g.priority) AS priority
        FROM alerts a JOIN signatures g ON g.id = a.sig_id JOIN sensors s ON s.id = a.sensor_id ORDER BY a.ts, a.h`);
    const ip = (b: Buffer | null): string | null => (b === null ? null : ipFromKey(b));
    const t1 = rows[Math.floor(rows.length / 3)]!.ts;
    const cases: Array<[string, AlertSearch, (r: typeof rows[number]) => boolean]> = [
      ['everything (time walk)', { filter: {}, limit: 29 }, () => true],
      ['dense source (scan window)', { filter: { srcCidr: '198.51.100.99/32' }, limit: 17 }, (r) => ip(r.src) === '198.51.100.99'],
      ['sparse source', { filter: { srcCidr: '203.0.113.77/32' }, limit: 9 }, (r) => ip(r.src) === '203.0.113.77'],
      ['either side, dense', { filter: {}, addr: '163.221.0.0/16', limit: 31 }, (r) => [r.src, r.dst].some((b) => b !== null && inCidr(ipFromKey(b), '163.221.0.0/16'))],
      ['either side, sparse', { filter: {}, addr: '203.0.113.77/32', limit: 5 }, (r) => ip(r.src) === '203.0.113.77' || ip(r.dst) === '203.0.113.77'],
      ['rare signature (partial pages)', { filter: {}, sig: { gid: 1, sid: 1000031 }, limit: 4 }, (r) => r.sid === 1000031],
      ['sensor and priority from a time', { filter: { sensors: ['sensor-a'], minPriority: 2, sinceUs: t1 }, limit: 13 },
        (r) => r.sensor === 'sensor-a' && r.priority !== null && r.priority <= 2 && r.ts >= t1],
    ];
    const plans = new Set<string>();
    let partials = 0;
    for (const [name, q, match] of cases) {
      const seen: string[] = [];
      let cursor: AlertSearch['after'];
      for (let guard = 0; ; guard++) {
        assert.ok(guard < 5000, `${name}: paging ends`);
        const page = await reads.alertPage({ ...q, after: cursor });
        page.plan.forEach((p) => plans.add(p));
        if (page.partial) partials++;
        assert.ok(page.alerts.length <= q.limit);
        seen.push(...page.alerts.map((a) => postgres.identity.get(a.id)!));
        if (page.next === null) break;
        assert.ok(cursor === undefined || page.next.ts > cursor.ts || (page.next.ts === cursor.ts && page.next.tie > cursor.tie), `${name}: the cursor moves on`);
        cursor = page.next;
      }
      const want = rows.filter(match).map((r) => `${r.ts}:${r.h}`);
      assert.ok(want.length > 0, `${name}: matches`);
      assert.deepEqual(seen, want, `${name}: each matching alert once, in (time, identity) order`);
    }
    assert.deepEqual([...plans].sort(), ['alerts_dst', 'alerts_pkey', 'alerts_pkey(window)', 'alerts_src']);
    assert.ok(partials > 5, 'scan windows ended before pages filled');
  });

  test('PostgreSQL page plans: index scans only (the primary key, or the address index when sparse)', async () => {
    const reads = pgServerReads((postgres.srv.ctx.store as PostgresStore).pool);
    const trace = (q: AlertSearch): Promise<string> => {
      const t: string[] = [];
      return reads.alertPage(q, t).then(() => t.join('\n---\n'));
    };
    const time = await trace({ filter: {}, limit: 10, after: { ts: 0, tie: 0 } });
    assert.match(time, /Index (Only )?Scan using alerts_d\d{8}_pkey/);
    const sparse = await trace({ filter: { srcCidr: '203.0.113.77/32' }, limit: 10 });
    assert.match(sparse, /alerts_d\d{8}_src_ts_idx/);
    const window = await trace({ filter: { sensors: ['sensor-a'] }, sig: { gid: 1, sid: 1000001 }, limit: 10 });
    for (const plan of [time, sparse, window]) assert.doesNotMatch(plan, /Seq Scan on alerts/);
  });

  test('response approval on PostgreSQL: a clear 501 on every route, page or API; no link to it', async () => {
    const message = /response approval is not available on the PostgreSQL store in this version/;
    const page = await get(postgres, '/responses?state=pending').expect(501);
    assert.match(page.headers['content-type'] as string, /html/);
    assert.match(page.text, message);
    assert.doesNotMatch(page.text, /at \w+ \(|\.js:\d+/, 'no stack trace');
    for (const url of ['/api/responses', '/api/responses/export?format=list']) {
      const res = await get(postgres, url).expect(501);
      assert.equal(res.body.error.code, 'SNARF_NOT_AVAILABLE');
      assert.match(res.body.error.message, message);
    }
    for (const url of ['/api/responses/1/approve', '/responses/1/reject']) {
      const res = await request(postgres.srv.app).post(url).set(AUTH).send({ comment: 'x' }).expect(501);
      assert.match(res.text, message);
    }
    const search = await get(postgres, '/search').expect(200);
    assert.doesNotMatch(search.text, /href="\/responses"/);
    await get(sqlite, '/api/responses').expect(200);
  });

  test('the server never writes to PostgreSQL: read-only sessions, writes refused; notes and acks go to the notes file', async () => {
    const store = postgres.srv.ctx.store as PostgresStore;
    const ro = await store.pool.query('SHOW default_transaction_read_only');
    assert.equal(ro.rows[0].default_transaction_read_only, 'on');
    await assert.rejects(store.pool.query("INSERT INTO sensors (name) VALUES ('intruder')"), (err: { code?: string }) => err.code === '25006');
    await assert.rejects(store.pool.query('DELETE FROM r_sensor'), (err: { code?: string }) => err.code === '25006');
    await assert.rejects(store.registerInput('/var/log/snort/alert', 'alert_fast', 'intruder'), (err: { code?: string }) => err.code === '25006');
    // Notes and acks are the server's only writes, and they go to its notes file.
    const note = await request(postgres.srv.app).post('/api/notes').set(AUTH).send({ kind: 'ip', target: '163.221.52.32', text: 'lab host' }).expect(201);
    const ack = await request(postgres.srv.app).post('/api/acks').set(AUTH).send({ sig: '1:1000001' }).expect(201);
    const newest = (await pgRows<{ m: number }>(pg.schema, 'SELECT max(ts) AS m FROM alerts'))[0]!.m;
    assert.equal(ack.body.throughUs, newest, 'an ack covers up to the newest alert held');
    const state = JSON.parse(fs.readFileSync(postgres.srv.ctx.notes.file, 'utf8')) as { notes: Array<{ id: string }>; acks: Array<{ id: string }> };
    assert.deepEqual([state.notes.map((n) => n.id), state.acks.map((a) => a.id)], [[note.body.id], [ack.body.id]]);
    const acked = (await get(postgres, '/api/alerts?sig=1%3A1000001&limit=1').expect(200)).body.alerts[0];
    assert.equal(acked.ack, ack.body.id, 'alerts show the ack');
    // Every request of this file so far read; none wrote.
    assert.deepEqual(await fingerprint(), fingerprintBefore);
  });

  test('a database without Snarf tables, or from a newer Snarf, is a clear error, and nothing is created', async () => {
    const empty = await freshPgSchema('srvempty');
    try {
      await assert.rejects(openServerApp({ db: empty.url }), /no Snarf tables in schema snarf_srvempty_\w+: import alerts first/);
      const exists = await pgRows<{ s: string | null }>('public', 'SELECT to_regnamespace($1)::text AS s', [empty.schema]);
      assert.equal(exists[0]!.s, null, 'no schema created');
      await pgRows('public', `CREATE SCHEMA ${empty.schema}; CREATE TABLE ${empty.schema}.snarf_meta (key text PRIMARY KEY, value bigint NOT NULL);
        INSERT INTO ${empty.schema}.snarf_meta VALUES ('schema_version', 99)`);
      await assert.rejects(openServerApp({ db: empty.url }), /schema version 99 is newer than this Snarf/);
      assert.throws(() => createServerApp({ db: pg.url }), /openServerApp/);
    } finally {
      await empty.drop();
    }
  });

  test('snarf serve --db postgres://: listens on loopback, answers, keeps its notes in ./snarf-notes.json, stops on SIGTERM', async () => {
    const cwd = tempDir('snarf-pg-serve-cli-');
    const child = spawn(process.execPath, [CLI, 'serve', '--db', pg.url, '--listen', '0', '--token', TOKEN], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 200 && !/notes in/.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      assert.ok(m, `listening on loopback: ${stderr}`);
      assert.ok(stderr.includes(`notes in ${path.join(fs.realpathSync(cwd), 'snarf-notes.json')}`), stderr);
      const base = `http://127.0.0.1:${m[1]}`;
      const summary = await fetch(`${base}/api/summary`, { headers: AUTH });
      assert.equal(summary.status, 200);
      assert.equal(((await summary.json()) as { totals: { alerts: number } }).totals.alerts, total);
      const note = await fetch(`${base}/api/notes`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'sig', target: '1:1000001', text: 'p2p' }) });
      assert.equal(note.status, 201);
      const saved = JSON.parse(fs.readFileSync(path.join(cwd, 'snarf-notes.json'), 'utf8')) as { notes: Array<{ text: string }> };
      assert.deepEqual(saved.notes.map((n) => n.text), ['p2p']);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
    }
    const bad = spawnSync(process.execPath, [CLI, 'serve', '--db', `${pg.url.replace(/schema=[^&]+/, 'schema=snarf_srv_nothing_here')}`, '--listen', '0'], { cwd, encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /no Snarf tables in schema snarf_srv_nothing_here/);
    assert.doesNotMatch(bad.stderr, /listening/);
  });
});
