/**
 * reference.config parser: `config reference: system url-prefix`. A reference `system,id` links
 * to prefix + id. System names are matched case-insensitively (Snort's own file spells
 * `arachNIDS` while rules write `arachnids`).
 */
import type { Reference } from '../model/alert.js';
import type { Warning } from '../errors.js';
import { badLine, isSkippable, numberedLines } from './sid-msg-map.js';

export interface ReferenceSystem {
  /** Name as written in the file. */
  name: string;
  /** URL prefix; empty when the line names the system without a URL (no link then). */
  urlPrefix: string;
}

export interface ReferenceTable {
  systems: ReferenceSystem[];
  warnings: Warning[];
}

const REFERENCE_LINE = /^config\s+reference\s*:\s*(\S+)(?:\s+(\S+))?\s*$/i;

export function parseReferenceConfig(text: string, file = 'reference.config'): ReferenceTable {
  const systems: ReferenceSystem[] = [];
  const warnings: Warning[] = [];
  for (const { line, text: raw } of numberedLines(text)) {
    if (isSkippable(raw)) continue;
    const m = REFERENCE_LINE.exec(raw.trim());
    if (!m) {
      warnings.push(badLine(file, line, 'expected "config reference: system url-prefix"'));
      continue;
    }
    systems.push({ name: m[1] ?? '', urlPrefix: m[2] ?? '' });
  }
  return { systems, warnings };
}

/** Lookup table keyed by lower-case system name; later entries win, as a later include would. */
export function referenceIndex(systems: Iterable<ReferenceSystem>, into = new Map<string, string>()): Map<string, string> {
  for (const s of systems) into.set(s.name.toLowerCase(), s.urlPrefix);
  return into;
}

/** prefix + id, or null when the system is unknown or has no URL (show `system,id` as text). */
export function resolveReferenceUrl(index: ReadonlyMap<string, string>, ref: Reference): string | null {
  const prefix = index.get(ref.system.toLowerCase());
  if (prefix === undefined || prefix === '') return null;
  return prefix + ref.id;
}
