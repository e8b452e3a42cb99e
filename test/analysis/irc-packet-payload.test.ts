/** Stored packet → addresses and payload: every link type Snort writes, and lying lengths. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacket } from '../../src/analysis/packet-payload.js';
import { tcpFrame } from './irc-fixtures.js';

test('Ethernet/IPv4/TCP and Ethernet/IPv6/TCP give addresses, ports and the payload', () => {
  const p4 = decodePacket(1, tcpFrame('163.221.52.29', '198.51.100.23', 26252, 80, 'NICK x\r\n'))!;
  assert.deepEqual([p4.ipVersion, p4.protocol, p4.src, p4.dst, p4.srcPort, p4.dstPort, p4.tcpFlags], [4, 6, '163.221.52.29', '198.51.100.23', 26252, 80, 0x18]);
  assert.equal(Buffer.from(p4.payload).toString(), 'NICK x\r\n');
  const p6 = decodePacket(1, tcpFrame('2001:db8:a3dd:10::14', '2001:db8:bad:c0::66', 22064, 6667, 'JOIN #x0x\r\n'))!;
  assert.deepEqual([p6.ipVersion, p6.src, p6.dst, p6.dstPort], [6, '2001:db8:a3dd:10::14', '2001:db8:bad:c0::66', 6667]);
  assert.equal(Buffer.from(p6.payload).toString(), 'JOIN #x0x\r\n');
});

test('raw IP link types and VLAN tags', () => {
  const eth = tcpFrame('10.0.0.1', '10.0.0.2', 1, 2, 'abc');
  assert.equal(Buffer.from(decodePacket(228, eth.subarray(14))!.payload).toString(), 'abc');
  assert.equal(Buffer.from(decodePacket(101, eth.subarray(14))!.payload).toString(), 'abc');
  const tagged = Buffer.concat([eth.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x0a]), eth.subarray(12)]);
  assert.equal(Buffer.from(decodePacket(1, tagged)!.payload).toString(), 'abc');
  assert.equal(decodePacket(999, eth), null);
});

test('lengths are never trusted: Ethernet padding is cut, a cut capture is bounded', () => {
  const eth = Buffer.from(tcpFrame('10.0.0.1', '10.0.0.2', 1, 2, 'abc'));
  const padded = Buffer.concat([eth, Buffer.alloc(20, 0x41)]);
  assert.equal(Buffer.from(decodePacket(1, padded)!.payload).toString(), 'abc');
  const lying = Buffer.from(eth);
  lying.writeUInt16BE(0xffff, 16); // IPv4 total length far beyond the capture
  assert.equal(Buffer.from(decodePacket(1, lying)!.payload).toString(), 'abc');
  const badOffset = Buffer.from(eth);
  badOffset[14 + 20 + 12] = 0xf0; // TCP data offset 60 > what is there
  assert.equal(decodePacket(1, badOffset)!.payload.length, 0);
  for (let n = 0; n < eth.length; n++) decodePacket(1, eth.subarray(0, n)); // every cut: no throw
});

test('random and mutated bytes never throw and never read past the buffer', () => {
  const base = tcpFrame('2001:db8::1', '2001:db8::2', 5, 6, 'payload');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0, 1, 101, 113, 228, 229), (u, lt) => {
    const p = decodePacket(lt, u);
    return p === null || p.payload.byteOffset + p.payload.length <= u.byteOffset + u.length;
  }));
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { maxLength: 8 }), (flips) => {
    const m = Buffer.from(base);
    for (const [i, v] of flips) m[i] = v;
    const p = decodePacket(1, m);
    return p === null || p.payload.length <= m.length;
  }));
});
