/**
 * Matching findings to the policy. The issue's acceptance: a registered BitTorrent research
 * host is not a violation while an unregistered one is, and an expired registration stops
 * protecting it. Checked on hand-made findings and on real verdicts from the sFlow corpus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePolicy } from '../../src/policy/policy-file.js';
import { hostPolicyStatus, judge, judgeAll, judgementJson, violations } from '../../src/policy/evaluate.js';
import { findingsFromAnomalies, findingsFromClusters, findingsFromJson, findingsFromVerdicts, type PolicyFinding } from '../../src/policy/findings.js';
import { hostVerdicts } from '../../src/analysis/host-verdicts.js';
import { importFiles } from '../../src/import/import-files.js';
import { freshSqlite } from '../helpers/store.js';
import { corpusPath, hasCorpus } from '../helpers/corpus.js';

const US = (iso: string): number => Date.parse(iso) * 1000;
const bt = (host: string, first = '2026-11-20T01:00:00Z', last = '2026-11-20T05:00:00Z'): PolicyFinding => ({
  kind: 'bittorrent', host, peer: null, level: 'likely', evidence: ['down traffic on BitTorrent ports'], firstUs: US(first), lastUs: US(last), source: 'test',
});
const policy = (expires: string, extra: object = {}) => validatePolicy({
  kinds: { bittorrent: 'registration', winny: 'banned', skype: 'allowed' },
  registrations: [{ id: 'bt-research', host: '163.221.10.14', kinds: ['bittorrent'], owner: 'Prof. Tanaka', reason: 'swarm measurement', expires }],
  ...extra,
}, 'policy.yaml');

test('a registered BitTorrent research host is not a violation; an unregistered one is', () => {
  const p = policy('2027-03-31');
  const [reg, unreg] = judgeAll(p, [bt('163.221.10.14'), bt('163.221.130.34')]);
  assert.equal(reg!.status, 'registered');
  assert.equal(reg!.registration?.id, 'bt-research');
  assert.match(reg!.why, /registered \(bt-research, owner Prof\. Tanaka\)/);
  assert.equal(unreg!.status, 'violation');
  assert.match(unreg!.why, /bittorrent needs a registration and 163\.221\.130\.34 has none/);
  assert.deepEqual(violations([reg!, unreg!]).map((j) => j.finding.host), ['163.221.130.34']);
  const st = hostPolicyStatus(p, '163.221.10.14', [reg!, unreg!], US('2026-11-26T00:00:00Z'));
  assert.equal(st.state, 'registered', 'a registered host shows as registered, not as a suspect');
  assert.equal(st.registrations[0]!.active, true);
  assert.equal(hostPolicyStatus(p, '163.221.130.34', [reg!, unreg!], US('2026-11-26T00:00:00Z')).state, 'violation');
});

test('an expired registration stops protecting the host', () => {
  const p = policy('2026-10-31');
  const after = judge(p, bt('163.221.10.14'));
  assert.equal(after.status, 'violation');
  assert.match(after.why, /registration bt-research \(owner Prof\. Tanaka\) expired 2026-11-01T00:00:00Z/);
  // Traffic that ran on past the expiry is not covered either...
  assert.equal(judge(p, bt('163.221.10.14', '2026-10-30T00:00:00Z', '2026-11-02T00:00:00Z')).status, 'violation');
  // ...while traffic seen while the registration held stays registered after it lapses.
  assert.equal(judge(p, bt('163.221.10.14', '2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z')).status, 'registered');
  const st = hostPolicyStatus(p, '163.221.10.14', [after], US('2026-11-26T00:00:00Z'));
  assert.equal(st.state, 'violation');
  assert.equal(st.registrations[0]!.active, false);
});

test('a registration that has not started does not cover; networks cover their hosts; kinds are separate', () => {
  const p = validatePolicy({
    kinds: { bittorrent: 'registration', gnutella: 'registration' },
    registrations: [
      { id: 'later', host: '163.221.10.14', kinds: ['bittorrent'], owner: 'A', reason: 'r', from: '2026-12-01', expires: '2027-01-31' },
      { id: 'lab', net: '163.221.52.0/24', kinds: ['gnutella'], owner: 'B', reason: 'r', expires: '2027-01-31' },
    ],
  }, 'p.yaml');
  assert.match(judge(p, bt('163.221.10.14')).why, /registration later starts/);
  const g = (host: string): PolicyFinding => ({ ...bt(host), kind: 'gnutella' });
  assert.equal(judge(p, g('163.221.52.99')).status, 'registered');
  assert.equal(judge(p, g('163.221.53.1')).status, 'violation');
  assert.equal(judge(p, bt('163.221.52.99')).status, 'violation', 'the lab is registered for gnutella, not bittorrent');
});

test('banned, allowed and below-threshold findings', () => {
  const p = policy('2027-03-31');
  const winny: PolicyFinding = { ...bt('163.221.10.14'), kind: 'winny', level: 'confirmed' };
  assert.equal(judge(p, winny).status, 'violation', 'a bittorrent registration does not cover winny');
  assert.equal(judge(p, { ...winny, kind: 'skype' }).status, 'allowed');
  assert.equal(judge(p, { ...winny, level: 'watch' }).status, 'below-threshold');
  assert.equal(hostPolicyStatus(p, '163.221.10.14', [judge(p, { ...winny, level: 'watch' })], 0).state, 'watch');
  const json = judgementJson(judge(p, winny)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), ['host', 'kind', 'status', 'rule', 'level', 'peer', 'source', 'first', 'last', 'why', 'registration', 'evidence']);
});

test('adapters: IRC clusters, anomalies and JSON documents plug in', () => {
  const clusters = [
    { server: '203.0.113.66', level: 'confirmed', reasons: ['!scan commands'], first: '2026-11-20T00:00:00Z', last: '2026-11-20T02:00:00Z',
      members: [{ host: '163.221.10.17' }, { host: '163.221.52.28', first: '2026-11-20T01:00:00Z', last: '2026-11-20T01:30:00Z' }] },
    { server: '198.51.100.9', level: 'chat', members: [{ host: '163.221.10.99' }] },
  ];
  const cf = findingsFromClusters(clusters);
  assert.deepEqual(cf.map((f) => [f.kind, f.host, f.peer, f.level]), [
    ['irc-bot', '163.221.10.17', '203.0.113.66', 'confirmed'], ['irc-bot', '163.221.52.28', '203.0.113.66', 'confirmed'], ['irc', '163.221.10.99', '198.51.100.9', 'watch'],
  ]);
  assert.equal(cf[1]!.firstUs, US('2026-11-20T01:00:00Z'));
  const af = findingsFromAnomalies([
    { kind: 'mass-smtp', host: '163.221.10.20', internal: true, first: '2026-11-20T00:00:00Z', last: null, summary: '40 SMTP destinations' },
    { kind: 'sweep', host: '203.0.113.5', internal: false, first: null, last: null, summary: 'external' },
    { kind: 'weird', host: '163.221.1.1', summary: 'unknown kind' },
  ]);
  assert.deepEqual(af.map((f) => [f.kind, f.host, f.level]), [['spam-bot', '163.221.10.20', 'confirmed']]);
  const j = findingsFromJson({ clusters, findings: [{ kind: 'winny', host: '163.221.1.2', level: 'confirmed', first: '2026-11-20T00:00:00Z' }, { nonsense: 1 }] });
  assert.equal(j.findings.length, 4);
  assert.equal(j.ignored, 1);
});

test('real verdicts: the sFlow corpus BitTorrent host, registered, unregistered and expired', { skip: !hasCorpus() && 'no corpus' }, async () => {
  const { store } = freshSqlite();
  try {
    await importFiles(store, [corpusPath('sflow', 'sflow-day.pcap')], { sensor: 'sflow', warn: () => {}, flow: { homeNets: ['192.0.2.0/24'] } });
    const findings = findingsFromVerdicts(await hostVerdicts(store, { homeNets: ['192.0.2.0/24'] }));
    const f = findings.find((x) => x.host === '192.0.2.40' && x.kind === 'bittorrent');
    assert.ok(f, `192.0.2.40 has a bittorrent finding (${findings.map((x) => `${x.host}:${x.kind}`).join(' ')})`);
    const doc = (expiresUs: number) => validatePolicy({
      kinds: { bittorrent: 'registration', p2p: 'registration' },
      registrations: [{ id: 'lab', host: '192.0.2.40', kinds: ['bittorrent'], owner: 'lab', reason: 'research', expires: new Date(expiresUs / 1000).toISOString() }],
    }, 'p.yaml');
    const live = judgeAll(doc(f.lastUs + 86_400_000_000), findings);
    assert.equal(live.find((j) => j.finding === f)!.status, 'registered');
    assert.ok(!violations(live).some((j) => j.finding.host === '192.0.2.40' && j.finding.kind === 'bittorrent'));
    const lapsed = judgeAll(doc(f.firstUs), findings);
    assert.equal(lapsed.find((j) => j.finding === f)!.status, 'violation');
    const unregistered = judgeAll(validatePolicy({ kinds: { bittorrent: 'registration' } }, 'p.yaml'), findings);
    assert.equal(unregistered.find((j) => j.finding === f)!.status, 'violation');
  } finally {
    await store.close();
  }
});
