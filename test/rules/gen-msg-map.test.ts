import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusPath } from '../helpers/corpus.js';
import { parseGenMsgMap } from '../../src/rules/gen-msg-map.js';

test('corpus gen-msg.map: 124:4 text and the full portscan set', () => {
  const m = parseGenMsgMap(fs.readFileSync(corpusPath('snort', 'rules', 'gen-msg.map'), 'utf8'));
  assert.deepEqual(m.warnings, []);
  const smtp = m.entries.find((e) => e.gid === 124 && e.sid === 4);
  assert.equal(smtp?.message, '(smtp) Attempted specific command buffer overflow');
  assert.equal(m.entries.filter((e) => e.gid === 122).length, 27);
  assert.equal(m.entries.find((e) => e.gid === 1 && e.sid === 1000032)?.message, 'BOT IRC bot-style nickname');
});

test('gen-msg lines that are not exactly three fields are warnings', () => {
  const m = parseGenMsgMap('119 || 31 || (http_inspect) UNKNOWN METHOD\n119 || 32\n1 || 2 || a || b\nx || 1 || y\n129 || 15 || Reset outside window\n', 'g.map');
  assert.deepEqual(m.entries.map((e) => `${e.gid}:${e.sid}`), ['119:31', '129:15']);
  assert.deepEqual(m.warnings.map((w) => `${w.file}:${w.line}`), ['g.map:2', 'g.map:3', 'g.map:4']);
});
