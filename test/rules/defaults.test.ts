import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusPath, ROOT } from '../helpers/corpus.js';
import { defaultRulesDir, SignatureCatalog } from '../../src/rules/catalog.js';
import { parseRulesFile } from '../../src/rules/rules-file.js';
import { parseGenMsgMap } from '../../src/rules/gen-msg-map.js';
import { parseClassificationConfig } from '../../src/rules/classification-config.js';

const RULES_DIR = path.join(ROOT, 'rules');

test('shipped defaults load without a single warning', () => {
  const c = SignatureCatalog.defaults(RULES_DIR);
  assert.deepEqual(c.warnings, []);
  assert.equal(c.files.length, 4);
  assert.ok(c.size > 300);
});

test('loadDefaults() with no argument finds the project rules/ directory', () => {
  const saved = process.env.SNARF_RULES_DIR;
  delete process.env.SNARF_RULES_DIR;
  try {
    assert.equal(fs.realpathSync(defaultRulesDir()), fs.realpathSync(RULES_DIR));
    const c = new SignatureCatalog().loadDefaults();
    assert.equal(c.messageFor(122, 1, 1), '(portscan) TCP Portscan');
  } finally {
    if (saved !== undefined) process.env.SNARF_RULES_DIR = saved;
  }
});

test('SNARF_RULES_DIR overrides the walk-up; an explicit dir overrides both', () => {
  const saved = process.env.SNARF_RULES_DIR;
  process.env.SNARF_RULES_DIR = corpusPath('snort', 'rules');
  try {
    assert.equal(defaultRulesDir(), path.resolve(corpusPath('snort', 'rules')));
    assert.equal(defaultRulesDir(RULES_DIR), RULES_DIR);
  } finally {
    if (saved === undefined) delete process.env.SNARF_RULES_DIR;
    else process.env.SNARF_RULES_DIR = saved;
  }
});

test('default gen-msg.map agrees with every preprocessor line of the corpus map', () => {
  const ours = parseGenMsgMap(fs.readFileSync(path.join(RULES_DIR, 'gen-msg.map'), 'utf8'));
  const theirs = parseGenMsgMap(fs.readFileSync(corpusPath('snort', 'rules', 'gen-msg.map'), 'utf8'));
  const byKey = new Map(ours.entries.map((e) => [`${e.gid}:${e.sid}`, e.message]));
  const pre = theirs.entries.filter((e) => e.gid !== 1);
  assert.ok(pre.length >= 31);
  for (const e of pre) assert.equal(byKey.get(`${e.gid}:${e.sid}`), e.message, `${e.gid}:${e.sid}`);
  // Generators the brief asks to be complete-ish.
  for (const [gid, min] of [[119, 34], [120, 11], [122, 27], [124, 13], [129, 20]] as const) {
    assert.ok(ours.entries.filter((e) => e.gid === gid).length >= min, `gid ${gid}`);
  }
  assert.equal(new Set(ours.entries.map((e) => `${e.gid}:${e.sid}`)).size, ours.entries.length, 'no duplicate gid:sid');
});

test('default classification.config: 38 standard classes in Snort order; corpus descriptions agree', () => {
  const t = parseClassificationConfig(fs.readFileSync(path.join(RULES_DIR, 'classification.config'), 'utf8'));
  assert.deepEqual(t.warnings, []);
  // 38 standard classes, then Snarf's own additions appended so positions 1-38 never move.
  assert.equal(t.classifications.length, 39);
  assert.equal(t.classifications[38]?.shortname, 'spam');
  const c = SignatureCatalog.defaults(RULES_DIR);
  assert.equal(c.classificationById(1)?.shortname, 'not-suspicious');
  assert.equal(c.classificationById(21)?.shortname, 'trojan-activity');
  assert.equal(c.classificationById(33)?.shortname, 'policy-violation');
  assert.equal(c.classificationById(38)?.shortname, 'client-side-exploit');
  const corpus = parseClassificationConfig(fs.readFileSync(corpusPath('snort', 'rules', 'classification.config'), 'utf8'));
  for (const k of corpus.classifications) {
    const ours = c.classificationByName(k.shortname);
    assert.ok(ours, k.shortname);
    assert.equal(ours.priority, k.priority, k.shortname);
    // The lab file capitalises "Access"; a default Snort install does not.
    assert.equal(ours.description.toLowerCase(), k.description.toLowerCase(), k.shortname);
  }
});

test('default reference.config covers the standard systems', () => {
  const c = SignatureCatalog.defaults(RULES_DIR);
  assert.equal(c.referenceUrl({ system: 'cve', id: '2002-0649' }), 'http://cve.mitre.org/cgi-bin/cvename.cgi?name=2002-0649');
  assert.equal(c.referenceUrl({ system: 'arachnids', id: '162' }), 'http://www.whitehats.com/info/IDS162');
  assert.equal(c.referenceUrl({ system: 'url', id: 'x' }), 'http://x');
  for (const s of ['bugtraq', 'osvdb', 'mcafee', 'nessus', 'msb']) assert.notEqual(c.referenceUrl({ system: s, id: '1' }), null, s);
});

test('snarf-p2p.rules: every rule parses, local sid range, full metadata', () => {
  const text = fs.readFileSync(path.join(RULES_DIR, 'snarf-p2p.rules'), 'utf8');
  const r = parseRulesFile(text, 'snarf-p2p.rules');
  assert.deepEqual(r.warnings, []);
  const starts = text.split('\n').filter((l) => /^alert /.test(l)).length;
  assert.equal(r.rules.length, starts);
  assert.ok(r.rules.length >= 30);
  const c = SignatureCatalog.defaults(RULES_DIR);
  const sids = new Set<number>();
  for (const rule of r.rules) {
    assert.ok(rule.sid >= 9000001 && rule.sid <= 9000099, `sid ${rule.sid}`);
    assert.ok(!sids.has(rule.sid), `duplicate sid ${rule.sid}`);
    sids.add(rule.sid);
    assert.ok(rule.enabled && rule.gid === 1 && rule.rev !== undefined && rule.message !== '', `sid ${rule.sid}`);
    assert.ok(rule.classtype && c.classificationByName(rule.classtype), `classtype of ${rule.sid}`);
    assert.ok(rule.references.length > 0, `references of ${rule.sid}`);
    for (const ref of rule.references) assert.notEqual(c.referenceUrl(ref), null, `${ref.system} in ${rule.sid}`);
    assert.ok(!rule.ruleText.includes('\\\n'), 'continuations joined');
  }
  const wanted = [/Winny/, /Share/, /BitTorrent peer handshake/, /tracker announce/, /tracker scrape/, /DHT/,
    /Gnutella client connect/, /GNUTELLA|Gnutella handshake accepted/, /Gnutella2|Shareaza/, /eDonkey/, /Skype/,
    /bot-style nickname/, /join/i, /!scan/, /!ddos/, /!download/, /non-standard port/];
  for (const re of wanted) assert.ok(r.rules.some((x) => re.test(x.message)), String(re));
  assert.equal(c.lookup(1, 9000010)?.message, 'P2P BitTorrent peer handshake');
  assert.equal(c.lookup(1, 9000064)?.priority, 1);
  assert.equal(c.lookup(1, 9000060)?.priority, 1); // trojan-activity
});
