/**
 * Imports one unified2 file through our decoder and assembler.
 */
import type { Readable } from 'node:stream';
import type { Store } from '../store/store.js';
import type { ImportOptions } from './import-files.js';

export interface Unified2ImportResult {
  alerts: number;
  inserted: number;
  duplicates: number;
  rejected: number;
}

export async function importUnified2Stream(
  _store: Store, stream: Readable, file: string, opts: ImportOptions,
): Promise<Unified2ImportResult> {
  stream.destroy();
  opts.warn({ code: 'SNARF_NOT_TEXT', message: 'unified2 import is not wired yet', file });
  return { alerts: 0, inserted: 0, duplicates: 0, rejected: 1 };
}
