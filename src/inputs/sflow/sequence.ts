/**
 * Datagram sequence tracking per exporter (agent address + sub-agent id — not the UDP source,
 * which NAT or a relay can change). Gaps are lost datagrams; a restart is recognised when the
 * sequence goes back together with the agent's uptime, so a reboot is not counted as 4 billion
 * lost datagrams. The same tracker works for sample sequences keyed by source id.
 *
 * Sequence numbers are u32 and wrap: differences are taken modulo 2^32.
 */
import type { SflowWarning } from './warnings.js';

export type SequenceEventKind = 'gap' | 'restart' | 'duplicate' | 'late';

export interface SequenceEvent {
  key: string;
  kind: SequenceEventKind;
  /** Previous and current sequence numbers. */
  from: number;
  to: number;
  /** Datagrams counted lost by this event (gap only). */
  lost: number;
}

export interface SequenceState {
  key: string;
  lastSeq: number;
  lastUptimeMs: number;
  /** Datagrams seen, including duplicates and late ones. */
  seen: number;
  lost: number;
  restarts: number;
  duplicates: number;
  late: number;
}

export interface SequenceOptions {
  /** A forward jump larger than this is treated as a restart, not a loss (default 1,000,000). */
  maxGap?: number;
  /** A backward step this small with the uptime still rising is a late (reordered) datagram (default 64). */
  lateWindow?: number;
}

/** The key the tracker uses for a datagram's exporter. */
export function exporterKey(agent: string | null, subAgentId: number): string {
  return `${agent ?? '-'}/${subAgentId}`;
}

export class SequenceTracker {
  private readonly states = new Map<string, SequenceState>();
  private readonly maxGap: number;
  private readonly lateWindow: number;

  constructor(opts: SequenceOptions = {}) {
    this.maxGap = opts.maxGap ?? 1_000_000;
    this.lateWindow = opts.lateWindow ?? 64;
  }

  /** Records one datagram; returns what was unusual about it, or null when it was the next in line. */
  observe(key: string, seq: number, uptimeMs: number): SequenceEvent | null {
    const st = this.states.get(key);
    if (st === undefined) {
      this.states.set(key, {
        key, lastSeq: seq, lastUptimeMs: uptimeMs, seen: 1, lost: 0, restarts: 0, duplicates: 0, late: 0,
      });
      return null;
    }
    st.seen++;
    const from = st.lastSeq;
    const delta = (seq - from) >>> 0;
    const uptimeBack = uptimeMs < st.lastUptimeMs;
    let event: SequenceEvent | null = null;
    if (delta >= 1 && delta <= this.maxGap && !uptimeBack) {
      if (delta > 1) {
        st.lost += delta - 1;
        event = { key, kind: 'gap', from, to: seq, lost: delta - 1 };
      }
    } else if (delta === 0 && !uptimeBack) {
      st.duplicates++;
      return { key, kind: 'duplicate', from, to: seq, lost: 0 };
    } else if (!uptimeBack && ((from - seq) >>> 0) <= this.lateWindow) {
      // A reordered datagram: it was counted lost when the gap opened, so give it back.
      st.late++;
      if (st.lost > 0) st.lost--;
      return { key, kind: 'late', from, to: seq, lost: 0 };
    } else {
      st.restarts++;
      event = { key, kind: 'restart', from, to: seq, lost: 0 };
    }
    st.lastSeq = seq;
    st.lastUptimeMs = uptimeMs;
    return event;
  }

  state(key: string): SequenceState | undefined {
    const st = this.states.get(key);
    return st === undefined ? undefined : { ...st };
  }

  /** Every tracked exporter, in first-seen order. */
  all(): SequenceState[] {
    return [...this.states.values()].map((s) => ({ ...s }));
  }

  get totalLost(): number {
    let n = 0;
    for (const s of this.states.values()) n += s.lost;
    return n;
  }
}

/** A warning for the events worth an operator's attention (gaps and restarts); null otherwise. */
export function sequenceWarning(ev: SequenceEvent, where: { file?: string; offset?: number } = {}): SflowWarning | null {
  if (ev.kind === 'gap') {
    return {
      code: 'SNARF_SFLOW_SEQ_GAP',
      message: `exporter ${ev.key}: datagram sequence ${ev.from} → ${ev.to}, ${ev.lost} datagram(s) lost`,
      ...where,
    };
  }
  if (ev.kind === 'restart') {
    return {
      code: 'SNARF_SFLOW_RESTART',
      message: `exporter ${ev.key}: sequence went from ${ev.from} back to ${ev.to} (agent restarted)`,
      ...where,
    };
  }
  return null;
}
