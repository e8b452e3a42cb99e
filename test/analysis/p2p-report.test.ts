import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusPath } from '../helpers/corpus.js';
import { computeP2pReport, cachedResolver, fillFqdn, hostDayFlows, type P2pReportOptions } from '../../src/analysis/p2p-report.js';
import { writeDailyReport } from '../../src/inputs/sflow/daily-report.js';
import { readSflowtoolFile } from '../../src/inputs/sflow/sflowtool.js';
import type { FlowSample } from '../../src/model/flow.js';
import { INTERNAL, corpusSamples } from '../inputs/sflow/fixtures.js';

const EXPECTED = fs.readFileSync(corpusPath('sflow', 'expected-report.tsv'), 'utf8');
const OPTS: P2pReportOptions = { day: '2005-12-08', timeZone: '+09:00', internalNetworks: INTERNAL };
const flowsP = corpusSamples().then((s) => s.flows);

function hosts(report: ReturnType<typeof computeP2pReport>): string[][] {
  return report.sections.map((s) => s.rows.map((r) => r.dstAddr));
}

test('expected-report.tsv reproduced byte for byte from the captured pcap', async () => {
  assert.equal(writeDailyReport(computeP2pReport(await flowsP, OPTS)), EXPECTED);
});

test('expected-report.tsv reproduced byte for byte from the sflowtool text', async () => {
  const flows: FlowSample[] = [];
  for await (const r of readSflowtoolFile(corpusPath('sflow', 'sflow-day.sflowtool.txt.gz'))) if (r.kind === 'flow') flows.push(r.sample);
  assert.equal(writeDailyReport(computeP2pReport(flows, { ...OPTS, timeZone: 'Asia/Tokyo' })), EXPECTED);
});

test('negative controls stay out: .30 (exactly 10 sources), .60 (0.91 GB), .70 (port 53), .80 and .99 (outbound)', async () => {
  const r = computeP2pReport(await flowsP, OPTS);
  const all = hosts(r).flat();
  for (const h of ['192.0.2.30', '192.0.2.60', '192.0.2.70', '192.0.2.80', '192.0.2.99']) assert.ok(!all.includes(h), h);
  assert.ok(!hosts(r)[0]!.includes('192.0.2.40')); // 9 sources: BitTorrent only
  assert.ok(!all.some((h) => h.startsWith('198.51.100.') || h.startsWith('203.0.113.'))); // never an external host
});

test('per-host rollup reproduces expected-hosts.tsv', async () => {
  const rows = hostDayFlows(await flowsP, OPTS);
  const tsv = fs.readFileSync(corpusPath('sflow', 'expected-hosts.tsv'), 'utf8').trim().split('\n');
  assert.deepEqual(rows.map((h) => [h.host, h.inSamples, h.inBytesEst, h.inUniqSrc, h.outSamples, h.outBytesEst, h.outUniqDst, h.outSmtpUniqDst].join('\t')), tsv.slice(1));
  assert.equal(rows.find((h) => h.host === '192.0.2.10')!.firstUs, Date.UTC(2005, 11, 7, 15, 2, 41) * 1000 + 106074);
});

test('options: GB as 2^30 gives the same rows; thresholds move the boundary hosts', async () => {
  const flows = await flowsP;
  assert.equal(writeDailyReport(computeP2pReport(flows, { ...OPTS, gigabyte: 'binary' })), EXPECTED);
  assert.deepEqual(hosts(computeP2pReport(flows, { ...OPTS, minUniqueSources: 9 }))[0], ['192.0.2.10', '192.0.2.30', '192.0.2.20', '2001:db8:1::10']);
  assert.deepEqual(hosts(computeP2pReport(flows, { ...OPTS, minUniqueSources: 8 }))[0], ['192.0.2.10', '192.0.2.40', '192.0.2.30', '192.0.2.20', '2001:db8:1::10']);
  assert.deepEqual(hosts(computeP2pReport(flows, { ...OPTS, minUniqueSources: 8, excludeBittorrentFromSection1: true }))[0],
    ['192.0.2.10', '192.0.2.30', '192.0.2.20', '2001:db8:1::10']);
  assert.deepEqual(hosts(computeP2pReport(flows, { ...OPTS, massDownloadGb: 0.9 }))[2], ['192.0.2.50', '192.0.2.60']);
  const title = computeP2pReport(flows, { ...OPTS, minUniqueSources: 9 }).sections[0]!.title;
  assert.equal(title, 'down traffic(tcp or udp, except well-known ports, num_of_uniq_srcaddrs > 9)');
});

test('options: a well-known port list instead of < 1024 lets the DNS host (.70) in when 53 is not listed', async () => {
  const flows = await flowsP;
  assert.ok(hosts(computeP2pReport(flows, { ...OPTS, wellKnownPorts: new Set([80, 443, 25]) }))[0]!.includes('192.0.2.70'));
  assert.ok(!hosts(computeP2pReport(flows, { ...OPTS, wellKnownPorts: new Set([53, 80, 443, 25]) }))[0]!.includes('192.0.2.70'));
});

test('options: without sampling scaling, bytes are raw frame lengths and nobody reaches 1 GB', async () => {
  const r = computeP2pReport(await flowsP, { ...OPTS, scaleBySamplingRate: false });
  assert.equal(r.sections[0]!.rows[0]!.totalBytes, 374926);
  assert.deepEqual(r.sections[2]!.rows, []);
});

test('the report day and zone select samples: the UTC day 2005-12-08 is a different window', async () => {
  const r = computeP2pReport(await flowsP, { ...OPTS, timeZone: 'UTC' });
  assert.equal(r.sections[2]!.rows[0]!.flows, 840); // .50 downloads at 01:00-05:22 UTC
  assert.ok(r.sections[0]!.rows[0]!.flows < 561); // .10's morning JST samples fall on 12-07 UTC
  const empty = computeP2pReport(await flowsP, { ...OPTS, day: '2005-12-10' });
  assert.deepEqual(empty.sections.map((s) => s.rows.length), [0, 0, 0]);
});

test('random 1-in-10 sampling shrinks distinct sources (192.0.2.10: 23 of 26)', async () => {
  const { flows } = await corpusSamples(corpusPath('sflow', 'sflow-random10-raw.pcap'));
  // sflow-random10-raw.pcap keeps its 2026 capture times: report on the day it was captured.
  const day = new Date(flows[0]!.timeUs / 1000).toISOString().slice(0, 10);
  const rows = computeP2pReport(flows, { ...OPTS, day, timeZone: 'UTC' }).sections[0]!.rows;
  assert.equal(rows.find((r) => r.dstAddr === '192.0.2.10')?.uniqSrcs, 23);
  assert.equal(rows.find((r) => r.dstAddr === '192.0.2.20'), undefined);
});

test('reverse DNS: injected, cached, bounded by a timeout; failures leave the column empty', async () => {
  const r = computeP2pReport(await flowsP, OPTS);
  const calls: string[] = [];
  const names: Record<string, string> = { '192.0.2.10': 'winny.example.ac.jp', '192.0.2.40': 'bt.example.ac.jp' };
  const resolve = cachedResolver(async (ip) => {
    calls.push(ip);
    if (ip === '192.0.2.20') return new Promise<string>(() => {}); // never answers
    if (ip === '192.0.2.50') throw new Error('ENOTFOUND');
    return names[ip] ?? null;
  }, { timeoutMs: 50 });
  const started = Date.now();
  const named = await fillFqdn(r, resolve);
  assert.ok(Date.now() - started < 2000);
  assert.deepEqual(named.sections.map((s) => s.rows.map((x) => x.fqdn)), [['winny.example.ac.jp', '', ''], ['bt.example.ac.jp'], ['']]);
  assert.match(writeDailyReport(named), /^192\.0\.2\.10\twinny\.example\.ac\.jp\t2005-12-08 00:02:41\t/m);
  await fillFqdn(r, resolve);
  assert.equal(calls.length, 5); // second run answered from the cache, including the timeout
  assert.equal(writeDailyReport(r), EXPECTED); // the input report is not modified
});
