import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { corpusPath } from '../../helpers/corpus.js';
import { parseSflowtoolLines, readSflowtoolFile, type SflowtoolRecord } from '../../../src/inputs/sflow/sflowtool.js';
import type { CounterSample, FlowSample } from '../../../src/model/flow.js';
import type { SflowWarning } from '../../../src/inputs/sflow/warnings.js';
import { corpusSamples } from './fixtures.js';

const TEXT = corpusPath('sflow', 'sflow-day.sflowtool.txt.gz');
const CSV = corpusPath('sflow', 'sflow-day.sflowtool-l.csv');

async function collect(it: AsyncIterable<SflowtoolRecord>): Promise<{ flows: FlowSample[]; counters: CounterSample[] }> {
  const flows: FlowSample[] = [];
  const counters: CounterSample[] = [];
  for await (const r of it) {
    if (r.kind === 'flow') flows.push(r.sample);
    else counters.push(r.sample);
  }
  return { flows, counters };
}

test('default text (gzip): the same 2,970 flow and 2 counter samples as the binary decoder, every field', async () => {
  const warnings: SflowWarning[] = [];
  const text = await collect(readSflowtoolFile(TEXT, { onWarning: (w) => warnings.push(w) }));
  const bin = await corpusSamples();
  assert.deepEqual(warnings, []);
  assert.equal(text.flows.length, 2970);
  assert.equal(text.flows[0]!.origin?.line, 15);
  assert.deepEqual(text.flows.map(({ origin: _, ...s }) => s), bin.flows);
  assert.deepEqual(text.counters.map(({ origin: _, ...c }) => c), bin.counters);
  assert.equal(text.counters[0]!.generic!.ifInUcastPkts, 2970);
  assert.equal(text.counters[0]!.generic!.ifInOctets, 2872610n);
});

test('-l lines: same flows as the binary decoder on the fields -l carries, stamped with the given time', async () => {
  const bin = await corpusSamples();
  const lines = fs.readFileSync(CSV, 'utf8').split('\n');
  const warnings: SflowWarning[] = [];
  const got = [...parseSflowtoolLines(lines, { timeUs: 42, onWarning: (w) => warnings.push(w) })];
  assert.deepEqual(warnings, []);
  const flows = got.filter((r) => r.kind === 'flow').map((r) => r.sample as FlowSample);
  assert.equal(flows.length, 2970);
  assert.equal(got.filter((r) => r.kind === 'counter').length, 2);
  const keys = ['agent', 'inputIf', 'outputIf', 'srcMac', 'dstMac', 'etherType', 'vlan', 'ipVersion', 'protocol', 'srcIp', 'dstIp',
    'srcPort', 'dstPort', 'tcpFlags', 'tos', 'ttl', 'frameLength', 'samplingRate', 'packets', 'bytes'] as const;
  flows.forEach((s, i) => {
    const b = bin.flows[i]!;
    for (const k of keys) assert.equal(s[k], b[k], `sample ${i + 1} ${k}`);
    assert.equal(s.timeUs, 42);
    assert.equal(s.ipLength, b.ipVersion === 6 ? null : b.ipLength); // sflowtool's IPv6 IP_size is not an IP length
  });
  const v6 = flows.find((s) => s.ipVersion === 6)!;
  assert.equal(v6.srcIp, '2001:db8:ff::5'); // printed fully expanded, stored canonical
});

test('-l without a time source: stamped 0 and one warning, not one per line', () => {
  const warnings: SflowWarning[] = [];
  const lines = fs.readFileSync(CSV, 'utf8').split('\n').slice(0, 5);
  const got = [...parseSflowtoolLines(lines, { onWarning: (w) => warnings.push(w) })];
  assert.equal(got.length, 5);
  assert.deepEqual(warnings.map((w) => [w.code, w.line]), [['SNARF_TEXT_BAD_TIME', 1]]);
});

test('bad -l lines warn with their line number; unknown tags and layouts are tolerated', () => {
  const warnings: SflowWarning[] = [];
  const lines = [
    'FLOW,192.0.2.1,1,2,00005e005301,00005e005310,0x0800,0,0,198.51.100.26,192.0.2.10,6,0x00,117,52103,7743,0x18,70,52,1000',
    'FLOW,192.0.2.1,1,2,too,few',
    'FLOW,192.0.2.1,1,2,00005e005301,00005e005310,0x0800,0,0,not-an-ip,192.0.2.10,6,0x00,117,52103,7743,0x18,70,52,1000',
    'CNTR,192.0.2.1,1,6,x,1,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0',
    'startDatagram =================================',
    'pcapTimestamp 2005-12-07T15:02:41+0000',
    'pcapTimestamp_uS 7',
    'someFutureTag 1',
    'agent 192.0.2.1',
    'startSample ----------------------',
    'sampleType_tag 0:5',
    'sampleType DISCARD',
    'endSample   ----------------------',
    'startSample ----------------------',
    'sampleType FLOWSAMPLE',
    'meanSkipCount 10',
    'sampledPacketSize 100',
    'newFancyField 1 2 3',
    'srcIP 198.51.100.1',
    'dstIP 192.0.2.10',
    'IPProtocol 17',
    'UDPSrcPort 5000',
    'UDPDstPort 6000',
    'endSample   ----------------------',
    'endDatagram   =================================',
  ];
  const got = [...parseSflowtoolLines(lines, { timeUs: 1, file: 'x.txt', onWarning: (w) => warnings.push(w) })];
  assert.deepEqual(warnings.map((w) => [w.code, w.line]), [['SNARF_TEXT_BAD_LINE', 2], ['SNARF_TEXT_BAD_LINE', 3], ['SNARF_TEXT_BAD_LINE', 4]]);
  assert.equal(got.length, 2);
  const s = got[1]!.sample as FlowSample;
  assert.deepEqual([s.timeUs, s.srcPort, s.dstPort, s.bytes, s.tcpFlags, s.origin?.line], [1_133_967_761_000_007, 5000, 6000, 1000, null, 14]);
});

test('a plain (not gzip) text file with CRLF line ends reads the same', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-sflowtool-'));
  const file = path.join(dir, 'day.txt');
  const text = zlib.gunzipSync(fs.readFileSync(TEXT)).toString('utf8').split('\n').slice(0, 2000).join('\r\n');
  fs.writeFileSync(file, text);
  const got = await collect(readSflowtoolFile(file));
  const bin = await corpusSamples();
  fs.rmSync(dir, { recursive: true });
  assert.ok(got.flows.length > 30);
  assert.deepEqual(got.flows.map(({ origin: _, ...s }) => s), bin.flows.slice(0, got.flows.length));
});

test('random-sampling -l file: 307 flow samples at rate 10', () => {
  const lines = fs.readFileSync(corpusPath('sflow', 'sflow-random10.sflowtool-l.csv'), 'utf8').split('\n');
  const flows = [...parseSflowtoolLines(lines, { timeUs: 0 })].filter((r) => r.kind === 'flow');
  assert.equal(flows.length, 307);
  assert.ok(flows.every((r) => (r.sample as FlowSample).samplingRate === 10));
});
