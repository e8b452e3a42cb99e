import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusPath } from '../../helpers/corpus.js';
import { CaptureSplitter, type PcapRecord } from '../../../src/inputs/sflow/capture.js';
import { extractUdp, readCaptureDatagrams, readSflowPcap } from '../../../src/inputs/sflow/pcap.js';
import type { SflowWarning } from '../../../src/inputs/sflow/warnings.js';
import { SFLOW_DAY, corpusDatagrams } from './fixtures.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-sflow-pcap-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function records(buf: Uint8Array, chunk = buf.length): PcapRecord[] {
  const s = new CaptureSplitter('t');
  const out: PcapRecord[] = [];
  for (let i = 0; i < buf.length; i += chunk) out.push(...s.push(buf.subarray(i, i + chunk)));
  s.end();
  assert.deepEqual(s.warnings, []);
  return out;
}

test('corpus: 463 datagrams from 127.0.0.1 to port 6343, times as tshark prints them', async () => {
  const dgs = await corpusDatagrams();
  assert.equal(dgs.length, 463);
  const first = dgs[0]!;
  assert.deepEqual([first.srcIp, first.srcPort, first.dstIp, first.dstPort, first.data.length, first.index, first.offset],
    ['127.0.0.1', 58235, '127.0.0.1', 6343, 1228, 1, 24]);
  const summary = fs.readFileSync(corpusPath('sflow', 'sflow-day.tshark-summary.txt'), 'utf8').trim().split('\n');
  dgs.forEach((d, i) => {
    const m = /^\s*\d+ (\S+ \S+)/.exec(summary[i]!)!; // tshark -t ud: UTC date and time, µs
    assert.equal(new Date(d.timeUs / 1000).toISOString().replace('T', ' ').slice(0, 23), m[1]!.slice(0, 23));
    assert.equal(d.timeUs % 1000, Number(m[1]!.slice(23, 26)));
  });
});

test('chunk boundaries anywhere give the same records', () => {
  const buf = fs.readFileSync(SFLOW_DAY);
  const whole = records(buf);
  for (const size of [1, 7, 1000, 4096]) {
    const parts = records(buf, size);
    assert.equal(parts.length, 463);
    assert.deepEqual(parts.map((r) => [r.timeUs, r.offset, Buffer.from(r.data).toString('hex')]),
      whole.map((r) => [r.timeUs, r.offset, Buffer.from(r.data).toString('hex')]));
  }
});

test('sflow-raw.pcap holds byte-identical datagrams at other times', async () => {
  const day = await corpusDatagrams();
  let i = 0;
  for await (const d of readCaptureDatagrams(corpusPath('sflow', 'sflow-raw.pcap'))) {
    assert.deepEqual(Buffer.from(d.data), Buffer.from(day[i]!.data));
    assert.notEqual(d.timeUs, day[i]!.timeUs);
    i++;
  }
  assert.equal(i, 463);
});

/** The corpus records rewritten as pcapng (little or big endian; µs or ns resolution). */
function toPcapng(recs: PcapRecord[], le: boolean, nanos: boolean): Buffer {
  const blocks: Buffer[] = [];
  const block = (type: number, body: Buffer): void => {
    const len = 12 + body.length + ((4 - (body.length % 4)) % 4);
    const b = Buffer.alloc(len);
    const w = (v: number, o: number): number => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
    w(type, 0); w(len, 4); body.copy(b, 8); w(len, len - 4);
    blocks.push(b);
  };
  const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); if (le) b.writeUInt32LE(v); else b.writeUInt32BE(v); return b; };
  const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); if (le) b.writeUInt16LE(v); else b.writeUInt16BE(v); return b; };
  block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), Buffer.alloc(8, 0xff)]));
  const opts = nanos ? Buffer.concat([u16(9), u16(1), Buffer.from([9, 0, 0, 0]), u16(0), u16(0)]) : Buffer.alloc(0);
  block(1, Buffer.concat([u16(1), u16(0), u32(262144), opts]));
  block(5, Buffer.from('statistics block, ignored'));
  for (const r of recs) {
    const units = nanos ? BigInt(r.timeUs) * 1000n : BigInt(r.timeUs);
    block(6, Buffer.concat([u32(0), u32(Number(units >> 32n)), u32(Number(units & 0xffffffffn)), u32(r.data.length), u32(r.origLen), Buffer.from(r.data)]));
  }
  return Buffer.concat(blocks);
}

test('pcapng (both byte orders, µs and ns resolution) gives the same datagrams and times', async () => {
  const recs = records(fs.readFileSync(SFLOW_DAY));
  const day = await corpusDatagrams();
  for (const [le, nanos] of [[true, false], [false, true]] as const) {
    const file = path.join(tmp, `day-${le}-${nanos}.pcapng`);
    fs.writeFileSync(file, toPcapng(recs, le, nanos));
    const got = [];
    const warnings: SflowWarning[] = [];
    for await (const d of readCaptureDatagrams(file, { onWarning: (w) => warnings.push(w) })) got.push(d);
    assert.deepEqual(warnings, []);
    assert.equal(got.length, 463);
    assert.deepEqual(got.map((d) => [d.timeUs, Buffer.from(d.data).toString('hex')]),
      day.map((d) => [d.timeUs, Buffer.from(d.data).toString('hex')]));
  }
});

test('a capture cut mid-record keeps every complete record and warns with the offset', async () => {
  const buf = fs.readFileSync(SFLOW_DAY);
  const file = path.join(tmp, 'cut.pcap');
  fs.writeFileSync(file, buf.subarray(0, buf.length - 100));
  const warnings: SflowWarning[] = [];
  let n = 0;
  for await (const _ of readSflowPcap(file, { onWarning: (w) => warnings.push(w) })) n++;
  assert.equal(n, 462);
  assert.deepEqual(warnings.map((w) => w.code), ['SNARF_PCAP_TRUNCATED']);
  assert.equal(warnings[0]!.file, file);
  assert.ok(warnings[0]!.offset! > 600000);
});

test('not a capture, and an impossible record length, are clear warnings', async () => {
  const file = path.join(tmp, 'text.pcap');
  fs.writeFileSync(file, 'this is not a capture file at all, just text\n');
  const warnings: SflowWarning[] = [];
  for await (const _ of readCaptureDatagrams(file, { onWarning: (w) => warnings.push(w) })) assert.fail('no datagrams expected');
  assert.deepEqual(warnings.map((w) => w.code), ['SNARF_PCAP_BAD_FILE']);
  const buf = Buffer.from(fs.readFileSync(SFLOW_DAY));
  const second = 24 + 16 + buf.readUInt32LE(24 + 8);
  buf.writeUInt32LE(0x7fffffff, second + 8);
  const s = new CaptureSplitter('bad');
  assert.equal(s.push(buf).length, 1);
  assert.equal(s.warnings[0]!.code, 'SNARF_PCAP_BAD_FILE');
  assert.equal(s.warnings[0]!.offset, second);
  const missing: SflowWarning[] = [];
  for await (const _ of readCaptureDatagrams(path.join(tmp, 'nope.pcap'), { onWarning: (w) => missing.push(w) })) void _;
  assert.equal(missing[0]!.code, 'SNARF_IO');
});

test('the collector port is configurable; other UDP traffic is ignored', async () => {
  let n = 0;
  for await (const _ of readCaptureDatagrams(SFLOW_DAY, { ports: [9995] })) n++;
  assert.equal(n, 0);
  for await (const _ of readCaptureDatagrams(SFLOW_DAY, { ports: [9995, 6343] })) n++;
  assert.equal(n, 463);
});

test('link types: VLAN-tagged Ethernet, BSD loopback, raw IPv6, Linux cooked; fragments warn', () => {
  const payload = [0, 0, 0, 5, 1, 2, 3, 4];
  const udp = (dport: number): number[] => [0xc0, 0x00, dport >> 8, dport & 255, 0, 8 + payload.length, 0, 0, ...payload];
  const ip4 = (frag = 0): number[] => [0x45, 0, 0, 20 + 16, 0, 0, frag >> 8, frag & 255, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, ...udp(6343)];
  const ip6 = [0x60, 0, 0, 0, 0, 16, 17, 64, ...new Array(15).fill(0), 1, 0x20, 1, 0x0d, 0xb8, ...new Array(11).fill(0), 2, ...udp(6343)];
  const rec = (linktype: number, data: number[]): PcapRecord => ({ linktype, timeUs: 5, data: Uint8Array.from(data), origLen: data.length, offset: 0, index: 1 });
  const ports = new Set([6343]);
  const w: SflowWarning[] = [];
  const eth = [...new Array(12).fill(0), 0x81, 0x00, 0, 5, 0x08, 0x00, ...ip4()];
  assert.deepEqual([...extractUdp(rec(1, eth), ports, w)!.data], payload);
  assert.equal(extractUdp(rec(0, [2, 0, 0, 0, ...ip4()]), ports, w)?.srcIp, '10.0.0.1');
  assert.equal(extractUdp(rec(108, [0, 0, 0, 2, ...ip4()]), ports, w)?.dstIp, '10.0.0.2');
  assert.equal(extractUdp(rec(229, ip6), ports, w)?.dstIp, '2001:db8::2');
  assert.equal(extractUdp(rec(113, [...new Array(14).fill(0), 0x86, 0xdd, ...ip6]), ports, w)?.srcIp, '::1');
  assert.equal(w.length, 0);
  assert.equal(extractUdp(rec(101, ip4(0x2000)), ports, w), null); // first fragment (MF set)
  assert.equal(w[0]?.code, 'SNARF_PCAP_UNSUPPORTED');
  assert.equal(extractUdp(rec(147, ip4()), ports, w), null);
  assert.match(w[1]!.message, /link type 147/);
});

test('random-sampling capture: 49 datagrams, 307 flow samples, sample pool grows', async () => {
  let datagrams = 0;
  const pools: number[] = [];
  let counters = 0;
  const warnings: SflowWarning[] = [];
  for await (const { decoded } of readSflowPcap(corpusPath('sflow', 'sflow-random10-raw.pcap'), { onWarning: (w) => warnings.push(w) })) {
    datagrams++;
    pools.push(...decoded.flows.map((f) => f.samplePool));
    counters += decoded.counters.length;
  }
  assert.deepEqual(warnings, []);
  assert.equal(datagrams, 49);
  assert.equal(pools.length, 307);
  assert.equal(counters, 1);
  assert.deepEqual(pools.slice(0, 3), [3, 19, 23]);
  assert.equal(pools.at(-1), 2970);
});
