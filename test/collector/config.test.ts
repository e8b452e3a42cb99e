/** Config validation: every error names the key path and the bad value; unknown keys fail. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, validateConfig } from '../../src/collector/config.js';
import { SnarfError } from '../../src/errors.js';
import { tempDir } from '../helpers/store.js';

const good = {
  db: 'x.db',
  inputs: [
    { type: 'unified2', directory: '/var/log/snort', base: 'snort.u2', sensor: 'a' },
    { type: 'text', path: '/var/log/snort/alert', format: 'alert_fast', tz: 'Asia/Tokyo', year: 2026 },
  ],
};

function fails(doc: unknown, pattern: RegExp): void {
  assert.throws(() => validateConfig(doc, '/etc/snarf.yaml'), (err: unknown) => {
    assert.ok(err instanceof SnarfError);
    assert.equal(err.code, 'SNARF_CONFIG_INVALID');
    assert.match(err.message, pattern);
    assert.match(err.message, /^\/etc\/snarf\.yaml: /);
    return true;
  });
}

test('a valid config gets defaults and absolute paths', () => {
  const c = validateConfig(good, '/etc/snarf/snarf.yaml');
  assert.equal(c.db, '/etc/snarf/x.db');
  assert.equal(c.pollMs, 1000);
  assert.equal(c.inputs[0]!.type, 'unified2');
  assert.equal(c.inputs[0]!.name, 'snort/snort.u2');
  const t = c.inputs[1]!;
  assert.ok(t.type === 'text');
  assert.equal(t.sensor, undefined);
  assert.equal(t.year, 2026);
});

test('unknown keys are rejected with their path', () => {
  fails({ ...good, pol_ms: 5 }, /pol_ms: unknown key/);
  fails({ ...good, inputs: [{ ...good.inputs[0], basename: 'x' }] }, /inputs\[0\]\.basename: unknown key/);
});

test('wrong types name the key and the value', () => {
  fails({ ...good, poll_ms: '100' }, /poll_ms: expected a whole number from 10 to 600000, got "100"/);
  fails({ ...good, inputs: [{ ...good.inputs[1], format: 'fastt' }] }, /inputs\[0\]\.format: "fastt" is not one of auto, alert_fast/);
  fails({ ...good, inputs: [{ ...good.inputs[1], tz: 'Mars/Base' }] }, /inputs\[0\]\.tz: "Mars\/Base" is not an IANA time zone/);
  fails({ ...good, inputs: [{ ...good.inputs[0], type: 'pcap' }] }, /inputs\[0\]\.type: "pcap" is not one of unified2, text/);
  fails({ ...good, rules: 'x.map' }, /rules: expected a list of paths, got "x.map"/);
  fails({ ...good, inputs: [{ ...good.inputs[0], base: 'a/b' }] }, /inputs\[0\]\.base: a file name without directories/);
});

test('missing fields are named', () => {
  fails({ db: 'x' }, /inputs: required key is missing/);
  fails({ inputs: [{ type: 'unified2', base: 'snort.u2' }] }, /inputs\[0\]\.directory: required key is missing/);
  fails({ inputs: [{ type: 'text' }] }, /inputs\[0\]\.path: required key is missing/);
  fails({ inputs: [] }, /inputs: expected a non-empty list/);
});

test('two inputs on the same files are refused', () => {
  fails({ inputs: [good.inputs[0], { ...good.inputs[0], name: 'other' }] }, /inputs\[1\]: follows the same files as inputs\[0\]/);
});

test('YAML and JSON files load; bad YAML is a config error', () => {
  const dir = tempDir();
  const y = path.join(dir, 'snarf.yaml');
  fs.writeFileSync(y, 'poll_ms: 200\ninputs:\n  - type: unified2\n    directory: spool\n    base: snort.u2\n');
  const c = loadConfig(y);
  assert.equal(c.pollMs, 200);
  assert.equal((c.inputs[0] as { directory: string }).directory, path.join(dir, 'spool'));
  const j = path.join(dir, 'snarf.json');
  fs.writeFileSync(j, JSON.stringify(good));
  assert.equal(loadConfig(j).inputs.length, 2);
  fs.writeFileSync(y, 'inputs: [\n');
  assert.throws(() => loadConfig(y), /SNARF_CONFIG_INVALID|not valid YAML/);
  assert.throws(() => loadConfig(path.join(dir, 'missing.yaml')), /cannot read the config file/);
});

test('the shipped sample config is valid', () => {
  const sample = path.resolve('samples', 'snarf.yaml');
  if (!fs.existsSync(sample)) return;
  const c = loadConfig(sample);
  assert.ok(c.inputs.length >= 2);
});
