/**
 * Streams alerts out of the store in id order, a bounded page at a time (keyset on id, never
 * OFFSET), with each page's extra data and first packet, for `snarf export`.
 */
import type Database from 'better-sqlite3';
import { ipFromKey } from '../../model/ip.js';
import type { AlertFilter } from '../store.js';
import type { ExportReads, ExportRow } from '../reads/export-reads.js';
import { alertWhere } from './summary-query.js';

export type { ExportRow };

interface Row {
  id: number; sensor: string; ts: number; gid: number; sid: number; rev: number; message: string; msg: string | null;
  classification: string | null; priority: number | null; sig_priority: number | null; proto: number | null;
  src: Buffer | null; sport: number | null; dst: Buffer | null; dport: number | null; event_id: number | null; details: string | null;
}

export function* exportRows(db: Database.Database, filter: AlertFilter, pageSize = 2000): Generator<ExportRow[]> {
  const w = alertWhere(filter);
  const page = db.prepare(`SELECT a.id, s.name AS sensor, a.ts, g.gid, g.sid, a.rev, g.message, a.msg, g.classification,
      a.priority, g.priority AS sig_priority, a.proto, a.src, a.sport, a.dst, a.dport, a.event_id, a.details
    FROM alerts a JOIN signatures g ON g.id = a.sig_id JOIN sensors s ON s.id = a.sensor_id
    WHERE a.id > ? AND ${w.sql} ORDER BY a.id LIMIT ?`);
  const extra = db.prepare('SELECT alert_id, type, name, value FROM extra WHERE alert_id BETWEEN ? AND ? ORDER BY alert_id, seq');
  const packets = db.prepare('SELECT alert_id, linktype, length, data FROM packets WHERE alert_id BETWEEN ? AND ? AND seq = 0');
  let after = 0;
  for (;;) {
    const rows = page.all(after, ...w.params, pageSize) as Row[];
    if (rows.length === 0) return;
    const lo = rows[0]!.id;
    const hi = rows[rows.length - 1]!.id;
    const extras = new Map<number, ExportRow['extra']>();
    for (const x of extra.all(lo, hi) as Array<{ alert_id: number; type: number; name: string; value: string | Buffer }>) {
      const list = extras.get(x.alert_id) ?? [];
      list.push({ type: x.type, name: x.name, value: x.value });
      extras.set(x.alert_id, list);
    }
    const pk = new Map<number, ExportRow['packet']>();
    for (const p of packets.all(lo, hi) as Array<{ alert_id: number; linktype: number; length: number; data: Buffer }>) {
      pk.set(p.alert_id, { linktype: p.linktype, length: p.length, data: p.data });
    }
    yield rows.map((r) => ({
      id: r.id, sensor: r.sensor, timeUs: r.ts, gid: r.gid, sid: r.sid, rev: r.rev, message: r.msg ?? r.message,
      classification: r.classification, priority: r.priority ?? r.sig_priority, protocol: r.proto,
      srcIp: r.src === null ? null : ipFromKey(r.src), srcPort: r.sport,
      dstIp: r.dst === null ? null : ipFromKey(r.dst), dstPort: r.dport,
      eventId: r.event_id, details: r.details === null ? null : JSON.parse(r.details) as Record<string, unknown>,
      extra: extras.get(r.id) ?? [], packet: pk.get(r.id) ?? null,
    }));
    after = hi;
  }
}

/** ExportReads over exportRows(): each page is read whole before it is handed on. */
export function sqliteExportReads(db: Database.Database): ExportReads {
  return {
    async* pages(filter, pageSize) {
      yield* exportRows(db, filter, pageSize);
    },
  };
}
