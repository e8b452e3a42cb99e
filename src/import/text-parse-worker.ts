/**
 * Worker thread side of a parallel text import: reads and parses the file, computes each
 * alert's identity, and hands the main thread compact batches to store. Parsing and SQLite
 * writes then run on both cores at once. At most two batches are in flight (the main thread
 * acknowledges each), so memory stays flat however far parsing runs ahead.
 */
import { parentPort, workerData } from 'node:worker_threads';
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import type { Alert } from '../model/alert.js';
import { OccurrenceCounter, identityHash, textIdentity, textTuple } from '../model/identity.js';
import { LineSplitter } from '../inputs/line-splitter.js';
import { TimePlacer } from '../inputs/snort-text/time.js';
import type { ParseContext } from '../inputs/snort-text/parser.js';
import { createTextParser } from './text-import.js';
import { ROW_FIELDS, type WorkerJob, type WorkerMessage } from './text-parse-protocol.js';

const job = workerData as WorkerJob;
const port = parentPort!;
const post = (m: WorkerMessage): void => port.postMessage(m);

let credits = 2;
let wake: (() => void) | null = null;
port.on('message', (m: 'ack') => {
  if (m === 'ack') {
    credits++;
    wake?.();
    wake = null;
  }
});

let rows: unknown[] = [];
let count = 0;
const counter = new OccurrenceCounter();
const ctx: ParseContext = {
  file: job.file,
  sensor: job.sensor ?? 'default',
  sensorExplicit: job.sensor !== undefined,
  time: new TimePlacer({ tz: job.tz, year: job.year, nowMs: job.nowMs }),
  emit(a: Alert): void {
    const tuple = textTuple(a);
    const identity = textIdentity(tuple, counter.next(a.timeUs, tuple));
    rows.push(
      a.sensor, a.timeUs, a.gid, a.sid, a.rev, a.message, a.classification, a.priority, a.protocol,
      a.srcIp, a.srcPort, a.dstIp, a.dstPort,
      a.references.length ? JSON.stringify(a.references) : null,
      a.packet === undefined ? null : JSON.stringify(a.packet),
      a.origin.offset, a.origin.line ?? null, identityHash(identity),
    );
    count++;
  },
  warn(w): void {
    post({ type: 'warn', warning: w });
  },
};
if (ROW_FIELDS !== 18) throw new Error('row layout mismatch');

const parser = createTextParser(job.format, ctx);
const splitter = new LineSplitter({
  line: (text, n, offset, unterminated) => parser.line(text, n, offset, unterminated),
  tooLong: (n, offset, bytes) => ctx.warn({
    code: 'SNARF_TEXT_LONG_LINE', message: `line of ${bytes} bytes is longer than the ${job.maxLineBytes}-byte bound; skipped`,
    file: job.file, line: n, offset,
  }),
  badUtf8: (n, offset) => post({
    type: 'warn', warning: { code: 'SNARF_TEXT_BAD_UTF8', message: 'invalid UTF-8 replaced with U+FFFD', file: job.file, line: n, offset },
  }),
}, job.maxLineBytes);

async function send(): Promise<void> {
  if (count === 0) return;
  while (credits === 0) await new Promise<void>((r) => { wake = r; });
  credits--;
  post({ type: 'batch', rows, count });
  rows = [];
  count = 0;
}

async function main(): Promise<void> {
  const raw = fs.createReadStream(job.file, { highWaterMark: 1 << 20 });
  raw.on('data', (c) => post({ type: 'bytes', n: (c as Buffer).length }));
  const stream: Readable = job.gzip ? raw.pipe(zlib.createGunzip({ chunkSize: 256 * 1024 })) : raw;
  try {
    for await (const chunk of stream) {
      splitter.push(chunk as Buffer);
      if (count >= job.batchSize) await send();
    }
  } catch (err) {
    ctx.warn({
      code: 'SNARF_IO', message: `reading stopped: ${(err as Error).message}; alerts before this point are kept`,
      file: job.file, offset: splitter.safeOffset, line: splitter.nextLine,
    });
  }
  splitter.end(true);
  parser.end();
  await send();
  post({ type: 'done' });
}

void main();
