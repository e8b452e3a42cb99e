/**
 * What `snarf export` reads: the alerts matching a filter, a bounded page at a time, each with
 * its extra data and first packet. SQLite pages in id order (src/store/sqlite/export-query.ts);
 * PostgreSQL in identity order, time then hash (src/store/postgres/export-query.ts), since its
 * ids come from cached sequence ranges and carry no order. Both are keyset pages (no OFFSET, no
 * statement held open between pages), so memory stays bounded and a slow consumer holds no locks.
 */
import type { Alert } from '../../model/alert.js';
import type { AlertFilter } from '../store.js';

/** An alert's own fields as an Alert carries them, plus what the store adds. */
export interface ExportRow extends Pick<Alert,
  'sensor' | 'timeUs' | 'gid' | 'sid' | 'rev' | 'message' | 'classification' | 'priority' | 'protocol'
  | 'srcIp' | 'srcPort' | 'dstIp' | 'dstPort' | 'eventId'> {
  id: number;
  details: Record<string, unknown> | null;
  extra: Array<{ type: number; name: string; value: string | Buffer }>;
  packet: { linktype: number; length: number; data: Buffer } | null;
}

export interface ExportReads {
  pages(filter: AlertFilter, pageSize?: number): AsyncIterable<ExportRow[]>;
}
