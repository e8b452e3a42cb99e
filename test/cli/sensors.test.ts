/**
 * Comparing sensor-a ("campus border") with sensor-b ("dormitory segment") on the real corpus:
 * the documented configuration differences show up as the count differences expected.json
 * implies, and the clock offset is 9 h between the text outputs (sensor-b's zone not given)
 * and 0 between the unified2 spools.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusPath } from '../helpers/corpus.js';
import { tempDir } from '../helpers/store.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
function snarf(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `snarf ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const expected = JSON.parse(fs.readFileSync(corpusPath('snort', 'expected.json'), 'utf8')) as {
  runs: Record<string, { per_signature: Record<string, number> }>;
};
const spool = (sensor: string): string => corpusPath('snort', 'out', sensor, 'spool');
const u2files = (sensor: string): string[] => fs.readdirSync(spool(sensor)).filter((n) => n.startsWith('snort.u2.')).map((n) => path.join(spool(sensor), n));

test('text outputs: counts side by side as expected.json implies, clock 9 h apart', () => {
  const db = path.join(tempDir(), 'snarf.db');
  // sensor-b's text is imported without its zone (Asia/Tokyo): its clock appears 9 h ahead.
  snarf('import', '-q', '--db', db, '--sensor', 'sensor-a', '--year', '2026', path.join(spool('sensor-a'), 'alert.fast'));
  snarf('import', '-q', '--db', db, '--sensor', 'sensor-b', path.join(spool('sensor-b'), 'alert.fast'));
  const r = JSON.parse(snarf('sensors', '--db', db, '--compare', 'sensor-a', 'sensor-b', '--json')) as any;
  const counts = new Map<string, [number, number]>();
  for (const s of [...r.signatures.both, ...r.signatures.onlyA, ...r.signatures.onlyB]) counts.set(`${s.gid}:${s.sid}:${s.rev}`, [s.a, s.b]);
  const want = new Map<string, [number, number]>();
  for (const [sensor, i] of [['sensor-a', 0], ['sensor-b', 1]] as const) {
    for (const [k, n] of Object.entries(expected.runs[`${sensor}/spool`]!.per_signature)) {
      const id = k.slice(0, k.indexOf(' '));
      const pair = want.get(id) ?? [0, 0];
      pair[i] += n;
      want.set(id, pair);
    }
  }
  assert.deepEqual(Object.fromEntries(counts), Object.fromEntries(want));
  // The documented differences, one by one.
  assert.deepEqual(counts.get('1:1000002:1'), [12, 7], 'HOME_NET: sensor-b treats 163.221.128.0/17 as external');
  assert.deepEqual(counts.get('1:1000042:1'), [2, 1], 'event_filter 300 s vs 60 s per source');
  assert.deepEqual(counts.get('1:1000070:1'), [6, 2], 'suppress 1:1000070 by_dst 163.221.0.80 on sensor-b');
  assert.deepEqual(counts.get('122:26:1'), [2, 0], 'sfportscan sense_level medium vs low');
  assert.ok(r.signatures.onlyA.some((s: { sid: number }) => s.sid === 1000053), 'IPv6 hosts are external for sensor-b');
  const ratio = r.signatures.both.find((s: { sid: number }) => s.sid === 1000002).ratio;
  assert.equal(ratio, Math.round((12 / 7) * 1000) / 1000);
  assert.ok(r.hosts.onlyA > 0);
  assert.equal(r.clockOffsets.length, 1);
  assert.equal(r.clockOffsets[0].offsetSeconds, 9 * 3600);
  assert.match(r.clockOffsets[0].compared, /text inputs of sensor-a against text inputs of sensor-b/);
  assert.deepEqual(r.clockOffsets[0].inputsB.map((i: { format: string }) => i.format), ['alert_fast']);
  assert.ok(r.clockOffsets[0].agreeing >= 300);
});

test('unified2 spools: sensors named from the -G log id via the registry, clock offset 0', () => {
  const db = path.join(tempDir(), 'snarf.db');
  snarf('sensors', 'set', 'sensor-a', '--db', db, '--log-id', '1', '--description', 'campus border');
  snarf('sensors', 'set', 'sensor-b', '--db', db, '--log-id', '2', '--description', 'dormitory segment');
  snarf('import', '-q', '--db', db, '--rules', corpusPath('snort', 'rules'), ...u2files('sensor-a'), ...u2files('sensor-b'));
  const list = JSON.parse(snarf('sensors', '--db', db, '--json')) as Array<{ name: string; alerts: number; description: string }>;
  assert.deepEqual(list.map((s) => [s.name, s.alerts, s.description]), [['sensor-a', 549, 'campus border'], ['sensor-b', 407, 'dormitory segment']]);
  const r = JSON.parse(snarf('sensors', '--db', db, '--compare', 'sensor-a', 'sensor-b', '--json')) as any;
  assert.equal(r.clockOffsets.length, 1);
  assert.equal(r.clockOffsets[0].offsetSeconds, 0);
  assert.match(r.clockOffsets[0].compared, /unified2 inputs of sensor-a against unified2 inputs of sensor-b/);
  assert.equal(r.clockOffsets[0].inputsA.length, 6);
  assert.deepEqual(r.totals, { a: 549, b: 407 });
});

test('unified2 without registry entries: sensors named snort-G<log id>', () => {
  const db = path.join(tempDir(), 'snarf.db');
  snarf('import', '-q', '--db', db, ...u2files('sensor-a').slice(0, 1), ...u2files('sensor-b').slice(0, 1));
  const list = JSON.parse(snarf('sensors', '--db', db, '--json')) as Array<{ name: string }>;
  assert.deepEqual(list.map((s) => s.name), ['snort-G1', 'snort-G2']);
});
