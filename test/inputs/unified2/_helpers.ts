/**
 * Shared test helpers for the unified2 tests: decode a buffer whole or in chunks, read the
 * py-idstools oracles, and a minimal signature resolver over the corpus rule maps.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Warning } from '../../../src/errors.js';
import type { Classification, SignatureInfo, SignatureResolver } from '../../../src/rules/types.js';
import { Unified2Decoder, type U2EndState, type Unified2DecoderOptions } from '../../../src/inputs/unified2/decoder.js';
import type { U2Record } from '../../../src/inputs/unified2/records.js';
import { corpusPath } from '../../helpers/corpus.js';

export interface Decoded {
  records: U2Record[];
  warnings: Warning[];
  end: U2EndState;
  decoder: Unified2Decoder;
}

/** Decodes `buf` in chunks of the given sizes (cycled), or whole when none are given. */
export function decodeBuffer(buf: Uint8Array, opts: Unified2DecoderOptions = {}, sizes?: number[], isFinal = true): Decoded {
  const warnings: Warning[] = [];
  const decoder = new Unified2Decoder({ ...opts, onWarning: (w) => warnings.push(w) });
  const records: U2Record[] = [];
  if (!sizes || sizes.length === 0) {
    records.push(...decoder.push(buf));
  } else {
    let pos = 0;
    for (let i = 0; pos < buf.length; i++) {
      const n = Math.max(1, sizes[i % sizes.length]!);
      // Copy each chunk: the decoder must not depend on chunks being views of one buffer.
      records.push(...decoder.push(Uint8Array.prototype.slice.call(buf, pos, pos + n)));
      pos += n;
    }
  }
  const end = decoder.end(isFinal);
  return { records, warnings, end, decoder };
}

/** Deterministic PRNG (mulberry32, shared with the benchmarks) so chunk sizes are reproducible. */
export { rng as prng } from '../../../bench/lib/rng.js';

/** A comparable plain form of a record (bytes as hex), to compare two decodes of one input. */
export function plain(rec: U2Record): unknown {
  return JSON.parse(JSON.stringify(rec, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)));
}

export type OracleLine =
  | { type: 'event'; event: Record<string, unknown> }
  | { type: 'packet'; packet: Record<string, unknown> }
  | { type: 'extra-data'; 'extra-data': Record<string, unknown> };

export function readOracle(sample: string): OracleLine[] | undefined {
  const plainPath = `${sample}.oracle.json`;
  let text: string;
  if (fs.existsSync(plainPath)) text = fs.readFileSync(plainPath, 'utf8');
  else if (fs.existsSync(`${plainPath}.gz`)) text = zlib.gunzipSync(fs.readFileSync(`${plainPath}.gz`)).toString('utf8');
  else return undefined;
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as OracleLine);
}

/** Every unified2 sample that has an oracle next to it. */
export function oracleSamples(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.oracle\.json(\.gz)?$/.test(e.name)) out.push(p.replace(/\.oracle\.json(\.gz)?$/, ''));
    }
  };
  walk(corpusPath('unified2'));
  return out.sort();
}

/** Decodes a Python bytes repr (b'..' / b"..") as py-idstools prints app names. */
export function pyBytes(repr: string): Buffer {
  const body = repr.slice(2, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') { out.push(c.charCodeAt(0)); continue; }
    const n = body[++i]!;
    if (n === 'x') { out.push(parseInt(body.slice(i + 1, i + 3), 16)); i += 2; }
    else out.push(({ n: 10, r: 13, t: 9, '\\': 92, "'": 39, '"': 34 } as Record<string, number>)[n] ?? n.charCodeAt(0));
  }
  return Buffer.from(out);
}

/** Files of a spool directory in numeric suffix order. */
export function spoolFiles(dir: string, base = 'snort.u2'): string[] {
  return fs.readdirSync(dir)
    .filter((n) => n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1)))
    .sort((a, b) => Number(a.slice(base.length + 1)) - Number(b.slice(base.length + 1)))
    .map((n) => path.join(dir, n));
}

/** Minimal SignatureResolver over the corpus maps (the real one is built elsewhere). */
export function corpusResolver(): SignatureResolver {
  const rules = corpusPath('snort', 'rules');
  const msgs = new Map<string, SignatureInfo>();
  for (const line of fs.readFileSync(path.join(rules, 'gen-msg.map'), 'utf8').split('\n')) {
    const m = /^\s*(\d+)\s*\|\|\s*(\d+)\s*\|\|\s*(.*)$/.exec(line);
    if (m) msgs.set(`${m[1]}:${m[2]}`, { gid: Number(m[1]), sid: Number(m[2]), message: m[3]!.trim(), references: [] });
  }
  for (const line of fs.readFileSync(path.join(rules, 'sid-msg.map'), 'utf8').split('\n')) {
    const parts = line.split('||').map((s) => s.trim());
    if (line.startsWith('#') || parts.length < 2 || !/^\d+$/.test(parts[0]!)) continue;
    const refs = parts.slice(2).filter((r) => r.includes(',')).map((r) => {
      const i = r.indexOf(',');
      return { system: r.slice(0, i), id: r.slice(i + 1) };
    });
    const info = msgs.get(`1:${parts[0]}`) ?? { gid: 1, sid: Number(parts[0]), message: parts[1]!, references: [] };
    msgs.set(`1:${parts[0]}`, { ...info, references: refs });
  }
  const classes: Classification[] = [];
  for (const line of fs.readFileSync(path.join(rules, 'classification.config'), 'utf8').split('\n')) {
    const m = /^\s*config\s+classification:\s*([^,]+),([^,]+),\s*(\d+)/.exec(line);
    if (m) classes.push({ shortname: m[1]!.trim(), description: m[2]!.trim(), priority: Number(m[3]) });
  }
  return {
    lookup: (gid, sid) => msgs.get(`${gid}:${sid}`) ?? (gid === 3 ? msgs.get(`1:${sid}`) : undefined),
    classificationById: (id) => classes[id - 1],
    classificationByName: (n) => classes.find((c) => c.shortname === n),
    referenceUrl: () => null,
  };
}

/** One record: 8-byte header + body. */
export function record(type: number, body: Uint8Array, length = body.length): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(type >>> 0, 0);
  h.writeUInt32BE(length >>> 0, 4);
  return Buffer.concat([h, body]);
}

export interface EventSpec {
  type?: 7 | 72 | 104 | 105;
  sensorId?: number; eventId?: number; eventSecond?: number; eventMicrosecond?: number;
  gid?: number; sid?: number; rev?: number; classificationId?: number; priority?: number;
  src?: number[]; dst?: number[]; sport?: number; dport?: number; protocol?: number;
}

/** A legacy (7/72) or v2 (104/105, Snort 2 length) event record. */
export function eventRecord(s: EventSpec = {}): Buffer {
  const type = s.type ?? 104;
  const v6 = type === 72 || type === 105;
  const a = v6 ? 16 : 4;
  const body = Buffer.alloc(36 + 2 * a + 8 + (type >= 104 ? 8 : 0));
  const vals = [s.sensorId ?? 0, s.eventId ?? 1, s.eventSecond ?? 1700000000, s.eventMicrosecond ?? 0,
    s.sid ?? 1000001, s.gid ?? 1, s.rev ?? 1, s.classificationId ?? 0, s.priority ?? 0];
  vals.forEach((v, i) => body.writeUInt32BE(v >>> 0, i * 4));
  Buffer.from(s.src ?? (v6 ? [0x20, 1, 0xd, 0xb8, ...Array(11).fill(0), 1] : [10, 0, 0, 1])).copy(body, 36);
  Buffer.from(s.dst ?? (v6 ? [0x20, 1, 0xd, 0xb8, ...Array(11).fill(0), 2] : [192, 0, 2, 1])).copy(body, 36 + a);
  body.writeUInt16BE(s.sport ?? 1234, 36 + 2 * a);
  body.writeUInt16BE(s.dport ?? 80, 38 + 2 * a);
  body[40 + 2 * a] = s.protocol ?? 6;
  return record(type, body);
}

export interface Event3Spec extends Omit<EventSpec, 'type'> { ipVersion?: number; src16?: number[]; dst16?: number[] }

/** A Snort 3 event v3 (type 114, 1032 bytes): gid at 16, sid at 20, 16-byte addresses. */
export function event3Record(s: Event3Spec = {}): Buffer {
  const body = Buffer.alloc(1032);
  const vals = [s.sensorId ?? 0, s.eventId ?? 1, s.eventSecond ?? 1700000000, s.eventMicrosecond ?? 0,
    s.gid ?? 1, s.sid ?? 1000001, s.rev ?? 1, s.classificationId ?? 0, s.priority ?? 0];
  vals.forEach((v, i) => body.writeUInt32BE(v >>> 0, i * 4));
  Buffer.from(s.src16 ?? [...Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1]).copy(body, 48);
  Buffer.from(s.dst16 ?? [...Array(10).fill(0), 0xff, 0xff, 192, 0, 2, 1]).copy(body, 64);
  body.writeUInt16BE(s.sport ?? 1234, 84);
  body.writeUInt16BE(s.dport ?? 80, 86);
  body[92] = s.ipVersion ?? 0x44;
  body[93] = s.protocol ?? 6;
  body.write('HTTP', 96, 'latin1');
  return record(114, body);
}

export interface PacketSpec {
  sensorId?: number; eventId?: number; eventSecond?: number; packetSecond?: number; packetMicrosecond?: number;
  linktype?: number; data?: Uint8Array; packetLength?: number;
}

export function packetRecord(s: PacketSpec = {}): Buffer {
  const data = s.data ?? Buffer.from('packet-bytes');
  const body = Buffer.alloc(28 + data.length);
  const vals = [s.sensorId ?? 0, s.eventId ?? 1, s.eventSecond ?? 1700000000, s.packetSecond ?? 1700000000,
    s.packetMicrosecond ?? 0, s.linktype ?? 1, s.packetLength ?? data.length];
  vals.forEach((v, i) => body.writeUInt32BE(v >>> 0, i * 4));
  Buffer.from(data).copy(body, 28);
  return record(2, body);
}

export interface ExtraSpec {
  sensorId?: number; eventId?: number; eventSecond?: number; subtype: number; data: Uint8Array; blobLength?: number;
}

export function extraRecord(s: ExtraSpec): Buffer {
  const body = Buffer.alloc(32 + s.data.length);
  const vals = [4, 32 + s.data.length, s.sensorId ?? 0, s.eventId ?? 1, s.eventSecond ?? 1700000000, s.subtype, 1,
    s.blobLength ?? 8 + s.data.length];
  vals.forEach((v, i) => body.writeUInt32BE(v >>> 0, i * 4));
  Buffer.from(s.data).copy(body, 32);
  return record(110, body);
}

/** Byte offsets of the records of a well-formed buffer (by walking the headers). */
export function recordOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  for (let p = 0; p + 8 <= buf.length; p += 8 + buf.readUInt32BE(p + 4)) {
    if (p + 8 + buf.readUInt32BE(p + 4) > buf.length) break;
    out.push(p);
  }
  return out;
}
