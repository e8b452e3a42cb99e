/**
 * Worker thread side of a parallel text import: reads and parses the file, computes each
 * alert's identity, and hands the importing thread row batches to store.
 */
import { workerData } from 'node:worker_threads';
import type { Alert } from '../model/alert.js';
import { LineSplitter } from '../inputs/line-splitter.js';
import { TimePlacer } from '../inputs/snort-text/time.js';
import type { ParseContext } from '../inputs/snort-text/parser.js';
import { appendAlert, appendTextRow, emptyRows, sealKeys, StringInterner, type AlertRows } from '../store/alert-rows.js';
import { createTextParser } from './text-import.js';
import type { TextWorkerJob } from './parallel-text-import.js';
import { ParseWorkerPort } from './parse-worker-port.js';
import { openInput } from './open-input.js';

const job = workerData as TextWorkerJob;
const port = new ParseWorkerPort();

let rows: AlertRows = emptyRows(job.format, job.file);
/** IPv4 addresses the parser read as numbers, two per alert of `rows` (-1: from the text). */
let v4: number[] = [];
const interner = new StringInterner();
const ctx: ParseContext = {
  file: job.file,
  sensor: job.sensor ?? 'default',
  sensorExplicit: job.sensor !== undefined,
  time: new TimePlacer({ tz: job.tz, year: job.year, nowMs: job.nowMs }),
  // Identities are left to the importing thread (assignIdentities): this one is the busier.
  emit(a: Alert): void {
    appendAlert(rows, a, null);
    v4.push(-1, -1);
  },
  emitRow(r): void {
    appendTextRow(rows, r);
    v4.push(r.srcV4, r.dstV4);
  },
  warn(w): void {
    port.warn(w);
  },
};

const parser = createTextParser(job.format, ctx);
const splitter = new LineSplitter({
  line: (text, n, offset, unterminated) => parser.line(text, n, offset, unterminated),
  lineBytes: parser.lineBytes ? (buf, start, end, n, offset, decode) => parser.lineBytes!(buf, start, end, n, offset, decode) : undefined,
  chunkEnd: parser.chunkEnd ? () => parser.chunkEnd!() : undefined,
  tooLong: (n, offset, bytes) => ctx.warn({
    code: 'SNARF_TEXT_LONG_LINE', message: `line of ${bytes} bytes is longer than the ${job.maxLineBytes}-byte bound; skipped`,
    file: job.file, line: n, offset,
  }),
  // The line is still imported (with U+FFFD): a warning, not a rejection.
  badUtf8: (n, offset) => port.warn({
    code: 'SNARF_TEXT_BAD_UTF8', message: 'invalid UTF-8 replaced with U+FFFD', file: job.file, line: n, offset,
  }, false),
}, job.maxLineBytes);

async function send(): Promise<void> {
  const full = rows;
  // Address keys here, once per alert from the parser's own strings: on the writing thread each
  // lookup would first hash a string freshly copied across the thread boundary.
  sealKeys(full, v4);
  interner.apply(full);
  rows = emptyRows(job.format, job.file);
  v4 = [];
  await port.batch(full);
}

async function main(): Promise<void> {
  try {
    const stream = (await openInput(job.file)).open((n) => port.bytes(n));
    for await (const chunk of stream) {
      splitter.push(chunk as Buffer);
      if (rows.count >= job.batchSize) await send();
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
  port.done();
}

void main();
