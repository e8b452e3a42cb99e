/**
 * The CLI as scripts use it: `snarf import --json` and `snarf summary --json` keep their field
 * names; bad options and paths fail with one clear line and a non-zero status, no stack trace;
 * nothing but the result goes to stdout in a pipe (no progress bar).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/store.js';
import { corpusPath } from '../helpers/corpus.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const snarf = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('import --json then summary --json over real outputs of both sensors', () => {
  const db = path.join(tempDir(), 'snarf.db');
  const a = snarf('import', '--db', db, '--sensor', 'sensor-a', '--json', corpusPath('snort', 'out', 'sensor-a', 'irc', 'alert.full'));
  assert.equal(a.status, 0, a.stderr);
  const result = JSON.parse(a.stdout) as { totals: Record<string, number>; files: Array<Record<string, unknown>> };
  assert.equal(result.totals.inserted, 71);
  assert.equal(result.files[0]!.format, 'alert_full');
  const b = snarf('import', '--db', db, '--sensor', 'sensor-b', '--tz', 'Asia/Tokyo', '-q', '--rules', corpusPath('snort', 'rules'),
    ...fs.readdirSync(corpusPath('snort', 'out', 'sensor-b', 'irc')).filter((n) => n.startsWith('snort.u2')).map((n) => corpusPath('snort', 'out', 'sensor-b', 'irc', n)));
  assert.equal(b.status, 0, b.stderr);
  assert.equal(b.stdout, '', 'nothing on stdout without --json');
  assert.match(b.stderr, /42 alerts added/);
  assert.doesNotMatch(b.stderr, /\u001b\[|\r/, 'no progress bar in a pipe');

  const s = snarf('summary', '--db', db, '--json');
  assert.equal(s.status, 0, s.stderr);
  const sum = JSON.parse(s.stdout) as Record<string, any>;
  assert.deepEqual(Object.keys(sum).sort(), ['destinations', 'inputs', 'sensors', 'signatures', 'sources', 'store', 'timeRange', 'totals']);
  assert.equal(sum.totals.alerts, 113);
  assert.deepEqual(sum.sensors.map((x: { name: string; count: number }) => [x.name, x.count]), [['sensor-a', 71], ['sensor-b', 42]]);
  const sig = sum.signatures.find((g: { sid: number }) => g.sid === 1000036);
  assert.deepEqual(Object.keys(sig).sort(), ['classification', 'count', 'destinations', 'first', 'gid', 'last', 'message', 'priority', 'rev', 'sid', 'sources'].sort());
  assert.equal(sig.count, 16 + 9);
  assert.equal(sum.timeRange.first, '2026-11-20T10:00:00.088806Z');
  const only = JSON.parse(snarf('summary', '--db', db, '--json', '--sensor', 'sensor-b').stdout) as Record<string, any>;
  assert.equal(only.totals.alerts, 42);
});

test('bad options and missing files: one clear line, non-zero exit, no stack trace', () => {
  const db = path.join(tempDir(), 'snarf.db');
  const tz = snarf('import', '--db', db, '--tz', 'Mars/Olympus', corpusPath('snort', 'out', 'sensor-a', 'irc', 'alert.fast'));
  assert.notEqual(tz.status, 0);
  assert.match(tz.stderr, /not an IANA time zone/);
  const year = snarf('import', '--db', db, '--year', 'soon', corpusPath('snort', 'out', 'sensor-a', 'irc', 'alert.fast'));
  assert.notEqual(year.status, 0);
  assert.match(year.stderr, /is not a year/);
  const missing = snarf('import', '--db', db, '/nonexistent/alert.fast');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /SNARF_IO: \/nonexistent\/alert\.fast: no such file or directory/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
  const nodb = snarf('summary', '--db', path.join(tempDir(), 'none.db'));
  assert.equal(nodb.status, 1);
  assert.match(nodb.stderr, /no such database/);
});
