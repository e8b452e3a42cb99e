/**
 * What the spool and text followers share: the batch of alerts waiting for their transaction,
 * the per-input counters that live in the bookmark, and the commit that stores rows and the
 * bookmark together (Store.ingest is one transaction for both, which is the whole basis of
 * exactly-once: a kill -9 lands either before the commit, and the rows and the old bookmark are
 * what the next start sees, or after it).
 */
import fs from 'node:fs';
import type { Alert } from '../model/alert.js';
import { OccurrenceCounter, textIdentity, textTuple } from '../model/identity.js';
import type { Warning } from '../errors.js';
import type { Logger } from '../log.js';
import type { Bookmark, IngestItem, Store } from '../store/store.js';

/** One followed input, driven by the collector's poll loop. */
export interface Follower {
  /** Bookmark key (`spool:<dir>/<base>` or `text:<path>`). */
  readonly key: string;
  /** Display name from the config. */
  readonly name: string;
  /** Loads the bookmark. */
  start(): Promise<void>;
  /** Reads a bounded amount of what is available and commits it; true if it made progress. */
  step(): Promise<boolean>;
  /** `--once`: release everything still waiting (events waiting for packets) and commit. */
  finish(): Promise<void>;
  /** Releases file handles; commits nothing (the last bookmark already covers what is stored). */
  close(): Promise<void>;
  /** Counts and logs a failed step (the count is stored with the next bookmark). */
  fail(err: Error): void;
}

/** Where a follower stands in the file it reads: everything a bookmark needs but the counters. */
export interface Position {
  file: string;
  dev: number;
  inode: number;
  size: number;
  offset: number;
  records: number;
}

export interface FollowerDeps {
  store: Store;
  logger: Logger;
  batchSize: number;
  /** Wall clock in µs for `updatedUs` (injectable for tests). */
  nowUs?: () => number;
}

export abstract class FollowerBase {
  protected batch: IngestItem[] = [];
  protected warnings = 0;
  protected errors = 0;
  protected lastEventUs: number | null = null;
  protected stored: Bookmark | undefined;
  #lastSig = '';

  protected constructor(readonly key: string, readonly name: string, protected readonly deps: FollowerDeps) {}

  async start(): Promise<void> {
    this.stored = await this.deps.store.getBookmark(this.key);
    if (this.stored) {
      this.warnings = this.stored.warnings;
      this.errors = this.stored.errors;
      this.lastEventUs = this.stored.lastEventUs;
      this.#lastSig = signature(this.stored);
    }
  }

  protected warn(w: Warning): void {
    this.warnings++;
    this.deps.logger.warning(w);
  }

  protected error(msg: string, fields: Record<string, unknown> = {}): void {
    this.errors++;
    this.deps.logger.log('error', msg, { input: this.name, ...fields });
  }

  fail(err: Error): void {
    this.error(`input failed: ${err.message}; retrying`);
  }

  protected info(msg: string, fields: Record<string, unknown> = {}): void {
    this.deps.logger.log('info', msg, { input: this.name, ...fields });
  }

  /**
   * Numbers the alert within its file (the content identity, as `snarf import` computes it) and
   * queues it unless it lies before `skipBelow`: after a restart a file is read again from its
   * start only to rebuild that numbering, and everything before the bookmark is already stored.
   */
  protected accept(alert: Alert, counter: OccurrenceCounter, skipBelow: number): void {
    const tuple = textTuple(alert);
    const identity = textIdentity(tuple, counter.next(alert.timeUs, tuple));
    if (alert.origin.offset < skipBelow) return;
    this.batch.push({ alert, identity });
    if (this.lastEventUs === null || alert.timeUs > this.lastEventUs) this.lastEventUs = alert.timeUs;
  }

  protected get batchFull(): boolean {
    return this.batch.length >= this.deps.batchSize;
  }

  /**
   * Stores the queued alerts and the bookmark in one transaction. Skipped when nothing changed.
   * On failure the batch is kept (and retried by the next commit) and the bookmark does not
   * move, so a busy or full database delays alerts but never loses them.
   */
  protected async commit(pos: Position | null): Promise<boolean> {
    if (pos === null) return true;
    const bm: Bookmark = {
      input: this.key, ...pos, lastEventUs: this.lastEventUs, warnings: this.warnings, errors: this.errors,
      updatedUs: this.deps.nowUs?.() ?? Date.now() * 1000,
    };
    const sig = signature(bm);
    if (this.batch.length === 0 && sig === this.#lastSig) return true;
    const items = this.batch;
    try {
      await this.deps.store.ingest(items, bm);
    } catch (err) {
      this.errors++;
      this.deps.logger.log('error', `store commit failed, will retry: ${(err as Error).message}`,
        { code: 'SNARF_STORE_FAILED', input: this.name, alerts: items.length });
      return false;
    }
    if (this.batch === items) this.batch = [];
    this.#lastSig = sig;
    this.stored = bm;
    return true;
  }
}

/** What makes two bookmarks different enough to be worth a transaction (not `updatedUs`). */
function signature(b: Bookmark): string {
  return `${b.file}|${b.dev}|${b.inode}|${b.size}|${b.offset}|${b.records}|${b.lastEventUs}|${b.warnings}|${b.errors}`;
}

/** fs.stat that says "not there" with null instead of throwing. */
export async function statOrNull(p: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.stat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export function sameFile(a: { dev: number; ino: number }, b: { dev: number; inode: number }): boolean {
  return a.dev === b.dev && a.ino === b.inode;
}

/**
 * Reads up to `max` bytes at `pos` into a fresh buffer. Fresh on purpose: the unified2 decoder
 * keeps views into the chunks it is given, so a reused buffer would corrupt held records.
 */
export async function readAt(fh: fs.promises.FileHandle, pos: number, max: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(max);
  const { bytesRead } = await fh.read(buf, 0, max, pos);
  return bytesRead === max ? buf : buf.subarray(0, bytesRead);
}

const PRINT = 32;

/**
 * A fingerprint of what was read: the first and the last 32 bytes before `pos`. It notices a
 * file truncated and rewritten to at least its old size between two polls (copytruncate, Snort's
 * `wb` on a name reused within one second), which size and inode alone cannot see: the new
 * content starts with another timestamp. Checked on every poll, two 32-byte reads.
 */
/** What a follower holds of the file it reads; each follower's own state extends it. */
export interface OpenFile {
  fh: fs.promises.FileHandle;
  dev: number;
  ino: number;
  size: number;
  /** Bytes read from the file so far. */
  readPos: number;
  /** First and last bytes read, to see a rewrite that size and inode miss. */
  print: ReadPrint;
  /** Records starting before this offset are already stored (resume point of a restart). */
  skipBelow: number;
}

export interface ReadPrint {
  head: Buffer;
  tail: Buffer;
}

export const EMPTY_PRINT: ReadPrint = { head: Buffer.alloc(0), tail: Buffer.alloc(0) };

export async function printMatches(fh: fs.promises.FileHandle, pos: number, print: ReadPrint): Promise<boolean> {
  if (pos === 0) return true;
  const head = await readAt(fh, 0, Math.min(PRINT, pos));
  if (!head.equals(print.head)) return false;
  const start = Math.max(0, pos - PRINT);
  return (await readAt(fh, start, pos - start)).equals(print.tail);
}

/** The print once `chunk` (the next bytes of the file) has been read. */
export function extendPrint(print: ReadPrint, chunk: Buffer): ReadPrint {
  const head = print.head.length >= PRINT ? print.head : Buffer.concat([print.head, chunk]).subarray(0, PRINT);
  const tail = chunk.length >= PRINT ? Buffer.from(chunk.subarray(chunk.length - PRINT)) : Buffer.concat([print.tail, chunk]).subarray(-PRINT);
  return { head: Buffer.from(head), tail };
}
