/**
 * Hooks for the long-running collector (issue 5): datagrams from the UDP listener and lines of
 * a followed Winny monitor log go to the store in batches. The collector owns sockets, files,
 * bookmarks and timers' lifecycles; these only buffer and write.
 *
 *   const sink = flowSink(store, { homeNets });
 *   const l = await listenSflow({ port: 6343, onDatagram: sink.datagram, onWarning });
 *   ... on shutdown: await l.close(); await sink.close();
 *
 *   const w = winnySink(store, { file, timeZone, onWarning });
 *   for each new line (text without its line end, 1-based number): w.line(text, n); then await w.flush()
 *   in the same step that saves the follower's bookmark.
 */
import type { Store } from '../store/store.js';
import type { FlowDatagram } from '../store/flow-types.js';
import type { Warning } from '../errors.js';
import { DEFAULT_CLASSING, type FlowClassing } from '../analysis/flow-rollup.js';
import { sequenceWarning } from '../inputs/sflow/sequence.js';
import { WinnyLogParser } from '../inputs/winny/monitor-log.js';
import type { ReceivedDatagram } from '../inputs/sflow/listener.js';
import type { WinnyEvent } from '../model/flow.js';

export interface FlowSinkOptions {
  homeNets: string[];
  classing?: FlowClassing;
  /** Write at least this often (default 5000 ms) or when this many samples wait (default 5000). */
  flushMs?: number;
  maxSamples?: number;
  onWarning?: (w: Warning) => void;
}

export interface FlowSink {
  /** Pass as the listener's onDatagram. */
  datagram(d: ReceivedDatagram): void;
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

export function flowSink(store: Store, opts: FlowSinkOptions): FlowSink {
  if (!store.ingestFlows) throw new Error(`the ${store.kind} store does not keep flows`);
  const ingest = store.ingestFlows.bind(store);
  let pending: FlowDatagram[] = [];
  let samples = 0;
  // Writes are serialised: a flush never overlaps the previous one (one SQLite writer).
  let chain: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    const batch = pending;
    pending = [];
    samples = 0;
    if (batch.length === 0) return chain;
    chain = chain.then(async () => {
      try {
        const r = await ingest({ datagrams: batch, homeNets: opts.homeNets, classing: opts.classing ?? DEFAULT_CLASSING });
        for (const ev of r.sequence) {
          const w = sequenceWarning(ev, { file: 'udp' });
          if (w) opts.onWarning?.(w);
        }
      } catch (e) {
        opts.onWarning?.({ code: 'SNARF_STORE_FAILED', message: `${batch.length} sFlow datagrams not stored: ${(e as Error).message}` });
      }
    });
    return chain;
  };
  const timer = setInterval(() => void flush(), opts.flushMs ?? 5000);
  timer.unref();
  return {
    datagram(d) {
      const h = d.decoded.header!;
      pending.push({ agent: h.agent, subAgentId: h.subAgentId, seq: h.seq, uptimeMs: h.uptimeMs, timeUs: d.timeUs, samples: d.decoded.flows, sequenced: true });
      samples += d.decoded.flows.length + 1;
      if (samples >= (opts.maxSamples ?? 5000)) void flush();
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}

export interface WinnySink {
  /** One line of the log (no line end) and its 1-based line number. */
  line(text: string, lineNo: number): void;
  /** Stores the events buffered so far; returns how many were new. */
  flush(): Promise<number>;
}

export function winnySink(store: Store, opts: { file: string; timeZone?: string; onWarning?: (w: Warning) => void }): WinnySink {
  if (!store.ingestWinny) throw new Error(`the ${store.kind} store does not keep Winny events`);
  const parser = new WinnyLogParser({ file: opts.file, timeZone: opts.timeZone, onWarning: opts.onWarning });
  let pending: WinnyEvent[] = [];
  return {
    line(text, lineNo) {
      const e = parser.line(text.endsWith('\r') ? text.slice(0, -1) : text, lineNo);
      if (e) pending.push(e);
    },
    async flush() {
      const batch = pending;
      pending = [];
      return batch.length ? (await store.ingestWinny!(batch)).inserted : 0;
    },
  };
}
