/**
 * Real Snort 2.9.6.2 output (../shared/corpus/snort): every run, every text format, each into
 * a fresh store, must give exactly the per-signature, per-source and per-destination counts of
 * expected.json, for both sensors (sensor-b writes years with -y and runs in Asia/Tokyo).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import type { Warning } from '../../src/errors.js';

interface Run {
  counts_by_format: Record<string, number>;
  per_signature: Record<string, number>;
  per_source: Record<string, number>;
  per_destination: Record<string, number>;
  per_signature_source: Record<string, Record<string, number>>;
}

const expected = JSON.parse(fs.readFileSync(corpusPath('snort', 'expected.json'), 'utf8')) as { runs: Record<string, Run> };
const FORMATS = [
  ['alert.fast', 'alert_fast'],
  ['alert.full', 'alert_full'],
  ['alert.csv', 'alert_csv'],
  ['syslog.log', 'syslog'],
] as const;

/** expected.json keys signatures as "gid:sid:rev msg"; compare on gid:sid:rev. */
function bySigId(perSig: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(perSig)) {
    const id = k.slice(0, k.indexOf(' '));
    out[id] = (out[id] ?? 0) + v;
  }
  return out;
}

for (const [runName, run] of Object.entries(expected.runs)) {
  const sensor = runName.split('/')[0]!;
  const tz = sensor === 'sensor-b' ? 'Asia/Tokyo' : 'UTC';
  for (const [fileName, format] of FORMATS) {
    test(`${runName} ${fileName} gives the expected counts`, async () => {
      const file = corpusPath('snort', 'out', runName, fileName);
      const { store } = freshSqlite();
      const warnings: Warning[] = [];
      try {
        const result = await importFiles(store, [file], { sensor, tz, warn: (w) => warnings.push(w) });
        const total = run.counts_by_format[format === 'syslog' ? 'syslog' : format]!;
        if (total === 0) {
          assert.equal(result.totals.inserted, 0);
          return;
        }
        assert.deepEqual(warnings, [], 'no warnings on real Snort output');
        assert.equal(result.files[0]!.format, format);
        assert.equal(result.totals.inserted, total);
        assert.equal(result.totals.rejected, 0);
        const s = await store.summary();
        assert.equal(s.totals.alerts, total);
        const sigs: Record<string, number> = {};
        for (const g of s.signatures) sigs[`${g.gid}:${g.sid}:${g.rev}`] = g.count;
        assert.deepEqual(sigs, bySigId(run.per_signature));
        const srcs = Object.fromEntries(s.sources.map((h) => [h.ip, h.count]));
        const dsts = Object.fromEntries(s.destinations.map((h) => [h.ip, h.count]));
        assert.deepEqual(srcs, run.per_source);
        assert.deepEqual(dsts, run.per_destination);
        for (const g of s.signatures) {
          const perSrc = run.per_signature_source[`${g.gid}:${g.sid}`];
          assert.ok(perSrc, `${g.gid}:${g.sid} in per_signature_source`);
          assert.equal(g.sources, Object.keys(perSrc).length, `${g.gid}:${g.sid} distinct sources`);
        }
      } finally {
        await store.close();
      }
    });
  }
}

test('sensor-b text timestamps in Asia/Tokyo with -y years land on the same instants as sensor-a UTC', async () => {
  const a = freshSqlite();
  const b = freshSqlite();
  try {
    const warn = (): void => undefined;
    await importFiles(a.store, [corpusPath('snort', 'out', 'sensor-a', 'irc', 'alert.fast')], { sensor: 'a', tz: 'UTC', year: 2026, warn });
    await importFiles(b.store, [corpusPath('snort', 'out', 'sensor-b', 'irc', 'alert.fast')], { sensor: 'b', tz: 'Asia/Tokyo', warn });
    const sa = await a.store.summary();
    const sb = await b.store.summary();
    assert.equal(sa.firstUs, Date.UTC(2026, 10, 20, 10, 0, 0) * 1000 + 88806);
    assert.equal(sb.firstUs, sa.firstUs);
  } finally {
    await a.store.close();
    await b.store.close();
  }
});
