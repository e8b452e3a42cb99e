/**
 * Imports one Snort text alert file (fast, full, csv or syslog) into a store: lines through
 * the format's parser, alerts in batches, each batch one transaction. A corrupt line is a
 * warning and never costs the good lines around it.
 */
import type { Readable } from 'node:stream';
import type { Alert } from '../model/alert.js';
import { OccurrenceCounter, textIdentity, textTuple } from '../model/identity.js';
import type { Warning } from '../errors.js';
import type { Store } from '../store/store.js';
import { BatchSink } from './batch-sink.js';
import type { SignatureResolver } from '../rules/types.js';
import { LineSplitter } from '../inputs/line-splitter.js';
import { TimePlacer } from '../inputs/snort-text/time.js';
import { FastParser } from '../inputs/snort-text/fast.js';
import { FullParser } from '../inputs/snort-text/full.js';
import { CsvParser } from '../inputs/snort-text/csv.js';
import { SyslogParser } from '../inputs/snort-text/syslog.js';
import { JsonAlertParser } from '../inputs/json/json-parser.js';
import type { ParseContext, TextParser } from '../inputs/snort-text/parser.js';
import { enrichAlert } from './enrich.js';

export type SnortTextFormat = 'alert_fast' | 'alert_full' | 'alert_csv' | 'syslog' | 'eve' | 'snort3_json';

export interface TextImportOptions {
  sensor?: string;
  year?: number;
  tz?: string;
  nowMs?: number;
  catalog?: SignatureResolver;
  batchSize?: number;
  maxLineBytes?: number;
  warn(w: Warning): void;
}

export interface StreamImportResult {
  alerts: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  lastEventUs: number | null;
}

export function createTextParser(format: SnortTextFormat, ctx: ParseContext): TextParser {
  switch (format) {
    case 'alert_fast': return new FastParser(ctx);
    case 'alert_full': return new FullParser(ctx);
    case 'alert_csv': return new CsvParser(ctx);
    case 'syslog': return new SyslogParser(ctx);
    case 'eve':
    case 'snort3_json': return new JsonAlertParser(format, ctx);
  }
}

export async function importTextStream(
  store: Store, stream: Readable, file: string, format: SnortTextFormat, opts: TextImportOptions,
): Promise<StreamImportResult> {
  const sink = new BatchSink(store, opts.batchSize);
  const counter = new OccurrenceCounter();
  const result: StreamImportResult = { alerts: 0, inserted: 0, duplicates: 0, rejected: 0, lastEventUs: null };
  const ctx: ParseContext = {
    file,
    sensor: opts.sensor ?? 'default',
    sensorExplicit: opts.sensor !== undefined,
    time: new TimePlacer({ tz: opts.tz, year: opts.year, nowMs: opts.nowMs }),
    emit(alert: Alert): void {
      if (opts.catalog) enrichAlert(alert, opts.catalog);
      const tuple = textTuple(alert);
      sink.add({ alert, identity: textIdentity(tuple, counter.next(alert.timeUs, tuple)) });
      result.alerts++;
      if (result.lastEventUs === null || alert.timeUs > result.lastEventUs) result.lastEventUs = alert.timeUs;
    },
    warn(w: Warning): void {
      if (w.code !== 'SNARF_TEXT_BAD_UTF8') result.rejected++;
      opts.warn(w);
    },
  };
  const parser = createTextParser(format, ctx);
  const splitter = new LineSplitter({
    line: (text, lineNo, offset, unterminated) => parser.line(text, lineNo, offset, unterminated),
    tooLong: (lineNo, offset, bytes) => ctx.warn({
      code: 'SNARF_TEXT_LONG_LINE', message: `line of ${bytes} bytes is longer than the ${opts.maxLineBytes ?? 1 << 20}-byte bound; skipped`,
      file, line: lineNo, offset,
    }),
    badUtf8: (lineNo, offset) => opts.warn({
      code: 'SNARF_TEXT_BAD_UTF8', message: 'invalid UTF-8 replaced with U+FFFD', file, line: lineNo, offset,
    }),
  }, opts.maxLineBytes ?? 1 << 20);



  try {
    for await (const chunk of stream) {
      splitter.push(chunk as Buffer);
      if (sink.full) await sink.flush();
    }
  } catch (err) {
    // A damaged gzip or a read error: keep everything read so far and say where it stopped.
    ctx.warn({
      code: 'SNARF_IO',
      message: `reading stopped: ${(err as Error).message}; alerts before this point are kept`,
      file, offset: splitter.safeOffset, line: splitter.nextLine,
    });
  }
  // A last line without LF is parsed too, flagged, so a truncated alert is reported as such.
  splitter.end(true);
  parser.end();
  await sink.flush();
  result.inserted = sink.inserted;
  result.duplicates = sink.duplicates;
  return result;
}
