/**
 * The flow rollup in the store reproduces the seed's daily report exactly (from the captured
 * pcap and, separately, from sflowtool text), re-imports add nothing, and exporter sequence gaps
 * are counted as lost datagrams across batches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite } from '../helpers/store.js';
import { importFiles, type ImportOptions } from '../../src/import/import-files.js';
import { writeDailyReport } from '../../src/inputs/sflow/daily-report.js';
import { DEFAULT_CLASSING } from '../../src/analysis/flow-rollup.js';
import type { Warning } from '../../src/errors.js';
import type { FlowSample } from '../../src/model/flow.js';

const EXPECTED = fs.readFileSync(corpusPath('sflow', 'expected-report.tsv'), 'utf8');
const HOME = ['192.0.2.0/24', '2001:db8:1::/48'];
const DAY = { day: '2005-12-08', timeZone: '+09:00', internalNetworks: [] as string[] };

function opts(warnings: Warning[], extra: Partial<ImportOptions> = {}): ImportOptions {
  return { warn: (w) => warnings.push(w), flow: { homeNets: HOME }, ...extra };
}

test('expected-report.tsv reproduced exactly through the store from the captured pcap; re-import adds nothing', async () => {
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  const r = await importFiles(store, [corpusPath('sflow', 'sflow-day.pcap')], opts(warnings));
  assert.deepEqual(warnings, []);
  assert.equal(r.files[0]!.format, 'sflow_pcap');
  assert.equal(r.totals.inserted, 2970);
  const report = await store.p2pReport(DAY);
  assert.equal(writeDailyReport(report), EXPECTED);
  const all = report.sections.flatMap((s) => s.rows.map((x) => x.dstAddr));
  for (const h of ['192.0.2.30', '192.0.2.60', '192.0.2.70', '192.0.2.80', '192.0.2.99']) assert.ok(!all.includes(h), h);
  assert.ok(!report.sections[0]!.rows.some((x) => x.dstAddr === '192.0.2.40'));

  const again = await importFiles(store, [corpusPath('sflow', 'sflow-day.pcap')], opts([]));
  assert.equal(again.totals.inserted, 0);
  assert.equal(again.totals.duplicates, 2970);
  assert.equal(writeDailyReport(await store.p2pReport(DAY)), EXPECTED);
  const [ex] = await store.flowExporters();
  assert.deepEqual({ agent: ex!.agent, sub: ex!.subAgentId, datagrams: ex!.datagrams, samples: ex!.samples, lost: ex!.lost, restarts: ex!.restarts },
    { agent: '192.0.2.1', sub: 1402, datagrams: 463, samples: 2970, lost: 0, restarts: 0 });
  // Query-time options: unscaled bytes and another GB threshold (.60 has 910,800 raw bytes), without re-importing.
  const raw = await store.p2pReport({ ...DAY, scaleBySamplingRate: false, massDownloadGb: 0.0009 });
  assert.equal(raw.sections[0]!.rows[0]!.totalBytes, 374926);
  assert.deepEqual(raw.sections[2]!.rows.map((x) => x.dstAddr).slice(0, 2), ['192.0.2.50', '192.0.2.60']);
  await assert.rejects(store.p2pReport({ ...DAY, bittorrentPorts: [6881, 6999] }), /classed with/);
  await store.close();
});

test('expected-report.tsv reproduced exactly from the sflowtool text (default layout, gzip)', async () => {
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  const r = await importFiles(store, [corpusPath('sflow', 'sflow-day.sflowtool.txt.gz')], opts(warnings));
  assert.deepEqual(warnings, []);
  assert.equal(r.files[0]!.format, 'sflowtool');
  assert.equal(r.totals.inserted, 2970);
  assert.equal(writeDailyReport(await store.p2pReport({ ...DAY, timeZone: 'Asia/Tokyo' })), EXPECTED);
  assert.equal((await store.flowExporters())[0]!.datagrams, 463);
  // The same datagrams from the pcap are recognised (agent, sequence, time) and not counted twice.
  const pcap = await importFiles(store, [corpusPath('sflow', 'sflow-day.pcap')], opts([]));
  assert.equal(pcap.totals.inserted, 0);
  await store.close();
});

test('sflowtool -l: same samples, bytes and sources, stamped with the given time; re-import adds nothing', async () => {
  const { store } = freshSqlite();
  const at = Date.parse('2005-12-08T12:00:00+09:00') * 1000;
  const o = opts([], { flow: { homeNets: HOME, lineTimeUs: at } });
  const r = await importFiles(store, [corpusPath('sflow', 'sflow-day.sflowtool-l.csv')], o);
  assert.equal(r.files[0]!.format, 'sflowtool_l');
  assert.equal(r.totals.inserted, 2970);
  const rep = await store.p2pReport(DAY);
  assert.deepEqual(rep.sections.map((s) => s.rows.map((x) => [x.dstAddr, x.flows, x.totalBytes, x.uniqSrcs, x.firstUs])), [
    [['192.0.2.10', 561, 374926000, 26, at], ['192.0.2.20', 88, 51324000, 12, at], ['2001:db8:1::10', 71, 40938000, 12, at]],
    [['192.0.2.40', 125, 91366000, 9, at]],
    [['192.0.2.50', 840, 1275120000, 2, at]],
  ]);
  assert.equal((await importFiles(store, [corpusPath('sflow', 'sflow-day.sflowtool-l.csv')], o)).totals.inserted, 0);
  await store.close();
});

function sample(t: number, src: string, dst: string): FlowSample {
  return {
    agent: '192.0.2.9', subAgentId: 3, datagramSeq: 0, timeUs: t, sampleSeq: 0, sourceIdType: 0, sourceIdIndex: 0, samplingRate: 10,
    samplePool: 0, drops: 0, inputIf: 0, outputIf: 0, headerProtocol: 1, frameLength: 100, stripped: 4, srcMac: null, dstMac: null,
    etherType: 0x800, vlan: null, ipVersion: 4, protocol: 6, srcIp: src, dstIp: dst, srcPort: 40000, dstPort: 6881, tcpFlags: 0x18,
    tos: 0, ttl: 64, ipLength: 86, packets: 10, bytes: 1000,
  };
}

test('sequence gaps per exporter are lost datagrams, across batches, and a re-sent datagram is not', async () => {
  const { store } = freshSqlite();
  const t0 = Date.parse('2024-05-01T00:00:00Z') * 1000;
  const dg = (seq: number, up: number) => ({
    agent: '192.0.2.9', subAgentId: 3, seq, uptimeMs: up, timeUs: t0 + seq * 1e6, sequenced: true,
    samples: [sample(t0 + seq * 1e6, '198.51.100.7', '192.0.2.77')],
  });
  const b = (d: ReturnType<typeof dg>[]) => store.ingestFlows({ datagrams: d, homeNets: HOME, classing: DEFAULT_CLASSING });
  const r1 = await b([dg(1, 10), dg(2, 20), dg(5, 50)]);
  assert.deepEqual(r1.sequence.map((e) => [e.kind, e.lost]), [['gap', 2]]);
  const r2 = await b([dg(6, 60), dg(10, 100), dg(10, 100)]);
  assert.deepEqual([r2.datagrams, r2.duplicates], [2, 1]);
  assert.deepEqual(r2.sequence.map((e) => [e.kind, e.from, e.to, e.lost]), [['gap', 6, 10, 3]]);
  const r3 = await b([{ ...dg(1, 5), timeUs: t0 + 3600e6 }]); // sequence and uptime back, later: the agent restarted
  assert.deepEqual(r3.sequence.map((e) => e.kind), ['restart']);
  const [ex] = await store.flowExporters();
  assert.deepEqual([ex!.datagrams, ex!.lost, ex!.restarts, ex!.samples], [6, 5, 1, 6]);
  await store.close();
});
