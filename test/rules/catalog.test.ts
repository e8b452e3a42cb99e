import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { corpusPath, ROOT } from '../helpers/corpus.js';
import { mapKindOf, SignatureCatalog } from '../../src/rules/catalog.js';
import { SnarfError } from '../../src/errors.js';

const corpusCatalog = (): SignatureCatalog => new SignatureCatalog().loadDirectory(corpusPath('snort', 'rules'));

test('corpus directory: every map is recognised and loads without warnings', () => {
  const c = corpusCatalog();
  assert.deepEqual(c.warnings, []);
  assert.deepEqual(c.files.map((f) => path.basename(f)).sort(),
    ['classification.config', 'gen-msg.map', 'local.rules', 'preproc.rules', 'reference.config', 'sid-msg.map']);
  assert.equal(c.classificationById(7)?.shortname, 'policy-violation');
  assert.equal(c.classificationById(8)?.description, 'A Network Trojan was detected');
  assert.equal(c.classificationById(13), undefined);
  assert.equal(c.classificationById(0), undefined);
  assert.equal(c.classificationId('trojan-activity'), 8);
});

test('lookup merges rule text, references and class priority', () => {
  const c = corpusCatalog();
  const info = c.lookup(1, 1000061, 1);
  assert.ok(info);
  assert.equal(info.message, 'SCAN MS-SQL ping probe');
  assert.equal(info.classtype, 'attempted-recon');
  assert.equal(info.priority, 2); // from attempted-recon
  assert.deepEqual(info.references, [{ system: 'bugtraq', id: '5310' }, { system: 'cve', id: '2002-0649' }]);
  assert.match(info.ruleText ?? '', /sid:1000061/);
  assert.equal(c.lookup(1, 1000012)?.priority, 2); // rule override beats policy-violation's 1
  assert.equal(c.referenceUrl({ system: 'arachnids', id: '162' }), 'http://www.whitehats.com/info/IDS162');
  assert.equal(c.referenceUrl({ system: 'osvdb', id: '1' }), null);
});

test('precedence: rules > v2 exact rev > v1 > v2 other rev > gen-msg', () => {
  const c = new SignatureCatalog()
    .loadText('gen-msg', '1 || 10 || gen text\n1 || 20 || gen only\n1 || 30 || gen 30\n', 'gen-msg.map')
    .loadText('sid-msg', '10 || v1 text || url,a\n20 || v1 twenty\n', 'sid-msg.map')
    .loadText('sid-msg', '#v2\n1 || 10 || 5 || misc-activity || 3 || v2 rev5\n1 || 30 || 2 || misc-activity || 3 || v2 30 rev2\n', 'sid-msg-v2.map')
    .loadText('rules', 'alert tcp any any -> any any (msg:"rule text"; sid:20; rev:9;)', 'a.rules');
  assert.equal(c.lookup(1, 10, 5)?.message, 'v2 rev5');
  assert.equal(c.lookup(1, 10, 5)?.classtype, 'misc-activity');
  assert.equal(c.lookup(1, 10, 4)?.message, 'v1 text');
  assert.deepEqual(c.lookup(1, 10, 4)?.references, [{ system: 'url', id: 'a' }]);
  assert.equal(c.lookup(1, 20, 1)?.message, 'rule text');
  assert.equal(c.lookup(1, 30, 7)?.message, 'v2 30 rev2');
  assert.equal(c.lookup(1, 40), undefined);
  assert.equal(c.size, 3);
});

test('enabled rule beats a commented-out one regardless of order', () => {
  const c = new SignatureCatalog().loadText('rules', [
    'alert tcp any any -> any any (msg:"live"; sid:50; rev:1;)',
    '# alert tcp any any -> any any (msg:"dead newer"; sid:50; rev:4;)',
  ].join('\n'), 'x.rules');
  assert.equal(c.lookup(1, 50)?.message, 'live');
});

test('gid 3 falls back to gid 1 only when gid 3 is unknown', () => {
  const c = new SignatureCatalog().loadText('sid-msg', '15000 || SO rule as gid 1\n', 'sid-msg.map')
    .loadText('gen-msg', '3 || 16000 || gid three own\n', 'gen-msg.map');
  assert.equal(c.lookup(3, 15000, 1)?.message, 'SO rule as gid 1');
  assert.equal(c.messageFor(3, 15000, 1), 'SO rule as gid 1');
  assert.equal(c.lookup(3, 16000)?.message, 'gid three own');
  assert.equal(c.lookup(2, 15000), undefined);
});

test('messageFor falls back to Snort Alert [g:s:r]', () => {
  const c = corpusCatalog();
  assert.equal(c.messageFor(124, 4, 1), '(smtp) Attempted specific command buffer overflow');
  assert.equal(c.messageFor(133, 99, 2), 'Snort Alert [133:99:2]');
});

test('baseMessage matches the map text as a prefix of the printed message', () => {
  const c = corpusCatalog();
  assert.equal(c.baseMessage(124, 4, '(smtp) Attempted specific command buffer overflow: RCPT, 364 chars'),
    '(smtp) Attempted specific command buffer overflow');
  assert.equal(c.baseMessage(124, 4, '(smtp) Attempted specific command buffer overflow'),
    '(smtp) Attempted specific command buffer overflow');
  assert.equal(c.baseMessage(124, 4, '(smtp) Something else'), undefined);
  assert.equal(c.baseMessage(124, 5, '(smtp) Unknown commandX'), undefined);
  assert.equal(c.baseMessage(1, 1000060, 'SCAN nmap XMAS'), 'SCAN nmap XMAS');
});

test('a later classification file replaces the numbering but names still resolve', () => {
  const c = corpusCatalog().loadText('classification', 'config classification: only-one,Only One,2\n', 'classification.config');
  assert.equal(c.classificationById(1)?.shortname, 'only-one');
  assert.equal(c.classificationById(7), undefined);
  assert.equal(c.classificationByName('policy-violation')?.priority, 1);
});

test('file names are recognised; unknown names and missing paths throw coded errors', () => {
  assert.equal(mapKindOf('/x/sid-msg.map'), 'sid-msg');
  assert.equal(mapKindOf('gen-msg.map'), 'gen-msg');
  assert.equal(mapKindOf('classification.config'), 'classification');
  assert.equal(mapKindOf('reference.config'), 'reference');
  assert.equal(mapKindOf('snarf-p2p.rules'), 'rules');
  assert.equal(mapKindOf('unicode.map'), null);
  assert.throws(() => new SignatureCatalog().loadFile(corpusPath('snort', 'rules', 'unicode.map')),
    (e: unknown) => e instanceof SnarfError && e.code === 'SNARF_CONFIG_INVALID');
  assert.throws(() => new SignatureCatalog().loadDirectory(path.join(ROOT, 'no-such-dir')),
    (e: unknown) => e instanceof SnarfError && e.code === 'SNARF_IO');
});

test('a bad line in a loaded file is a warning and the rest still loads', () => {
  const c = new SignatureCatalog().loadText('gen-msg', '119 || 31 || (http_inspect) UNKNOWN METHOD\ngarbage\n119 || 18 || (http_inspect) WEBROOT DIRECTORY TRAVERSAL\n', 'mine/gen-msg.map');
  assert.equal(c.warnings.length, 1);
  assert.equal(c.warnings[0]?.line, 2);
  assert.equal(c.warnings[0]?.file, 'mine/gen-msg.map');
  assert.equal(c.messageFor(119, 18, 1), '(http_inspect) WEBROOT DIRECTORY TRAVERSAL');
});
