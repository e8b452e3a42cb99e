/**
 * The message itself: headers, a text part and an HTML part, for the summary and for the short
 * "could not be built" mail. Addresses come from the config or the command line only; the
 * subject only from subjectLine()/failureSubject() (numbers, the day, the configured zone and
 * sanitised sensor names). `toEml` renders the exact RFC 5322 bytes nodemailer would send,
 * for --dry-run.
 */
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { formatLocal } from '../inputs/sflow/zone.js';
import { failureSubject, subjectLine, type DailySummary } from './daily-summary.js';
import { failureHtml, htmlPart } from './html-part.js';
import { textPart } from './text-part.js';
import { headerText, oneLine } from './sanitize.js';

export interface Envelope {
  from: string;
  to: string[];
}

export interface MailMessage {
  kind: 'summary' | 'build-failure';
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  date: Date;
  /** Extra headers; values are fixed strings or the validated day only. */
  headers: Record<string, string>;
}

const DAY_RE = /^\d{4}-\d\d-\d\d$/;

function headers(day: string, kind: MailMessage['kind']): Record<string, string> {
  return {
    // RFC 3834: an automatic mail; vacation responders and list servers leave it alone.
    'Auto-Submitted': 'auto-generated',
    'X-Snarf-Day': DAY_RE.test(day) ? day : 'invalid',
    'X-Snarf-Mail': kind,
  };
}

export function summaryMessage(s: DailySummary, env: Envelope): MailMessage {
  const subject = subjectLine(s);
  return {
    kind: 'summary', from: env.from, to: [...env.to], subject, text: textPart(s), html: htmlPart(s, subject),
    date: new Date(Math.floor(s.generatedUs / 1000)), headers: headers(s.day, 'summary'),
  };
}

/** The mail that says why there is no summary today, instead of silence. */
export function buildFailureMessage(day: string, timeZone: string, reason: string, attempts: number, nowMs: number, env: Envelope): MailMessage {
  const subject = failureSubject(day, timeZone, reason);
  const lines = [
    `The nightly summary for ${day} (${oneLine(timeZone)}) could not be built after ${attempts} attempt${attempts === 1 ? '' : 's'}.`,
    `Reason: ${oneLine(reason)}`,
    `Time: ${formatLocal(nowMs * 1000, timeZone)} ${oneLine(timeZone)}`,
    'Run `snarf mail --date ' + day + ' --dry-run` on the collector host to see the error in full, and `snarf status` for the collector.',
  ];
  return {
    kind: 'build-failure', from: env.from, to: [...env.to], subject, text: `${lines.join('\n')}\n`, html: failureHtml(subject, lines),
    date: new Date(nowMs), headers: headers(day, 'build-failure'),
  };
}

/** nodemailer's message fields (the subject passes headerText() once more: belt and braces). */
export function mailOptions(m: MailMessage): SendMailOptions {
  return {
    from: m.from, to: m.to, subject: headerText(m.subject, 250), text: m.text, html: m.html, date: m.date, headers: m.headers,
    // Never let the HTML become a remote fetch: no attachments, no linked resources.
    attachDataUrls: false,
  };
}

/** The message as an .eml file (CRLF line ends, as sent). */
export async function toEml(m: MailMessage): Promise<Buffer> {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await t.sendMail(mailOptions(m));
  return info.message as Buffer;
}
