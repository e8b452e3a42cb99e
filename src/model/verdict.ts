/**
 * Per-host P2P verdicts: the typed evidence rows the store hands to the analysis
 * (src/analysis/verdicts.ts), and the verdict it returns. Pure data. Addresses are canonical
 * text (as canonicalIp prints them) so the three sources join on one key; times are µs UTC.
 */

export type P2pProtocol = 'winny' | 'share' | 'bittorrent' | 'gnutella' | 'gnutella2' | 'edonkey' | 'p2p';

/** Snort alerts of one P2P signature for one internal host (either side of the alert). */
export interface AlertEvidence {
  source: 'snort';
  host: string;
  gid: number;
  sid: number;
  message: string;
  classification: string | null;
  protocol: P2pProtocol;
  /** 'strong' = the protocol itself was seen (handshake, session start); 'weak' = a hint (tracker, DHT). */
  strength: 'strong' | 'weak';
  /** How the alert was recognised as P2P: the gid:sid table or the message keyword fallback. */
  matchedBy: 'table' | 'keyword';
  alerts: number;
  /** Distinct other-side addresses. */
  peers: number;
  sensors: string[];
  firstUs: number;
  lastUs: number;
}

/** Winny monitor events of one kind for one host. */
export interface WinnyEvidence {
  source: 'winny';
  host: string;
  kind: 'winny' | 'share' | 'antinny' | 'unknown';
  events: number;
  resets: number;
  blocks: number;
  peers: number;
  bytes: number;
  sensors: string[];
  firstUs: number;
  lastUs: number;
}

export type FlowSection = 'high-ports' | 'bittorrent' | 'mass-download';

/** One row of a daily "Suspected p2p traffic" section: computed from sFlow ('sflow') or imported ('report'). */
export interface FlowEvidence {
  source: 'sflow' | 'report';
  host: string;
  day: string;
  section: FlowSection;
  flows: number;
  bytes: number;
  uniqPeers: number;
  firstUs: number;
  lastUs: number;
  /** Imported reports: the file the report came from. */
  from?: string;
}

export type Evidence = AlertEvidence | WinnyEvidence | FlowEvidence;

export type VerdictLevel = 'confirmed' | 'likely' | 'watch';

export interface VerdictReason {
  source: Evidence['source'];
  /** The level this piece of evidence supports on its own. */
  level: VerdictLevel;
  /** One sentence naming the signature / monitor kind / report section, its counts and window. */
  text: string;
  firstUs: number;
  lastUs: number;
}

export interface HostVerdict {
  host: string;
  level: VerdictLevel;
  protocols: P2pProtocol[];
  /** Distinct evidence sources (snort, winny, sflow, report), sorted. */
  sources: Array<Evidence['source']>;
  firstUs: number;
  lastUs: number;
  /** Strongest first. */
  reasons: VerdictReason[];
  evidence: Evidence[];
}
