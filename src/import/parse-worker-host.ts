/**
 * The importing side of a parse worker: starts it, stores its batches strictly in the order it
 * sent them, acknowledges each so it may send more, and settles when the last one is stored.
 * Parsing and the store's writes then run on both cores at once.
 */
import { Worker } from 'node:worker_threads';
import type { Warning } from '../errors.js';
import type { AlertRows } from '../store/alert-rows.js';
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
