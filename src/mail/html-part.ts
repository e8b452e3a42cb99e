/**
 * The text/html part, rendered from views/mail/daily.ejs. ejs escapes `<%= %>` by default and
 * the mail templates use nothing else, so a `<script>` in a signature message arrives as text.
 * Templates are found next to package.json (walking up from this module, so src/, dist/ and any
 * other output directory inside the project work), else in the current directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import { REPORT_COLUMNS } from '../inputs/sflow/daily-report.js';
import { formatLocal } from '../inputs/sflow/zone.js';
import { fmt, pctText, type DailySummary } from './daily-summary.js';
import { links } from './links.js';
import { escapeHtml } from './sanitize.js';

const TEMPLATE = path.join('views', 'mail', 'daily.ejs');

function hasTemplate(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, TEMPLATE));
}

export function mailViewsRoot(): string {
  const env = process.env.SNARF_HOME;
  if (env && hasTemplate(env)) return path.resolve(env);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (hasTemplate(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (hasTemplate(process.cwd())) return process.cwd();
  throw new Error(`cannot find ${TEMPLATE}: run from the Snarf directory or set SNARF_HOME`);
}

let compiled: ejs.TemplateFunction | null = null;

export function htmlPart(s: DailySummary, subject: string): string {
  if (!compiled) {
    const filename = path.join(mailViewsRoot(), TEMPLATE);
    compiled = ejs.compile(fs.readFileSync(filename, 'utf8'), { filename });
  }
  return compiled({
    s, subject, L: links(s.baseUrl), fmt, pctText, columns: REPORT_COLUMNS,
    local: (us: number, sep: '-' | '/' = '-') => formatLocal(us, s.timeZone, sep),
  }) as string;
}

/** The HTML part of the "could not be built" mail: small enough to build without a template. */
export function failureHtml(subject: string, lines: readonly string[]): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n` +
    `<body style="font-family: sans-serif;"><h1 style="font-size: 18px; color: #a00;">${escapeHtml(subject)}</h1>\n` +
    lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n') + '\n</body></html>\n';
}
