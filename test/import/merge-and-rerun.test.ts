/**
 * Re-import adds nothing; alert_fast and alert_full of one run merge into one alert each (the
 * full block's packet details fill in the fast alert); syslog does not merge (log time, not
 * packet time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import { LineSplitter } from '../../src/inputs/line-splitter.js';
import { FastParser } from '../../src/inputs/snort-text/fast.js';
import { FullParser } from '../../src/inputs/snort-text/full.js';
import { TimePlacer } from '../../src/inputs/snort-text/time.js';
import type { Alert } from '../../src/model/alert.js';
import type { TextParser, ParseContext } from '../../src/inputs/snort-text/parser.js';
import fs from 'node:fs';

const run = (name: string): string => corpusPath('snort', 'out', 'sensor-a', 'p2p', name);
const noWarn = (): void => undefined;

test('importing the same file twice adds 0 alerts the second time', async () => {
  const { store } = freshSqlite();
  try {
    const first = await importFiles(store, [run('alert.full')], { sensor: 'a', warn: noWarn });
    const second = await importFiles(store, [run('alert.full')], { sensor: 'a', warn: noWarn });
    assert.equal(first.totals.inserted, 202);
    assert.equal(second.totals.inserted, 0);
    assert.equal(second.totals.duplicates, 202);
    assert.equal((await store.summary()).totals.alerts, 202);
  } finally {
    await store.close();
  }
});

test('fast, full and csv of one run merge into one alert each; syslog stays separate', async () => {
  const { store } = freshSqlite();
  try {
    const r = await importFiles(store, [run('alert.fast'), run('alert.full'), run('alert.csv')], { sensor: 'a', year: 2026, warn: noWarn });
    assert.equal(r.totals.inserted, 202);
    assert.equal(r.totals.duplicates, 404);
    // alert_full's packet header fills in details of the alert first read from alert_fast.
    const row = store.db.prepare('SELECT count(*) AS c FROM alerts WHERE details IS NULL').get() as { c: number };
    assert.equal(row.c, 0);
    const s = await importFiles(store, [run('syslog.log')], { sensor: 'a', warn: noWarn });
    assert.equal(s.totals.inserted, 202);
  } finally {
    await store.close();
  }
});

function parseAll(make: (ctx: ParseContext) => TextParser, file: string): Alert[] {
  const out: Alert[] = [];
  const ctx: ParseContext = {
    file, sensor: 's', sensorExplicit: true, time: new TimePlacer({ tz: 'UTC', year: 2026 }),
    emit: (a) => out.push(a), warn: (w) => assert.fail(JSON.stringify(w)),
  };
  const p = make(ctx);
  const sp = new LineSplitter({ line: (t, n, o, u) => p.line(t, n, o, u), tooLong: () => assert.fail('long') });
  sp.push(fs.readFileSync(file));
  sp.end(true);
  p.end();
  return out;
}

for (const scenario of ['p2p', 'irc', 'recon', 'ipv6', 'mail']) {
  test(`${scenario}: the same alert read from fast and from full has the same identity fields`, () => {
    const dir = corpusPath('snort', 'out', 'sensor-a', scenario);
    const fast = parseAll((c) => new FastParser(c), `${dir}/alert.fast`);
    const full = parseAll((c) => new FullParser(c), `${dir}/alert.full`);
    assert.equal(fast.length, full.length);
    assert.ok(fast.length > 0);
    const id = (a: Alert): unknown[] => [a.gid, a.sid, a.rev, a.timeUs, a.protocol, a.srcIp, a.srcPort, a.dstIp, a.dstPort, a.message, a.priority, a.classification];
    for (let i = 0; i < fast.length; i++) assert.deepEqual(id(full[i]!), id(fast[i]!), `alert ${i + 1}`);
  });
}
