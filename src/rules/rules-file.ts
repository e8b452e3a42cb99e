/**
 * Snort 2.x `.rules` file parser: pulls the signature metadata (gid, sid, rev, msg, classtype,
 * priority, references) and the rule text out of every rule, enabled or commented out.
 *
 * It is not a rule compiler: detection options (content, pcre, flow, ...) are kept only as
 * text. It accepts the header forms seen in the wild: the classic
 * `action proto src sport dir dst dport (...)`, the preprocessor/decoder form `action (...)`
 * and the Snort 3 service form `action http (...)`.
 */
import type { Reference } from '../model/alert.js';
import type { Warning } from '../errors.js';
import type { SignatureInfo } from './types.js';
import { badLine, numberedLines, parseReference, parseUint } from './sid-msg-map.js';

export interface ParsedRule extends SignatureInfo {
  /** Rule text with continuations joined (without the leading `#` of a disabled rule). */
  ruleText: string;
  /** False for rules commented out with `#`, which Snort did not load. */
  enabled: boolean;
  /** alert, log, pass, drop, reject, sdrop, or a ruletype name. */
  action: string;
  /** 1-based line where the rule starts. */
  line: number;
}

export interface RulesFile {
  rules: ParsedRule[];
  warnings: Warning[];
}

/** Actions Snort 2.9 knows; a commented line must start with one to count as a disabled rule. */
const ACTIONS = /^(alert|log|pass|drop|reject|sdrop|activate|dynamic)\s/i;

/**
 * Lines of snort.conf syntax that may legitimately appear in a rules file; they are not rules
 * and not errors.
 */
const DIRECTIVES = /^(var|ipvar|portvar|include|config|ruletype|preprocessor|output|event_filter|threshold|suppress|rate_filter|dynamicpreprocessor|dynamicengine|dynamicdetection)\b/i;

type RuleFields = Omit<ParsedRule, 'line' | 'enabled'>;

/** Splits the option list on `;` that is neither escaped (`\;`) nor inside double quotes. */
function splitOptions(body: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\' && i + 1 < body.length) {
      cur += c + (body[i + 1] as string);
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (quoted) return null;
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** `"text with \; and \""` to its printed form. */
export function unquoteOptionValue(value: string): string {
  const v = value.trim();
  const inner = v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
  return inner.replace(/\\(.)/g, '$1');
}

/**
 * Parses one rule (already joined, without a leading `#`). Returns the fields, or a reason
 * why the text is not a rule. `notes` collects problems that do not reject the rule.
 */
export function parseRule(text: string, notes: string[] = []): RuleFields | string {
  const t = text.trim();
  const head = /^([A-Za-z_][\w-]*)\s*([^(]*)\(/.exec(t);
  if (!head) return 'not a rule: expected "action [header] (options)"';
  const action = (head[1] as string).toLowerCase();
  const header = (head[2] as string).trim().split(/\s+/).filter((s) => s !== '');
  if (header.length === 6) {
    if (!['->', '<>'].includes(header[3] as string)) return `bad direction "${header[3]}" in rule header`;
  } else if (header.length > 1) {
    return 'rule header must be "proto src sport -> dst dport"';
  }
  const open = head[0].length - 1;
  const close = t.lastIndexOf(')');
  if (close < open || t.slice(close + 1).trim() !== '') return 'option list is not closed by ")"';
  const options = splitOptions(t.slice(open + 1, close));
  if (!options) return 'unterminated quoted string in options';

  let gid = 1;
  let sid: number | null = null;
  let rev: number | undefined;
  let message = '';
  let classtype: string | undefined;
  let priority: number | undefined;
  const references: Reference[] = [];
  for (const opt of options) {
    const colon = opt.indexOf(':');
    const name = (colon < 0 ? opt : opt.slice(0, colon)).trim().toLowerCase();
    const value = colon < 0 ? '' : opt.slice(colon + 1).trim();
    switch (name) {
      case 'msg': message = unquoteOptionValue(value); break;
      case 'sid': sid = parseUint(value); if (sid === null) return `sid "${value}" is not an integer`; break;
      case 'gid': { const g = parseUint(value); if (g === null) return `gid "${value}" is not an integer`; gid = g; break; }
      case 'rev': { const r = parseUint(value); if (r === null) return `rev "${value}" is not an integer`; rev = r; break; }
      case 'classtype': if (value !== '') classtype = value; break;
      case 'priority': {
        const p = parseUint(value);
        if (p === null) notes.push(`priority "${value}" is not an integer; ignored`);
        else priority = p;
        break;
      }
      case 'reference': {
        const ref = parseReference(value);
        if (ref) references.push(ref);
        else notes.push(`reference "${value}" is not system,id; ignored`);
        break;
      }
      default: break; // detection options are kept only in ruleText
    }
  }
  if (sid === null) return 'rule has no sid';
  const rule: RuleFields = { gid, sid, message, references, ruleText: t, action };
  if (rev !== undefined) rule.rev = rev;
  if (classtype !== undefined) rule.classtype = classtype;
  if (priority !== undefined) rule.priority = priority;
  return rule;
}

/** Strips the comment marker(s) of a disabled rule: `# alert ...`, `##alert ...`. */
function uncomment(line: string): string {
  return line.trim().replace(/^#+\s*/, '');
}

export function parseRulesFile(text: string, file = 'snort.rules'): RulesFile {
  const rules: ParsedRule[] = [];
  const warnings: Warning[] = [];
  const lines = numberedLines(text);

  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] as { line: number; text: string };
    const trimmed = first.text.trim();
    if (trimmed === '') continue;
    const commented = trimmed.startsWith('#');
    let body = commented ? uncomment(trimmed) : trimmed;
    // A comment is a disabled rule only if it reads like one; prose comments are skipped.
    if (commented && !ACTIONS.test(body)) continue;
    if (!commented && DIRECTIVES.test(body)) continue;

    // Trailing backslash joins the next physical line; in a disabled rule the continuation
    // lines may or may not repeat the `#`.
    while (body.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = (lines[i] as { text: string }).text;
      const cont = commented ? uncomment(next) : next.trim();
      body = body.slice(0, -1).trimEnd() + ' ' + cont;
    }
    if (body.endsWith('\\')) body = body.slice(0, -1).trimEnd();

    const notes: string[] = [];
    const parsed = parseRule(body, notes);
    if (typeof parsed === 'string') {
      // A commented-out line that does not parse is just a comment that happens to start with
      // "alert"; only live lines are worth a warning.
      if (!commented) warnings.push(badLine(file, first.line, parsed));
      continue;
    }
    if (!commented) for (const n of notes) warnings.push(badLine(file, first.line, n));
    rules.push({ ...parsed, enabled: !commented, line: first.line });
  }
  return { rules, warnings };
}
