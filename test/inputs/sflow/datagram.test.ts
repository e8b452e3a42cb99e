import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { corpusPath } from '../../helpers/corpus.js';
import { canonicalIp } from '../../../src/model/ip.js';
import { decodeDatagram } from '../../../src/inputs/sflow/datagram.js';
import {
  Xdr, corpusDatagrams, datagram, flowSample, headerRecord, ipv4TcpFrame, ipv6UdpFrame,
} from './fixtures.js';

const ctx = { timeUs: 1_133_967_761_106_074, file: 'x.pcap', offset: 24 };

test('corpus: 463 datagrams, 2,970 flow + 2 counter samples; per-datagram counts match tshark', async () => {
  const dgs = await corpusDatagrams();
  const summary = fs.readFileSync(corpusPath('sflow', 'sflow-day.tshark-summary.txt'), 'utf8').trim().split('\n');
  assert.equal(dgs.length, 463);
  assert.equal(summary.length, 463);
  let flows = 0;
  let counters = 0;
  dgs.forEach((d, i) => {
    const r = decodeDatagram(d.data, { timeUs: d.timeUs });
    assert.deepEqual(r.warnings, []);
    const m = /agent (\S+), sub-agent ID (\d+), seq (\d+), (\d+) samples/.exec(summary[i]!);
    assert.ok(m, summary[i]);
    assert.equal(r.header?.agent, m[1]);
    assert.equal(r.header?.subAgentId, Number(m[2]));
    assert.equal(r.header?.seq, Number(m[3]));
    assert.equal(r.flows.length + r.counters.length, Number(m[4]));
    flows += r.flows.length;
    counters += r.counters.length;
  });
  assert.equal(flows, 2970);
  assert.equal(counters, 2);
});

test('corpus: every flow sample agrees with sflowtool -l, field by field', async () => {
  const lines = fs.readFileSync(corpusPath('sflow', 'sflow-day.sflowtool-l.csv'), 'utf8').trim().split('\n');
  const flowLines = lines.filter((l) => l.startsWith('FLOW,'));
  const cntrLines = lines.filter((l) => l.startsWith('CNTR,'));
  const flows = [];
  const counters = [];
  for (const d of await corpusDatagrams()) {
    const r = decodeDatagram(d.data, { timeUs: d.timeUs });
    flows.push(...r.flows);
    counters.push(...r.counters);
  }
  assert.equal(flows.length, flowLines.length);
  flows.forEach((s, i) => {
    const f = flowLines[i]!.split(',');
    const v6 = f[6] === '0x86dd';
    const got = [
      s.agent, s.inputIf, s.outputIf, s.srcMac!.toString(16).padStart(12, '0'), s.dstMac!.toString(16).padStart(12, '0'),
      `0x${s.etherType!.toString(16).padStart(4, '0')}`, s.vlan, s.srcIp, s.dstIp, s.protocol,
      `0x${s.tos!.toString(16).padStart(2, '0')}`, s.ttl, s.srcPort, s.dstPort,
      `0x${(s.tcpFlags ?? 0).toString(16).padStart(2, '0')}`, s.frameLength,
      v6 ? s.frameLength - s.stripped : s.ipLength, s.samplingRate,
    ].map(String);
    const want = [f[1], f[2], f[3], f[4], f[5], f[6], f[7], canonicalIp(f[9]!), canonicalIp(f[10]!), f[11], f[12], f[13], f[14], f[15], f[16], f[17], f[18], f[19]];
    assert.deepEqual(got, want, `sample ${i + 1}: ${flowLines[i]}`);
    assert.equal(s.bytes, s.frameLength * 1000);
  });
  assert.equal(counters.length, cntrLines.length);
  for (const [i, c] of counters.entries()) {
    const g = c.generic!;
    const row = ['CNTR', c.agent, g.ifIndex, g.ifType, g.ifSpeed, g.ifDirection, g.ifStatus, g.ifInOctets, g.ifInUcastPkts,
      g.ifInMulticastPkts, g.ifInBroadcastPkts, g.ifInDiscards, g.ifInErrors, g.ifInUnknownProtos, g.ifOutOctets,
      g.ifOutUcastPkts, g.ifOutMulticastPkts, g.ifOutBroadcastPkts, g.ifOutDiscards, g.ifOutErrors, g.ifPromiscuousMode].join(',');
    assert.equal(row, cntrLines[i]);
  }
});

test('corpus: the first two datagrams agree with tshark -V (sequence, frame length, inner addresses and ports)', async () => {
  const text = fs.readFileSync(corpusPath('sflow', 'sflow-day.tshark-V-first2.txt'), 'utf8');
  const want: string[] = [];
  let inSample = false;
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^ {4}Flow sample, seq (\d+)/.exec(line))) { inSample = true; want.push(`seq ${m[1]}`); }
    else if (/^Frame \d+:/.test(line)) inSample = false;
    else if (!inSample) continue;
    else if ((m = /^ {8}Sampling rate: 1 out of (\d+) packets/.exec(line))) want.push(`rate ${m[1]}`);
    else if ((m = /^ {12}Frame Length: (\d+)/.exec(line))) want.push(`frame ${m[1]}`);
    else if ((m = /^ +Internet Protocol Version [46], Src: (\S+), Dst: (\S+)/.exec(line))) want.push(`ip ${m[1]} ${m[2]}`);
    else if ((m = /^ +Source Port: (\d+)/.exec(line))) want.push(`sport ${m[1]}`);
    else if ((m = /^ +Destination Port: (\d+)/.exec(line))) want.push(`dport ${m[1]}`);
  }
  const got: string[] = [];
  for (const d of (await corpusDatagrams()).slice(0, 2)) {
    for (const s of decodeDatagram(d.data, { timeUs: d.timeUs }).flows) {
      got.push(`seq ${s.sampleSeq}`, `rate ${s.samplingRate}`, `frame ${s.frameLength}`, `ip ${s.srcIp} ${s.dstIp}`, `sport ${s.srcPort}`, `dport ${s.dstPort}`);
    }
  }
  assert.ok(want.length >= 50, `parsed ${want.length} tshark facts`);
  assert.deepEqual(got, want);
});

test('v2 and v4 datagrams give a clear warning and cost no other datagram', async () => {
  const [a, b, c] = (await corpusDatagrams()).slice(0, 3);
  for (const version of [2, 4]) {
    const old = Uint8Array.from(b!.data);
    old[3] = version;
    const results = [a!, { ...b!, data: old }, c!].map((d) => decodeDatagram(d.data, ctx));
    assert.equal(results[1]!.flows.length, 0);
    assert.equal(results[1]!.warnings.length, 1);
    assert.equal(results[1]!.warnings[0]!.code, 'SNARF_SFLOW_BAD_VERSION');
    assert.match(results[1]!.warnings[0]!.message, new RegExp(`version ${version} \\(RFC 3176\\)`));
    assert.equal(results[1]!.warnings[0]!.file, 'x.pcap');
    assert.equal(results[0]!.flows.length + results[2]!.flows.length, decodeDatagram(a!.data, ctx).flows.length + decodeDatagram(c!.data, ctx).flows.length);
    assert.ok(results[0]!.flows.length > 0 && results[2]!.flows.length > 0);
  }
});

test('a truncated datagram keeps every sample before the cut and warns once', async () => {
  const d = (await corpusDatagrams())[0]!;
  const full = decodeDatagram(d.data, ctx);
  assert.equal(full.flows.length, 7);
  for (let cut = 0; cut < d.data.length; cut += 7) {
    const r = decodeDatagram(d.data.subarray(0, cut), ctx);
    assert.equal(r.warnings.length, 1, `cut at ${cut}`);
    assert.equal(r.warnings[0]!.code, 'SNARF_SFLOW_TRUNCATED');
    assert.deepEqual(r.flows, full.flows.slice(0, r.flows.length));
  }
  // Cut right after sample 3: exactly three kept.
  const r = decodeDatagram(d.data.subarray(0, sampleEnd(d.data, 3)), ctx);
  assert.equal(r.flows.length, 3);
  assert.match(r.warnings[0]!.message, /announces 7 samples but ends after 3/);
});

/** Byte offset just after the n-th sample of a corpus datagram (IPv4 agent). */
function sampleEnd(b: Uint8Array, n: number): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 28;
  for (let i = 0; i < n; i++) p += 8 + dv.getUint32(p + 4);
  return p;
}

test('a sample whose body is shorter than its fields is skipped; its neighbours survive', async () => {
  const d = Uint8Array.from((await corpusDatagrams())[0]!.data);
  const dv = new DataView(d.buffer);
  const s2 = sampleEnd(d, 1);
  // Inflate the record count inside sample 2 so its records run past the sample's end.
  dv.setUint32(s2 + 8 + 28, 50);
  const r = decodeDatagram(d, ctx);
  assert.equal(r.flows.length, 6);
  assert.deepEqual(r.warnings.map((w) => w.code), ['SNARF_SFLOW_BAD_LENGTH']);
  assert.match(r.warnings[0]!.message, /sample 2 \(0:1/);
  assert.deepEqual(r.flows.map((f) => f.sampleSeq), [1, 3, 4, 5, 6, 7]);
});

test('unknown sample formats are skipped by length without a warning', async () => {
  const d = Uint8Array.from((await corpusDatagrams())[0]!.data);
  new DataView(d.buffer).setUint32(sampleEnd(d, 2), (4300 << 12) | 7); // enterprise 4300, format 7
  const r = decodeDatagram(d, ctx);
  assert.equal(r.skipped, 1);
  assert.equal(r.flows.length, 6);
  assert.deepEqual(r.warnings, []);
});

test('garbage and empty datagrams warn, never throw', () => {
  assert.equal(decodeDatagram(new Uint8Array(0), ctx).warnings[0]!.code, 'SNARF_SFLOW_TRUNCATED');
  assert.equal(decodeDatagram(Uint8Array.from([0, 0, 0, 5, 0, 0, 0, 9]), ctx).warnings[0]!.code, 'SNARF_SFLOW_BAD_ADDRESS');
  assert.equal(decodeDatagram(Uint8Array.from(Buffer.from('GET / HTTP/1.0\r\n\r\n')), ctx).warnings[0]!.code, 'SNARF_SFLOW_BAD_VERSION');
});

test('crafted: 802.1Q tag, expanded sample, sampled_ipv4 fallback, extended records skipped', () => {
  const tagged = flowSample(1, [new Xdr().framed(1001, new Xdr().u32(9).u32(0).u32(9).u32(0)),
    headerRecord(ipv4TcpFrame({ vlan: 42, sport: 51413, dport: 6881, flags: 0x12 }), 1518)]);
  const expBody = new Xdr().u32(2).u32(0).u32(0x1234567).u32(512).u32(1024).u32(0).u32(0).u32(0x2000000).u32(0).u32(7).u32(1)
    .bytes(new Xdr().framed(3, new Xdr().u32(1500).u32(17).bytes([198, 51, 100, 9]).bytes([192, 0, 2, 20]).u32(40000).u32(41000).u32(0).u32(0x20)).build());
  const expanded = new Xdr().framed(3, expBody);
  const withUnknownRecord = flowSample(3, [new Xdr().framed(1002, new Xdr().u32(1).bytes([10, 0, 0, 1]).u32(24).u32(24)),
    headerRecord(ipv4TcpFrame(), 64)]);
  const r = decodeDatagram(datagram(9, [tagged, expanded, withUnknownRecord]), ctx);
  assert.deepEqual(r.warnings, []);
  const [a, b, c] = r.flows;
  assert.equal(a!.vlan, 42);
  assert.deepEqual([a!.srcIp, a!.dstIp, a!.srcPort, a!.dstPort, a!.tcpFlags, a!.bytes], ['198.51.100.1', '192.0.2.10', 51413, 6881, 0x12, 151800]);
  assert.equal(a!.agent, '192.0.2.1');
  assert.equal(a!.subAgentId, 7);
  assert.deepEqual([b!.sourceIdType, b!.sourceIdIndex, b!.inputIf, b!.outputIf, b!.samplingRate], [0, 0x1234567, 0x2000000, 7, 512]);
  assert.deepEqual([b!.ipVersion, b!.protocol, b!.srcIp, b!.dstIp, b!.srcPort, b!.dstPort, b!.tos, b!.frameLength], [4, 17, '198.51.100.9', '192.0.2.20', 40000, 41000, 0x20, 1500]);
  assert.equal(b!.tcpFlags, null);
  assert.equal(c!.vlan, null);
  assert.equal(c!.dstPort, 6881);
});

test('crafted: IPv6 extension headers are walked; a header cut before the ports leaves them null', () => {
  const ok = ipv6UdpFrame([[0, 0, 0, 0, 0, 0], [1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]);
  const r = decodeDatagram(datagram(1, [flowSample(1, [headerRecord(ok, ok.length + 4)])]), ctx);
  const s = r.flows[0]!;
  assert.deepEqual([s.ipVersion, s.protocol, s.srcIp, s.dstIp, s.srcPort, s.dstPort], [6, 17, '2001:db8:ff::5', '2001:db8:1::10', 50000, 6346]);
  const cut = ok.slice(0, 14 + 40 + 10); // second extension header not captured
  const r2 = decodeDatagram(datagram(2, [flowSample(1, [headerRecord(cut, ok.length + 4)])]), ctx);
  assert.equal(r2.flows[0]!.srcIp, '2001:db8:ff::5');
  assert.equal(r2.flows[0]!.srcPort, null);
  assert.deepEqual(r2.warnings, []);
});

test('crafted: a non-first IPv4 fragment has no ports', () => {
  const r = decodeDatagram(datagram(1, [flowSample(1, [headerRecord(ipv4TcpFrame({ fragOffset: 185 }), 1518)])]), ctx);
  assert.equal(r.flows[0]!.protocol, 6);
  assert.equal(r.flows[0]!.srcPort, null);
});

test('property: random truncation, byte flips and splices of real datagrams never throw or hang', async () => {
  const dgs = (await corpusDatagrams()).map((d) => d.data);
  fc.assert(fc.property(
    fc.nat(dgs.length - 1), fc.array(fc.tuple(fc.nat(1500), fc.nat(255)), { maxLength: 12 }), fc.nat(1500),
    (i, flips, cut) => {
      const d = Uint8Array.from(dgs[i]!);
      for (const [pos, v] of flips) if (pos < d.length) d[pos] = v;
      const started = process.hrtime.bigint();
      const r = decodeDatagram(d.subarray(0, Math.min(cut, d.length)), ctx);
      assert.ok(process.hrtime.bigint() - started < 50_000_000n, 'decode took over 50 ms');
      assert.ok(r.flows.length + r.counters.length + r.skipped <= 8 + flips.length * 1000);
      for (const w of r.warnings) assert.match(w.code, /^SNARF_SFLOW_/);
    },
  ), { numRuns: 3000 });
});

test('property: a truncated real datagram yields a prefix of its samples', async () => {
  const dgs = (await corpusDatagrams()).map((d) => d.data);
  fc.assert(fc.property(fc.nat(dgs.length - 1), fc.nat(1500), (i, cut) => {
    const d = dgs[i]!;
    const full = decodeDatagram(d, ctx).flows;
    const part = decodeDatagram(d.subarray(0, Math.min(cut, d.length)), ctx);
    assert.deepEqual(part.flows, full.slice(0, part.flows.length));
    assert.equal(part.warnings.length, cut >= d.length ? 0 : 1);
  }), { numRuns: 1000 });
});
