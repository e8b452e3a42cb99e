import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusPath } from '../helpers/corpus.js';
import { parseRule, parseRulesFile } from '../../src/rules/rules-file.js';

const corpusRules = (name: string): string => fs.readFileSync(corpusPath('snort', 'rules', name), 'utf8');

test('corpus local.rules: every rule parses with its metadata', () => {
  const r = parseRulesFile(corpusRules('local.rules'), 'local.rules');
  assert.deepEqual(r.warnings, []);
  assert.equal(r.rules.length, 26);
  assert.ok(r.rules.every((x) => x.enabled && x.gid === 1 && x.action === 'alert'));
  const ms = r.rules.find((x) => x.sid === 1000061);
  assert.ok(ms);
  assert.equal(ms.message, 'SCAN MS-SQL ping probe');
  assert.equal(ms.classtype, 'attempted-recon');
  assert.equal(ms.rev, 1);
  assert.deepEqual(ms.references, [{ system: 'bugtraq', id: '5310' }, { system: 'cve', id: '2002-0649' }]);
  assert.match(ms.ruleText, /^alert udp \$EXTERNAL_NET any -> \$HOME_NET 1434 \(/);
  const bt = r.rules.find((x) => x.sid === 1000001);
  assert.equal(bt?.rev, 2);
  assert.equal(r.rules.find((x) => x.sid === 1000012)?.priority, 2);
  assert.equal(r.rules.find((x) => x.sid === 1000012)?.line, 10);
});

test('corpus preproc.rules: header-less preprocessor rules with gid', () => {
  const r = parseRulesFile(corpusRules('preproc.rules'), 'preproc.rules');
  assert.deepEqual(r.warnings, []);
  assert.equal(r.rules.length, 31);
  const trav = r.rules.find((x) => x.gid === 119 && x.sid === 18);
  assert.equal(trav?.message, '(http_inspect) WEBROOT DIRECTORY TRAVERSAL');
  assert.deepEqual(trav?.references, [{ system: 'cve', id: '2001-0333' }]);
  assert.equal(r.rules.filter((x) => x.gid === 122).length, 27);
});

test('escaped \\; and \\" in msg are unescaped and do not split options', () => {
  const rule = parseRule('alert tcp any any -> any any (msg:"say \\"hi\\"\\; then go"; content:"a\\;b"; sid:5; rev:3;)');
  assert.ok(typeof rule !== 'string');
  assert.equal(rule.message, 'say "hi"; then go');
  assert.equal(rule.sid, 5);
  assert.equal(rule.rev, 3);
});

test('line continuations join into one rule; commented-out rules are disabled', () => {
  const text = [
    '# a plain comment',
    'alert tcp $HOME_NET any -> $EXTERNAL_NET 6667 (msg:"CHAT IRC thing"; \\',
    '    flow:to_server,established; \\',
    '    reference:url,example.org; sid:9000100; rev:2;)',
    '# alert tcp any any -> any any (msg:"old rule"; sid:9000101; rev:1;)',
    '#alert udp any any -> any any (msg:"multi"; \\',
    '#    classtype:misc-activity; sid:9000102;)',
    '# alert on everything is a bad idea (prose)',
    'alert tcp any any -> any any (msg:"after"; sid:9000103;)',
  ].join('\n');
  const r = parseRulesFile(text, 't.rules');
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.rules.map((x) => [x.sid, x.enabled, x.line]), [
    [9000100, true, 2], [9000101, false, 5], [9000102, false, 6], [9000103, true, 9],
  ]);
  const joined = r.rules[0];
  assert.ok(joined);
  assert.deepEqual(joined.references, [{ system: 'url', id: 'example.org' }]);
  assert.ok(!joined.ruleText.includes('\\'));
  assert.equal(r.rules[2]?.classtype, 'misc-activity');
  assert.equal(r.rules[2]?.ruleText.startsWith('alert udp'), true);
});

test('garbage lines are warnings with line numbers and neighbours survive', () => {
  const text = [
    'alert tcp any any -> any any (msg:"one"; sid:1;)',
    'this is not a rule',
    'alert tcp any any -> any any (msg:"no sid";)',
    'alert tcp any any -> (msg:"short header"; sid:3;)',
    'alert tcp any any -> any any (msg:"unclosed"; sid:4;',
    'alert tcp any any -> any any (msg:"bad sid"; sid:x;)',
    'ipvar HOME_NET any',
    'alert tcp any any -> any any (msg:"two"; sid:2; reference:nocomma;)',
  ].join('\n');
  const r = parseRulesFile(text, 'g.rules');
  assert.deepEqual(r.rules.map((x) => x.sid), [1, 2]);
  assert.deepEqual(r.warnings.map((w) => `${w.code} ${w.file}:${w.line}`), [
    'SNARF_RULES_BAD_LINE g.rules:2',
    'SNARF_RULES_BAD_LINE g.rules:3',
    'SNARF_RULES_BAD_LINE g.rules:4',
    'SNARF_RULES_BAD_LINE g.rules:5',
    'SNARF_RULES_BAD_LINE g.rules:6',
    'SNARF_RULES_BAD_LINE g.rules:8',
  ]);
});

test('Snort 3 service header and explicit gid are accepted', () => {
  const rule = parseRule('alert http (msg:"svc"; gid:3; sid:77; classtype:web-application-attack; priority:1;)');
  assert.ok(typeof rule !== 'string');
  assert.equal(rule.gid, 3);
  assert.equal(rule.priority, 1);
  assert.equal(typeof parseRule('alert tcp any any <- any any (sid:1;)'), 'string');
});
