/**
 * sid-msg.map parser (Snort 2.x), both layouts:
 *
 *   v1 (gid 1 implied, optional first line `#v1`):  sid || msg [|| ref]...
 *   v2 (first line `#v2`):  gid || sid || rev || classtype || priority || msg [|| ref]...
 *
 * Pure: text in, entries and warnings out. One bad line is a warning with file:line and the
 * parse goes on, because a map that Snort itself tolerated must never stop an import.
 */
import type { Reference } from '../model/alert.js';
import type { Warning } from '../errors.js';
import type { SignatureInfo } from './types.js';

export interface SidMsgMap {
  version: 1 | 2;
  entries: SignatureInfo[];
  warnings: Warning[];
}

/** Splits a map line on `||`, trimming the spaces around each field. */
export function splitMapFields(line: string): string[] {
  return line.split('||').map((f) => f.trim());
}

/** Lines of a text file with 1-based numbers; tolerates CRLF and a UTF-8 BOM. */
export function numberedLines(text: string): Array<{ line: number; text: string }> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(/\r?\n/).map((t, i) => ({ line: i + 1, text: t }));
}

/** True for blank lines and `#` comments, which every map format ignores. */
export function isSkippable(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

/** Parses a non-negative decimal integer field; anything else (signs, hex, fractions) is null. */
export function parseUint(field: string | undefined): number | null {
  if (field === undefined || !/^\d{1,10}$/.test(field)) return null;
  const n = Number(field);
  return n <= 0xffffffff ? n : null;
}

/** `system,id` (as in maps and `reference:` options) to a Reference; null when malformed. */
export function parseReference(text: string): Reference | null {
  const comma = text.indexOf(',');
  if (comma <= 0) return null;
  const system = text.slice(0, comma).trim();
  const id = text.slice(comma + 1).trim();
  if (system === '' || id === '' || /\s/.test(system)) return null;
  return { system, id };
}

/** Shared by the map parsers so every warning reads the same. */
export function badLine(file: string, line: number, why: string): Warning {
  return { code: 'SNARF_RULES_BAD_LINE', message: why, file, line };
}

function parseRefs(fields: string[], file: string, line: number, warnings: Warning[]): Reference[] {
  const refs: Reference[] = [];
  for (const f of fields) {
    if (f === '') continue; // a trailing `||` is common in hand-edited maps
    const ref = parseReference(f);
    if (ref) refs.push(ref);
    else warnings.push(badLine(file, line, `reference "${f}" is not system,id; ignored`));
  }
  return refs;
}

/** Version marker: only the first non-blank line counts, as in Snort's own loader. */
function detectVersion(lines: Array<{ text: string }>): 1 | 2 {
  for (const l of lines) {
    const t = l.text.trim();
    if (t === '') continue;
    return /^#\s*v2\s*$/i.test(t) ? 2 : 1;
  }
  return 1;
}

export function parseSidMsgMap(text: string, file = 'sid-msg.map'): SidMsgMap {
  const lines = numberedLines(text);
  const version = detectVersion(lines);
  const entries: SignatureInfo[] = [];
  const warnings: Warning[] = [];

  for (const { line, text: raw } of lines) {
    if (isSkippable(raw)) continue;
    const fields = splitMapFields(raw);
    if (version === 1) {
      const sid = parseUint(fields[0]);
      const msg = fields[1] ?? '';
      if (sid === null || fields.length < 2 || msg === '') {
        warnings.push(badLine(file, line, 'expected "sid || msg [|| ref]..." (v1)'));
        continue;
      }
      entries.push({ gid: 1, sid, message: msg, references: parseRefs(fields.slice(2), file, line, warnings) });
      continue;
    }
    // v2
    if (fields.length < 6) {
      warnings.push(badLine(file, line, 'expected "gid || sid || rev || classtype || priority || msg [|| ref]..." (v2)'));
      continue;
    }
    const [g, s, r, cls, pri, msg] = fields as [string, string, string, string, string, string];
    const gid = parseUint(g);
    const sid = parseUint(s);
    const rev = parseUint(r);
    if (gid === null || sid === null || rev === null || msg === '') {
      warnings.push(badLine(file, line, 'gid, sid and rev must be integers and msg non-empty (v2)'));
      continue;
    }
    const info: SignatureInfo = {
      gid, sid, rev, message: msg,
      references: parseRefs(fields.slice(6), file, line, warnings),
    };
    // Generators write NOCLASS / priority 0 for rules without them; those carry no information.
    if (cls !== '' && cls.toUpperCase() !== 'NOCLASS') info.classtype = cls;
    const p = parseUint(pri);
    if (p !== null && p > 0) info.priority = p;
    else if (pri !== '' && p === null) warnings.push(badLine(file, line, `priority "${pri}" is not an integer; ignored`));
    entries.push(info);
  }
  return { version, entries, warnings };
}
