/**
 * SignatureCatalog: every rule map Snarf was given, merged into one SignatureResolver.
 *
 * Precedence for gid:sid (highest first), matching what Snort itself printed:
 *   1. a .rules file (the text the sensor compiled; enabled rules beat commented-out ones),
 *   2. sid-msg.map v2 entry for the exact gid:sid:rev,
 *   3. sid-msg.map v1 (gid 1 only),
 *   4. sid-msg.map v2 entry for another rev (newest),
 *   5. gen-msg.map.
 * Fields the winner lacks (classtype, references, ...) are filled from the lower sources.
 * gid 3 (shared-object rules) falls back to gid 1 when it is not listed itself.
 *
 * Parsing is pure (loadText); file and directory loading are thin, synchronous edges because
 * the maps are small and read once at start-up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reference } from '../model/alert.js';
import { SnarfError, type Warning } from '../errors.js';
import type { Classification, SignatureInfo, SignatureResolver } from './types.js';
import { parseSidMsgMap } from './sid-msg-map.js';
import { parseGenMsgMap } from './gen-msg-map.js';
import { parseClassificationConfig } from './classification-config.js';
import { parseReferenceConfig, referenceIndex, resolveReferenceUrl } from './reference-config.js';
import { parseRulesFile, type ParsedRule } from './rules-file.js';

export type MapKind = 'sid-msg' | 'gen-msg' | 'classification' | 'reference' | 'rules';

/** Recognises a rule-map file by its name; null for anything else (README, unicode.map, ...). */
export function mapKindOf(fileName: string): MapKind | null {
  const base = path.basename(fileName).toLowerCase();
  if (base.endsWith('.rules')) return 'rules';
  if (/^sid-msg.*\.map$/.test(base)) return 'sid-msg';
  if (/^gen-msg.*\.map$/.test(base)) return 'gen-msg';
  if (/^classification.*\.config$/.test(base)) return 'classification';
  if (/^reference.*\.config$/.test(base)) return 'reference';
  return null;
}

/**
 * Where the shipped rules/ directory is: explicit argument, then $SNARF_RULES_DIR, then the
 * first ancestor of this module holding package.json and rules/gen-msg.map (the module runs
 * from src/rules/ under ts tooling and from dist/src/rules/ when built), then ./rules.
 */
export function defaultRulesDir(explicit?: string): string {
  if (explicit) return path.resolve(explicit);
  const env = process.env.SNARF_RULES_DIR;
  if (env) return path.resolve(env);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'rules', 'gen-msg.map'))) {
      return path.join(dir, 'rules');
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.resolve(process.cwd(), 'rules');
}

const key = (gid: number, sid: number): string => `${gid}:${sid}`;

export class SignatureCatalog implements SignatureResolver {
  /** Every recoverable problem met while loading, with file:line. */
  readonly warnings: Warning[] = [];
  /** Files loaded, in order (for diagnostics). */
  readonly files: string[] = [];

  private readonly rules = new Map<string, ParsedRule>();
  private readonly v2 = new Map<string, Map<number, SignatureInfo>>();
  private readonly v1 = new Map<string, SignatureInfo>();
  private readonly gen = new Map<string, SignatureInfo>();
  /** Positional table of the most recent classification file: ids index into it. */
  private classes: Classification[] = [];
  /** Every classification by lower-case name, across all files (later files win). */
  private readonly classesByName = new Map<string, Classification>();
  private readonly refs = new Map<string, string>();

  /** Catalog of the shipped defaults (see defaultRulesDir for where they are looked up). */
  static defaults(dir?: string): SignatureCatalog {
    return new SignatureCatalog().loadDefaults(dir);
  }

  static fromPaths(paths: readonly string[]): SignatureCatalog {
    const c = new SignatureCatalog();
    for (const p of paths) {
      if (fs.statSync(p, { throwIfNoEntry: false })?.isDirectory()) c.loadDirectory(p);
      else c.loadFile(p);
    }
    return c;
  }

  loadDefaults(dir?: string): this {
    return this.loadDirectory(defaultRulesDir(dir));
  }

  /** Loads every recognised map in a directory (not recursive), in name order for determinism. */
  loadDirectory(dir: string): this {
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch (e) {
      throw new SnarfError('SNARF_IO', `cannot read rules directory: ${(e as Error).message}`, { file: dir });
    }
    for (const name of names) {
      const kind = mapKindOf(name);
      if (kind) this.loadFile(path.join(dir, name), kind);
    }
    return this;
  }

  /** Loads one file; its kind comes from its name unless given. */
  loadFile(file: string, kind: MapKind | null = mapKindOf(file)): this {
    if (!kind) {
      throw new SnarfError('SNARF_CONFIG_INVALID',
        'not a recognised rule map (sid-msg*.map, gen-msg*.map, classification*.config, reference*.config, *.rules)', { file });
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new SnarfError('SNARF_IO', `cannot read: ${(e as Error).message}`, { file });
    }
    return this.loadText(kind, text, file);
  }

  /** Pure entry point: parses text of the given kind and merges it. */
  loadText(kind: MapKind, text: string, file: string): this {
    this.files.push(file);
    switch (kind) {
      case 'sid-msg': {
        const m = parseSidMsgMap(text, file);
        this.warnings.push(...m.warnings);
        for (const e of m.entries) {
          if (m.version === 1) { this.v1.set(key(e.gid, e.sid), e); continue; }
          let revs = this.v2.get(key(e.gid, e.sid));
          if (!revs) this.v2.set(key(e.gid, e.sid), (revs = new Map()));
          revs.set(e.rev ?? 0, e);
        }
        break;
      }
      case 'gen-msg': {
        const m = parseGenMsgMap(text, file);
        this.warnings.push(...m.warnings);
        for (const e of m.entries) this.gen.set(key(e.gid, e.sid), e);
        break;
      }
      case 'classification': {
        const t = parseClassificationConfig(text, file);
        this.warnings.push(...t.warnings);
        // Snort loads one classification table; ids are positions in that one file, so a new
        // file replaces the numbering instead of appending to it. Names stay resolvable.
        this.classes = t.classifications;
        for (const c of t.classifications) this.classesByName.set(c.shortname.toLowerCase(), c);
        break;
      }
      case 'reference': {
        const t = parseReferenceConfig(text, file);
        this.warnings.push(...t.warnings);
        referenceIndex(t.systems, this.refs);
        break;
      }
      case 'rules': {
        const r = parseRulesFile(text, file);
        this.warnings.push(...r.warnings);
        for (const rule of r.rules) {
          const k = key(rule.gid, rule.sid);
          const old = this.rules.get(k);
          // Enabled beats disabled (that is what fired), then the newer revision.
          if (!old || rank(rule) >= rank(old)) this.rules.set(k, rule);
        }
        break;
      }
    }
    return this;
  }

  /** Number of distinct gid:sid known from any source. */
  get size(): number {
    const all = new Set<string>([...this.rules.keys(), ...this.v2.keys(), ...this.v1.keys(), ...this.gen.keys()]);
    return all.size;
  }

  /** Candidates for gid:sid in precedence order (no gid 3 fallback here). */
  private candidates(gid: number, sid: number, rev?: number): SignatureInfo[] {
    const k = key(gid, sid);
    const out: SignatureInfo[] = [];
    const rule = this.rules.get(k);
    if (rule) out.push(rule);
    const revs = this.v2.get(k);
    const exact = rev !== undefined ? revs?.get(rev) : undefined;
    if (exact) out.push(exact);
    const v1 = this.v1.get(k);
    if (v1) out.push(v1);
    if (revs) {
      const others = [...revs.values()].filter((e) => e !== exact).sort((a, b) => (b.rev ?? 0) - (a.rev ?? 0));
      out.push(...others);
    }
    const gen = this.gen.get(k);
    if (gen) out.push(gen);
    return out;
  }

  private candidatesWithFallback(gid: number, sid: number, rev?: number): SignatureInfo[] {
    const own = this.candidates(gid, sid, rev);
    return own.length === 0 && gid === 3 ? this.candidates(1, sid, rev) : own;
  }

  lookup(gid: number, sid: number, rev?: number): SignatureInfo | undefined {
    const list = this.candidatesWithFallback(gid, sid, rev).filter((c) => c.message !== '' || 'ruleText' in c);
    const top = list[0];
    if (!top) return undefined;
    const info: SignatureInfo = { gid: top.gid, sid: top.sid, message: top.message, references: [...top.references] };
    if (top.rev !== undefined) info.rev = top.rev;
    // Fill gaps from lower-precedence sources: a rule without msg, a v1 map without classtype...
    for (const c of list) {
      if (info.message === '' && c.message !== '') info.message = c.message;
      if (info.classtype === undefined && c.classtype !== undefined) info.classtype = c.classtype;
      if (info.priority === undefined && c.priority !== undefined) info.priority = c.priority;
      if (info.references.length === 0 && c.references.length > 0) info.references = [...c.references];
      if (info.ruleText === undefined && c.ruleText !== undefined) info.ruleText = c.ruleText;
    }
    // Snort takes the priority from the class unless the rule overrides it.
    if (info.priority === undefined && info.classtype !== undefined) {
      const cls = this.classificationByName(info.classtype);
      if (cls) info.priority = cls.priority;
    }
    if (info.message === '') return info.ruleText !== undefined ? info : undefined;
    return info;
  }

  /** The message Snort would print for an event with no text (unified2): map text or fallback. */
  messageFor(gid: number, sid: number, rev: number): string {
    const m = this.lookup(gid, sid, rev)?.message;
    return m !== undefined && m !== '' ? m : `Snort Alert [${gid}:${sid}:${rev}]`;
  }

  /**
   * The map text a printed message starts with, for messages where a preprocessor appended
   * dynamic text (`(smtp) Attempted specific command buffer overflow: RCPT, 364 chars`).
   * Every source is tried and the longest match wins; the prefix must end at a word boundary
   * so "SCAN nmap" does not claim "SCAN nmapXMAS". Undefined when nothing matches.
   */
  baseMessage(gid: number, sid: number, printed: string): string | undefined {
    let best: string | undefined;
    for (const c of this.candidatesWithFallback(gid, sid)) {
      const m = c.message;
      if (m === '' || !printed.startsWith(m)) continue;
      const next = printed.charAt(m.length);
      if (next !== '' && /[\p{L}\p{N}_]/u.test(next) && /[\p{L}\p{N}_]$/u.test(m)) continue;
      if (best === undefined || m.length > best.length) best = m;
    }
    return best;
  }

  classificationById(id: number): Classification | undefined {
    return Number.isInteger(id) && id >= 1 ? this.classes[id - 1] : undefined;
  }

  classificationByName(shortname: string): Classification | undefined {
    const lower = shortname.toLowerCase();
    return this.classes.find((c) => c.shortname.toLowerCase() === lower) ?? this.classesByName.get(lower);
  }

  /** unified2 classification_id for a classtype in the current table (1-based), or undefined. */
  classificationId(shortname: string): number | undefined {
    const lower = shortname.toLowerCase();
    const i = this.classes.findIndex((c) => c.shortname.toLowerCase() === lower);
    return i < 0 ? undefined : i + 1;
  }

  referenceUrl(ref: Reference): string | null {
    return resolveReferenceUrl(this.refs, ref);
  }

  /** All rules loaded from .rules files (enabled and disabled), e.g. for listing or export. */
  allRules(): ParsedRule[] {
    return [...this.rules.values()];
  }
}

function rank(r: ParsedRule): number {
  return (r.enabled ? 1 : 0) * 2 ** 32 + (r.rev ?? 0);
}
