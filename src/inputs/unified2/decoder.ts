/**
 * Chunk-safe streaming unified2 decoder.
 *
 * push() takes chunks of any size (1 byte to many MB) and returns the whole records they
 * complete, each with its file offset and size. `offset` is always the start of the next whole
 * record, so a collector can bookmark it. Records are decoded in place inside the chunk; only a
 * record that straddles chunks is copied (into a buffer grown with the bytes actually received,
 * never sized from an untrusted header).
 *
 * Corrupt headers (a length over the bound for its type, e.g. 0xFFFFFFF0) are never allocated.
 * Default policy is `resync`: skip byte by byte to the next header that is plausible (known type,
 * exact event length, inner lengths that agree) and go on, warning once where the corruption
 * started and once where decoding resumed. `stop` stops the file instead and leaves `offset` at
 * the corrupt header. Resync is the default because a collector must not lose a whole spool file
 * to one damaged header; the checks make a false resync inside packet payload very unlikely.
 */
import fs from 'node:fs';
import { SnarfError, type Warning } from '../../errors.js';
import {
  classifyHeader, decodeRecord, FLAG_BAD_INNER_LENGTH, FLAG_ODD_LENGTH, Framing, isKnownType,
  plausibleHeader, u32, type U2Record,
} from './records.js';

export interface Unified2DecoderOptions {
  /** File name for warnings and errors. */
  file?: string;
  /** File offset of the first pushed byte (a bookmark); 0 by default. */
  startOffset?: number;
  /** Global cap on any record length, on top of the per-type bounds. Default 8 MiB. */
  maxRecordLength?: number;
  /** What to do after a corrupt header: `resync` (default) or `stop` the file. */
  onCorrupt?: 'resync' | 'stop';
  onWarning?: (w: Warning) => void;
  /** Check that a file starting at offset 0 is not a pcap/pcapng/gzip/text. Default true. */
  sniff?: boolean;
}

export interface U2DecoderStats {
  records: number;
  events: number;
  packets: number;
  extra: number;
  appstat: number;
  /** Records of unknown type skipped by length. */
  unknown: number;
  /** Known types with a length below their layout, skipped by length. */
  badLength: number;
  /** Corrupt headers met (each starts a resync or stops the file). */
  corrupt: number;
  /** Bytes skipped while resynchronising. */
  skippedBytes: number;
}

export interface U2EndState {
  /** Offset of the next whole record: the bookmark. */
  offset: number;
  /** Bytes after `offset` that are not (yet) a whole record. */
  pendingBytes: number;
  /** Those bytes begin a record cut short: wait while the file may still grow. */
  partial: boolean;
  /** The decoder is inside corrupt bytes (resync found nothing yet) or stopped on them. */
  corrupt: boolean;
}

export type BinaryKind = 'unified2' | 'pcap' | 'pcapng' | 'gzip' | 'text' | 'empty' | 'unknown';

const DEFAULT_MAX_RECORD = 8 * 1024 * 1024;

/** Names what the first bytes of a file are, so a wrong input gets a clear message. */
export function sniffBinary(head: Uint8Array): BinaryKind {
  if (head.length === 0) return 'empty';
  if (head.length >= 4) {
    const m = u32(head, 0);
    if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return 'pcap';
    if (m === 0x0a0d0d0a) return 'pcapng';
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && isKnownType(u32(head, 0))) {
    if (head.length < 8 || classifyHeader(u32(head, 0), u32(head, 4), DEFAULT_MAX_RECORD) === Framing.Decode) {
      return 'unified2';
    }
  }
  return looksLikeText(head) ? 'text' : 'unknown';
}

function looksLikeText(head: Uint8Array): boolean {
  const n = Math.min(head.length, 512);
  for (let i = 0; i < n; i++) {
    const c = head[i]!;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
    if (c === 0x7f) return false;
  }
  return true;
}

const KIND_TEXT: Record<string, string> = {
  pcap: 'a pcap capture', pcapng: 'a pcapng capture', gzip: 'gzip-compressed', text: 'a text file',
};

/** The error for a file that is plainly not unified2, or undefined if it may be unified2. */
export function notUnified2Error(head: Uint8Array, file?: string): SnarfError | undefined {
  const kind = sniffBinary(head);
  const what = KIND_TEXT[kind];
  if (what === undefined) return undefined;
  const hint = kind === 'pcap' || kind === 'pcapng' ? ', not unified2 (give it to Snort, not to the unified2 reader)' : ', not unified2';
  return new SnarfError('SNARF_NOT_UNIFIED2', `this is ${what}${hint}`, { file, offset: 0 });
}

export class Unified2Decoder {
  readonly stats: U2DecoderStats = {
    records: 0, events: 0, packets: 0, extra: 0, appstat: 0, unknown: 0, badLength: 0, corrupt: 0, skippedBytes: 0,
  };
  readonly #file: string | undefined;
  readonly #cap: number;
  readonly #resync: boolean;
  readonly #warn: (w: Warning) => void;
  readonly #sniff: boolean;
  /** File offset of the first pending byte = the next whole record (or the resync scan point). */
  #off: number;
  /** Bytes not yet consumed: pend[0, pendLen). pend.length is its capacity. */
  #pend: Buffer | null = null;
  #pendLen = 0;
  #scanning = false;
  #corruptAt = 0;
  #stopped = false;

  constructor(opts: Unified2DecoderOptions = {}) {
    this.#file = opts.file;
    this.#off = opts.startOffset ?? 0;
    this.#cap = opts.maxRecordLength ?? DEFAULT_MAX_RECORD;
    this.#resync = (opts.onCorrupt ?? 'resync') === 'resync';
    this.#warn = opts.onWarning ?? (() => {});
    this.#sniff = (opts.sniff ?? true) && this.#off === 0;
  }

  /** Offset of the next whole record: safe to bookmark "after the last record returned". */
  get offset(): number {
    return this.#off;
  }

  /** Bytes held waiting for the rest of a record (bounded by the per-type caps). */
  get bufferedBytes(): number {
    return this.#pendLen;
  }

  /** Decodes every record the chunk completes. Throws SnarfError SNARF_NOT_UNIFIED2 on a pcap etc. */
  push(chunk: Uint8Array): U2Record[] {
    const out: U2Record[] = [];
    if (chunk.length === 0 || this.#stopped) return out;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.#pendLen === 0) {
      this.#run(buf, 0, out);
      return out;
    }
    let used = 0;
    if (!this.#scanning) {
      // Complete the straddling record with just the bytes it needs, then go on in place.
      if (this.#pendLen < 8) {
        used = Math.min(8 - this.#pendLen, buf.length);
        this.#append(buf, 0, used);
        if (this.#pendLen < 8) return out;
      }
      const pend = this.#pend!;
      if (classifyHeader(u32(pend, 0), u32(pend, 4), this.#cap) !== Framing.Corrupt) {
        const need = 8 + u32(pend, 4);
        const take = Math.min(need - this.#pendLen, buf.length - used);
        this.#append(buf, used, take);
        used += take;
        if (this.#pendLen < need) return out;
        const whole = this.#pend!.subarray(0, need);
        this.#pend = null;
        this.#pendLen = 0;
        this.#run(whole, 0, out);
        this.#run(buf, used, out);
        return out;
      }
    }
    // Scanning corrupt bytes (rare): join what is pending with the chunk and scan on.
    const joined = Buffer.concat([this.#pend!.subarray(0, this.#pendLen), buf.subarray(used)]);
    this.#pend = null;
    this.#pendLen = 0;
    this.#run(joined, 0, out);
    return out;
  }

  /**
   * Reports what is left after the data pushed so far. isFinal = false: the file may still grow
   * (newest spool file), nothing is warned and more can be pushed. isFinal = true: a cut record
   * or corrupt tail is warned about with its offset.
   */
  end(isFinal = true): U2EndState {
    const pendingBytes = this.#pendLen;
    const corrupt = this.#scanning || this.#stopped;
    const state: U2EndState = { offset: this.#off, pendingBytes, partial: pendingBytes > 0 && !corrupt, corrupt };
    if (!isFinal) return state;
    if (this.#sniff && this.#off === 0 && pendingBytes > 0 && !corrupt) {
      const err = notUnified2Error(this.#pend!.subarray(0, pendingBytes), this.#file);
      if (err) throw err;
    }
    if (state.partial) {
      const pend = this.#pend!;
      const need = pendingBytes >= 8 ? ` of ${8 + u32(pend, 4)}` : '';
      this.#emit('SNARF_U2_TRUNCATED', `file ends inside a record at offset ${this.#off} (${pendingBytes}${need} bytes)`, this.#off);
    } else if (this.#scanning) {
      this.#emit('SNARF_U2_BAD_LENGTH',
        `file ends in corrupt data: no valid record after offset ${this.#corruptAt} (${this.#off + pendingBytes - this.#corruptAt} bytes skipped)`,
        this.#corruptAt);
    }
    return state;
  }

  /** Decodes whole records of buf from pos on; keeps the incomplete rest pending. */
  #run(buf: Buffer, pos: number, out: U2Record[]): void {
    const end = buf.length;
    const cap = this.#cap;
    for (;;) {
      if (this.#scanning) {
        pos = this.#scan(buf, pos, end);
        if (this.#scanning) break;
      }
      if (end - pos < 8) break;
      const type = u32(buf, pos);
      const len = u32(buf, pos + 4);
      const framing = classifyHeader(type, len, cap);
      if (framing !== Framing.Decode && this.#sniff && this.#off === 0) {
        const err = notUnified2Error(buf.subarray(pos, pos + 8), this.#file);
        if (err) throw err;
      }
      if (framing === Framing.Corrupt) {
        this.stats.corrupt++;
        this.#corruptAt = this.#off;
        const what = isKnownType(type) ? `type ${type}` : `unknown type ${type}`;
        if (!this.#resync) {
          this.#emit('SNARF_U2_BAD_LENGTH', `corrupt record header (${what}, length ${len}); stopped reading this file`, this.#off);
          this.#stopped = true;
          this.#pend = null;
          this.#pendLen = 0;
          return;
        }
        this.#emit('SNARF_U2_BAD_LENGTH', `corrupt record header (${what}, length ${len}); looking for the next valid record`, this.#off);
        this.#scanning = true;
        pos++;
        this.#off++;
        this.stats.skippedBytes++;
        continue;
      }
      const size = 8 + len;
      if (end - pos < size) break;
      if (framing === Framing.Skip) {
        this.#skipped(type, len);
      } else {
        const rec = decodeRecord(type, buf, pos + 8, len, this.#off);
        this.#count(rec);
        out.push(rec);
      }
      pos += size;
      this.#off += size;
    }
    if (pos < end) {
      this.#pend = buf.subarray(pos, end);
      this.#pendLen = end - pos;
    }
  }

  /** Advances over corrupt bytes to the next plausible header; stops early when it needs more bytes. */
  #scan(buf: Buffer, pos: number, end: number): number {
    while (end - pos >= 8) {
      const verdict = plausibleHeader(buf, pos, end);
      if (verdict === -1) return pos;
      if (verdict === 1) {
        this.#scanning = false;
        this.#emit('SNARF_U2_BAD_LENGTH',
          `resynchronised at offset ${this.#off} after ${this.#off - this.#corruptAt} corrupt bytes from offset ${this.#corruptAt}`,
          this.#off);
        return pos;
      }
      pos++;
      this.#off++;
      this.stats.skippedBytes++;
    }
    return pos;
  }

  #count(rec: U2Record): void {
    const s = this.stats;
    s.records++;
    switch (rec.kind) {
      case 'event': s.events++; break;
      case 'packet': s.packets++; break;
      case 'extra': s.extra++; break;
      case 'appstat': s.appstat++; break;
    }
    if (rec.flags !== 0) {
      if (rec.flags & FLAG_ODD_LENGTH) {
        this.#emit('SNARF_U2_ODD_LENGTH', `type ${rec.type} record with length ${rec.size - 8}; decoded with the nearest layout`, rec.offset);
      }
      if (rec.flags & FLAG_BAD_INNER_LENGTH) {
        this.#emit('SNARF_U2_BAD_INNER_LENGTH', `type ${rec.type} record: inner length disagrees with record length ${rec.size - 8}; kept the smaller`, rec.offset);
      }
    }
  }

  #skipped(type: number, len: number): void {
    if (isKnownType(type)) {
      this.stats.badLength++;
      this.#emit('SNARF_U2_BAD_LENGTH', `type ${type} record with length ${len}, too short for its layout; skipped`, this.#off);
    } else {
      this.stats.unknown++;
      this.#emit('SNARF_U2_UNKNOWN_TYPE', `unknown record type ${type} (length ${len}); skipped`, this.#off);
    }
  }

  /** Appends src[s, s+n) to the pending buffer, growing it by what was received (never by a header). */
  #append(src: Buffer, s: number, n: number): void {
    if (n === 0) return;
    const have = this.#pendLen;
    let pend = this.#pend;
    if (pend === null || have + n > pend.length) {
      const grown = Buffer.allocUnsafe(Math.max(have + n, Math.min(2 * have, this.#cap + 8), 64));
      if (pend !== null) pend.copy(grown, 0, 0, have);
      pend = grown;
      this.#pend = grown;
    }
    src.copy(pend, have, s, s + n);
    this.#pendLen = have + n;
  }

  #emit(code: Warning['code'], message: string, offset: number): void {
    this.#warn({ code, message, file: this.#file, offset });
  }
}

export interface DecodeStreamOptions extends Unified2DecoderOptions {
  /** The input is complete (default): a cut tail is warned about. False while tailing the newest file. */
  isFinal?: boolean;
  /** Receives the end state (bookmark offset, partial tail) after the last record. */
  onEnd?: (state: U2EndState, stats: U2DecoderStats) => void;
}

/** Records of a byte stream, in order, each with its offset. Returns the end state. */
export async function* decodeUnified2(
  stream: AsyncIterable<Uint8Array>, opts: DecodeStreamOptions = {},
): AsyncGenerator<U2Record, U2EndState, undefined> {
  const decoder = new Unified2Decoder(opts);
  for await (const chunk of stream) {
    const records = decoder.push(chunk);
    for (let i = 0; i < records.length; i++) yield records[i]!;
  }
  const state = decoder.end(opts.isFinal ?? true);
  opts.onEnd?.(state, decoder.stats);
  return state;
}

/** Records of a file from `startOffset` (a bookmark) on. The file name defaults to `path`. */
export async function* decodeUnified2File(
  path: string, opts: DecodeStreamOptions & { highWaterMark?: number } = {},
): AsyncGenerator<U2Record, U2EndState, undefined> {
  // Loops itself rather than `yield*` decodeUnified2: one generator layer less per record.
  const stream = openFile(path, opts);
  try {
    const o = { ...opts, file: opts.file ?? path };
    const decoder = new Unified2Decoder(o);
    for await (const chunk of stream) {
      const records = decoder.push(chunk as Buffer);
      for (let i = 0; i < records.length; i++) yield records[i]!;
    }
    const state = decoder.end(o.isFinal ?? true);
    o.onEnd?.(state, decoder.stats);
    return state;
  } finally {
    stream.destroy();
  }
}

/**
 * The same as decodeUnified2File, one array per read chunk: the fast path for bulk imports
 * (an await per chunk instead of per record).
 */
export async function* decodeUnified2FileBatches(
  path: string, opts: DecodeStreamOptions & { highWaterMark?: number } = {},
): AsyncGenerator<U2Record[], U2EndState, undefined> {
  const stream = openFile(path, opts);
  try {
    const o = { ...opts, file: opts.file ?? path };
    const decoder = new Unified2Decoder(o);
    for await (const chunk of stream) {
      const records = decoder.push(chunk as Buffer);
      if (records.length > 0) yield records;
    }
    const state = decoder.end(o.isFinal ?? true);
    o.onEnd?.(state, decoder.stats);
    return state;
  } finally {
    stream.destroy();
  }
}

function openFile(path: string, opts: { startOffset?: number; highWaterMark?: number }): fs.ReadStream {
  return fs.createReadStream(path, { start: opts.startOffset ?? 0, highWaterMark: opts.highWaterMark ?? 1024 * 1024 });
}
