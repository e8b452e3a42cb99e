/**
 * `snarf import`: walks files and directories, recognises each file, and imports it with the
 * right reader. Safe to re-run: alert identities make a second import add nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SnarfError, type Warning } from '../errors.js';
import type { SensorEntry } from '../state/state-file.js';
import type { Store } from '../store/store.js';
import type { SignatureResolver } from '../rules/types.js';
import { describeKind } from '../inputs/sniff.js';
import { detectTextFormat } from '../inputs/snort-text/detect.js';
import { openInput, type OpenedInput } from './open-input.js';
import { importTextStream, type SnortTextFormat } from './text-import.js';
import { importTextFileParallel } from './parallel-text-import.js';
import { importUnified2FileParallel, importUnified2Stream } from './unified2-import.js';
import { importFlowFile, isSflowCapture, sniffFlowText, type FlowImportOptions } from './flow-import.js';

export interface ImportOptions {
  sensor?: string;
  year?: number;
  tz?: string;
  nowMs?: number;
  catalog?: SignatureResolver;
  /**
   * Where `catalog` was loaded from, so parse workers can load the same maps (a catalog object
   * cannot cross threads). Without it, unified2 files are imported on this thread.
   */
  catalogSource?: { paths: string[]; defaults: boolean };
  batchSize?: number;
  warn(w: Warning): void;
  /** File bytes read so far (compressed bytes for .gz), for progress bars. */
  onBytes?(n: number): void;
  onFileStart?(file: string, format: string): void;
  /** The sensor registry, to name unified2 events by their sensor_id or -G log id. */
  sensorRegistry?: Record<string, SensorEntry>;
  /** Files at least this large are parsed in a worker thread (default 4 MiB). */
  parallelBytes?: number;
  /** sFlow / Winny / daily report inputs (issue 5): home networks and flow options. */
  flow?: FlowImportOptions;
}

const PARALLEL_BYTES = 4 * 1024 * 1024;

export interface FileResult {
  file: string;
  format: string;
  alerts: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  /** Why the file was not imported, when it was not. */
  skipped?: string;
}

export interface ImportResult {
  files: FileResult[];
  totals: { files: number; imported: number; skipped: number; alerts: number; inserted: number; duplicates: number; rejected: number };
}

/**
 * Expands directories (recursively, sorted so runs are repeatable) into regular files, with
 * their total size and the part of it in .gz files.
 */
export async function expandPaths(paths: string[]): Promise<{ files: string[]; bytes: number; gzipBytes: number }> {
  const files: string[] = [];
  let bytes = 0;
  let gzipBytes = 0;
  const visit = async (p: string): Promise<void> => {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new SnarfError('SNARF_IO', code === 'ENOENT' ? 'no such file or directory' : (err as Error).message, { file: p });
    }
    if (st.isDirectory()) {
      const names = (await fs.promises.readdir(p)).filter((n) => !n.startsWith('.')).sort();
      for (const n of names) await visit(path.join(p, n));
    } else if (st.isFile()) {
      files.push(p);
      bytes += st.size;
      if (p.endsWith('.gz')) gzipBytes += st.size;
    }
  };
  for (const p of paths) await visit(p);
  return { files, bytes, gzipBytes };
}

/**
 * Inputs above this size may be imported in bulk mode (deferred rollups and address indexes),
 * if the store finds them large enough beside what it holds (Store.beginBulk).
 */
const BULK_BYTES = 1024 * 1024;

/**
 * Fewest input bytes per alert among the formats (an alert_fast line; alert_full and unified2
 * take about 300): dividing by it over-estimates the alerts of an import, erring towards bulk.
 */
const MIN_BYTES_PER_ALERT = 150;

/** What gzip makes of Snort's repetitive logs, about (to estimate a .gz file's alerts). */
const GZIP_RATIO = 8;

export async function importFiles(store: Store, paths: string[], opts: ImportOptions): Promise<ImportResult> {
  const { files, bytes, gzipBytes } = await expandPaths(paths);
  const results: FileResult[] = [];
  const textBytes = bytes + gzipBytes * (GZIP_RATIO - 1);
  const bulk = textBytes >= BULK_BYTES;
  if (bulk) await store.beginBulk(Math.ceil(textBytes / MIN_BYTES_PER_ALERT));
  try {
    for (const file of files) results.push(await importOne(store, file, opts));
  } finally {
    if (bulk) await store.endBulk();
  }
  const totals = { files: results.length, imported: 0, skipped: 0, alerts: 0, inserted: 0, duplicates: 0, rejected: 0 };
  for (const r of results) {
    if (r.skipped) totals.skipped++;
    else totals.imported++;
    totals.alerts += r.alerts;
    totals.inserted += r.inserted;
    totals.duplicates += r.duplicates;
    totals.rejected += r.rejected;
  }
  return { files: results, totals };
}

export async function importOne(store: Store, file: string, opts: ImportOptions): Promise<FileResult> {
  const empty = { file, alerts: 0, inserted: 0, duplicates: 0, rejected: 0 };
  let input: OpenedInput;
  try {
    input = await openInput(file);
  } catch (err) {
    opts.warn({ code: 'SNARF_IO', message: `cannot read: ${(err as Error).message}`, file });
    return { ...empty, format: 'unknown', skipped: 'unreadable' };
  }
  const skip = (format: string, reason: string, code: Warning['code']): FileResult => {
    opts.warn({ code, message: reason, file });
    opts.onBytes?.(input.size);
    return { ...empty, format, skipped: reason };
  };
  switch (input.kind) {
    case 'empty':
      return skip('empty', 'empty file: nothing to import', 'SNARF_EMPTY_FILE');
    case 'pcap':
    case 'pcapng':
      // sFlow captures are flow inputs; any other capture is still refused below.
      if (isSflowCapture(input.head, opts.flow?.ports)) return importFlowFile(store, input, 'sflow_pcap', opts);
      return skip(input.kind, `this is ${describeKind(input.kind)}, not a Snort alert log, unified2 file or sFlow capture`, 'SNARF_NOT_TEXT');
    case 'binary':
    case 'gzip':
      return skip(input.kind, `this is ${describeKind(input.kind)}, not a Snort alert log or unified2 file`, 'SNARF_NOT_TEXT');
    case 'unified2': {
      opts.onFileStart?.(file, 'unified2');
      const parallel = input.size >= (opts.parallelBytes ?? PARALLEL_BYTES) && (opts.catalog === undefined || opts.catalogSource !== undefined);
      const r = parallel
        ? await importUnified2FileParallel(store, file, opts)
        : await importUnified2Stream(store, input.open(opts.onBytes), file, opts);
      return { file, format: 'unified2', ...r };
    }
    case 'text':
      break;
  }
  const lines = input.head.toString('utf8').split('\n');
  if (input.head.length === 64 * 1024) lines.pop();
  const flowFormat = sniffFlowText(lines);
  if (flowFormat !== null) return importFlowFile(store, input, flowFormat, opts);
  const format = detectTextFormat(lines);
  if (format === null) {
    return skip('unknown', 'not a recognised alert format (alert_fast, alert_full, alert_csv, syslog, unified2, Snort 3 alert_json, Suricata EVE)', 'SNARF_UNKNOWN_FORMAT');
  }
  if (format === 'portscan_log') {
    return skip(format, 'sfportscan logfile: its alerts are in the alert outputs; follow-up entries are not alerts', 'SNARF_UNKNOWN_FORMAT');
  }
  opts.onFileStart?.(file, format);
  // The worker's compact rows carry no extra data, which JSON records have: those stay here.
  const parallel = input.size >= (opts.parallelBytes ?? PARALLEL_BYTES) && format !== 'eve' && format !== 'snort3_json';
  const r = parallel
    ? await importTextFileParallel(store, file, format as SnortTextFormat, opts)
    : await importTextStream(store, input.open(opts.onBytes), file, format as SnortTextFormat, opts);
  return { file, format, alerts: r.alerts, inserted: r.inserted, duplicates: r.duplicates, rejected: r.rejected };
}
