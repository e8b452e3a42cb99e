/**
 * Per-host verdicts: the level rules on typed evidence, and the corpus (sensor-a alert outputs of
 * every run, a Winny monitor log for the Winny-like hosts): every P2P host gets a verdict, no
 * benign host does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import { computeVerdicts } from '../../src/analysis/verdicts.js';
import { hostVerdicts } from '../../src/analysis/host-verdicts.js';
import { loadP2pSignatures, p2pMatcher } from '../../src/analysis/p2p-signatures.js';
import type { AlertEvidence, FlowEvidence, WinnyEvidence } from '../../src/model/verdict.js';

const H = 3_600_000_000;
const alert = (over: Partial<AlertEvidence>): AlertEvidence => ({
  source: 'snort', host: '192.0.2.10', gid: 1, sid: 1000001, message: 'P2P BitTorrent peer handshake', classification: 'policy-violation',
  protocol: 'bittorrent', strength: 'strong', matchedBy: 'table', alerts: 1, peers: 1, sensors: ['s'], firstUs: 10 * H, lastUs: 10 * H, ...over,
});
const flow = (over: Partial<FlowEvidence>): FlowEvidence => ({
  source: 'sflow', host: '192.0.2.10', day: '2005-12-08', section: 'high-ports', flows: 561, bytes: 374926000, uniqPeers: 26,
  firstUs: 11 * H, lastUs: 20 * H, ...over,
});
const winny = (over: Partial<WinnyEvidence>): WinnyEvidence => ({
  source: 'winny', host: '192.0.2.10', kind: 'winny', events: 2, resets: 1, blocks: 0, peers: 1, bytes: 11, sensors: ['m'],
  firstUs: 9 * H, lastUs: 9 * H, ...over,
});

test('levels: repeated strong signatures confirm, single ones are likely, mass download alone is watch', () => {
  const v = computeVerdicts([
    alert({ host: '192.0.2.1', alerts: 3 }),
    alert({ host: '192.0.2.2' }),
    alert({ host: '192.0.2.3', sid: 1000002, strength: 'weak', alerts: 9, peers: 1 }),
    alert({ host: '192.0.2.4', matchedBy: 'keyword', strength: 'weak', classification: 'misc-activity' }),
    flow({ host: '192.0.2.5', section: 'mass-download' }),
    flow({ host: '192.0.2.6', section: 'bittorrent' }),
    winny({ host: '192.0.2.7' }),
    winny({ host: '192.0.2.8', kind: 'unknown' }),
  ]);
  assert.deepEqual(v.map((x) => [x.host, x.level, x.protocols.join(',')]), [
    ['192.0.2.1', 'confirmed', 'bittorrent'], ['192.0.2.7', 'confirmed', 'winny'],
    ['192.0.2.2', 'likely', 'bittorrent'], ['192.0.2.3', 'likely', 'bittorrent'], ['192.0.2.6', 'likely', 'bittorrent'],
    ['192.0.2.4', 'watch', 'bittorrent'], ['192.0.2.5', 'watch', 'p2p'], ['192.0.2.8', 'watch', 'p2p'],
  ]);
  assert.match(v[0]!.reasons[0]!.text, /Snort 1:1000001 "P2P BitTorrent peer handshake" \(bittorrent, strong, by P2P signature table\): 3 alerts with 1 distinct peer on s at 1970-01-01T10:00:00Z/);
  assert.match(v.find((x) => x.host === '192.0.2.5')!.reasons[0]!.text, /mass download: 561 flow samples, 374926000 bytes, 26 distinct sources/);
});

test('independent sources within the window corroborate to confirmed; far apart they do not', () => {
  const near = computeVerdicts([alert({}), flow({})]);
  assert.equal(near[0]!.level, 'confirmed');
  assert.deepEqual(near[0]!.sources, ['sflow', 'snort']);
  assert.match(near[0]!.reasons[0]!.text, /corroborated: snort and flows evidence within 24 h/);
  assert.equal(near[0]!.firstUs, 10 * H);
  assert.equal(near[0]!.lastUs, 20 * H);
  const far = computeVerdicts([alert({}), flow({ firstUs: 100 * H, lastUs: 101 * H })]);
  assert.equal(far[0]!.level, 'likely');
  // sFlow and an imported report are the same family: they never corroborate each other.
  assert.equal(computeVerdicts([flow({}), flow({ source: 'report', from: 'x.tsv' })])[0]!.level, 'likely');
});

test('signature table: gid:sid first (3:7019 included), keywords as a fallback, overrides by file', () => {
  const m = p2pMatcher(loadP2pSignatures());
  assert.deepEqual(m(3, 7019, 'P2P WinNY connection attempt', null), { protocol: 'winny', strength: 'strong', matchedBy: 'table' });
  assert.deepEqual(m(1, 1000020, 'anything', null), { protocol: 'winny', strength: 'strong', matchedBy: 'table' });
  assert.deepEqual(m(1, 2008581, 'ET P2P BitTorrent DHT ping request', 'Potential Corporate Privacy Violation'),
    { protocol: 'bittorrent', strength: 'strong', matchedBy: 'keyword' });
  assert.deepEqual(m(1, 5, 'ET P2P eMule KAD hello', 'Misc activity'), { protocol: 'edonkey', strength: 'weak', matchedBy: 'keyword' });
  assert.equal(m(1, 1000030, 'CHAT IRC nick change', 'Potential Corporate Privacy Violation'), null);
  assert.equal(m(1, 1000044, 'POLICY Skype client version check', 'Potential Corporate Privacy Violation'), null);
  const file = path.join(tempDir(), 'site.json');
  fs.writeFileSync(file, JSON.stringify({ signatures: [{ gid: 1, sid: 1000001, protocol: 'bittorrent', strength: 'weak' }], keywords: [] }));
  const site = p2pMatcher(loadP2pSignatures([file]));
  assert.equal(site(1, 1000001, '', null)!.strength, 'weak');
  assert.equal(site(1, 2008581, 'ET P2P BitTorrent DHT ping request', null), null);
});

const P2P_HOSTS = [
  '163.221.10.11', '163.221.10.12', '163.221.10.13', '163.221.52.21', '163.221.130.31', '163.221.200.41', // BitTorrent users
  '163.221.10.14', '163.221.130.34', // mass downloaders
  '163.221.10.15', '163.221.52.25', '163.221.200.45', // Gnutella, Shareaza/G2
  '163.221.10.16', '163.221.130.36', // Winny-like
  '2001:db8:a3dd:10::11', '2001:db8:a3dd:10::12', '2001:db8:a3dd:10::13', // BitTorrent over IPv6
  '192.168.1.3', '10.0.2.15', // nDPI BitTorrent and Gnutella captures
];

test('corpus: every P2P host gets a verdict with its reasons, no benign host does', async () => {
  const sensors = JSON.parse(fs.readFileSync(corpusPath('snort', 'sensors.json'), 'utf8')) as Record<string, { home_net?: string[] }>;
  const home = sensors['sensor-a']!.home_net!;
  const { store } = freshSqlite();
  const runs = ['p2p', 'irc', 'mail', 'recon', 'web', 'ipv6', 'ndpi-bittorrent', 'ndpi-gnutella', 'ndpi-irc', 'ndpi-edonkey', 'ndpi-smtp'];
  const files = runs.map((r) => corpusPath('snort', 'out', 'sensor-a', r, 'alert.fast')).filter((f) => fs.statSync(f).size > 0);
  const imported = await importFiles(store, files, { sensor: 'sensor-a', tz: 'UTC', year: 2026, warn: () => {} });
  assert.equal(imported.totals.inserted, 202 + 71 + 11 + 232 + 7 + 26 + 5 + 69 + 1);
  const log = path.join(tempDir(), 'winny.log');
  fs.writeFileSync(log, [
    '#format eeye-like-winny/1',
    'timestamp\tsensor\tkind\thost_ip\thost_port\tpeer_ip\tpeer_port\tdirection\tproto\tnode_info\taction\tbytes',
    '2026-11-20T18:02:50+09:00\tmirror-core1\tWinny\t163.221.10.16\t40001\t198.51.100.4\t7743\tout\ttcp\tver=2.0b1;conn=search\tdetect\t11',
    '2026-11-20T18:02:51+09:00\tmirror-core1\tWinny\t163.221.10.16\t40001\t198.51.100.4\t7743\tout\ttcp\t-\treset\t0',
    '2026-11-20T18:03:50+09:00\tmirror-core1\tWinny\t163.221.130.36\t40002\t203.0.113.9\t52103\tout\ttcp\tconn=transfer\tdetect\t11',
    '',
  ].join('\n'));
  assert.equal((await importFiles(store, [log], { warn: () => {} })).totals.inserted, 3);

  const verdicts = await hostVerdicts(store, { homeNets: home });
  assert.deepEqual(verdicts.map((v) => v.host).sort(), [...P2P_HOSTS].sort());
  for (const h of ['163.221.0.25', '163.221.52.30', '163.221.200.50', '163.221.10.19', '163.221.10.17', '163.221.52.31', '163.221.10.20', '163.221.130.32']) {
    assert.ok(!verdicts.some((v) => v.host === h), `${h} is benign (or not P2P)`);
  }
  assert.ok(verdicts.every((v) => v.level === 'confirmed'));
  const w = verdicts.find((v) => v.host === '163.221.10.16')!;
  assert.deepEqual(w.sources, ['snort', 'winny']);
  assert.deepEqual(w.protocols, ['winny']);
  assert.ok(w.reasons.some((r) => /Snort 1:1000020 "P2P Winny-like session start \(lab pattern\)".*12 alerts with 12 distinct peers on sensor-a/.test(r.text)));
  assert.ok(w.reasons.some((r) => /Winny monitor \(mirror-core1\): 2 events of kind winny with 1 distinct peer, 11 bytes \(1 reset\)/.test(r.text)));
  assert.ok(w.reasons.some((r) => /corroborated: snort and winny/.test(r.text)));
  const big = verdicts.find((v) => v.host === '163.221.10.14')!;
  assert.ok(big.reasons.some((r) => /1:1000001 .*60 alerts with 55 distinct peers/.test(r.text)));
  assert.ok(big.reasons.some((r) => r.level === 'likely' && /1:1000002 .*3 alerts/.test(r.text)));
  assert.equal(big.firstUs, Date.parse('2026-11-20T09:01:23Z') * 1000 + 465684);
  assert.deepEqual(verdicts.find((v) => v.host === '163.221.52.25')!.protocols, ['gnutella', 'gnutella2']);
  // --since/--until: only the ipv6 run's hour.
  const ipv6 = await hostVerdicts(store, { homeNets: home, sinceUs: Date.parse('2026-11-20T14:00:00Z') * 1000, untilUs: Date.parse('2026-11-20T15:00:00Z') * 1000 });
  assert.deepEqual(ipv6.map((v) => v.host), ['2001:db8:a3dd:10::11', '2001:db8:a3dd:10::12', '2001:db8:a3dd:10::13']);
  await store.close();
});
