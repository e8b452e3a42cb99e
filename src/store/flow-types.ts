/**
 * Shapes of the store's flow side (issue 5): what importers and the sFlow listener hand to
 * Store.ingestFlows, the per-exporter statistics, and the evidence query for verdicts.
 */
import type { FlowSample } from '../model/flow.js';
import type { FlowClassing } from '../analysis/flow-rollup.js';
import type { SequenceEvent } from '../inputs/sflow/sequence.js';
import type { P2pMatch } from '../analysis/p2p-signatures.js';

/** Site settings remembered by the store so later imports and reports agree with earlier ones. */
export interface FlowSettings {
  /** Internal ("home") networks used to split flows; null until an import or command sets them. */
  homeNets: string[] | null;
  /** Port classes used by the flow rollup; fixed by the first sFlow import. */
  classing: FlowClassing | null;
}

/** One sFlow datagram's worth of samples. */
export interface FlowDatagram {
  agent: string | null;
  subAgentId: number;
  seq: number;
  /** sysUpTime (ms) when known (binary datagrams); null for text inputs that do not keep it. */
  uptimeMs: number | null;
  /** Receive time, µs UTC. */
  timeUs: number;
  samples: FlowSample[];
  /**
   * True when `seq` is the exporter's datagram sequence (binary datagrams, sflowtool default
   * text): it is tracked for lost datagrams. sflowtool -l has no sequence: the importer passes the
   * line number as `seq` (so (exporter, seq, time) still dedupes a re-import) and false here.
   */
  sequenced: boolean;
}

export interface FlowBatch {
  datagrams: FlowDatagram[];
  homeNets: readonly string[];
  classing: FlowClassing;
}

export interface FlowIngestResult {
  /** Datagrams stored now, and datagrams already in the store (re-import). */
  datagrams: number;
  duplicates: number;
  samples: number;
  /** Samples not between an internal and an external address (kept out of the rollup). */
  ignored: number;
  /** Sequence gaps and restarts found, per exporter (for warnings). */
  sequence: SequenceEvent[];
}

export interface ExporterStats {
  agent: string;
  subAgentId: number;
  datagrams: number;
  samples: number;
  /** Datagrams missing from the sequence (gaps), after giving back late ones. */
  lost: number;
  restarts: number;
  firstUs: number | null;
  lastUs: number | null;
}

export interface EvidenceQuery {
  /** Internal networks: alert sides and flow hosts outside them are not hosts of ours. */
  homeNets: readonly string[];
  sinceUs?: number;
  untilUs?: number;
  /** Which signatures are P2P (src/analysis/p2p-signatures.ts). */
  match: (gid: number, sid: number, message: string, classification: string | null) => P2pMatch | null;
  /** Zone of the daily sFlow sections (default UTC). */
  timeZone?: string;
  /** Thresholds of the daily sections (computeP2pReport's options, minus day/zone/networks). */
  minUniqueSources?: number;
  massDownloadGb?: number;
  gigabyte?: 'si' | 'binary';
  scaleBySamplingRate?: boolean;
}
