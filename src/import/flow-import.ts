/**
 * `snarf import` for the non-alert inputs of issue 5, recognised by content like everything
 * else: sFlow captures (pcap/pcapng holding UDP to the sFlow port), sflowtool text (default and
 * -l), eEye-like Winny monitor logs and daily "Suspected p2p traffic" reports. Every problem is a
 * warning naming file:line or file@offset; a bad datagram or line never costs another one.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { SnarfError, type Warning } from '../errors.js';
import type { Store, IngestResult } from '../store/store.js';
import type { FlowDatagram, FlowIngestResult } from '../store/flow-types.js';
import { CaptureSplitter } from '../inputs/sflow/capture.js';
import { extractUdp } from '../inputs/sflow/pcap.js';
import { decodeDatagram } from '../inputs/sflow/datagram.js';
import { readSflowtoolFile } from '../inputs/sflow/sflowtool.js';
import { sequenceWarning } from '../inputs/sflow/sequence.js';
import { parseDailyReport, REPORT_TITLE } from '../inputs/sflow/daily-report.js';
import { readWinnyLog, WinnyLogParser } from '../inputs/winny/monitor-log.js';
import { DEFAULT_CLASSING, type FlowClassing } from '../analysis/flow-rollup.js';
import type { WinnyEvent } from '../model/flow.js';
import type { OpenedInput } from './open-input.js';

export type FlowFormat = 'sflow_pcap' | 'sflowtool' | 'sflowtool_l' | 'winny_log' | 'p2p_report';

export interface FlowImportOptions {
  /** Internal networks for sFlow; default: those remembered by the store from an earlier import. */
  homeNets?: string[];
  /** Port classes of the flow rollup (default: well-known < 1024, BitTorrent 6881-6889). */
  classing?: FlowClassing;
  /** UDP ports that carry sFlow in captures (default [6343]). */
  ports?: number[];
  /** Time stamped on sflowtool -l lines, which carry none (default: the file's modification time). */
  lineTimeUs?: number;
}


export interface FlowImportContext {
  tz?: string;
  flow?: FlowImportOptions;
  warn(w: Warning): void;
  onBytes?(n: number): void;
  onFileStart?(file: string, format: string): void;
}

export interface FlowFileResult {
  file: string;
  format: FlowFormat;
  /** Records read (flow samples, Winny events, report rows), stored, already stored, rejected. */
  alerts: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  skipped?: string;
}

/** Text inputs of ours, from the first lines; null = not ours (the Snort detectors go next). */
export function sniffFlowText(lines: readonly string[]): FlowFormat | null {
  const first = (lines[0] ?? '').replace(/^\uFEFF/, '');
  if (first.startsWith(REPORT_TITLE)) return 'p2p_report';
  for (const raw of lines.slice(0, 50)) {
    const l = raw.replace(/^\uFEFF/, '').trimEnd();
    if (l.startsWith('#format eeye-like-winny')) return 'winny_log';
    if (l.startsWith('startDatagram ') || l === 'startDatagram') return 'sflowtool';
    if (/^(FLOW,[^,]*,\d+,\d+,|CNTR,[^,]*,\d+,)/.test(l)) return 'sflowtool_l';
    if (l === '' || l.startsWith('#')) continue;
    // A Winny header line names its columns (any order, TAB or comma).
    const cols = new Set(l.split(l.includes('\t') ? '\t' : ',').map((c) => c.trim().toLowerCase()));
    if (['timestamp', 'sensor', 'kind', 'host_ip', 'action'].every((c) => cols.has(c))) return 'winny_log';
    return null;
  }
  return null;
}

/** True when the capture's first bytes hold a UDP datagram to an sFlow port. */
export function isSflowCapture(head: Uint8Array, ports: readonly number[] = [6343]): boolean {
  const splitter = new CaptureSplitter();
  const set = new Set(ports);
  return splitter.push(head).some((rec) => extractUdp(rec, set, []) !== null);
}

const BATCH_SAMPLES = 5000;

/** Batches flow datagrams into the store (shared with the EVE import, whose flow events feed it). */
export class FlowWriter {
  private pending: FlowDatagram[] = [];
  private size = 0;
  readonly total: FlowIngestResult = { datagrams: 0, duplicates: 0, samples: 0, ignored: 0, sequence: [] };

  constructor(private readonly store: Store, private readonly homeNets: string[], private readonly classing: FlowClassing,
    private readonly file: string, private readonly warn: (w: Warning) => void) {}

  async add(d: FlowDatagram): Promise<void> {
    this.pending.push(d);
    this.size += d.samples.length + 1;
    if (this.size >= BATCH_SAMPLES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const r = await this.store.ingestFlows!({ datagrams: this.pending, homeNets: this.homeNets, classing: this.classing });
    this.pending = [];
    this.size = 0;
    this.total.datagrams += r.datagrams;
    this.total.duplicates += r.duplicates;
    this.total.samples += r.samples;
    this.total.ignored += r.ignored;
    for (const ev of r.sequence) {
      const w = sequenceWarning(ev, { file: this.file });
      if (w) this.warn(w);
    }
  }
}

/** Home networks for an sFlow import: given (and remembered), else remembered; they must agree. */
export async function resolveHomeNets(store: Store, given: string[] | undefined): Promise<string[] | string> {
  const stored = (await store.flowSettings!()).homeNets;
  if (!given?.length) return stored ?? 'sFlow needs the internal networks: pass --home-net CIDR (repeatable); the store remembers them';
  const norm = (a: readonly string[]): string => [...a].sort().join(',');
  if (stored && norm(stored) !== norm(given)) {
    return `--home-net ${given.join(' ')} differs from the networks this store's flows were split by (${stored.join(' ')}); use a new store`;
  }
  if (!stored) await store.setFlowSettings!({ homeNets: given });
  return given;
}

export async function importFlowFile(store: Store, input: OpenedInput, format: FlowFormat, ctx: FlowImportContext): Promise<FlowFileResult> {
  const file = input.path;
  const o = ctx.flow ?? {};
  const res: FlowFileResult = { file, format, alerts: 0, inserted: 0, duplicates: 0, rejected: 0 };
  const warn = (w: Warning): void => {
    if (w.code !== 'SNARF_SFLOW_SEQ_GAP' && w.code !== 'SNARF_SFLOW_RESTART') res.rejected++;
    ctx.warn(w);
  };
  const skip = (why: string, code: Warning['code'] = 'SNARF_CONFIG_INVALID', line?: number): FlowFileResult => {
    ctx.warn({ code, message: why, file, line });
    ctx.onBytes?.(input.size);
    return { ...res, skipped: why };
  };
  if (!store.ingestFlows || !store.ingestWinny || !store.saveP2pReport) return skip(`the ${store.kind} store does not keep flows`);
  ctx.onFileStart?.(file, format);
  try {
    if (format === 'winny_log') return await importWinny(store, input, ctx, res, warn);
    if (format === 'p2p_report') return await importReport(store, input, ctx, res, warn);
  } catch (e) {
    // A Winny header without its required columns makes the whole file unreadable.
    if (e instanceof SnarfError) return skip(e.message.slice(e.message.indexOf(': ') + 2), e.code, e.line);
    throw e;
  }
  const homeNets = await resolveHomeNets(store, o.homeNets);
  if (typeof homeNets === 'string') return skip(homeNets);
  const writer = new FlowWriter(store, homeNets, o.classing ?? DEFAULT_CLASSING, file, warn);
  if (format === 'sflow_pcap') {
    await readCapture(input, o.ports ?? [6343], writer, warn, (n) => (res.alerts += n), ctx.onBytes);
  } else {
    const st = await fs.promises.stat(file);
    const stamp = o.lineTimeUs ?? Math.round(st.mtimeMs * 1000);
    if (format === 'sflowtool_l' && o.lineTimeUs === undefined) {
      ctx.warn({ code: 'SNARF_TEXT_BAD_TIME', message: `sflowtool -l lines carry no time: stamped with the file's modification time ${new Date(stamp / 1000).toISOString()}`, file });
    }
    let cur: FlowDatagram | null = null;
    let line = 0;
    for await (const r of readSflowtoolFile(file, { onWarning: warn, timeUs: stamp })) {
      if (r.kind === 'flow') res.alerts++;
      const s = r.sample;
      if (format === 'sflowtool_l') {
        // No datagrams in -l: each line stands alone, identified by its line number.
        await writer.add({ agent: s.agent, subAgentId: 0, seq: ++line, uptimeMs: null, timeUs: s.timeUs, samples: r.kind === 'flow' ? [r.sample] : [], sequenced: false });
        continue;
      }
      if (!cur || cur.agent !== s.agent || cur.subAgentId !== s.subAgentId || cur.seq !== s.datagramSeq || cur.timeUs !== s.timeUs) {
        if (cur) await writer.add(cur);
        cur = { agent: s.agent, subAgentId: s.subAgentId, seq: s.datagramSeq, uptimeMs: null, timeUs: s.timeUs, samples: [], sequenced: true };
      }
      if (r.kind === 'flow') cur.samples.push(r.sample);
    }
    if (cur) await writer.add(cur);
    ctx.onBytes?.(input.size);
  }
  await writer.flush();
  res.inserted = writer.total.samples;
  res.duplicates = res.alerts - writer.total.samples;
  return res;
}

async function readCapture(input: OpenedInput, ports: number[], writer: FlowWriter, warn: (w: Warning) => void,
  count: (n: number) => void, onBytes?: (n: number) => void): Promise<void> {
  const file = input.path;
  const splitter = new CaptureSplitter(file);
  const set = new Set(ports);
  const pending: Warning[] = [];
  const flush = (): void => {
    for (const w of splitter.warnings.splice(0)) warn(w);
    for (const w of pending.splice(0)) warn(w);
  };
  for await (const chunk of input.open(onBytes)) {
    for (const rec of splitter.push(chunk as Buffer)) {
      const d = extractUdp(rec, set, pending, file);
      flush();
      if (!d) continue;
      const dec = decodeDatagram(d.data, { timeUs: d.timeUs, file, offset: d.offset });
      for (const w of dec.warnings) warn(w);
      const h = dec.header;
      if (!h) continue; // v2/v4, garbage: warned, and nothing else is lost
      count(dec.flows.length);
      await writer.add({ agent: h.agent, subAgentId: h.subAgentId, seq: h.seq, uptimeMs: h.uptimeMs, timeUs: d.timeUs, samples: dec.flows, sequenced: true });
    }
  }
  splitter.end();
  flush();
}

async function importWinny(store: Store, input: OpenedInput, ctx: FlowImportContext, res: FlowFileResult, warn: (w: Warning) => void): Promise<FlowFileResult> {
  let batch: WinnyEvent[] = [];
  const flush = async (): Promise<void> => {
    const r: IngestResult = await store.ingestWinny!(batch);
    res.inserted += r.inserted;
    res.duplicates += r.duplicates;
    batch = [];
  };
  const events = input.gzip ? gzipWinny(input, ctx, warn) : readWinnyLog(input.path, { timeZone: ctx.tz, onWarning: warn });
  for await (const e of events) {
    res.alerts++;
    batch.push(e);
    if (batch.length >= 1000) await flush();
  }
  await flush();
  ctx.onBytes?.(input.size);
  return res;
}

/** Compressed (rotated) logs: the same parser over decompressed lines. */
async function* gzipWinny(input: OpenedInput, ctx: FlowImportContext, warn: (w: Warning) => void): AsyncGenerator<WinnyEvent> {
  const p = new WinnyLogParser({ file: input.path, timeZone: ctx.tz, onWarning: warn });
  let n = 0;
  for await (const l of readline.createInterface({ input: input.open(), crlfDelay: Infinity })) {
    const e = p.line(++n === 1 ? l.replace(/^\uFEFF/, '') : l, n);
    if (e) yield e;
  }
}

async function importReport(store: Store, input: OpenedInput, ctx: FlowImportContext, res: FlowFileResult, warn: (w: Warning) => void): Promise<FlowFileResult> {
  const parts: Buffer[] = [];
  for await (const c of input.open(ctx.onBytes)) parts.push(c as Buffer);
  const { report, warnings } = parseDailyReport(Buffer.concat(parts).toString('utf8').replace(/^\uFEFF/, ''), { timeZone: ctx.tz, file: input.path });
  for (const w of warnings) warn(w);
  res.alerts = report.sections.reduce((n, s) => n + s.rows.length, 0);
  const r = await store.saveP2pReport!(report, path.resolve(input.path));
  res.inserted = r.inserted;
  res.duplicates = r.duplicates;
  return res;
}
