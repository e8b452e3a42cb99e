/**
 * A store full of hostile wire data, shared by the hostile-input and browser tests: messages,
 * classifications, references, sensor names, URIs, hostnames, XFF, SMTP fields, payloads and
 * rule text carrying `<script>`, `"><img src=x onerror=...>`, `javascript:` URLs and `</title>`.
 */
import type { Alert } from '../../src/model/alert.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SignatureCatalog } from '../../src/rules/catalog.js';

export const EVIL_MSG = '<script>alert(1)</script>"><img src=x onerror=alert(2)></title>';
export const EVIL_SENSOR = '<img src=x onerror=alert(6)>';
export const EVIL_URI = '/cgi-bin/<script>alert(7)</script>?q="><img src=x onerror=alert(8)>';
export const EVIL_PAYLOAD = '<script>alert(10)</script></title>"><img src=x onerror=alert(12)>';

function tcpPacket(payload: string): Uint8Array {
  const eth = Buffer.from('0000000000010000000000020800', 'hex');
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip[9] = 6;
  const tcp = Buffer.alloc(20);
  tcp[12] = 0x50;
  return Buffer.concat([eth, ip, tcp, Buffer.from(payload)]);
}

function alert(i: number, over: Partial<Alert> = {}): Alert {
  return {
    sensor: EVIL_SENSOR, timeUs: Date.UTC(2026, 10, 20, 10) * 1000 + i * 60_000_000, gid: 1, sid: 9000001, rev: 1,
    message: EVIL_MSG, classification: '</title><script>alert(3)</script>', priority: 1, protocol: 6,
    srcIp: i % 2 ? '2001:db8::bad' : '192.0.2.66', srcPort: 4444, dstIp: '163.221.0.80', dstPort: 80,
    eventId: null, eventSecond: null,
    references: [
      { system: 'url', id: 'x', url: 'javascript:alert(4)' },
      { system: 'cve', id: '"><img src=x onerror=alert(5)>' },
      { system: 'url', id: 'example.org/a', url: 'http://example.org/a"><script>alert(13)</script>' },
    ],
    packets: [{ timeUs: 0, linktype: 1, length: 100, data: tcpPacket(EVIL_PAYLOAD) }],
    extra: [
      { type: 9, name: 'http_uri', value: EVIL_URI },
      { type: 10, name: 'http_hostname', value: '"><img src=x onerror=alert(9)>.example' },
      { type: 1, name: 'xff', value: 'javascript:alert(14)' },
      { type: 7, name: 'smtp_rcptto', value: Buffer.from('</title><script>alert(15)</script>') },
    ],
    origin: { format: 'unified2', file: 'evil.u2', offset: i * 100 }, ...over,
  };
}

export async function fillHostileStore(store: SqliteStore): Promise<void> {
  const items = [];
  for (let i = 0; i < 6; i++) items.push({ alert: alert(i), identity: `evil|${i}` });
  // A per-alert message that differs from the signature's (preprocessors append text).
  items.push({ alert: alert(7, { message: `${EVIL_MSG} (appended)` }), identity: 'evil|7' });
  await store.ingest(items);
}

export function hostileCatalog(): SignatureCatalog {
  return new SignatureCatalog().loadText('rules',
    'alert tcp any any -> any any (msg:"</title><script>alert(16)</script>"; content:"<img src=x onerror=alert(17)>"; sid:9000001; rev:1;)\n', 'evil.rules');
}
