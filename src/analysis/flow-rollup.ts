/**
 * Flow samples → rollup deltas per (UTC hour, internal host, external peer, direction, port
 * class), the grain the store keeps (flow_peers). Pure. Port classes are bits because the
 * report's sections overlap (a BitTorrent sample between two high ports is in sections 1 and 2):
 *   HIGH  = TCP/UDP and neither port well-known (report section 1),
 *   BT    = TCP and either port in the BitTorrent range (section 2),
 *   WK    = TCP/UDP with a well-known port. Other protocols (ICMP ...) have no bits (section 3 only).
 * The class definitions are fixed at import (stored with the rollup, see FlowClassing); the
 * thresholds (distinct peers, GB, scaling) stay query-time options.
 */
import type { FlowSample } from '../model/flow.js';
import { internalMatcher } from './p2p-report.js';

export const CLS_HIGH = 1;
export const CLS_BT = 2;
export const CLS_WK = 4;
export const DIR_IN = 1;
export const DIR_OUT = 2;
export const HOUR_US = 3_600_000_000;

/** How ports were classed at import; a report asking for other definitions must re-import. */
export interface FlowClassing {
  /** Ports below this are well-known (default 1024), unless wellKnownPorts is given. */
  wellKnownBelow: number;
  wellKnownPorts: number[] | null;
  bittorrentPorts: [number, number];
}

export const DEFAULT_CLASSING: FlowClassing = { wellKnownBelow: 1024, wellKnownPorts: null, bittorrentPorts: [6881, 6889] };

export interface PeerDelta {
  hour: number;
  host: string;
  peer: string;
  dir: number;
  cls: number;
  flows: number;
  packets: number;
  /** Σ frame_length × sampling rate, and Σ frame_length (so scaling stays a query option). */
  bytes: number;
  rawBytes: number;
  firstUs: number;
  lastUs: number;
}

export function portClass(s: Pick<FlowSample, 'protocol' | 'srcPort' | 'dstPort'>, c: FlowClassing): number {
  if (s.srcPort === null || s.dstPort === null || (s.protocol !== 6 && s.protocol !== 17)) return 0;
  const wkSet = c.wellKnownPorts ? new Set(c.wellKnownPorts) : null;
  const wk = (p: number): boolean => (wkSet ? wkSet.has(p) : p < c.wellKnownBelow);
  const [lo, hi] = c.bittorrentPorts;
  let cls = wk(s.srcPort) || wk(s.dstPort) ? CLS_WK : CLS_HIGH;
  if (s.protocol === 6 && ((s.srcPort >= lo && s.srcPort <= hi) || (s.dstPort >= lo && s.dstPort <= hi))) cls |= CLS_BT;
  return cls;
}

/**
 * Accumulates samples into deltas. Samples between two internal (or two external) addresses
 * have no "external peer" and are left out, as hostDayFlows and the daily report do.
 */
export class FlowRollup {
  private readonly m = new Map<string, PeerDelta>();
  private readonly isInternal: (ip: string) => boolean;
  samples = 0;
  /** Samples not between an internal and an external address (or without IP addresses). */
  ignored = 0;

  constructor(homeNets: readonly string[], private readonly classing: FlowClassing = DEFAULT_CLASSING) {
    this.isInternal = internalMatcher(homeNets);
  }

  add(s: FlowSample): void {
    this.samples++;
    if (s.srcIp === null || s.dstIp === null) {
      this.ignored++;
      return;
    }
    const srcIn = this.isInternal(s.srcIp);
    if (srcIn === this.isInternal(s.dstIp)) {
      this.ignored++;
      return;
    }
    const [host, peer, dir] = srcIn ? [s.srcIp, s.dstIp, DIR_OUT] : [s.dstIp, s.srcIp, DIR_IN];
    const hour = Math.floor(s.timeUs / HOUR_US);
    const cls = portClass(s, this.classing);
    const key = `${hour}|${host}|${peer}|${dir}|${cls}`;
    let d = this.m.get(key);
    if (d === undefined) {
      d = { hour, host, peer, dir, cls, flows: 0, packets: 0, bytes: 0, rawBytes: 0, firstUs: s.timeUs, lastUs: s.timeUs };
      this.m.set(key, d);
    }
    d.flows++;
    d.packets += s.packets;
    d.bytes += s.bytes;
    d.rawBytes += s.frameLength;
    if (s.timeUs < d.firstUs) d.firstUs = s.timeUs;
    if (s.timeUs > d.lastUs) d.lastUs = s.timeUs;
  }

  /** The deltas so far, and a fresh start. */
  take(): PeerDelta[] {
    const out = [...this.m.values()];
    this.m.clear();
    return out;
  }

  get size(): number {
    return this.m.size;
  }
}
