/**
 * The collector daemon: one follower per configured input, polled in turn. Each step of a
 * follower reads a bounded amount and ends with its commit, so stopping between steps (SIGINT,
 * SIGTERM) always leaves a finished transaction behind: no rows without their bookmark and no
 * bookmark without its rows. Nothing is flushed on stop: events still waiting for packets are
 * not covered by the bookmark and are read again by the next start.
 */
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { SignatureResolver } from '../rules/types.js';
import { inputKey, type CollectorConfig } from './config.js';
import type { Follower } from './follower.js';
import { SpoolFollower } from './spool-follower.js';
import { TextFollower } from './text-follower.js';
import { listenSflow } from '../inputs/sflow/listener.js';
import { flowSink } from '../import/flow-sink.js';
import { startMailSchedule } from './schedule.js';

export interface CollectorOptions {
  config: CollectorConfig;
  store: Store;
  logger: Logger;
  catalog?: SignatureResolver;
  /** Drain what is available, release waiting events, commit and return (tests, cron). */
  once?: boolean;
}

export class Collector {
  readonly followers: Follower[];
  #stopping = false;
  #wake: (() => void) | null = null;
  readonly #o: CollectorOptions;

  constructor(o: CollectorOptions) {
    this.#o = o;
    const deps = { store: o.store, logger: o.logger, batchSize: o.config.batchSize };
    this.followers = o.config.inputs.map((input): Follower => input.type === 'unified2'
      ? new SpoolFollower({ ...deps, input, key: inputKey(input), catalog: o.catalog, eventTimeoutMs: o.config.eventTimeoutMs })
      : new TextFollower({ ...deps, input, key: inputKey(input), catalog: o.catalog }));
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Asks the loop to stop after the step in progress (its transaction completes first). */
  stop(reason = 'stop requested'): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#o.logger.log('info', 'collector stopping', { reason });
    this.#wake?.();
  }

  /** The sFlow listener (when configured): datagrams go to the flow rollups in batches. */
  async #startSflow(): Promise<(() => Promise<void>) | null> {
    const s = this.#o.config.sflow;
    if (!s) return null;
    const { logger, store } = this.#o;
    const sink = flowSink(store, { homeNets: s.homeNets, onWarning: (w) => logger.warning(w) });
    const listener = await listenSflow({ address: s.address, port: s.port, onDatagram: (d) => sink.datagram(d), onWarning: (w) => logger.warning(w) });
    logger.log('info', 'sFlow listener started', { address: listener.address, port: listener.port });
    return async () => {
      await listener.close();
      await sink.close();
    };
  }

  async run(): Promise<void> {
    const { logger, config } = this.#o;
    const stopSflow = await this.#startSflow();
    for (const f of this.followers) await f.start();
    // The nightly mail (config `mail:`); not for --once, which exits before any firing.
    const mail = this.#o.once ? null : startMailSchedule({ config, store: this.#o.store, logger });
    logger.log('info', 'collector started', { inputs: this.followers.map((f) => f.name), db: this.#o.store.location, once: this.#o.once ?? false });
    // An input that keeps failing (unreadable directory...) is retried at most every few polls.
    const backoffUntil = new Map<Follower, number>();
    try {
      while (!this.#stopping) {
        let busy = false;
        for (const f of this.followers) {
          if (this.#stopping) break;
          if ((backoffUntil.get(f) ?? 0) > Date.now()) continue;
          try {
            if (await f.step()) busy = true;
          } catch (err) {
            f.fail(err as Error);
            backoffUntil.set(f, Date.now() + Math.max(config.pollMs * 5, 1000));
            if (this.#o.once) throw err;
          }
        }
        if (busy) continue;
        if (this.#o.once) break;
        await this.#sleep(config.pollMs);
      }
      if (this.#o.once && !this.#stopping) for (const f of this.followers) await f.finish();
    } finally {
      await mail?.stop();
      await stopSflow?.();
      for (const f of this.followers) await f.close();
      logger.log('info', 'collector stopped', {});
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        this.#wake = null;
        resolve();
      };
    });
  }
}
