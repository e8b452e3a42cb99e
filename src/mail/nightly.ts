/**
 * One nightly run, shared by `snarf mail` and the collector's schedule:
 *   build (retried) → if it still fails, the short "could not be built: <reason>" mail instead
 *   → send (retried with backoff) → record the outcome in `<db>.state.json`.
 * Every failure is logged with a code (SNARF_MAIL_BUILD_FAILED, SNARF_MAIL_SEND_FAILED); a run
 * that sent nothing says so in the log, in the state file and (from the command) in the exit
 * status. A dry run writes the .eml and touches neither the network nor the state file.
 */
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { statePathFor } from '../state/state-file.js';
import type { MailConfig, RetryPolicy } from './mail-config.js';
import { collectDay } from './collect-day.js';
import type { ClusterSource } from './clusters.js';
import { buildFailureMessage, summaryMessage, toEml, type MailMessage } from './message.js';
import { errorCode, isPermanent, withRetry, type Sender, type SendResult } from './send.js';
import { recordMailRun, type MailRunRecord } from './mail-state.js';
import { oneLine } from './sanitize.js';
import type { Code } from '../errors.js';
import { policyPathFor } from '../policy/policy-file.js';

/** Stable codes of the mail's log lines and state records. */
/** The mail's codes, from the one catalogue (src/errors.ts). */
export type MailCode = Extract<Code, `SNARF_MAIL_${string}`>;

export class MailError extends Error {
  constructor(readonly code: MailCode, message: string) {
    // main.ts prints only SnarfError codes; this catalogue is the mail's own, so the code leads the message.
    super(`${code}: ${message}`);
    this.name = 'MailError';
  }
}

export interface NightlyOptions {
  /** The open store; undefined when it could not be opened (`build` then says why). */
  store?: Store;
  /** Database path: the state file sits beside it. */
  db: string;
  day: string;
  mail: Pick<MailConfig, 'from' | 'to' | 'timeZone' | 'baseUrl' | 'top' | 'retry'>;
  logger: Logger;
  /** null with dryRun. */
  sender: Sender | null;
  trigger: 'schedule' | 'command';
  /** Milliseconds since the epoch (injected clock). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** IRC-bot clusters; omitted: the section says it was not computed. */
  clusters?: ClusterSource;
  /** Write the message here instead of sending it. */
  dryRun?: (eml: Buffer) => Promise<void>;
  /** Build retries (short: a build fails on a locked or broken store, rarely for long). */
  buildRetry?: RetryPolicy;
  /** Test hook: replaces the build step. */
  build?: () => Promise<MailMessage>;
}

export interface NightlyResult {
  status: MailRunRecord['status'] | 'dry-run';
  message: MailMessage;
  send?: SendResult;
  error?: { code: string; message: string };
}

const DEFAULT_BUILD_RETRY: RetryPolicy = { attempts: 3, baseMs: 5_000, maxMs: 30_000 };

export async function runNightly(o: NightlyOptions): Promise<NightlyResult> {
  const now = o.now ?? Date.now;
  const env = { from: o.mail.from, to: o.mail.to };
  const fields = { day: o.day, timeZone: o.mail.timeZone, trigger: o.trigger };
  const build = o.build ?? (async () => {
    if (!o.store) throw new Error('no store is open');
    return summaryMessage(await collectDay(o.store, {
      day: o.day, timeZone: o.mail.timeZone, top: o.mail.top, baseUrl: o.mail.baseUrl, clusters: o.clusters, nowUs: now() * 1000,
      policyFile: policyPathFor(o.db),
    }), env);
  });
  const built = await withRetry('building the nightly summary', () => build(), {
    policy: o.buildRetry ?? DEFAULT_BUILD_RETRY, logger: o.logger, code: 'SNARF_MAIL_BUILD_FAILED', sleep: o.sleep, fields,
  });
  let message: MailMessage;
  let buildError: { code: string; message: string } | undefined;
  if (built.ok) {
    message = built.value!;
  } else {
    const reason = oneLine((built.error as Error)?.message ?? String(built.error));
    buildError = { code: 'SNARF_MAIL_BUILD_FAILED', message: reason };
    message = buildFailureMessage(o.day, o.mail.timeZone, reason, built.attempts, now(), env);
  }

  if (o.dryRun) {
    await o.dryRun(await toEml(message));
    return { status: 'dry-run', message, error: buildError };
  }
  if (!o.sender) throw new Error('no SMTP sender (set mail.smtp_url or --smtp, or use --dry-run)');
  const sender = o.sender;

  const sent = await withRetry(`sending the nightly mail to ${sender.target}`, () => sender.send(message), {
    policy: o.mail.retry, logger: o.logger, code: 'SNARF_MAIL_SEND_FAILED', sleep: o.sleep, permanent: isPermanent,
    fields: { ...fields, kind: message.kind },
  });
  const record: MailRunRecord = {
    at: new Date(now()).toISOString(), day: o.day, timeZone: o.mail.timeZone, trigger: o.trigger,
    status: !sent.ok ? 'failed' : message.kind === 'summary' ? 'sent' : 'sent-build-failure',
    to: [...message.to], subject: message.subject, attempts: sent.attempts,
  };
  let error = buildError;
  if (sent.ok) {
    const r = sent.value!;
    record.messageId = r.messageId;
    if (r.rejected.length) {
      record.rejected = r.rejected;
      o.logger.log('warn', 'the SMTP server refused some recipients', { ...fields, code: 'SNARF_MAIL_REJECTED', rejected: r.rejected });
    }
    o.logger.log('info', message.kind === 'summary' ? 'nightly summary sent' : 'nightly "could not be built" mail sent',
      { ...fields, messageId: r.messageId, accepted: r.accepted, attempts: sent.attempts });
    // New IRC-cluster members are new until a mail has told someone about them.
    if (message.kind === 'summary') {
      await o.clusters?.remember?.().catch((err: Error) => o.logger.log('warn', 'could not record the IRC clusters in the state file', { reason: err.message }));
    }
  } else {
    error = { code: `SNARF_MAIL_SEND_FAILED (${errorCode(sent.error)})`, message: oneLine((sent.error as Error)?.message ?? String(sent.error)) };
  }
  if (error) record.error = error;
  try {
    await recordMailRun(statePathFor(o.db), record);
  } catch (err) {
    o.logger.log('error', 'could not record the mail run in the state file', { ...fields, reason: (err as Error).message });
  }
  return { status: record.status, message, send: sent.value, error };
}
