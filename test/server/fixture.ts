/**
 * A small store for the server tests: two sensors, addresses in and out of 10.1.2.0/24 (IPv4)
 * and 2001:db8::/64, a few signatures, and one hostile alert whose message, payload and extra
 * data carry markup (the pages must show it as text). Also a site directory with a secret file
 * next to it that traversal attempts aim at.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Alert } from '../../src/model/alert.js';
import { identityHash } from '../../src/model/identity.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { IngestItem } from '../../src/store/store.js';
import { tempDir } from '../helpers/store.js';

export const T0 = Date.UTC(2026, 10, 17, 0, 0, 0) * 1000; // Tuesday 2026-11-17 00:00 UTC, in µs
export const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>';

export interface Fixture { dir: string; db: string; site: string; secret: string; alerts: number }

function alert(i: number, over: Partial<Alert> = {}): Alert {
  const sig = [1000001, 1000002, 2000419][i % 3]!;
  return {
    sensor: i % 2 ? 'sensor-b' : 'sensor-a', timeUs: T0 + Math.floor(i / 2) * 60_000_000, gid: 1, sid: sig, rev: 2,
    message: `TEST signature ${sig}`, classification: 'misc-activity', priority: sig === 2000419 ? 1 : 3, protocol: 6,
    srcIp: i % 4 === 0 ? `10.1.2.${i % 50}` : `192.0.2.${i % 20}`, srcPort: 1024 + i, dstIp: i % 5 === 0 ? '2001:db8::1' : '198.51.100.7',
    dstPort: 80, eventId: i, eventSecond: null, references: [], packets: [], extra: [],
    origin: { format: 'unified2', file: '/var/log/snort/snort.u2', offset: i * 100 }, ...over,
  };
}

/** A TCP/IPv4 Ethernet frame around a payload. */
export function frame(payload: Buffer): Buffer {
  const eth = Buffer.alloc(14); eth.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20); ip[0] = 0x45; ip[9] = 6; ip.writeUInt16BE(20 + 20 + payload.length, 2);
  const tcp = Buffer.alloc(20); tcp[12] = 0x50;
  return Buffer.concat([eth, ip, tcp, payload]);
}

export async function makeFixture(n = 400): Promise<Fixture> {
  const dir = tempDir('snarf-serve-');
  const db = path.join(dir, 'snarf.db');
  const store = new SqliteStore(db);
  const items: IngestItem[] = [];
  for (let i = 0; i < n; i++) {
    const a = alert(i);
    items.push({ alert: a, identity: `fixture|${i}` });
  }
  const payload = Buffer.from(`GET /${HOSTILE} HTTP/1.1\r\nHost: evil\r\n\r\n`, 'latin1');
  const hostile = alert(n, {
    message: HOSTILE, srcIp: '10.1.2.99', dstIp: '203.0.113.5', sid: 3000001, classification: '<b>bold</b>',
    packets: [{ timeUs: T0 + 1, linktype: 1, length: 54 + payload.length, data: frame(payload) }],
    extra: [{ type: 10, name: 'HTTP URI', value: `/${HOSTILE}` }],
  });
  items.push({ alert: hostile, identity: 'fixture|hostile' });
  for (const it of items) it.hash = identityHash(it.identity);
  await store.ingest(items);
  await store.close();
  const site = path.join(dir, 'site');
  fs.mkdirSync(path.join(site, 'src'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), '<!DOCTYPE html><title>site index</title><p>SITE-INDEX</p>');
  fs.writeFileSync(path.join(site, 'src', '10.1.2.0.html'), '<p>HOST-PAGE</p>');
  fs.writeFileSync(path.join(site, 'site.css'), 'body{}');
  fs.writeFileSync(path.join(site, '.snarf-manifest.json'), '{"private":true}');
  const secret = path.join(dir, 'secret.txt');
  fs.writeFileSync(secret, 'TOP-SECRET');
  fs.symlinkSync(secret, path.join(site, 'link-out.txt'));
  return { dir, db, site, secret, alerts: n + 1 };
}
