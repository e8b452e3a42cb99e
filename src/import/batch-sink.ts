/**
 * Collects alerts into batches and stores each batch as one transaction, counting what the
 * store added and what it already had. Shared by every importer.
 */
import type { IngestItem, Store } from '../store/store.js';

export class BatchSink {
  private batch: IngestItem[] = [];
  inserted = 0;
  duplicates = 0;

  constructor(private readonly store: Store, private readonly batchSize = 5000) {}

  add(item: IngestItem): void {
    this.batch.push(item);
  }

  /** True when a batch is due (callers flush between chunks, never inside a parser callback). */
  get full(): boolean {
    return this.batch.length >= this.batchSize;
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const items = this.batch;
    this.batch = [];
    const r = await this.store.ingest(items);
    this.inserted += r.inserted;
    this.duplicates += r.duplicates;
  }
}
