import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusPath } from '../helpers/corpus.js';
import { parseReference, parseSidMsgMap } from '../../src/rules/sid-msg-map.js';

const corpusMap = (): string => fs.readFileSync(corpusPath('snort', 'rules', 'sid-msg.map'), 'utf8');

test('corpus sid-msg.map is v1 and every line parses', () => {
  const m = parseSidMsgMap(corpusMap(), 'sid-msg.map');
  assert.equal(m.version, 1);
  assert.deepEqual(m.warnings, []);
  assert.equal(m.entries.length, 26);
  assert.ok(m.entries.every((e) => e.gid === 1));
});

test('corpus sid 1000061 has bugtraq,5310 and cve,2002-0649', () => {
  const e = parseSidMsgMap(corpusMap()).entries.find((x) => x.sid === 1000061);
  assert.ok(e);
  assert.equal(e.message, 'SCAN MS-SQL ping probe');
  assert.deepEqual(e.references, [
    { system: 'bugtraq', id: '5310' },
    { system: 'cve', id: '2002-0649' },
  ]);
});

test('corpus: messages keep inner punctuation and entries without refs have none', () => {
  const m = parseSidMsgMap(corpusMap());
  const bot = m.entries.find((x) => x.sid === 1000033);
  assert.equal(bot?.message, 'BOT IRC bot command !scan from C&C');
  assert.deepEqual(m.entries.find((x) => x.sid === 1000030)?.references, []);
});

test('v1 with explicit #v1 marker and spacing variations', () => {
  const m = parseSidMsgMap('#v1\n  42||Tight fields||url,example.org \n7 ||  Loose   ||\n');
  assert.equal(m.version, 1);
  assert.deepEqual(m.warnings, []);
  assert.deepEqual(m.entries[0], { gid: 1, sid: 42, message: 'Tight fields', references: [{ system: 'url', id: 'example.org' }] });
  assert.equal(m.entries[1]?.message, 'Loose');
});

test('v2 map from an inline fixture', () => {
  const text = [
    '#v2',
    '# comment',
    '1 || 2000001 || 3 || trojan-activity || 1 || ET TROJAN thing || url,example.org/x || cve,2020-1',
    '',
    '3 || 15000 || 2 || NOCLASS || 0 || SO rule message',
    '1 || 2000001 || 4 || trojan-activity || 2 || ET TROJAN thing v4',
  ].join('\n');
  const m = parseSidMsgMap(text, 'v2.map');
  assert.equal(m.version, 2);
  assert.deepEqual(m.warnings, []);
  assert.equal(m.entries.length, 3);
  assert.deepEqual(m.entries[0], {
    gid: 1, sid: 2000001, rev: 3, message: 'ET TROJAN thing', classtype: 'trojan-activity', priority: 1,
    references: [{ system: 'url', id: 'example.org/x' }, { system: 'cve', id: '2020-1' }],
  });
  const so = m.entries[1];
  assert.equal(so?.gid, 3);
  assert.equal(so?.classtype, undefined);
  assert.equal(so?.priority, undefined);
});

test('malformed lines give warnings with line numbers and do not lose neighbours', () => {
  const text = ['100 || first', 'not-a-sid || oops', '101', '102 || third || badref', '103 || fourth'].join('\r\n');
  const m = parseSidMsgMap(text, 'x/sid-msg.map');
  assert.deepEqual(m.entries.map((e) => e.sid), [100, 102, 103]);
  assert.deepEqual(m.warnings.map((w) => [w.code, w.file, w.line]), [
    ['SNARF_RULES_BAD_LINE', 'x/sid-msg.map', 2],
    ['SNARF_RULES_BAD_LINE', 'x/sid-msg.map', 3],
    ['SNARF_RULES_BAD_LINE', 'x/sid-msg.map', 4],
  ]);
  assert.deepEqual(m.entries[1]?.references, []);
});

test('v2 lines with too few fields or non-numeric ids are warnings', () => {
  const m = parseSidMsgMap('#v2\n1 || 5 || 1 || misc || 3\n1 || x || 1 || misc || 3 || msg\n1 || 6 || 1 || misc || 3 || ok\n');
  assert.deepEqual(m.entries.map((e) => e.sid), [6]);
  assert.deepEqual(m.warnings.map((w) => w.line), [2, 3]);
});

test('parseReference splits at the first comma only', () => {
  assert.deepEqual(parseReference('url,example.org/a,b'), { system: 'url', id: 'example.org/a,b' });
  assert.equal(parseReference('nocomma'), null);
  assert.equal(parseReference(',123'), null);
});
