/**
 * COPY ... FROM STDIN text format, built by hand: one string per batch is far cheaper than a
 * value-by-value encoder, and the format is simple (tab-separated, `\N` for NULL, backslash
 * escapes for backslash, tab, newline and carriage return; bytea as `\\x` + hex).
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

// NUL cannot be stored in a PostgreSQL text value at all: it becomes U+FFFD.
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;

export function copyText(s: string | null | undefined): string {
  if (s === null || s === undefined) return '\\N';
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/[\\\t\n\r\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\uFFFD'));
}

export function copyNum(n: number | null | undefined): string {
  return n === null || n === undefined ? '\\N' : String(n);
}

export function copyBytes(b: Uint8Array | null | undefined): string {
  if (b === null || b === undefined) return '\\N';
  return `\\\\x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;
}

export function copyBool(b: boolean): string {
  return b ? 't' : 'f';
}

/** Streams `chunks` (already-encoded lines, each ending in \n) into `COPY table FROM STDIN`. */
export async function copyInto(client: pg.PoolClient, table: string, chunks: string[]): Promise<void> {
  if (chunks.length === 0) return;
  const sink = client.query(copyStreams.from(`COPY ${table} FROM STDIN`));
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c, 'utf8'))), sink);
}

/** Joins lines into chunks of about 1 MiB so one batch never builds one huge string. */
export class LineChunks {
  readonly chunks: string[] = [];
  private cur: string[] = [];
  private size = 0;
  rows = 0;

  push(line: string): void {
    this.cur.push(line);
    this.size += line.length;
    this.rows++;
    if (this.size >= 1 << 20) this.flush();
  }

  done(): string[] {
    this.flush();
    return this.chunks;
  }

  private flush(): void {
    if (this.cur.length === 0) return;
    this.chunks.push(this.cur.join(''));
    this.cur = [];
    this.size = 0;
  }
}
