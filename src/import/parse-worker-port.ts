/**
 * The worker side of a parse worker: posts batches within the importer's credits (waiting for
 * an acknowledgement when none is left), warnings and read progress.
 */
import { parentPort } from 'node:worker_threads';
import type { Warning } from '../errors.js';
import type { AlertRows } from '../store/alert-rows.js';
import { CREDITS, type WorkerMessage } from './parse-worker-protocol.js';

export class ParseWorkerPort {
  private readonly port = parentPort!;
  private credits = CREDITS;
  private wake: (() => void) | null = null;

  constructor() {
    this.port.on('message', (m: 'ack') => {
      if (m !== 'ack') return;
      this.credits++;
      this.wake?.();
      this.wake = null;
    });
  }

  private post(m: WorkerMessage, transfer?: ArrayBuffer[]): void {
    this.port.postMessage(m, transfer);
  }

  async batch(rows: AlertRows): Promise<void> {
    if (rows.count === 0) return;
    while (this.credits === 0) await new Promise<void>((r) => { this.wake = r; });
    this.credits--;
    // Packet bytes and address keys are this batch's own buffers: hand them over, not copies.
    const transfer: ArrayBuffer[] = [];
    for (const b of [rows.packetBytes?.buffer, rows.keys?.buffer]) if (b instanceof ArrayBuffer) transfer.push(b);
    this.post({ type: 'batch', rows }, transfer);
  }

  warn(warning: Warning, rejects = true): void {
    this.post({ type: 'warn', warning, rejects });
  }

  bytes(n: number): void {
    this.post({ type: 'bytes', n });
  }

  done(): void {
    this.post({ type: 'done' });
  }
}
