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

/** Deterministic PRNG (mulberry32) so chunk sizes are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
