/**
 * Messages between an import and its parse worker (text or unified2). The worker reads and
 * parses the file and computes each alert's identity; the importing thread only stores. At most
 * CREDITS batches are in flight (the importer acknowledges each), so memory stays flat however
 * far parsing runs ahead.
 */
import type { Warning } from '../errors.js';
import type { AlertRows } from '../store/alert-rows.js';

export const CREDITS = 2;

export type WorkerMessage =
  | { type: 'batch'; rows: AlertRows }
  /** rejects: the warning stands for input that was not imported (counted in the result). */
  | { type: 'warn'; warning: Warning; rejects: boolean }
  | { type: 'bytes'; n: number }
  | { type: 'done' };
