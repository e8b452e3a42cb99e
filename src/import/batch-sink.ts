/**
 * Collects alerts into row batches and stores each batch as one transaction, counting what the
 * store added and what it already had. Shared by the in-thread importers. Each alert goes into
 * the batch's columns as it arrives, so the Alert object dies young instead of being held (and
 * promoted by the garbage collector) until the batch is written.
 */
import type { Alert, PacketCapture } from '../model/alert.js';
import { identityHashOf } from '../model/identity.js';
import { appendAlert, emptyRows, sealPackets, type AlertRows } from '../store/alert-rows.js';
import type { Store } from '../store/store.js';

export class BatchSink {
  private rows: AlertRows | null = null;
  private pending: PacketCapture[] = [];
  private readonly done: AlertRows[] = [];
  inserted = 0;
  duplicates = 0;

  constructor(private readonly store: Store, private readonly batchSize = 5000) {}

  /** Adds an alert whose identity is (tuple, occurrence) (src/model/identity.ts). */
  add(alert: Alert, tuple: string, occurrence: number): void {
    const o = alert.origin;
    if (this.rows !== null && (this.rows.file !== o.file || this.rows.format !== o.format)) this.seal();
    this.rows ??= emptyRows(o.format, o.file);
    appendAlert(this.rows, alert, identityHashOf(tuple, occurrence), undefined, this.pending);
  }

  /** True when a batch is due (callers flush between chunks, never inside a parser callback). */
  get full(): boolean {
    return (this.rows?.count ?? 0) >= this.batchSize;
  }

  private seal(): void {
    if (this.rows === null) return;
    sealPackets(this.rows, this.pending);
    this.done.push(this.rows);
    this.rows = null;
    this.pending = [];
  }

  async flush(): Promise<void> {
    this.seal();
    if (this.done.length === 0) return;
    const batches = this.done.splice(0);
    const r = await this.store.ingestRows(batches);
    this.inserted += r.inserted;
    this.duplicates += r.duplicates;
  }
}
