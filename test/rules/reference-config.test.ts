import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusPath } from '../helpers/corpus.js';
import { parseReferenceConfig, referenceIndex, resolveReferenceUrl } from '../../src/rules/reference-config.js';

const index = (): Map<string, string> => {
  const t = parseReferenceConfig(fs.readFileSync(corpusPath('snort', 'rules', 'reference.config'), 'utf8'));
  assert.deepEqual(t.warnings, []);
  return referenceIndex(t.systems);
};

test('corpus reference.config builds the documented URLs', () => {
  const idx = index();
  assert.equal(resolveReferenceUrl(idx, { system: 'cve', id: '2002-0649' }), 'http://cve.mitre.org/cgi-bin/cvename.cgi?name=2002-0649');
  assert.equal(resolveReferenceUrl(idx, { system: 'arachnids', id: '162' }), 'http://www.whitehats.com/info/IDS162');
  assert.equal(resolveReferenceUrl(idx, { system: 'url', id: 'x' }), 'http://x');
  assert.equal(resolveReferenceUrl(idx, { system: 'bugtraq', id: '5310' }), 'http://www.securityfocus.com/bid/5310');
});

test('unknown systems give null; names match case-insensitively', () => {
  const idx = index();
  assert.equal(resolveReferenceUrl(idx, { system: 'nosuch', id: '1' }), null);
  assert.equal(resolveReferenceUrl(idx, { system: 'CVE', id: '1999-0067' }), 'http://cve.mitre.org/cgi-bin/cvename.cgi?name=1999-0067');
});

test('a system without URL has no link; malformed lines are warnings', () => {
  const t = parseReferenceConfig('config reference: local\nconfig reference:\nconfig reference: a http://a/ extra\nconfig reference: b http://b/\n', 'r.config');
  const idx = referenceIndex(t.systems);
  assert.equal(resolveReferenceUrl(idx, { system: 'local', id: '1' }), null);
  assert.equal(resolveReferenceUrl(idx, { system: 'b', id: '9' }), 'http://b/9');
  assert.deepEqual(t.warnings.map((w) => `${w.file}:${w.line}`), ['r.config:2', 'r.config:3']);
});
