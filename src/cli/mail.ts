/**
 * `snarf mail [--db PATH] [--config FILE] [--to ADDR]... [--date D] [--dry-run [FILE]]`: builds
 * the nightly summary of one local day and sends it (or writes the .eml). The settings are those
 * of the collector config's `mail:` section when --config is given; options override them.
 * Exit status 0 only when the summary went out (or was written); a "could not be built" mail
 * or a failed send exits 1, so a cron job that runs this notices too. See docs/mail.md.
 * The mail code (nodemailer, templates) and the store are imported when the command runs
 * (see main.ts); mail/sanitize.js is light and checks --to while the options are parsed.
 */
import fs from 'node:fs';
import os from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import type { Store } from '../store/store.js';
import type { MailConfig } from '../mail/mail-config.js';
import { addressProblem } from '../mail/sanitize.js';
import { DEFAULT_DB, parsePositiveInt } from './options.js';

interface MailCliOptions {
  db?: string;
  config?: string;
  to?: string[];
  from?: string;
  smtp?: string;
  date?: string;
  tz?: string;
  baseUrl?: string;
  top?: number;
  attempts?: number;
  dryRun?: string | boolean;
  clusters: boolean;
  quiet?: boolean;
  logFormat?: string;
}

const fail = (msg: string): never => { throw new InvalidArgumentError(msg); };

function parseAddress(v: string, prev: string[] = []): string[] {
  const why = addressProblem(v);
  if (why) fail(`"${v}" ${why}`);
  return [...prev, v.trim()];
}

function parseDay(v: string): string {
  if (!/^\d{4}-\d\d-\d\d$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) fail(`"${v}" is not a day (YYYY-MM-DD)`);
  return v;
}

/** The config's `mail:` (if any) with the options laid over it. */
async function settings(o: MailCliOptions): Promise<{ mail: Omit<MailConfig, 'schedule' | 'smtpUrl'> & { smtpUrl: string | null }; db: string }> {
  const { loadConfig } = await import('../collector/config.js');
  const { MAIL_DEFAULTS, checkBaseUrl, checkSmtpUrl, checkZone, redactUrl } = await import('../mail/mail-config.js');
  const cfg = o.config ? loadConfig(o.config) : null;
  const base = cfg?.mail;
  const tz = o.tz ?? base?.timeZone ?? MAIL_DEFAULTS.timeZone;
  if (!checkZone(tz)) fail(`--tz: "${tz}" is not an IANA time zone`);
  const smtpUrl = o.smtp ?? base?.smtpUrl ?? null;
  const smtpWhy = smtpUrl ? checkSmtpUrl(smtpUrl) : null;
  if (smtpUrl && smtpWhy) fail(`--smtp: ${redactUrl(smtpUrl)} ${smtpWhy}`);
  const baseUrl = o.baseUrl ?? base?.baseUrl ?? null;
  const baseWhy = baseUrl ? checkBaseUrl(baseUrl) : null;
  if (baseUrl && baseWhy) fail(`--base-url: ${baseUrl} ${baseWhy}`);
  const to = o.to ?? base?.to ?? (o.dryRun ? ['root@localhost'] : fail('no recipient: pass --to ADDR or --config with mail.to'));
  const from = o.from ?? base?.from ?? `snarf@${os.hostname()}`;
  const fromWhy = addressProblem(from);
  if (fromWhy) fail(`--from: "${from}" ${fromWhy}`);
  const retry = base?.retry ?? { attempts: 3, baseMs: 5_000, maxMs: 60_000 };
  return {
    db: o.db ?? cfg?.db ?? DEFAULT_DB,
    mail: {
      timeZone: tz, to, from, smtpUrl, baseUrl, top: o.top ?? base?.top ?? MAIL_DEFAULTS.top,
      retry: o.attempts ? { ...retry, attempts: o.attempts } : retry,
    },
  };
}

export function mailCommand(): Command {
  return new Command('mail')
    .description('build the nightly summary of one day and mail it (or write the .eml with --dry-run); see docs/mail.md')
    .option('--db <path>', `SQLite database path or postgres:// URL (default: the config's db, else ${DEFAULT_DB})`)
    .option('--config <file>', 'collector config whose `mail:` section gives recipients, SMTP URL, sender, zone and site URL')
    .option('--to <addr>', 'recipient (repeatable; replaces mail.to)', parseAddress)
    .option('--from <addr>', 'sender (default: mail.from, else snarf@<host name>)')
    .option('--smtp <url>', 'SMTP server, smtp://[user:pass@]host[:port] or smtps://... (default: mail.smtp_url)')
    .option('--date <day>', 'local day YYYY-MM-DD to report (default: yesterday in the zone)', parseDay)
    .option('--tz <zone>', 'IANA zone of the day (default: mail.time_zone, else UTC)')
    .option('--base-url <url>', 'root URL of the published report site, for links (default: mail.base_url)')
    .option('--top <n>', 'signatures in the top table', (v) => {
      const n = parsePositiveInt(v);
      return n >= 1 ? n : fail('--top is at least 1');
    })
    .option('--attempts <n>', 'send tries in all (default: mail.attempts, else 3)', (v) => {
      const n = parsePositiveInt(v);
      return n >= 1 ? n : fail('--attempts is at least 1');
    })
    .option('--dry-run [file]', 'write the message (.eml) to FILE or standard output instead of sending it')
    .option('--no-clusters', 'leave out the IRC-bot clusters (and do not record them as seen)')
    .option('-q, --quiet', 'log only errors')
    .option('--log-format <format>', 'text or json (default: text on a terminal, json otherwise)')
    .action(async (o: MailCliOptions) => {
      const { createLogger } = await import('../log.js');
      const { reportedDay } = await import('../collector/schedule.js');
      const { openStore } = await import('../store/open.js');
      const { smtpSender } = await import('../mail/send.js');
      const { storeClusterSource } = await import('../mail/clusters.js');
      const { MailError, runNightly } = await import('../mail/nightly.js');
      const logger = createLogger({ json: o.logFormat ? o.logFormat === 'json' : undefined, quiet: o.quiet });
      const { mail, db } = await settings(o);
      if (!o.dryRun && !mail.smtpUrl) fail('no SMTP server: pass --smtp URL or --config with mail.smtp_url (or use --dry-run)');
      const day = o.date ?? reportedDay(Date.now(), mail.timeZone);
      // A store that cannot be opened is a failed build: it is reported by mail, not only here.
      let store: Store | undefined;
      let openError: Error | undefined;
      try {
        store = await openStore(db, { mustExist: true });
      } catch (err) {
        openError = err as Error;
      }
      const sender = !o.dryRun && mail.smtpUrl ? smtpSender(mail.smtpUrl) : null;
      try {
        const r = await runNightly({
          store, db, day, mail, logger, sender, trigger: 'command',
          clusters: store && o.clusters ? storeClusterSource(store, db) : undefined,
          build: openError ? async () => { throw openError; } : undefined,
          buildRetry: openError ? { attempts: 1, baseMs: 0, maxMs: 0 } : undefined,
          dryRun: o.dryRun ? async (eml) => {
            if (typeof o.dryRun === 'string' && o.dryRun !== '-') fs.writeFileSync(o.dryRun, eml);
            else process.stdout.write(eml);
          } : undefined,
        });
        if (r.error) {
          const code = r.status === 'failed' ? 'SNARF_MAIL_SEND_FAILED' : 'SNARF_MAIL_BUILD_FAILED';
          throw new MailError(code, r.status === 'failed'
            ? `the mail for ${day} was not sent: ${r.error.message} (${r.error.code}); recorded in the state file`
            : `the summary for ${day} could not be built (${r.error.message}); ${r.status === 'dry-run' ? 'the failure mail was written' : 'the failure mail was sent instead'}`);
        }
      } finally {
        sender?.close();
        await store?.close();
      }
    });
}
