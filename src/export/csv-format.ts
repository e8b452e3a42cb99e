/**
 * CSV export: a header row, RFC 4180 quoting, and text cells that a spreadsheet would take for
 * a formula (`=`, `+`, `-`, `@` first) prefixed with an apostrophe, since messages, URIs and
 * host names come from the wire.
 */
import type { ExportRow } from '../store/reads/export-reads.js';
import { isoMicros } from '../cli/options.js';
import { protocolName } from '../model/alert.js';

export const CSV_COLUMNS = [
  'timestamp', 'sensor', 'gid', 'sid', 'rev', 'message', 'classification', 'priority', 'protocol',
  'src_ip', 'src_port', 'dst_ip', 'dst_port', 'event_id', 'http_hostname', 'http_uri',
] as const;

export function csvCell(v: string | number | null | undefined, isText = true): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (isText && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvLine(r: ExportRow): string {
  const extra = (name: string): string | null => {
    const x = r.extra.find((e) => e.name === name);
    return x === undefined ? null : typeof x.value === 'string' ? x.value : x.value.toString('latin1');
  };
  return [
    csvCell(isoMicros(r.timeUs), false), csvCell(r.sensor), csvCell(r.gid, false), csvCell(r.sid, false), csvCell(r.rev, false),
    csvCell(r.message), csvCell(r.classification), csvCell(r.priority, false), csvCell(protocolName(r.protocol), false),
    csvCell(r.srcIp, false), csvCell(r.srcPort, false), csvCell(r.dstIp, false), csvCell(r.dstPort, false), csvCell(r.eventId, false),
    csvCell(extra('http_hostname')), csvCell(extra('http_uri')),
  ].join(',') + '\r\n';
}
