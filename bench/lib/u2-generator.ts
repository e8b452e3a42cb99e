/**
 * Seeded unified2 generator for benchmarks: N events of type 104 (IPv4) / 105 (IPv6), each with
 * 1-2 packet records and sometimes an extra-data record (about 2.4 records and 280 bytes per
 * event, so 1,000,000 events are about 280 MB). The same seed gives the same bytes.
 */
import fs from 'node:fs';
import { rng } from './rng.js';

export interface GeneratorOptions {
  events: number;
  seed?: number;
  /** First event_second; events advance by about 1 ms of packet time each. */
  startSecond?: number;
}

export interface GeneratorResult {
  events: number;
  records: number;
  bytes: number;
}

const BLOCK = 4 * 1024 * 1024;
const URIS = ['/announce?info_hash=abc', '/robots.txt', '/cgi-bin/../../etc/passwd', '/index.html', '/wp-login.php'];

/** Writes the file and returns its record and byte counts. */
export function writeUnified2File(path: string, opts: GeneratorOptions): GeneratorResult {
  const rnd = rng(opts.seed ?? 1);
  const fd = fs.openSync(path, 'w');
  const buf = Buffer.alloc(BLOCK + 70000);
  let pos = 0;
  let records = 0;
  let bytes = 0;
  const flush = (): void => {
    fs.writeSync(fd, buf, 0, pos);
    bytes += pos;
    pos = 0;
  };
  const header = (type: number, len: number): void => {
    buf.writeUInt32BE(type, pos);
    buf.writeUInt32BE(len, pos + 4);
    pos += 8;
    records++;
  };
  let second = opts.startSecond ?? 1795168800;
  let micro = 0;
  try {
    for (let n = 1; n <= opts.events; n++) {
      micro += 1000 + Math.floor(rnd() * 1000);
      if (micro >= 1e6) { second++; micro -= 1e6; }
      const eventId = (1 << 16) | (n & 0xffff);
      const v6 = rnd() < 0.2;
      const len = v6 ? 84 : 60;
      header(v6 ? 105 : 104, len);
      const b = pos;
      buf.fill(0, b, b + len);
      buf.writeUInt32BE(0, b);
      buf.writeUInt32BE(eventId, b + 4);
      buf.writeUInt32BE(second, b + 8);
      buf.writeUInt32BE(micro, b + 12);
      buf.writeUInt32BE(1000001 + Math.floor(rnd() * 70), b + 16);
      buf.writeUInt32BE(1, b + 20);
      buf.writeUInt32BE(1, b + 24);
      buf.writeUInt32BE(1 + Math.floor(rnd() * 30), b + 28);
      buf.writeUInt32BE(1 + Math.floor(rnd() * 3), b + 32);
      const a = v6 ? 16 : 4;
      if (v6) {
        buf.writeUInt32BE(0x20010db8, b + 36);
        buf.writeUInt32BE(Math.floor(rnd() * 0xffffffff), b + 48);
        buf.writeUInt32BE(0x20010db8, b + 52);
        buf.writeUInt32BE(Math.floor(rnd() * 0xffffffff), b + 64);
      } else {
        buf.writeUInt32BE((163 << 24 | 221 << 16 | Math.floor(rnd() * 65536)) >>> 0, b + 36);
        buf.writeUInt32BE(Math.floor(rnd() * 0xffffffff), b + 40);
      }
      buf.writeUInt16BE(1024 + Math.floor(rnd() * 60000), b + 36 + 2 * a);
      buf.writeUInt16BE([80, 6667, 6881, 25, 443][Math.floor(rnd() * 5)]!, b + 38 + 2 * a);
      buf[b + 40 + 2 * a] = 6;
      pos += len;
      const packets = rnd() < 0.3 ? 2 : 1;
      for (let k = 0; k < packets; k++) {
        const plen = 60 + Math.floor(rnd() * 120);
        header(2, 28 + plen);
        buf.writeUInt32BE(0, pos);
        buf.writeUInt32BE(eventId, pos + 4);
        buf.writeUInt32BE(second, pos + 8);
        buf.writeUInt32BE(second, pos + 12);
        buf.writeUInt32BE(micro, pos + 16);
        buf.writeUInt32BE(1, pos + 20);
        buf.writeUInt32BE(plen, pos + 24);
        for (let i = 0; i < plen; i++) buf[pos + 28 + i] = (n + i * 31) & 0xff;
        pos += 28 + plen;
      }
      if (rnd() < 0.1) {
        const text = Buffer.from(URIS[Math.floor(rnd() * URIS.length)]!, 'latin1');
        header(110, 32 + text.length);
        const vals = [4, 32 + text.length, 0, eventId, second, 9, 1, 8 + text.length];
        for (let i = 0; i < 8; i++) buf.writeUInt32BE(vals[i]!, pos + 4 * i);
        text.copy(buf, pos + 32);
        pos += 32 + text.length;
      }
      if (pos >= BLOCK) flush();
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return { events: opts.events, records, bytes };
}
