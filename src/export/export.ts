/**
 * `snarf export`: every alert matching the filters, streamed (bounded pages from the store,
 * written with backpressure), as Snarf JSON lines, CSV or Suricata EVE.
 */
import type { Writable } from 'node:stream';
import type { AlertFilter } from '../store/store.js';
import type { ExportReads, ExportRow } from '../store/reads/export-reads.js';
import { isoMicros } from '../cli/options.js';
import { protocolName } from '../model/alert.js';
import { eveRecord } from './eve-format.js';
import { csvHeader, csvLine } from './csv-format.js';

export type ExportFormat = 'json' | 'csv' | 'eve';

export function jsonRecord(r: ExportRow): Record<string, unknown> {
  return {
    time: isoMicros(r.timeUs), sensor: r.sensor, gid: r.gid, sid: r.sid, rev: r.rev, message: r.message,
    classification: r.classification, priority: r.priority, protocol: protocolName(r.protocol) || null,
    src_ip: r.srcIp, src_port: r.srcPort, dst_ip: r.dstIp, dst_port: r.dstPort, event_id: r.eventId,
    packet_header: r.details,
    extra: Object.fromEntries(r.extra.map((x) => [x.name, typeof x.value === 'string' ? x.value : { base64: x.value.toString('base64') }])),
  };
}

function write(out: Writable, chunk: string): Promise<void> | null {
  return out.write(chunk) ? null : new Promise((resolve) => out.once('drain', () => resolve()));
}

export async function exportAlerts(reads: ExportReads, filter: AlertFilter, format: ExportFormat, out: Writable): Promise<number> {
  let n = 0;
  if (format === 'csv') await write(out, csvHeader());
  for await (const page of reads.pages(filter)) {
    let buf = '';
    for (const r of page) {
      if (format === 'csv') buf += csvLine(r);
      else buf += `${JSON.stringify(format === 'eve' ? eveRecord(r) : jsonRecord(r))}\n`;
      n++;
    }
    await write(out, buf);
  }
  return n;
}
