/**
 * Making wire data (signature messages, sensor names, PTR names, nicks) inert in a mail.
 * Every string that came from a packet, a log line or a rule file is attacker-influenced:
 * - in a header it must not end the header (CR/LF) or smuggle another one (`Bcc:`), and
 *   should not reorder the text it sits in (bidi controls);
 * - in the text part it must not break a table row or drive a terminal (ESC sequences);
 * - in the HTML part it is escaped (`<%= %>` in views/mail/*.ejs, or escapeHtml here).
 * nodemailer encodes headers too, but a header's safety should not rest on one library's
 * encoder: the subject is built only from text that went through headerText().
 */

/** C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates, BOM. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** One line of plain text: every unsafe character becomes a space, runs of spaces one space. */
export function oneLine(s: string): string {
  return s.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
}

/** Text for a header: one line, and at most `max` characters (an ellipsis marks the cut). */
export function headerText(s: string, max = 200): string {
  const t = oneLine(s);
  return t.length <= max ? t : `${t.slice(0, Math.max(0, max - 1))}…`;
}

/** A table cell: one line, cut to `width` characters. */
export function cell(s: string, width: number): string {
  const t = oneLine(s);
  return t.length <= width ? t : `${t.slice(0, Math.max(0, width - 1))}…`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The same escaping as ejs's `<%= %>`, for the few fragments built in code. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * An address of the mail's envelope and headers, from config or the command line (never
 * from data): `user@host` or `Name <user@host>`, no controls, no list separators.
 * Returns the reason it is refused, or null when it is acceptable.
 */
export function addressProblem(a: string): string | null {
  if (new RegExp(UNSAFE.source).test(a)) return 'contains a control character or line break';
  const m = /^(?:[^<>,;"]*<([^<>\s,;]+)>|([^<>\s,;]+))$/.exec(a.trim());
  const addr = m?.[1] ?? m?.[2];
  if (!addr || !/^[^@\s]+@[^@\s]+$/.test(addr)) return 'is not an address (user@host or Name <user@host>)';
  return null;
}
