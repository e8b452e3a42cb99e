/**
 * The `mail:` section of the collector config (and the same settings from `snarf mail`'s
 * options). Checked key by key like the rest of the config, so a typo is an error naming
 * `mail.<key>` instead of a mail that silently never leaves. Recipients and sender come only
 * from here or the command line, never from the data.
 */
import { validate as validCron } from 'node-cron';
import { SnarfError } from '../errors.js';
import { TimePlacer } from '../inputs/snort-text/time.js';
import { addressProblem } from './sanitize.js';

export interface RetryPolicy {
  /** Tries in all (the first one included). */
  attempts: number;
  /** Wait before the second try; doubled after each failure... */
  baseMs: number;
  /** ...up to this. */
  maxMs: number;
}

export interface MailConfig {
  /** Cron expression (node-cron: 5 fields, or 6 with seconds first). */
  schedule: string;
  /** IANA zone of the schedule and of the reported day's midnight-to-midnight. */
  timeZone: string;
  to: string[];
  /** `smtp://user:pass@host:port` or `smtps://...` (nodemailer transport URL). */
  smtpUrl: string;
  from: string;
  /** Root URL of the published `snarf report` site, for links (null: no links). */
  baseUrl: string | null;
  /** Signatures listed in the top table. */
  top: number;
  retry: RetryPolicy;
}

export const MAIL_DEFAULTS = {
  schedule: '0 7 * * *',
  timeZone: 'UTC',
  top: 10,
  retry: { attempts: 5, baseMs: 30_000, maxMs: 15 * 60_000 } as RetryPolicy,
};

const MAIL_KEYS = ['schedule', 'time_zone', 'to', 'smtp_url', 'from', 'base_url', 'top', 'attempts', 'retry_base_seconds', 'retry_max_seconds'] as const;

type Obj = Record<string, unknown>;

function fail(file: string, key: string, message: string): never {
  throw new SnarfError('SNARF_CONFIG_INVALID', `${key}: ${message}`, { file });
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}...` : s;
};

export function checkZone(tz: string): boolean {
  try {
    TimePlacer.validateZone(tz);
    return true;
  } catch {
    return false;
  }
}

export function checkSmtpUrl(u: string): string | null {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return 'is not a URL (smtp://host:port or smtps://user:pass@host)';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return `has scheme ${url.protocol} (smtp: or smtps: expected)`;
  if (!url.hostname) return 'names no host';
  return null;
}

export function checkBaseUrl(u: string): string | null {
  try {
    const url = new URL(u);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `has scheme ${url.protocol} (http: or https: expected)`;
    return null;
  } catch {
    return 'is not a URL';
  }
}

/** The SMTP URL without its password, for logs and messages. */
export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(invalid URL)';
  }
}

/** Validates `mail:` (`doc`) of config `file`. */
export function validateMailConfig(doc: unknown, file: string): MailConfig {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail(file, 'mail', `expected a mapping, got ${show(doc)}`);
  const o = doc as Obj;
  for (const k of Object.keys(o)) {
    if (!(MAIL_KEYS as readonly string[]).includes(k)) fail(file, `mail.${k}`, `unknown key (allowed here: ${MAIL_KEYS.join(', ')})`);
  }
  const str = (k: string): string => {
    const v = o[k];
    if (typeof v !== 'string' || v.trim() === '') fail(file, `mail.${k}`, `expected a non-empty string, got ${show(v)}`);
    return v as string;
  };
  const int = (k: string, min: number, max: number, dflt: number): number => {
    const v = o[k];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(file, `mail.${k}`, `expected a whole number from ${min} to ${max}, got ${show(v)}`);
    return v as number;
  };
  const schedule = o.schedule === undefined ? MAIL_DEFAULTS.schedule : str('schedule');
  if (!validCron(schedule)) fail(file, 'mail.schedule', `${show(schedule)} is not a cron expression (e.g. "0 7 * * *" for 07:00 every day)`);
  const timeZone = o.time_zone === undefined ? MAIL_DEFAULTS.timeZone : str('time_zone');
  if (!checkZone(timeZone)) fail(file, 'mail.time_zone', `${show(timeZone)} is not an IANA time zone (e.g. UTC, Asia/Tokyo)`);

  if (o.to === undefined) fail(file, 'mail.to', 'required key is missing (a recipient address or a list of them)');
  const toRaw = typeof o.to === 'string' ? [o.to] : o.to;
  if (!Array.isArray(toRaw) || toRaw.length === 0) fail(file, 'mail.to', `expected an address or a non-empty list, got ${show(o.to)}`);
  const to = (toRaw as unknown[]).map((a, i) => {
    if (typeof a !== 'string') fail(file, `mail.to[${i}]`, `expected an address, got ${show(a)}`);
    const why = addressProblem(a as string);
    if (why) fail(file, `mail.to[${i}]`, `${show(a)} ${why}`);
    return (a as string).trim();
  });

  if (o.smtp_url === undefined) fail(file, 'mail.smtp_url', 'required key is missing (e.g. smtp://mail.example.ac.jp:25)');
  const smtpUrl = str('smtp_url');
  const smtpWhy = checkSmtpUrl(smtpUrl);
  if (smtpWhy) fail(file, 'mail.smtp_url', `${show(redactUrl(smtpUrl))} ${smtpWhy}`);

  if (o.from === undefined) fail(file, 'mail.from', 'required key is missing (the sender address)');
  const from = str('from').trim();
  const fromWhy = addressProblem(from);
  if (fromWhy) fail(file, 'mail.from', `${show(from)} ${fromWhy}`);

  let baseUrl: string | null = null;
  if (o.base_url !== undefined) {
    baseUrl = str('base_url').trim();
    const why = checkBaseUrl(baseUrl);
    if (why) fail(file, 'mail.base_url', `${show(baseUrl)} ${why}`);
  }
  const d = MAIL_DEFAULTS.retry;
  const baseMs = int('retry_base_seconds', 0, 3600, d.baseMs / 1000) * 1000;
  const maxMs = int('retry_max_seconds', 0, 24 * 3600, d.maxMs / 1000) * 1000;
  if (maxMs < baseMs) fail(file, 'mail.retry_max_seconds', `must be at least retry_base_seconds (${baseMs / 1000})`);
  return {
    schedule, timeZone, to, smtpUrl, from, baseUrl,
    top: int('top', 1, 1000, MAIL_DEFAULTS.top),
    retry: { attempts: int('attempts', 1, 100, d.attempts), baseMs, maxMs },
  };
}
