/**
 * Opens an input file as a stream of (decompressed) bytes and says what it holds, reading
 * only its first bytes to decide. gzip is looked through transparently.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { sniffBytes, type ContentKind } from '../inputs/sniff.js';

export interface OpenedInput {
  path: string;
  /** What the (decompressed) content is. */
  kind: ContentKind;
  gzip: boolean;
  /** First bytes of the (decompressed) content, for format detection. */
  head: Buffer;
  /** Size of the file on disk. */
  size: number;
  /** A fresh stream of the (decompressed) content; `onRawBytes` sees progress in file bytes. */
  open(onRawBytes?: (n: number) => void): Readable;
}

const HEAD_BYTES = 64 * 1024;
const CHUNK = 1 << 20;

async function readHead(path: string, gzip: boolean): Promise<Buffer> {
  const raw = fs.createReadStream(path, { highWaterMark: CHUNK });
  const stream: Readable = gzip ? raw.pipe(zlib.createGunzip()) : raw;
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of stream) {
      parts.push(chunk as Buffer);
      n += (chunk as Buffer).length;
      if (n >= HEAD_BYTES) break;
    }
  } catch {
    // A corrupt gzip still yields what was decompressed before the damage.
  } finally {
    raw.destroy();
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, HEAD_BYTES);
}

export async function openInput(path: string): Promise<OpenedInput> {
  const st = await fs.promises.stat(path);
  const fd = await fs.promises.open(path, 'r');
  const magic = Buffer.alloc(2);
  try {
    await fd.read(magic, 0, 2, 0);
  } finally {
    await fd.close();
  }
  const gzip = st.size >= 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  const head = await readHead(path, gzip);
  return {
    path,
    kind: sniffBytes(head),
    gzip,
    head,
    size: st.size,
    open(onRawBytes?: (n: number) => void): Readable {
      const raw = fs.createReadStream(path, { highWaterMark: CHUNK });
      if (onRawBytes) raw.on('data', (c) => onRawBytes((c as Buffer).length));
      return gzip ? raw.pipe(zlib.createGunzip({ chunkSize: 256 * 1024 })) : raw;
    },
  };
}
