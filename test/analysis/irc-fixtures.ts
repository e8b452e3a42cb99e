/** Hand-built packets and rows for the IRC-bot and anomaly tests (no test cases here). */
import { ipKey } from '../../src/model/ip.js';
import type { AlertRow, PacketRow } from '../../src/store/sqlite/irc-queries.js';
import type { Alert } from '../../src/model/alert.js';

const bytes = (p: string | Uint8Array): Uint8Array => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p);

/** Ethernet + IPv4 or IPv6 (by the address) + TCP (flags PSH|ACK) carrying `payload`. */
export function tcpFrame(src: string, dst: string, sport: number, dport: number, payload: string | Uint8Array): Uint8Array {
  const data = bytes(payload);
  const v6 = src.includes(':');
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sport, 0);
  tcp.writeUInt16BE(dport, 2);
  tcp[12] = 5 << 4;
  tcp[13] = 0x18;
  let ip: Buffer;
  if (v6) {
    ip = Buffer.alloc(40);
    ip[0] = 0x60;
    ip.writeUInt16BE(20 + data.length, 4);
    ip[6] = 6;
    ip[7] = 64;
    ipKey(src).copy(ip, 8);
    ipKey(dst).copy(ip, 24);
  } else {
    ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(40 + data.length, 2);
    ip[8] = 64;
    ip[9] = 6;
    ipKey(src).copy(ip, 12, 12);
    ipKey(dst).copy(ip, 16, 12);
  }
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  return Buffer.concat([eth, ip, tcp, Buffer.from(data)]);
}

let nextId = 1;

export function row(over: Partial<AlertRow>): AlertRow {
  return {
    id: nextId++, ts: 1_795_168_800_000_000, gid: 1, sid: 1, message: 'test', classification: null, proto: 6,
    src: '163.221.1.1', sport: 40000, dst: '198.51.100.1', dport: 80, ...over,
  };
}

export function packetRow(alert: AlertRow, payload: string | Uint8Array, from: 'src' | 'dst' = 'src'): PacketRow {
  const [s, d, sp, dp] = from === 'src' ? [alert.src!, alert.dst!, alert.sport!, alert.dport!] : [alert.dst!, alert.src!, alert.dport!, alert.sport!];
  return { alert, seq: 0, ts: alert.ts, linktype: 1, data: tcpFrame(s, d, sp, dp, payload) };
}

/** A unified2-like alert (with a packet) for SqliteStore.ingest. */
export function storedAlert(i: number, over: Partial<Alert>, payload: string | Uint8Array | null): Alert {
  const a: Alert = {
    sensor: 'lab', timeUs: 1_795_168_800_000_000 + i * 1_000_000, gid: 1, sid: 1000032, rev: 1, message: 'BOT IRC bot-style nickname',
    classification: 'A Network Trojan was detected', priority: 1, protocol: 6,
    srcIp: '163.221.10.17', srcPort: 42211, dstIp: '203.0.113.66', dstPort: 6667,
    eventId: i, eventSecond: null, references: [], packets: [], extra: [],
    origin: { format: 'unified2', file: 'hostile.u2', offset: i * 100 }, ...over,
  };
  if (payload !== null) {
    a.packets.push({ timeUs: a.timeUs, linktype: 1, length: 0, data: tcpFrame(a.srcIp!, a.dstIp!, a.srcPort!, a.dstPort!, payload) });
    a.packets[0]!.length = a.packets[0]!.data.length;
  }
  return a;
}
