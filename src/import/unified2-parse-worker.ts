/**
 * Worker thread side of a parallel unified2 import: reads, decodes and assembles the file,
 * resolves messages from the same rule maps the importer loaded, computes identities, and hands
 * the importing thread row batches (packets in one transferred buffer per batch) to store.
 * Warnings are exactly those of the in-thread import (unified2-import.ts).
 */
import { workerData } from 'node:worker_threads';
import type { Alert, PacketCapture } from '../model/alert.js';
import { OccurrenceCounter, identityHashOf, textTuple } from '../model/identity.js';
import { Unified2Decoder } from '../inputs/unified2/decoder.js';
import { Unified2Assembler, type AssemblerClock } from '../inputs/unified2/assemble.js';
import { SnarfError } from '../errors.js';
import { unified2SensorName, type SensorEntry } from '../state/state-file.js';
import { appendAlert, emptyRows, sealKeys, sealPackets, type AlertRows } from '../store/alert-rows.js';
import { loadCatalog } from '../cli/catalog.js';
import { ParseWorkerPort } from './parse-worker-port.js';
import { openInput } from './open-input.js';

export interface Unified2WorkerJob {
  file: string;
  sensor?: string;
  sensorRegistry: Record<string, SensorEntry>;
  catalog?: { paths: string[]; defaults: boolean };
  batchSize: number;
}

const job = workerData as Unified2WorkerJob;
const port = new ParseWorkerPort();
const NO_TIMERS: AssemblerClock = { now: () => 0, setTimer: () => undefined, clearTimer: () => undefined };

let rows: AlertRows = emptyRows('unified2', job.file);
let pending: PacketCapture[] = [];

async function send(): Promise<void> {
  const full = rows;
  sealPackets(full, pending);
  // The decoder leaves this thread idle while SQLite writes: it parses the addresses too.
  sealKeys(full);
  rows = emptyRows('unified2', job.file);
  pending = [];
  await port.batch(full);
}

async function main(): Promise<void> {
  // The importer reported the maps' own warnings already.
  const resolver = job.catalog ? await loadCatalog(job.catalog.paths, job.catalog.defaults, () => undefined) : undefined;
  const file = job.file;
  const decoder = new Unified2Decoder({ file, onWarning: (w) => port.warn(w) });
  const counter = new OccurrenceCounter();
  const assembler = new Unified2Assembler({
    sensor: job.sensor ?? 'default',
    sensorFor: job.sensor === undefined ? (sid, eid) => unified2SensorName(job.sensorRegistry, sid, eid) : undefined,
    resolver,
    clock: NO_TIMERS,
    onAlert: (alert: Alert) => {
      const tuple = textTuple(alert);
      appendAlert(rows, alert, identityHashOf(tuple, counter.next(alert.timeUs, tuple)), undefined, pending);
    },
    onOrphan: (o) => port.warn({
      code: 'SNARF_U2_BAD_INNER_LENGTH',
      message: `${o.kind} record for event ${o.eventId} (second ${o.eventSecond}) whose event never appeared`,
      file: o.file, offset: o.offset,
    }, false),
  });
  try {
    const stream = (await openInput(file)).open((n) => port.bytes(n));
    for await (const chunk of stream) {
      // The decoder keeps views into pushed chunks; stream chunks are never reused.
      for (const rec of decoder.push(chunk as Buffer)) assembler.push(rec, file);
      if (rows.count >= job.batchSize) await send();
    }
    const end = decoder.end(true);
    if (end.partial) {
      port.warn({
        code: 'SNARF_U2_TRUNCATED',
        message: `file ends inside a record (${end.pendingBytes} bytes from offset ${end.offset}); everything before it is kept`,
        file, offset: end.offset,
      });
    }
  } catch (err) {
    if (err instanceof SnarfError && err.code === 'SNARF_NOT_UNIFIED2') {
      port.warn({ code: err.code, message: err.message, file, offset: 0 });
    } else {
      port.warn({ code: 'SNARF_IO', message: `reading stopped: ${(err as Error).message}; alerts before this point are kept`, file, offset: decoder.offset });
    }
  }
  assembler.flush();
  assembler.close();
  await send();
  port.done();
}

void main();
