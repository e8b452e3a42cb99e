/**
 * Sending, and trying again. A mail server that is down at 07:00 is usually up at 07:05, so
 * failures are retried with exponential backoff (doubling, capped) and each failure is logged
 * with its code. A permanent refusal (an SMTP 5xx reply: bad sender, unknown recipient, auth
 * refused) is not retried: the same mail would be refused again, and the operator learns it
 * sooner from the error and the state file.
 */
import nodemailer from 'nodemailer';
import type { Logger } from '../log.js';
import type { RetryPolicy } from './mail-config.js';
import { redactUrl } from './mail-config.js';
import { mailOptions, type MailMessage } from './message.js';

export interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
  response: string;
}

export interface Sender {
  /** Where it sends, for logs (password removed). */
  readonly target: string;
  send(m: MailMessage): Promise<SendResult>;
  close(): void;
}

export function smtpSender(url: string, opts: { timeoutMs?: number } = {}): Sender {
  const timeout = opts.timeoutMs ?? 60_000;
  // Bounded waits: a server that accepts the connection and then says nothing must not hold
  // the nightly run forever. The URL's own query options win over these.
  const t = nodemailer.createTransport({ url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout });
  return {
    target: redactUrl(url),
    async send(m) {
      const info = await t.sendMail(mailOptions(m));
      const addr = (a: unknown): string => (typeof a === 'string' ? a : (a as { address: string }).address);
      return {
        messageId: String(info.messageId ?? ''),
        accepted: ((info.accepted ?? []) as unknown[]).map(addr),
        rejected: ((info.rejected ?? []) as unknown[]).map(addr),
        response: String(info.response ?? ''),
      };
    },
    close: () => t.close(),
  };
}

/** The code a failure is logged and recorded with: nodemailer's (ECONNECTION...) or the error's name. */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; responseCode?: unknown; name?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'Error';
  return typeof e.responseCode === 'number' ? `${code} ${e.responseCode}` : code;
}

export function isPermanent(err: unknown): boolean {
  const rc = (err as { responseCode?: unknown }).responseCode;
  return typeof rc === 'number' && rc >= 500 && rc < 600;
}

/** Wait before attempt `n` (2, 3, ...): base × 2^(n-2), at most max. */
export function backoffMs(policy: RetryPolicy, n: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, n - 2));
}

export const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RetryOutcome<T> {
  ok: boolean;
  value?: T;
  error?: unknown;
  attempts: number;
}

/**
 * Runs `fn` until it succeeds, `policy.attempts` are used up, or `permanent(err)` says another
 * try is pointless. Every failure is logged (warn while retrying, error at the end).
 */
export async function withRetry<T>(what: string, fn: (attempt: number) => Promise<T>, o: {
  policy: RetryPolicy; logger: Logger; code: string; sleep?: (ms: number) => Promise<void>; permanent?: (err: unknown) => boolean;
  fields?: Record<string, unknown>;
}): Promise<RetryOutcome<T>> {
  const sleep = o.sleep ?? realSleep;
  let last: unknown;
  for (let attempt = 1; attempt <= o.policy.attempts; attempt++) {
    try {
      return { ok: true, value: await fn(attempt), attempts: attempt };
    } catch (err) {
      last = err;
      const final = attempt === o.policy.attempts || (o.permanent?.(err) ?? false);
      const fields = { ...o.fields, code: o.code, error: errorCode(err), reason: (err as Error).message, attempt, of: o.policy.attempts };
      if (final) {
        o.logger.log('error', `${what} failed${attempt < o.policy.attempts ? ' permanently' : ''}`, fields);
        return { ok: false, error: err, attempts: attempt };
      }
      const wait = backoffMs(o.policy, attempt + 1);
      o.logger.log('warn', `${what} failed, retrying`, { ...fields, retryInMs: wait });
      await sleep(wait);
    }
  }
  return { ok: false, error: last, attempts: o.policy.attempts };
}
