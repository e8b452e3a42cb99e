/** Messages between a parallel text import and its parse worker. */
import type { Warning } from '../errors.js';
import type { SnortTextFormat } from './text-import.js';

export interface WorkerJob {
  file: string;
  gzip: boolean;
  format: SnortTextFormat;
  sensor?: string;
  tz?: string;
  year?: number;
  nowMs?: number;
  maxLineBytes: number;
  batchSize: number;
}

/**
 * A batch is one flat array, ROW_FIELDS values per alert: cloning flat primitives between
 * threads is far cheaper than cloning objects. Order: sensor, timeUs, gid, sid, rev, message,
 * classification, priority, protocol, srcIp, srcPort, dstIp, dstPort, referencesJson,
 * detailsJson, offset, line, hash.
 */
export const ROW_FIELDS = 18;

export type WorkerMessage =
  | { type: 'batch'; rows: unknown[]; count: number }
  | { type: 'warn'; warning: Warning }
  | { type: 'bytes'; n: number }
  | { type: 'done' };
