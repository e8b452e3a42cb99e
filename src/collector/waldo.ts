/**
 * barnyard2's bookmark ("waldo"), for operators moving from barnyard2 without re-reading or
 * skipping their spool. 2056 bytes in host byte order (little-endian on every machine that
 * matters): spool_dir[1024], spool_filebase[1024] (NUL-padded), u32 timestamp (the current
 * file's suffix), u32 record_idx (records already processed in that file). barnyard2 counts
 * records, Snarf keeps byte offsets: converting walks the file's record headers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SnarfError } from '../errors.js';

export const WALDO_SIZE = 2056;

export interface Waldo {
  spoolDir: string;
  fileBase: string;
  timestamp: number;
  recordIdx: number;
}

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + len ? start + len : end);
}

export function parseWaldo(buf: Buffer, file = 'waldo'): Waldo {
  if (buf.length !== WALDO_SIZE) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `a barnyard2 waldo is ${WALDO_SIZE} bytes, this one is ${buf.length}`, { file });
  }
  const w = {
    spoolDir: cString(buf, 0, 1024),
    fileBase: cString(buf, 1024, 1024),
    timestamp: buf.readUInt32LE(2048),
    recordIdx: buf.readUInt32LE(2052),
  };
  if (!w.fileBase || w.fileBase.includes('/')) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `spool_filebase "${w.fileBase.slice(0, 40)}" is not a file base name`, { file, offset: 1024 });
  }
  return w;
}

export function formatWaldo(w: Waldo): Buffer {
  const buf = Buffer.alloc(WALDO_SIZE);
  const dir = Buffer.from(w.spoolDir, 'utf8');
  const base = Buffer.from(w.fileBase, 'utf8');
  if (dir.length >= 1024 || base.length >= 1024) throw new SnarfError('SNARF_CONFIG_INVALID', 'spool directory or file base longer than a waldo holds (1023 bytes)');
  dir.copy(buf, 0);
  base.copy(buf, 1024);
  buf.writeUInt32LE(w.timestamp >>> 0, 2048);
  buf.writeUInt32LE(w.recordIdx >>> 0, 2052);
  return buf;
}

/**
 * Byte offset after the first `records` records of a unified2 file (records are framed by
 * their 8-byte headers; no body is read). Throws if the file holds fewer whole records.
 */
export function offsetAfterRecords(file: string, records: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(8);
    let off = 0;
    for (let i = 0; i < records; i++) {
      if (fs.readSync(fd, head, 0, 8, off) < 8) throw new SnarfError('SNARF_U2_TRUNCATED', `only ${i} whole records, the waldo says ${records}`, { file, offset: off });
      const next = off + 8 + head.readUInt32BE(4);
      if (next > size) throw new SnarfError('SNARF_U2_TRUNCATED', `only ${i} whole records, the waldo says ${records}`, { file, offset: off });
      off = next;
    }
    return off;
  } finally {
    fs.closeSync(fd);
  }
}

/** Records from the start of a unified2 file up to a byte offset (which must fall on a record boundary). */
export function recordsBefore(file: string, offset: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(8);
    let off = 0;
    let n = 0;
    while (off < offset) {
      if (fs.readSync(fd, head, 0, 8, off) < 8) break;
      off += 8 + head.readUInt32BE(4);
      n++;
    }
    if (off !== offset) throw new SnarfError('SNARF_U2_BAD_LENGTH', `offset ${offset} is not on a record boundary`, { file, offset });
    return n;
  } finally {
    fs.closeSync(fd);
  }
}

/** The spool file a waldo points at (`<dir>/<base>.<timestamp>`), optionally under another directory. */
export function waldoFile(w: Waldo, spoolDir?: string): string {
  return path.join(spoolDir ?? w.spoolDir, `${w.fileBase}.${w.timestamp}`);
}
