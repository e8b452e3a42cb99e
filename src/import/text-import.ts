/**
 * Imports one Snort text alert file (fast, full, csv or syslog) into a store: lines through
 * the format's parser, alerts in batches, each batch one transaction. A corrupt line is a
 * warning and never costs the good lines around it.
 */
import type { Readable } from 'node:stream';
import type { Alert } from '../model/alert.js';
import { OccurrenceCounter, textTuple } from '../model/identity.js';
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
import type { FlowSample } from '../model/flow.js';
import type { FlowDatagram } from '../store/flow-types.js';
import { FlowWriter, resolveHomeNets, type FlowImportOptions } from './flow-import.js';
import { DEFAULT_CLASSING } from '../analysis/flow-rollup.js';
import type { ParseContext, TextParser } from '../inputs/snort-text/parser.js';
import { enrichAlert } from './enrich.js';

export type SnortTextFormat = 'alert_fast' | 'alert_full' | 'alert_csv' | 'syslog' | 'eve' | 'snort3_json';

export interface TextImportOptions {
  /** Flow options (internal networks) for EVE flow events (default: the store's remembered networks). */
  flow?: FlowImportOptions;
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

export function createTextParser(format: SnortTextFormat, ctx: ParseContext, onFlow?: (f: FlowSample, line: number) => void): TextParser {
  switch (format) {
    case 'alert_fast': return new FastParser(ctx);
    case 'alert_full': return new FullParser(ctx);
    case 'alert_csv': return new CsvParser(ctx);
    case 'syslog': return new SyslogParser(ctx);
    case 'eve':
    case 'snort3_json': return new JsonAlertParser(format, ctx, onFlow);
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
      sink.add(alert, tuple, counter.next(alert.timeUs, tuple));
      result.alerts++;
      if (result.lastEventUs === null || alert.timeUs > result.lastEventUs) result.lastEventUs = alert.timeUs;
    },
    warn(w: Warning): void {
      if (w.code !== 'SNARF_TEXT_BAD_UTF8') result.rejected++;
      opts.warn(w);
    },
  };
  const flows = format === 'eve' ? await eveFlows(store, file, opts) : null;
  const parser = createTextParser(format, ctx, flows?.onFlow);
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
      await flows?.drain();
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
  await flows?.finish();
  result.inserted = sink.inserted;
  result.duplicates = sink.duplicates;
  return result;
}

/**
 * EVE flow events feed the flow rollups (as sFlow does) when the store keeps flows and knows
 * the internal networks; otherwise they are counted and one warning says why they were not kept.
 */
async function eveFlows(store: Store, file: string, opts: TextImportOptions): Promise<{
  onFlow(f: FlowSample, line: number): void; drain(): Promise<void>; finish(): Promise<void>;
} | null> {
  if (!store.ingestFlows || !store.flowSettings) return null;
  const o = opts.flow ?? {};
  const homeNets = await resolveHomeNets(store, o.homeNets);
  let pending: FlowDatagram[] = [];
  let skipped = 0;
  const writer = typeof homeNets === 'string' ? null
    : new FlowWriter(store, homeNets, o.classing ?? DEFAULT_CLASSING, file, opts.warn);
  const drain = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    for (const d of batch) await writer!.add(d);
  };
  return {
    drain,
    onFlow(f: FlowSample, line: number): void {
      if (writer === null) {
        skipped++;
        return;
      }
      pending.push({ agent: null, subAgentId: 0, seq: line, uptimeMs: null, timeUs: f.timeUs, samples: [f], sequenced: false });
    },
    async finish(): Promise<void> {
      await drain();
      await writer?.flush();
      if (skipped > 0) {
        opts.warn({ code: 'SNARF_CONFIG_INVALID', file, message: `${skipped} EVE flow events not kept for the flow rollups: ${homeNets as string}` });
      }
    },
  };
}
