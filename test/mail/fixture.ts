/**
 * A store with nine days of alerts for the mail tests, laid out so every number is known:
 * the reported day is 2026-11-20 in Asia/Tokyo (2026-11-19T15:00Z .. 2026-11-20T15:00Z).
 * - sensor `border`: 10 alerts of 1:2000001 on each of the 7 days before, 4 the day before,
 *   and on the day 15 of 1:2000001, 6 BitTorrent handshakes (P2P, host 192.168.1.50) and 3 of
 *   1:2000099 (first ever: a new signature); 2 at 23:59 UTC on the 20th fall on the 21st in Tokyo.
 * - sensor `dorm`: 5 alerts on the day before only: silent on the day, so "went silent".
 * - optionally a hostile sensor (CRLF + Bcc in its name, silent on the day so its name reaches
 *   the subject) and hostile messages (`<script>`, CRLF + Bcc:).
 */
import type { Alert } from '../../src/model/alert.js';
import type { IngestItem } from '../../src/store/store.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export const DAY = '2026-11-20';
export const TZ = 'Asia/Tokyo';
/** Local midnight of the reported day, in ms UTC. */
export const DAY_START_MS = Date.UTC(2026, 10, 19, 15);
const HOUR_MS = 3_600_000;

export const EVIL_SENSOR = 'evil\r\nBcc: victim@evil.example\r\nX-Injected: yes';
export const EVIL_MSG = '<script>alert(1)</script>\r\nBcc: thief@evil.example\r\n\r\n<img src=x onerror=alert(2)>';

let n = 0;
function alert(over: Partial<Alert> & { timeUs: number }): IngestItem {
  const a: Alert = {
    sensor: 'border', gid: 1, sid: 2000001, rev: 1, message: 'SCAN something ordinary', classification: 'Attempted Information Leak',
    priority: 2, protocol: 6, srcIp: '198.51.100.7', srcPort: 40000 + (n % 1000), dstIp: '192.168.1.10', dstPort: 80,
    eventId: null, eventSecond: null, references: [], packets: [], extra: [],
    origin: { format: 'alert_fast', file: 'fixture', offset: n }, ...over,
  };
  n++;
  return { alert: a, identity: `mail-fixture|${n}|${a.sensor}|${a.timeUs}` };
}

const at = (ms: number): number => ms * 1000;

export interface FixtureCounts {
  day: number;
  prevDay: number;
  weekTotal: number;
  bySensorDay: Record<string, number>;
}

export async function fillMailStore(store: SqliteStore, opts: { hostile?: boolean } = {}): Promise<FixtureCounts> {
  const items: IngestItem[] = [];
  // The 7 days before: 10 a day on border (the day before has 4 more below, and dorm's 5).
  for (let d = 1; d <= 7; d++) {
    for (let i = 0; i < 10; i++) items.push(alert({ timeUs: at(DAY_START_MS - d * 24 * HOUR_MS + (i + 1) * HOUR_MS) }));
  }
  for (let i = 0; i < 4; i++) items.push(alert({ timeUs: at(DAY_START_MS - 24 * HOUR_MS + 30 * 60_000 + i * 1000) }));
  for (let i = 0; i < 5; i++) items.push(alert({ sensor: 'dorm', timeUs: at(DAY_START_MS - 2 * HOUR_MS + i * 1000) }));
  // The day.
  for (let i = 0; i < 15; i++) items.push(alert({ timeUs: at(DAY_START_MS + i * HOUR_MS + 5000) }));
  for (let i = 0; i < 6; i++) {
    items.push(alert({
      sid: 1000001, message: 'P2P BitTorrent peer handshake', classification: 'Potential Corporate Privacy Violation', priority: 1,
      srcIp: `203.0.113.${10 + i}`, srcPort: 51413, dstIp: '192.168.1.50', dstPort: 6881, timeUs: at(DAY_START_MS + 3 * HOUR_MS + i * 60_000),
    }));
  }
  for (let i = 0; i < 3; i++) {
    items.push(alert({
      sid: 2000099, message: opts.hostile ? EVIL_MSG : 'POLICY brand new thing', timeUs: at(DAY_START_MS + 20 * HOUR_MS + i * 1000),
    }));
  }
  // After the day in Tokyo (still the 20th in UTC): must not count.
  for (let i = 0; i < 2; i++) items.push(alert({ timeUs: at(Date.UTC(2026, 10, 20, 23, 59) + i * 1000) }));
  if (opts.hostile) {
    // Two days before: known, silent on the day, so its name goes into the subject.
    items.push(alert({ sensor: EVIL_SENSOR, message: EVIL_MSG, sid: 2000666, timeUs: at(DAY_START_MS - 40 * HOUR_MS) }));
  }
  await store.ingest(items);
  await store.setFlowSettings!({ homeNets: ['192.168.0.0/16'] });
  return {
    day: 15 + 6 + 3,
    prevDay: 10 + 4 + 5,
    weekTotal: 70 + 4 + 5 + (opts.hostile ? 1 : 0),
    bySensorDay: { border: 24, dorm: 0 },
  };
}
