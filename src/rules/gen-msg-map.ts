/**
 * gen-msg.map parser: `gid || sid || msg`, exactly three fields. Covers preprocessor and
 * decoder events (gid 116, 119, 122, ...) and may also list gid 1 rules.
 */
import type { Warning } from '../errors.js';
import type { SignatureInfo } from './types.js';
import { badLine, isSkippable, numberedLines, parseUint, splitMapFields } from './sid-msg-map.js';

export interface GenMsgMap {
  entries: SignatureInfo[];
  warnings: Warning[];
}

export function parseGenMsgMap(text: string, file = 'gen-msg.map'): GenMsgMap {
  const entries: SignatureInfo[] = [];
  const warnings: Warning[] = [];
  for (const { line, text: raw } of numberedLines(text)) {
    if (isSkippable(raw)) continue;
    const fields = splitMapFields(raw);
    const gid = parseUint(fields[0]);
    const sid = parseUint(fields[1]);
    const msg = fields[2] ?? '';
    // A fourth field would be a message containing `||` or a v2 line pasted into the wrong map;
    // both are ambiguous, so the line is reported rather than guessed at.
    if (fields.length !== 3 || gid === null || sid === null || msg === '') {
      warnings.push(badLine(file, line, 'expected "gid || sid || msg"'));
      continue;
    }
    entries.push({ gid, sid, message: msg, references: [] });
  }
  return { entries, warnings };
}
