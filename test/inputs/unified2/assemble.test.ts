/**
 * Event assembly: keys, timeouts on an injected clock, bounds, and the Alert fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Alert } from '../../../src/model/alert.js';
import type { SignatureResolver } from '../../../src/rules/types.js';
import { assembleAll, Unified2Assembler, type AssemblerClock, type AssemblerOptions, type OrphanRecord } from '../../../src/inputs/unified2/assemble.js';
import { corpusPath } from '../../helpers/corpus.js';
import {
  decodeBuffer, event3Record, eventRecord, extraRecord, packetRecord, type EventSpec,
} from './_helpers.js';

/** A fake clock whose timers fire only when the test advances time. */
class FakeClock implements AssemblerClock {
  t = 1000;
  timers: Array<{ at: number; fn: () => void; id: number }> = [];
  #id = 0;
  now(): number { return this.t; }
  setTimer(fn: () => void, ms: number): unknown { const id = ++this.#id; this.timers.push({ at: this.t + ms, fn, id }); return id; }
  clearTimer(h: unknown): void { this.timers = this.timers.filter((x) => x.id !== h); }
  advance(ms: number): void {
    this.t += ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.timers = this.timers.filter((x) => x !== due);
      due.fn();
    }
  }
}

const fakeResolver: SignatureResolver = {
  lookup: (gid, sid) => (gid === 1 && sid === 1000001
    ? { gid, sid, message: 'P2P BitTorrent peer handshake', references: [{ system: 'url', id: 'www.bittorrent.org' }] }
    : undefined),
  classificationById: (id) => (id === 7 ? { shortname: 'policy-violation', description: 'Potential Corporate Privacy Violation', priority: 1 } : undefined),
  classificationByName: () => undefined,
  referenceUrl: () => null,
};

function setup(opts: Partial<AssemblerOptions> = {}): { asm: Unified2Assembler; alerts: Alert[]; orphans: OrphanRecord[]; clock: FakeClock } {
  const alerts: Alert[] = [];
  const orphans: OrphanRecord[] = [];
  const clock = new FakeClock();
  const asm = new Unified2Assembler({
    sensor: 'sensor-a', resolver: fakeResolver, clock, onAlert: (a) => alerts.push(a), onOrphan: (o) => orphans.push(o), ...opts,
  });
  return { asm, alerts, orphans, clock };
}

function feed(asm: Unified2Assembler, ...bufs: Buffer[]): void {
  for (const r of decodeBuffer(Buffer.concat(bufs)).records) asm.push(r, 'snort.u2.1');
}

test('an event without packets is released by the timeout, not held until the next event', () => {
  const { asm, alerts, clock } = setup({ eventTimeoutMs: 500 });
  feed(asm, eventRecord({ eventId: 65537 }));
  clock.advance(499);
  assert.equal(alerts.length, 0);
  clock.advance(1);
  assert.equal(alerts.length, 1);
  assert.equal(asm.pendingEvents, 0);
  assert.equal(clock.timers.length, 0, 'no timer left armed');
});

test('packets and extra data join their event; the full alert fields', () => {
  const { asm, alerts } = setup();
  feed(asm,
    eventRecord({ eventId: 65537, eventSecond: 1795168800, eventMicrosecond: 88806, sid: 1000001, rev: 2, classificationId: 7, priority: 1,
      src: [163, 221, 10, 17], dst: [203, 0, 113, 66], sport: 42211, dport: 6667, protocol: 6 }),
    packetRecord({ eventId: 65537, eventSecond: 1795168800, packetSecond: 1795168800, packetMicrosecond: 88806, data: Buffer.from('GET /') }),
    extraRecord({ eventId: 65537, eventSecond: 1795168800, subtype: 1, data: Buffer.from([198, 51, 100, 7]) }),
    extraRecord({ eventId: 65537, eventSecond: 1795168800, subtype: 10, data: Buffer.from('intranet.local\x01') }),
  );
  asm.flush();
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  assert.deepEqual({ ...a, packets: undefined, extra: undefined }, {
    sensor: 'sensor-a', timeUs: 1795168800088806, gid: 1, sid: 1000001, rev: 2,
    message: 'P2P BitTorrent peer handshake', classification: 'Potential Corporate Privacy Violation', priority: 1,
    protocol: 6, srcIp: '163.221.10.17', srcPort: 42211, dstIp: '203.0.113.66', dstPort: 6667,
    eventId: 65537, eventSecond: 1795168800, references: [{ system: 'url', id: 'www.bittorrent.org' }],
    origin: { format: 'unified2', file: 'snort.u2.1', offset: 0 }, packets: undefined, extra: undefined,
  });
  assert.deepEqual(a.packets.map((p) => [p.timeUs, p.linktype, p.length, Buffer.from(p.data).toString()]), [[1795168800088806, 1, 5, 'GET /']]);
  assert.deepEqual(a.extra, [
    { type: 1, name: 'xff', value: '198.51.100.7' },
    { type: 10, name: 'http_hostname', value: 'intranet.local\x01' },
  ]);
});

test('ICMP: type/code go to the packet summary, ports are null; unknown signature falls back', () => {
  const { asm, alerts } = setup();
  feed(asm, eventRecord({ gid: 1, sid: 42, rev: 3, protocol: 1, sport: 8, dport: 0 }),
    eventRecord({ type: 105, eventId: 2, protocol: 58, sport: 128, dport: 0 }));
  asm.flush();
  assert.deepEqual(alerts.map((a) => [a.message, a.srcPort, a.dstPort, a.packet, a.classification, a.priority]), [
    ['Snort Alert [1:42:3]', null, null, { icmpType: 8, icmpCode: 0 }, null, null],
    ['P2P BitTorrent peer handshake', null, null, { icmpType: 128, icmpCode: 0 }, null, null],
  ]);
  assert.equal(alerts[1]!.srcIp, '2001:db8::1');
});

test('ports only for TCP, UDP and SCTP', () => {
  const { asm, alerts } = setup();
  for (const [i, protocol] of [6, 17, 132, 47].entries()) feed(asm, eventRecord({ eventId: i + 1, protocol, sport: 5, dport: 6 }));
  asm.flush();
  assert.deepEqual(alerts.map((a) => [a.protocol, a.srcPort, a.dstPort]), [[6, 5, 6], [17, 5, 6], [132, 5, 6], [47, null, null]]);
});

test('keys use all 32 bits of event_id: -G 1 and -G 2 ids with the same low 16 bits stay apart', () => {
  const { asm, alerts, orphans } = setup();
  feed(asm, eventRecord({ eventId: 65537 }), eventRecord({ eventId: 131073 }),
    packetRecord({ eventId: 131073, data: Buffer.from('b') }), packetRecord({ eventId: 65537, data: Buffer.from('a') }));
  asm.flush();
  assert.deepEqual(alerts.map((a) => [a.eventId, Buffer.from(a.packets[0]!.data).toString()]), [[65537, 'a'], [131073, 'b']]);
  assert.deepEqual(orphans, []);
});

test('packets that come before their event wait and attach; unmatched ones expire as orphans', () => {
  const { asm, alerts, orphans, clock } = setup({ eventTimeoutMs: 100 });
  feed(asm, packetRecord({ eventId: 9, data: Buffer.from('early') }), packetRecord({ eventId: 77, sensorId: 3 }));
  assert.equal(asm.pendingOrphans, 2);
  feed(asm, eventRecord({ eventId: 9 }));
  assert.equal(asm.pendingOrphans, 1);
  clock.advance(100);
  assert.equal(Buffer.from(alerts[0]!.packets[0]!.data).toString(), 'early');
  assert.deepEqual(orphans.map((o) => [o.kind, o.sensorId, o.eventId, o.file]), [['packet', 3, 77, 'snort.u2.1']]);
});

test('Snort 2 extra data a few events late still joins (pending window)', () => {
  const { asm, alerts } = setup();
  feed(asm, eventRecord({ eventId: 1 }), eventRecord({ eventId: 2 }), eventRecord({ eventId: 3 }),
    extraRecord({ eventId: 1, subtype: 7, data: Buffer.from('<a@example.org>') }));
  asm.flush();
  assert.deepEqual(alerts.map((a) => a.extra.length), [1, 0, 0]);
  assert.equal(alerts[0]!.extra[0]!.name, 'smtp_rcptto');
});

test('bounded: pending events, packets per event, bytes per packet and per extra blob', () => {
  const { asm, alerts } = setup({ maxPendingEvents: 2, maxPacketsPerEvent: 2, maxPacketBytes: 4, maxExtraBytes: 3 });
  feed(asm, eventRecord({ eventId: 1 }), eventRecord({ eventId: 2 }));
  assert.equal(alerts.length, 0);
  feed(asm, eventRecord({ eventId: 3 }));
  assert.deepEqual(alerts.map((a) => a.eventId), [1], 'oldest released when the cache is full');
  for (let i = 0; i < 5; i++) feed(asm, packetRecord({ eventId: 3, data: Buffer.from('0123456789') }));
  feed(asm, extraRecord({ eventId: 3, subtype: 9, data: Buffer.from('/abcdef') }));
  asm.flush();
  const a3 = alerts.find((a) => a.eventId === 3)!;
  assert.equal(a3.packets.length, 2);
  assert.ok(a3.packets.every((p) => p.data.length === 4 && p.length === 10));
  assert.equal(a3.extra[0]!.value, '/ab');
  assert.equal(asm.stats.droppedPackets, 3);
  assert.equal(asm.stats.truncatedPackets, 5);
});

test('payloads are copies: they do not pin or alias the decoder chunk', () => {
  const buf = Buffer.concat([eventRecord(), packetRecord({ data: Buffer.from('abc') })]);
  const alerts = assembleAll(decodeBuffer(buf).records.map((rec) => ({ rec, file: 'f' })), { sensor: 's', clock: new FakeClock() });
  buf.fill(0);
  assert.equal(Buffer.from(alerts[0]!.packets[0]!.data).toString(), 'abc');
});

test('a repeated key while pending releases the first event (Snort restarted within a second)', () => {
  const { asm, alerts } = setup();
  feed(asm, eventRecord({ eventId: 1, sid: 5 }), eventRecord({ eventId: 1, sid: 6 }));
  assert.deepEqual(alerts.map((a) => a.sid), [5]);
  asm.flush();
  assert.deepEqual(alerts.map((a) => a.sid), [5, 6]);
  assert.equal(asm.stats.duplicateEvents, 1);
});

test('type 114: gid/sid swapped, IPv4-mapped addresses as IPv4, version nibbles respected', () => {
  const { asm, alerts } = setup();
  feed(asm,
    event3Record({ eventId: 1, gid: 129, sid: 12, rev: 2 }),
    event3Record({ eventId: 2, ipVersion: 0x66, src16: [0x20, 1, 0xd, 0xb8, ...Array(11).fill(0), 5], dst16: [0x20, 1, 0xd, 0xb8, ...Array(11).fill(0), 6] }),
    event3Record({ eventId: 3, ipVersion: 0x00 }),
  );
  asm.flush();
  assert.deepEqual(alerts.map((a) => [a.gid, a.sid, a.rev, a.srcIp, a.dstIp]), [
    [129, 12, 2, '10.0.0.1', '192.0.2.1'],
    [1, 1000001, 1, '2001:db8::5', '2001:db8::6'],
    [1, 1000001, 1, null, null],
  ]);
});

test('extra-data names and values for every subtype (synthetic corpus has all 13)', () => {
  const buf = fs.readFileSync(corpusPath('unified2', 'synthetic', 'u2gen-mixed-seed1.u2'));
  const alerts = assembleAll(decodeBuffer(buf).records.map((rec) => ({ rec, file: 'm' })), { sensor: 's', clock: new FakeClock() });
  assert.equal(alerts.length, 300);
  const byType = new Map<number, { name: string; value: unknown }>();
  for (const x of alerts.flatMap((a) => a.extra)) byType.set(x.type, x);
  assert.deepEqual([...byType.keys()].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13]);
  const names = Object.fromEntries([...byType].map(([t, x]) => [t, x.name]));
  assert.deepEqual(names, { 1: 'xff', 2: 'xff', 3: 'reviewed_by', 4: 'gzip_data', 5: 'smtp_filename', 6: 'smtp_mailfrom',
    7: 'smtp_rcptto', 8: 'smtp_email_hdrs', 9: 'http_uri', 10: 'http_hostname', 13: 'jsnorm_data' });
  assert.match(String(byType.get(1)!.value), /^\d+\.\d+\.\d+\.\d+$/);
  assert.match(String(byType.get(2)!.value), /^[0-9a-f:]+$/);
  assert.ok(byType.get(4)!.value instanceof Uint8Array);
  for (const t of [3, 5, 6, 7, 8, 9, 10, 13]) assert.equal(typeof byType.get(t)!.value, 'string');
  const v6 = alerts.filter((a) => a.srcIp?.includes(':'));
  assert.ok(v6.length > 0);
});

test('IPv6 src/dst extra data (Snort 3 legacy, subtypes 11/12) and invalid UTF-8 text survive', () => {
  const { asm, alerts } = setup();
  const addr = [0x20, 1, 0xd, 0xb8, ...Array(11).fill(0), 9];
  feed(asm, eventRecord({ type: 105 }),
    extraRecord({ subtype: 11, data: Buffer.from(addr) }), extraRecord({ subtype: 12, data: Buffer.from(addr) }),
    extraRecord({ subtype: 9, data: Buffer.from([0x2f, 0xff, 0xfe]) }));
  asm.flush();
  assert.deepEqual(alerts[0]!.extra, [
    { type: 11, name: 'ipv6_src', value: '2001:db8::9' },
    { type: 12, name: 'ipv6_dst', value: '2001:db8::9' },
    { type: 9, name: 'http_uri', value: '/\u00ff\u00fe' },
  ]);
});

test('flush releases everything in arrival order and disarms the timer', () => {
  const { asm, alerts, clock } = setup();
  const specs: EventSpec[] = [{ eventId: 5 }, { eventId: 6 }, { eventId: 7 }];
  feed(asm, ...specs.map((s) => eventRecord(s)));
  asm.flush();
  assert.deepEqual(alerts.map((a) => a.eventId), [5, 6, 7]);
  assert.equal(clock.timers.length, 0);
});
