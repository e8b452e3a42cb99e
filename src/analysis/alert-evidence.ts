/**
 * P2P evidence from Snort alerts, the same for every store: the store reads P2P-signature
 * alerts grouped by (signature, sensor, source, destination) and this turns the groups into one
 * piece of evidence per internal host and signature. Which signatures are P2P is decided here
 * too, from the few signature rows, so the store reads only their alerts.
 */
import type { AlertEvidence } from '../model/verdict.js';
import type { P2pMatch } from './p2p-signatures.js';

export interface SignatureRow { id: number; gid: number; sid: number; message: string; classification: string | null }

export interface AlertGroup {
  sigId: number;
  sensor: string;
  src: string | null;
  dst: string | null;
  n: number;
  firstUs: number;
  lastUs: number;
}

export type P2pSignatures = Map<number, { sig: SignatureRow; match: P2pMatch }>;

export function p2pSignatures(
  sigs: readonly SignatureRow[],
  match: (gid: number, sid: number, message: string, classification: string | null) => P2pMatch | null,
): P2pSignatures {
  const out: P2pSignatures = new Map();
  for (const s of sigs) {
    const m = match(s.gid, s.sid, s.message, s.classification);
    if (m) out.set(s.id, { sig: s, match: m });
  }
  return out;
}

export function alertEvidence(groups: Iterable<AlertGroup>, p2p: P2pSignatures, isHome: (ip: string) => boolean): AlertEvidence[] {
  const acc = new Map<string, AlertEvidence & { peerSet: Set<string>; sensorSet: Set<string> }>();
  for (const r of groups) {
    const { sig, match } = p2p.get(r.sigId)!;
    // The internal side is the host; when both sides are internal, both are hosts of ours.
    for (const [host, peer] of [[r.src, r.dst], [r.dst, r.src]] as const) {
      if (host === null || !isHome(host)) continue;
      const key = `${host}|${sig.gid}:${sig.sid}`;
      let e = acc.get(key);
      if (e === undefined) {
        e = {
          source: 'snort', host, gid: sig.gid, sid: sig.sid, message: sig.message, classification: sig.classification,
          protocol: match.protocol, strength: match.strength, matchedBy: match.matchedBy, alerts: 0, peers: 0, sensors: [],
          firstUs: r.firstUs, lastUs: r.lastUs, peerSet: new Set(), sensorSet: new Set(),
        };
        acc.set(key, e);
      }
      e.alerts += r.n;
      if (peer !== null) e.peerSet.add(peer);
      e.sensorSet.add(r.sensor);
      e.firstUs = Math.min(e.firstUs, r.firstUs);
      e.lastUs = Math.max(e.lastUs, r.lastUs);
    }
  }
  // In key order, not in the order a store's GROUP BY happened to return the groups.
  return [...acc.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { peerSet, sensorSet, ...e }]) => ({ ...e, peers: peerSet.size, sensors: [...sensorSet].sort() }));
}
