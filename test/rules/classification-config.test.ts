import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusPath } from '../helpers/corpus.js';
import { parseClassificationConfig } from '../../src/rules/classification-config.js';

test('corpus classification.config: ids are 1-based positions (policy-violation 7, trojan-activity 8)', () => {
  const t = parseClassificationConfig(fs.readFileSync(corpusPath('snort', 'rules', 'classification.config'), 'utf8'));
  assert.deepEqual(t.warnings, []);
  assert.equal(t.classifications.length, 12);
  assert.deepEqual(t.classifications[6], { shortname: 'policy-violation', description: 'Potential Corporate Privacy Violation', priority: 1 });
  assert.equal(t.classifications[7]?.shortname, 'trojan-activity');
  assert.equal(t.classifications[0]?.shortname, 'not-suspicious');
});

test('spaces around the priority are allowed; bad and duplicate lines get no id', () => {
  const text = [
    'config classification: a,First,3',
    'config classification: bad-unknown,Potentially Bad Traffic, 2',
    'config classification: broken,No priority',
    'config classification: a,Again,1',
    'something else',
    'config classification: c,Third, with comma,2',
  ].join('\n');
  const t = parseClassificationConfig(text, 'cls.config');
  assert.deepEqual(t.classifications.map((c) => c.shortname), ['a', 'bad-unknown', 'c']);
  assert.equal(t.classifications[1]?.priority, 2);
  assert.equal(t.classifications[2]?.description, 'Third, with comma');
  assert.deepEqual(t.warnings.map((w) => w.line), [3, 4, 5]);
});
