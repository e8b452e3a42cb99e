/**
 * Which Snort signatures are P2P evidence: a gid:sid table first (exact, survives message
 * rewording), then message keywords for rule sets the table does not know (ET, VRT, local rules).
 * The shipped table is rules/p2p-signatures.json; a site's own file overrides it entry by entry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SnarfError } from '../errors.js';
import type { P2pProtocol } from '../model/verdict.js';

export interface P2pSignatureEntry {
  gid: number;
  sid: number;
  protocol: P2pProtocol;
  strength: 'strong' | 'weak';
}

export interface P2pSignatureTable {
  signatures: P2pSignatureEntry[];
  keywords: Array<{ pattern: RegExp; protocol: P2pProtocol }>;
  /** Keyword matches with one of these classtypes are strong evidence; others are weak. */
  classtypes: string[];
}

export interface P2pMatch {
  protocol: P2pProtocol;
  strength: 'strong' | 'weak';
  matchedBy: 'table' | 'keyword';
}

const PROTOCOLS = new Set(['winny', 'share', 'bittorrent', 'gnutella', 'gnutella2', 'edonkey', 'p2p']);

/** rules/p2p-signatures.json, found relative to this module (src/ or dist/src/). */
export function defaultSignaturesPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Beside src/ or dist/src/; then the working directory (a build placed elsewhere, as the
  // shipped rules/ catalogue is found).
  const candidates = [path.resolve(here, '../../rules'), path.resolve(here, '../../../rules'), path.resolve('rules')];
  const dir = candidates.find((d) => fs.existsSync(path.join(d, 'p2p-signatures.json'))) ?? candidates[0]!;
  return path.join(dir, 'p2p-signatures.json');
}

interface RawTable {
  signatures?: Array<{ gid?: unknown; sid?: unknown; protocol?: unknown; strength?: unknown }>;
  keywords?: Array<{ pattern?: unknown; protocol?: unknown }>;
  classtypes?: unknown;
}

function parseTable(text: string, file: string): P2pSignatureTable {
  let raw: RawTable;
  try {
    raw = JSON.parse(text) as RawTable;
  } catch (e) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `not JSON: ${(e as Error).message}`, { file });
  }
  const bad = (why: string): never => {
    throw new SnarfError('SNARF_CONFIG_INVALID', why, { file });
  };
  const signatures = (raw.signatures ?? []).map((s, i) => {
    if (!Number.isInteger(s.gid) || !Number.isInteger(s.sid)) bad(`signatures[${i}]: gid and sid must be integers`);
    if (!PROTOCOLS.has(String(s.protocol))) bad(`signatures[${i}]: protocol "${String(s.protocol)}" is not one of ${[...PROTOCOLS].join(', ')}`);
    if (s.strength !== 'strong' && s.strength !== 'weak') bad(`signatures[${i}]: strength must be "strong" or "weak"`);
    return { gid: s.gid as number, sid: s.sid as number, protocol: s.protocol as P2pProtocol, strength: s.strength as 'strong' | 'weak' };
  });
  const keywords = (raw.keywords ?? []).map((k, i) => {
    if (!PROTOCOLS.has(String(k.protocol))) bad(`keywords[${i}]: protocol "${String(k.protocol)}" is unknown`);
    try {
      return { pattern: new RegExp(String(k.pattern), 'i'), protocol: k.protocol as P2pProtocol };
    } catch (e) {
      return bad(`keywords[${i}]: ${(e as Error).message}`);
    }
  });
  if (raw.classtypes !== undefined && !Array.isArray(raw.classtypes)) bad('classtypes must be a list of names');
  return { signatures, keywords, classtypes: ((raw.classtypes as unknown[]) ?? []).map(String) };
}

/**
 * The shipped table, with each override file applied on top: its signatures replace the same
 * gid:sid, and its keyword / classtype lists (when present) replace the lists.
 */
export function loadP2pSignatures(overrides: readonly string[] = []): P2pSignatureTable {
  const base = defaultSignaturesPath();
  const table = parseTable(fs.readFileSync(base, 'utf8'), base);
  for (const file of overrides) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new SnarfError('SNARF_IO', (e as Error).message, { file });
    }
    const o = parseTable(text, file);
    const raw = JSON.parse(text) as RawTable;
    const bySig = new Map(table.signatures.map((s) => [`${s.gid}:${s.sid}`, s]));
    for (const s of o.signatures) bySig.set(`${s.gid}:${s.sid}`, s);
    table.signatures = [...bySig.values()];
    if (raw.keywords !== undefined) table.keywords = o.keywords;
    if (raw.classtypes !== undefined) table.classtypes = o.classtypes;
  }
  return table;
}

/** A matcher over one table (lookups by gid:sid are a Map get). */
export function p2pMatcher(table: P2pSignatureTable): (gid: number, sid: number, message: string, classification: string | null) => P2pMatch | null {
  const bySig = new Map(table.signatures.map((s) => [`${s.gid}:${s.sid}`, s]));
  const classes = new Set(table.classtypes.map((c) => c.toLowerCase()));
  return (gid, sid, message, classification) => {
    const hit = bySig.get(`${gid}:${sid}`);
    if (hit) return { protocol: hit.protocol, strength: hit.strength, matchedBy: 'table' };
    const kw = table.keywords.find((k) => k.pattern.test(message));
    if (!kw) return null;
    const strong = classification !== null && classes.has(classification.toLowerCase());
    return { protocol: kw.protocol, strength: strong ? 'strong' : 'weak', matchedBy: 'keyword' };
  };
}
