/**
 * Real Snort 2.9.6.2 output (../shared/corpus/snort): every run, every format, each into
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
import { loadCatalog } from '../../src/cli/catalog.js';

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
  ['snort.u2.*', 'unified2'],
] as const;

/** The run's files for a format: unified2 spools are one or more `snort.u2.<ts>` files. */
function filesFor(runName: string, fileName: string): string[] {
  const dir = corpusPath('snort', 'out', runName);
  if (!fileName.includes('*')) return [`${dir}/${fileName}`];
  return fs.readdirSync(dir).filter((n) => n.startsWith('snort.u2.')).map((n) => `${dir}/${n}`);
}
const rules = corpusPath('snort', 'rules');

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
      const files = filesFor(runName, fileName);
      const { store } = freshSqlite();
      const warnings: Warning[] = [];
      try {
        // unified2 carries no message text: it comes from the sensor's own maps.
        const catalog = format === 'unified2' ? await loadCatalog([rules], true, (w) => warnings.push(w)) : undefined;
        const result = await importFiles(store, files, { sensor, tz, catalog, warn: (w) => warnings.push(w) });
        const total = run.counts_by_format[format === 'unified2' ? 'unified2_events' : format]!;
        if (total === 0) {
          assert.equal(result.totals.inserted, 0);
          return;
        }
        assert.deepEqual(warnings, [], 'no warnings on real Snort output');
        for (const f of result.files) assert.equal(f.format, format);
        assert.equal(result.totals.inserted, total);
        assert.equal(result.totals.rejected, 0);
        const s = await store.summary();
        assert.equal(s.totals.alerts, total);
        const sigs: Record<string, number> = {};
        for (const g of s.signatures) sigs[`${g.gid}:${g.sid}:${g.rev}`] = g.count;
        assert.deepEqual(sigs, bySigId(run.per_signature));
        if (format === 'unified2') {
          const msgs: Record<string, number> = {};
          for (const g of s.signatures) msgs[`${g.gid}:${g.sid}:${g.rev} ${g.message}`] = g.count;
          // Preprocessor messages with appended text print longer than their map entry.
          const expectedMsgs = Object.fromEntries(Object.entries(run.per_signature).map(([k, v]) => [k.replace(/: RCPT, 364 chars$/, ''), v]));
          assert.deepEqual(msgs, expectedMsgs, 'messages resolved from the maps');
        }
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

test('unified2 and the text outputs of one run merge into one alert each; syslog stays apart', async () => {
  for (const [sensor, tz] of [['sensor-a', 'UTC'], ['sensor-b', 'Asia/Tokyo']] as const) {
    const { store } = freshSqlite();
    try {
      const catalog = await loadCatalog([rules], true, () => undefined);
      const dir = corpusPath('snort', 'out', sensor, 'spool');
      const r = await importFiles(store, [dir], { sensor, tz, catalog, warn: () => undefined });
      const total = expected.runs[`${sensor}/spool`]!.counts_by_format.alert_fast!;
      assert.equal(r.totals.inserted, 2 * total, `${sensor}: one set from u2/fast/full/csv, one from syslog`);
      assert.equal(r.totals.duplicates, 3 * total);
    } finally {
      await store.close();
    }
  }
});
