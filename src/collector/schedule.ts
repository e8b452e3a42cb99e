/**
 * The nightly mail inside `snarf collect`: a node-cron task in the configured zone. When it fires
 * it reports the local day before the firing time (07:00 Asia/Tokyo on the 21st mails the 20th,
 * midnight to midnight Tokyo time). node-cron reads time through `Date` and waits through
 * `setTimeout`, so a test drives it with node:test's mock timers.
 *
 * A run never stops the collector: its failures are logged and recorded by runNightly(). One run
 * at a time (noOverlap): a send still backing off when the next firing comes makes that firing
 * skip, with a warning. stop() ends the task and cuts any backoff wait short.
 */
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { CollectorConfig } from './config.js';
import { localDay } from '../inputs/sflow/zone.js';
import { shiftDay } from '../mail/collect-day.js';
import { runNightly } from '../mail/nightly.js';
import { smtpSender } from '../mail/send.js';
import { storeClusterSource } from '../mail/clusters.js';

export interface MailScheduleOptions {
  schedule: string;
  timeZone: string;
  logger: Logger;
  /** The work of one firing: the day to report and a sleep that ends early on stop(). */
  run(day: string, sleep: (ms: number) => Promise<void>): Promise<void>;
}

/** The local day before instant `ms` in `tz`: the day a firing at `ms` reports. */
export function reportedDay(ms: number, tz: string): string {
  return shiftDay(localDay(ms * 1000, tz), -1);
}

export class MailSchedule {
  #task: ScheduledTask | null = null;
  #inflight: Promise<void> | null = null;
  #stopping = false;
  #wakers = new Set<() => void>();

  constructor(private readonly o: MailScheduleOptions) {}

  start(): void {
    const { logger } = this.o;
    this.#task = createTask(this.o.schedule, (ctx) => this.#fire(ctx.date), {
      name: 'snarf-nightly-mail', timezone: this.o.timeZone, noOverlap: true,
      // node-cron's own messages (missed or overlapping runs) go to the collector's log.
      logger: {
        info: (m) => logger.log('info', `mail schedule: ${m}`),
        warn: (m) => logger.log('warn', `mail schedule: ${m}`),
        error: (m) => logger.log('error', `mail schedule: ${m instanceof Error ? m.message : m}`),
        debug: () => undefined,
      },
    });
    void this.#task.start();
    logger.log('info', 'nightly mail scheduled', { schedule: this.o.schedule, timeZone: this.o.timeZone, next: this.nextRun()?.toISOString() ?? null });
  }

  nextRun(): Date | null {
    return this.#task?.getNextRun() ?? null;
  }

  /** Stops the task and waits for a run in progress (its backoff waits end at once). */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const wake of this.#wakers) wake();
    if (this.#task) await this.#task.destroy();
    this.#task = null;
    await this.#inflight?.catch(() => undefined);
  }

  async #fire(at: Date): Promise<void> {
    const day = reportedDay(at.getTime(), this.o.timeZone);
    this.o.logger.log('info', 'nightly mail run started', { day, timeZone: this.o.timeZone, firedAt: at.toISOString() });
    const run = this.o.run(day, (ms) => this.#sleep(ms));
    this.#inflight = run;
    try {
      await run;
    } catch (err) {
      // runNightly logs its own failures; this is what escaped it (stop during a wait, a bug).
      this.o.logger.log('error', 'nightly mail run ended without a result', { day, code: 'SNARF_MAIL_SEND_FAILED', reason: (err as Error).message });
    } finally {
      this.#inflight = null;
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopping) return Promise.reject(new Error('the collector is stopping'));
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(t);
        this.#wakers.delete(wake);
        reject(new Error('the collector is stopping'));
      };
      const t = setTimeout(() => {
        this.#wakers.delete(wake);
        resolve();
      }, ms);
      this.#wakers.add(wake);
    });
  }
}

/** The collector's hook: the schedule of `mail:` in the config, or null when there is none. */
export function startMailSchedule(o: { config: CollectorConfig; store: Store; logger: Logger }): MailSchedule | null {
  const mail = o.config.mail;
  if (!mail) return null;
  const schedule = new MailSchedule({
    schedule: mail.schedule, timeZone: mail.timeZone, logger: o.logger,
    run: async (day, sleep) => {
      const sender = smtpSender(mail.smtpUrl);
      try {
        await runNightly({
          store: o.store, db: o.config.db, day, mail, logger: o.logger, sender, trigger: 'schedule', sleep,
          clusters: storeClusterSource(o.store, o.config.db),
        });
      } finally {
        sender.close();
      }
    },
  });
  schedule.start();
  return schedule;
}
