/** Shared pieces of the collector tests: followers on fresh stores, unified2 record slicing. */
import fs from 'node:fs';
import path from 'node:path';
import { memoryLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SpoolFollower } from '../../src/collector/spool-follower.js';
import { TextFollower } from '../../src/collector/text-follower.js';
import { inputKey, type TextInputConfig, type Unified2InputConfig } from '../../src/collector/config.js';
import type { Follower } from '../../src/collector/follower.js';

export type MemLogger = ReturnType<typeof memoryLogger>;

export function spoolFollower(store: SqliteStore, dir: string, base = 'snort.u2', logger: MemLogger = memoryLogger(), sensor = 's'): SpoolFollower {
  const input: Unified2InputConfig = { type: 'unified2', name: 'spool', directory: dir, base, sensor };
  return new SpoolFollower({ input, key: inputKey(input), store, logger, batchSize: 100, eventTimeoutMs: 0 });
}

export function textFollower(store: SqliteStore, file: string, format: TextInputConfig['format'] = 'auto', logger: MemLogger = memoryLogger()): TextFollower {
  const input: TextInputConfig = { type: 'text', name: 'text', path: file, format, sensor: 's', tz: 'UTC', year: 2026 };
  return new TextFollower({ input, key: inputKey(input), store, logger, batchSize: 100 });
}

/** Steps until the follower reports no progress (what one idle poll sees). */
export async function drain(f: Follower): Promise<void> {
  for (let i = 0; i < 10_000 && (await f.step()); i++);
}

export function alertCount(store: SqliteStore): number {
  return (store.db.prepare('SELECT count(*) AS c FROM alerts').get() as { c: number }).c;
}

/** (time, identity hash) of every stored alert, sorted: equal sets = same alerts. */
export function identities(store: SqliteStore): string[] {
  return (store.db.prepare('SELECT ts, h FROM alerts ORDER BY ts, h').all() as Array<{ ts: number; h: number }>).map((r) => `${r.ts}:${r.h}`);
}

/** Splits a unified2 byte string into whole records (8-byte header + length). */
export function u2Records(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0; pos + 8 <= buf.length;) {
    const size = 8 + buf.readUInt32BE(pos + 4);
    out.push(buf.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

export function copyTo(src: string, dir: string, name = path.basename(src)): string {
  const dst = path.join(dir, name);
  fs.copyFileSync(src, dst);
  return dst;
}
