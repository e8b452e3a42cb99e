/**
 * `snarf sensors`, `export`, `clusters`, `anomalies` and `hosts` read PostgreSQL as they read SQLite: the
 * same corpus imported into a fresh SQLite file and a fresh PostgreSQL schema gives the same JSON
 * from each command, run as the CLI runs. The JSON is checked to be about something (two sensors
 * with clock offsets, botnet clusters, anomalies of several kinds, every alert exported), so two
 * empty answers cannot agree by accident.
 *
 * Store row ids are the one thing that may differ (PostgreSQL draws them from cached sequence
 * ranges), so evidence `alertId`s are compared as the identity (ts, h) of the alert they name.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CORPUS_RULES, corpusOut, corpusU2, snarfIn } from '../helpers/corpus-cli.js';
import { tempDir } from '../helpers/store.js';
import { freshPgSchema, pgRows } from '../helpers/pg.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { exportReadsFor } from '../../src/store/reads/reads-for.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { collectDay } from '../../src/mail/collect-day.js';
import { storeClusterSource } from '../../src/mail/clusters.js';
import type { DailySummary } from '../../src/mail/daily-summary.js';

// PostgreSQL's state file (sensor registry, import runs) is ./snarf-state.json: keep it out of the tree.
const CWD = tempDir();

const snarf = snarfIn(CWD);

const out = corpusOut;
const u2 = corpusU2;
const RULES = CORPUS_RULES;
const HOME = ['163.221.0.0/16', '2001:db8:a3dd::/48', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].flatMap((c) => ['--home-net', c]);

/**
 * Two sensors: each spool's unified2 and alert_fast (sensor-b's text without its zone, so its
 * clock reads 9 h off), and the bot, scan, mail and web scenarios with their packets.
 */
function importCorpus(db: string): void {
  snarf('import', '-q', '--db', db, ...RULES, '--sensor', 'sensor-a', '--year', '2026', ...u2('sensor-a', 'spool'), path.join(out('sensor-a', 'spool'), 'alert.fast'));
  snarf('import', '-q', '--db', db, ...RULES, '--sensor', 'sensor-b', '--year', '2026', ...u2('sensor-b', 'spool'), path.join(out('sensor-b', 'spool'), 'alert.fast'));
  snarf('import', '-q', '--db', db, ...RULES, '--sensor', 'sensor-a', ...['irc', 'ipv6', 'recon', 'mail', 'web', 'p2p'].flatMap((s) => u2('sensor-a', s)));
  snarf('import', '-q', '--db', db, ...RULES, '--sensor', 'sensor-b', ...['irc', 'recon'].flatMap((s) => u2('sensor-b', s)));
}

/** Every `alertId` in a command's JSON replaced by the identity of the alert it names. */
function byIdentity(value: unknown, identity: Map<number, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => byIdentity(v, identity));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => {
    if (k !== 'alertId' || v === null) return [k, byIdentity(v, identity)];
    const id = identity.get(v as number);
    assert.ok(id !== undefined, `alertId ${String(v)} names no stored alert`);
    return [k, id];
  }));
}

interface Side {
  name: 'sqlite' | 'postgres';
  db: string;
  identity: Map<number, string>;
  alerts: number;
}

const sides: Side[] = [];
let dropSchema: (() => Promise<void>) | undefined;

/** The command's output on both stores, SQLite first. */
function both(...args: string[]): [string, string] {
  const [a, b] = sides.map((s) => snarf(...args.map((x) => (x === '@db' ? s.db : x))));
  return [a!, b!];
}

/** JSON of both stores with store-specific fields (location, row ids) made comparable. */
function bothJson(...args: string[]): [any, any] {
  const texts = both(...args);
  return texts.map((t, i) => {
    const side = sides[i]!;
    const j = JSON.parse(t) as Record<string, unknown>;
    if (!Array.isArray(j) && 'db' in j) {
      assert.ok(typeof j.db === 'string' && j.db.length > 0);
      delete j.db;
    }
    return byIdentity(j, side.identity);
  }) as [any, any];
}

describe('PostgreSQL answers sensors, export, clusters, anomalies, hosts and mail as SQLite does', () => {
  before(async () => {
    const file = path.join(tempDir(), 'snarf.db');
    const pg = await freshPgSchema('readers');
    dropSchema = pg.drop;
    importCorpus(file);
    importCorpus(pg.url);
    const sqlite = new Database(file, { readonly: true });
    try {
      const rows = sqlite.prepare('SELECT id, ts, h FROM alerts').all() as Array<{ id: number; ts: number; h: number }>;
      sides.push({ name: 'sqlite', db: file, identity: new Map(rows.map((r) => [r.id, `${r.ts}:${r.h}`])), alerts: rows.length });
    } finally {
      sqlite.close();
    }
    const rows = await pgRows<{ id: number; ts: number; h: number }>(pg.schema, 'SELECT id, ts, h FROM alerts');
    sides.push({ name: 'postgres', db: pg.url, identity: new Map(rows.map((r) => [r.id, `${r.ts}:${r.h}`])), alerts: rows.length });
    assert.ok(sides[0]!.alerts > 1000, `corpus imported (${sides[0]!.alerts} alerts)`);
    assert.equal(sides[1]!.alerts, sides[0]!.alerts, 'both stores hold the same alerts');
  });

  after(async () => {
    await dropSchema?.();
  });

  test('sensors: the same per-sensor totals, rates and inputs', () => {
    const [a, b] = bothJson('sensors', '--db', '@db', '--json');
    assert.deepEqual(b, a);
    assert.deepEqual(a.map((s: any) => s.name), ['sensor-a', 'sensor-b']);
    assert.ok(a.every((s: any) => s.alerts > 0 && s.inputs.length > 0 && s.activeHours > 0));
    assert.equal(a.reduce((t: number, s: any) => t + s.alerts, 0), sides[0]!.alerts);
  });

  test('sensors --compare: the same signatures, hosts, hours and clock offsets', () => {
    const [a, b] = bothJson('sensors', '--db', '@db', '--compare', 'sensor-a', 'sensor-b', '--json');
    assert.deepEqual(b, a);
    assert.ok(a.totals.a > 0 && a.totals.b > 0);
    assert.ok(a.signatures.both.length > 0 && a.signatures.onlyA.length > 0);
    assert.ok(a.hosts.onlyA > 0 && a.hosts.both > 0);
    // Keyed by sensor-b's family: its alert_fast, read without its zone, is 9 h off its unified2.
    const offsets = new Map(a.clockOffsets.map((o: any) => [/against (\S+) inputs/.exec(o.compared)![1], o.offsetSeconds]));
    assert.equal(offsets.get('text'), 9 * 3600);
    assert.equal(offsets.get('unified2'), 0);
  });

  test('sensors --compare over a window: the time bounds select the same hours on both', () => {
    const hours = bothJson('sensors', '--db', '@db', '--compare', 'sensor-a', 'sensor-b', '--json')[0].hourly.map((h: any) => h.hour);
    assert.ok(hours.length >= 2, 'corpus spans several hours');
    const [a, b] = bothJson('sensors', '--db', '@db', '--compare', 'sensor-a', 'sensor-b', '--since', hours[1], '--json');
    assert.deepEqual(b, a);
    assert.equal(a.hourly[0].hour, hours[1]);
  });

  test('export: the same records in every format, one per stored alert', () => {
    for (const format of ['json', 'csv', 'eve']) {
      const [a, b] = both('export', '--db', '@db', '--format', format);
      const lines = (t: string): string[] => t.split(format === 'csv' ? '\r\n' : '\n').filter((l) => l.length > 0);
      const [la, lb] = [lines(a), lines(b)];
      assert.equal(la.length, sides[0]!.alerts + (format === 'csv' ? 1 : 0), `${format}: one record per alert`);
      if (format === 'csv') assert.equal(lb[0], la[0], 'same CSV header');
      // SQLite exports in row id order, PostgreSQL in identity order: the same records either way.
      assert.deepEqual([...lb].sort(), [...la].sort(), `${format}: same records`);
    }
    const eve = both('export', '--db', '@db', '--format', 'eve')[1].trimEnd().split('\n').map((l) => JSON.parse(l) as { packet?: string; http?: unknown });
    assert.ok(eve.some((r) => r.packet !== undefined) && eve.some((r) => r.http !== undefined), 'packets and extra data exported');
  });

  test('export with filters: the same subset on both', () => {
    const [a, b] = both('export', '--db', '@db', '--format', 'json', '--sensor', 'sensor-a', '--src', '163.221.0.0/16', '--min-priority', '2', '--exclude-sid', '1000002');
    const [la, lb] = [a, b].map((t) => t.trimEnd().split('\n').filter((l) => l.length > 0).sort());
    assert.ok(la!.length > 0 && la!.length < sides[0]!.alerts);
    assert.deepEqual(lb, la);
    for (const r of la!.map((l) => JSON.parse(l) as { sensor: string; sid: number; priority: number })) {
      assert.equal(r.sensor, 'sensor-a');
      assert.ok(r.sid !== 1000002 && r.priority <= 2);
    }
  });

  test('export pages (PostgreSQL): keyset pages in identity order, each alert once', async () => {
    const store = await PostgresStore.open(sides[1]!.db);
    try {
      const seen: string[] = [];
      let pages = 0;
      let last = -Infinity;
      for await (const page of exportReadsFor(store).pages({}, 97)) {
        pages++;
        assert.ok(page.length <= 97);
        for (const r of page) {
          assert.ok(r.timeUs >= last, 'time order across pages');
          last = r.timeUs;
          seen.push(sides[1]!.identity.get(r.id)!);
        }
      }
      assert.equal(seen.length, sides[1]!.alerts);
      assert.equal(new Set(seen).size, seen.length, 'no alert twice');
      assert.ok(pages > 10);
    } finally {
      await store.close();
    }
  });

  test('clusters: the same bot clusters, members, evidence and chat servers', () => {
    const [a, b] = bothJson('clusters', '--db', '@db', ...HOME, '--json', '--no-remember');
    assert.deepEqual(b, a);
    assert.deepEqual(a.clusters.map((c: any) => c.server), ['203.0.113.66', '198.51.100.23', '2001:db8:bad:c0::66']);
    assert.ok(a.clusters.every((c: any) => c.level === 'confirmed' && c.evidence.items.length > 0));
    assert.ok(a.clusters[0].commands.length > 0 && a.clusters[0].channels.length > 0, 'payload lines read from stored packets');
    assert.ok(a.chatServers.length > 0);
  });

  test('clusters of one sensor: the sensor filter selects the same alerts', () => {
    const [a, b] = bothJson('clusters', '--db', '@db', ...HOME, '--sensor', 'sensor-b', '--json', '--no-remember');
    assert.deepEqual(b, a);
    assert.ok(a.clusters.length > 0);
  });

  test('anomalies: the same findings with the same evidence', () => {
    const [a, b] = bothJson('anomalies', '--db', '@db', ...HOME, '--json');
    assert.deepEqual(b, a);
    for (const kind of ['scan', 'sweep', 'mass-smtp', 'non-http', 'non-smtp']) assert.ok(a.counts[kind] > 0, `${kind} found`);
    assert.ok(a.findings.some((f: any) => f.evidence.some((e: any) => typeof e.alertId === 'string')), 'evidence names alerts');
  });

  test('text output (no ids in it): byte for byte the same', () => {
    for (const args of [['sensors'], ['sensors', '--compare', 'sensor-a', 'sensor-b'], ['clusters', ...HOME, '--no-remember'], ['anomalies', ...HOME]]) {
      const [a, b] = both(args[0]!, '--db', '@db', ...args.slice(1));
      assert.ok(a.trim().split('\n').length >= 2, `${args[0]} printed something`);
      assert.equal(b, a, args.join(' '));
    }
  });

  test('hosts: the same P2P verdicts from the Snort alerts (the corpus holds no flows or Winny logs)', () => {
    const [a, b] = bothJson('hosts', '--db', '@db', ...HOME, '--json');
    assert.deepEqual(b, a);
    assert.ok(a.hosts.length > 0, 'P2P hosts found');
    assert.ok(a.hosts.some((h: any) => h.level === 'confirmed' && h.evidence.some((e: any) => e.source === 'snort')));
    const [ta, tb] = both('hosts', '--db', '@db', ...HOME);
    assert.equal(tb, ta);
  });

  test('mail: the same nightly summary of a day (counts, signatures, sensors, hosts), bar the sFlow sections', async () => {
    const sqlite = new SqliteStore(sides[0]!.db);
    const pgStore = await PostgresStore.open(sides[1]!.db);
    try {
      const range = JSON.parse(snarf('summary', '--db', sides[0]!.db, '--json')) as { timeRange: { first: string } };
      const day = range.timeRange.first.slice(0, 10);
      // UTC days are counted from the hourly rollup, a +05:30 zone's from the raw alerts.
      for (const timeZone of ['UTC', 'Asia/Kolkata']) {
        const build = (store: Store, db: string): Promise<DailySummary> => collectDay(store, {
          day, timeZone, top: 10, baseUrl: null, nowUs: Date.UTC(2026, 10, 27) * 1000, clusters: storeClusterSource(store, db),
        });
        const [a, b] = [await build(sqlite, sides[0]!.db), await build(pgStore, sides[1]!.db)];
        // The one section that differs by design: PostgreSQL keeps no flows, and says so.
        assert.ok(b.sflow === null && b.notes.some((n) => n.section === 'sflow' && /keeps no flows/.test(n.text)));
        const noFlows = (s: DailySummary): unknown => ({ ...s, sflow: null, notes: s.notes.filter((n) => n.section !== 'sflow') });
        assert.deepEqual(noFlows(b), noFlows(a), timeZone);
        assert.ok(a.totals.count > 100 && a.topSignatures.length === 10 && a.sensors.length === 2, `${timeZone}: a day with alerts on both sensors`);
        assert.ok(a.totals.sources > 0 && a.newSignatures.length > 0, `${timeZone}: hosts and first-seen signatures`);
      }
    } finally {
      await sqlite.close();
      await pgStore.close();
    }
  });

  test('anomalies with low thresholds: fan-in, always-on and port scans from the grouped reads agree', () => {
    const low = ['--fan-in-hosts', '2', '--active-hours', '2', '--scan-ports', '3', '--sweep-hosts', '3'];
    const [a, b] = bothJson('anomalies', '--db', '@db', ...HOME, ...low, '--json');
    assert.deepEqual(b, a);
    for (const kind of ['fan-in', 'always-on', 'scan', 'sweep']) assert.ok(a.counts[kind] > 0, `${kind} found`);
  });
});
