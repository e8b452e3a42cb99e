/**
 * What the nightly mail leaves in `<db>.state.json` (lowdb, src/state/state-file.ts): the last
 * run, the last mail that went out, and the recent failures with their codes, so `snarf status`
 * (or a person reading the file) can tell why no mail arrived.
 */
import { openState } from '../state/state-file.js';

export interface MailRunRecord {
  /** ISO time the run finished. */
  at: string;
  /** Reported local day and its zone. */
  day: string;
  timeZone: string;
  /** sent: the summary; sent-build-failure: the "could not be built" mail; failed: nothing went out. */
  status: 'sent' | 'sent-build-failure' | 'failed';
  trigger: 'schedule' | 'command';
  to: string[];
  subject: string;
  attempts: number;
  messageId?: string;
  /** Recipients the server refused while accepting others. */
  rejected?: string[];
  /** Why the build or the send failed. */
  error?: { code: string; message: string };
}

export interface MailState {
  lastRun?: MailRunRecord;
  lastSent?: MailRunRecord;
  /** Most recent last; bounded. */
  failures?: MailRunRecord[];
}

const KEEP_FAILURES = 30;

export async function recordMailRun(stateFile: string, run: MailRunRecord): Promise<void> {
  const low = await openState(stateFile);
  const mail: MailState = low.data.mail ?? {};
  mail.lastRun = run;
  if (run.status !== 'failed') mail.lastSent = run;
  if (run.status !== 'sent') {
    mail.failures = [...(mail.failures ?? []), run].slice(-KEEP_FAILURES);
  }
  low.data.mail = mail;
  await low.write();
}
