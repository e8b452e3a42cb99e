/**
 * The importing side of a parse worker: starts it, stores its batches strictly in the order it
 * sent them, acknowledges each so it may send more, and settles when the last one is stored.
 * Parsing and the store's writes then run on both cores at once.
 */
import { Worker } from 'node:worker_threads';
import type { Warning } from '../errors.js';
import type { AlertRows } from '../store/alert-rows.js';
import type { Store } from '../store/store.js';
import type { WorkerMessage } from './parse-worker-protocol.js';

export interface ParseWorkerHandlers {
  batch(rows: AlertRows): Promise<void>;
  warn(w: Warning, rejects: boolean): void;
  bytes?(n: number): void;
}

export async function runParseWorker(script: URL, file: string, workerData: unknown, on: ParseWorkerHandlers): Promise<void> {
  // The parser's live set is a couple of batches; a bounded heap keeps V8 from growing it lazily.
  const worker = new Worker(script, {
    workerData,
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 },
  });
  let chain: Promise<void> = Promise.resolve();
  try {
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'bytes':
            on.bytes?.(m.n);
            break;
          case 'warn':
            on.warn(m.warning, m.rejects);
            break;
          case 'batch':
            chain = chain.then(async () => {
              await on.batch(m.rows);
              worker.postMessage('ack');
            });
            chain.catch(reject);
            break;
          case 'done':
            chain.then(() => resolve(), reject);
            break;
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (code !== 0) reject(new Error(`${file}: parse worker exited with code ${code}`));
      });
    });
  } finally {
    await worker.terminate();
  }
}

export interface WorkerImportCounts {
  alerts: number;
  inserted: number;
  duplicates: number;
  rejected: number;
}

/** runParseWorker storing every batch into `store`, counting what it added and rejected. */
export async function importWithWorker(
  store: Store, script: URL, file: string, workerData: unknown,
  opts: { warn(w: Warning): void; onBytes?(n: number): void; prepare?(rows: AlertRows): void },
): Promise<WorkerImportCounts> {
  const counts: WorkerImportCounts = { alerts: 0, inserted: 0, duplicates: 0, rejected: 0 };
  // SQLite writes synchronously, one batch at a time whatever is asked. A PostgreSQL server does
  // the work of a batch in its own backend, so two batches in flight keep two of its cores busy
  // while this thread waits; rows dedupe on identity, so their commit order does not matter.
  const inFlight = store.kind === 'postgres' ? 2 : 1;
  const pending = new Set<Promise<void>>();
  let failed: unknown;
  await runParseWorker(script, file, workerData, {
    bytes: opts.onBytes,
    warn(w, rejects) {
      if (rejects) counts.rejected++;
      opts.warn(w);
    },
    async batch(rows) {
      opts.prepare?.(rows);
      counts.alerts += rows.count;
      const p: Promise<void> = store.ingestRows([rows]).then((r) => {
        counts.inserted += r.inserted;
        counts.duplicates += r.duplicates;
      }, (err: unknown) => {
        failed ??= err;
      }).finally(() => pending.delete(p));
      pending.add(p);
      while (pending.size >= inFlight) await Promise.race(pending);
      if (failed !== undefined) throw failed;
    },
  });
  await Promise.all(pending);
  if (failed !== undefined) throw failed;
  return counts;
}
