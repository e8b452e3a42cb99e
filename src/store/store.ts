/**
 * The one interface every event store implements (SQLite by default; PostgreSQL for sites that
 * outgrow one machine). Async throughout so that a networked store fits behind it.
 */
import type { Alert } from '../model/alert.js';
import type { AlertRows } from './alert-rows.js';
import type { WinnyEvent } from '../model/flow.js';
import type { Evidence } from '../model/verdict.js';
import type { DailyP2pReport } from '../inputs/sflow/daily-report.js';
import type { P2pReportOptions } from '../analysis/p2p-report.js';
import type { EvidenceQuery, ExporterStats, FlowBatch, FlowIngestResult, FlowSettings } from './flow-types.js';
import type { ResponseStoreMethods } from '../response/types.js';

/** Where a follower stands in one input; committed in the same transaction as its rows. */
export interface Bookmark {
  /** Stable input name (e.g. `spool:/var/log/snort/snort.u2` or `text:/var/log/snort/alert`). */
  input: string;
  /** File currently being read. */
  file: string;
  dev: number;
  inode: number;
  /** Size of the file when the bookmark was saved (smaller later = truncated or re-created). */
  size: number;
  /** Offset of the next whole record or line. */
  offset: number;
  /** Records read from this file so far (diagnostics). */
  records: number;
  /** Last event time seen on this input (µs), for lag reports. */
  lastEventUs: number | null;
  warnings: number;
  errors: number;
  updatedUs: number;
}

export interface IngestItem {
  alert: Alert;
  /** Identity string (src/model/identity.ts); equal identities are the same alert. */
  identity: string;
  /** identityHash(identity), when the producer computed it already (e.g. in a parse worker). */
  hash?: number;
  /** JSON of alert.packet, when the producer serialised it already. */
  details?: string | null;
}

export interface IngestResult {
  inserted: number;
  duplicates: number;
}

/** SnortSnarf's filters, applied by every read. */
export interface AlertFilter {
  sinceUs?: number;
  untilUs?: number;
  sensors?: string[];
  /** Keep alerts at least this severe (priority number ≤ this). */
  minPriority?: number;
  srcCidr?: string;
  dstCidr?: string;
  excludeSigs?: Array<{ gid: number; sid: number }>;
}

/** True when the rollups can answer the filter (they are kept per sensor, nothing finer). */
export function rollupsAnswer(f: AlertFilter): boolean {
  return f.sinceUs === undefined && f.untilUs === undefined && f.minPriority === undefined
    && !f.srcCidr && !f.dstCidr && (f.excludeSigs ?? []).length === 0;
}

export interface SignatureSummary {
  gid: number;
  sid: number;
  rev: number;
  message: string;
  classification: string | null;
  priority: number | null;
  count: number;
  sources: number;
  destinations: number;
  firstUs: number;
  lastUs: number;
}

export interface HostCount {
  ip: string;
  count: number;
  firstUs: number;
  lastUs: number;
}

export interface SensorSummary {
  name: string;
  count: number;
  firstUs: number | null;
  lastUs: number | null;
}

export interface InputRecord {
  id: number;
  path: string;
  format: string;
  sensor: string;
}

export interface Summary {
  totals: { alerts: number; signatures: number; sources: number; destinations: number; sensors: number };
  firstUs: number | null;
  lastUs: number | null;
  signatures: SignatureSummary[];
  sources: HostCount[];
  destinations: HostCount[];
  sensors: SensorSummary[];
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Printable location (path or URL without password). */
  readonly location: string;
  /** Stores a batch atomically, together with the bookmark that covers it. */
  ingest(items: IngestItem[], bookmark?: Bookmark): Promise<IngestResult>;
  /** The same for batches already in columns (parse workers build these; ./alert-rows.ts). */
  ingestRows(batches: AlertRows[], bookmark?: Bookmark): Promise<IngestResult>;
  getBookmark(input: string): Promise<Bookmark | undefined>;
  listBookmarks(): Promise<Bookmark[]>;
  /** Registers an input file for provenance and returns its id. */
  registerInput(path: string, format: string, sensor: string): Promise<number>;
  summary(filter?: AlertFilter, limit?: number): Promise<Summary>;
  /**
   * Large imports: stores may defer rollups and secondary indexes until endBulk(). Rollups are
   * never visible out of step with the rows: an interrupted bulk import is caught up on open.
   * `expectedAlerts` (an estimate of what the import adds) lets a store stay incremental when
   * the import is small beside what it already holds, where rebuilding would cost more.
   */
  beginBulk(expectedAlerts?: number): Promise<void>;
  endBulk(): Promise<void>;
  close(): Promise<void>;

  // Issue 5 (sFlow, Winny monitor, P2P verdicts): optional, so other stores may come later.
  // The SQLite implementation is src/store/sqlite/flow-store.ts; shapes in ./flow-types.ts.
  flowSettings?(): Promise<FlowSettings>;
  setFlowSettings?(s: Partial<FlowSettings>): Promise<void>;
  /** Stores datagrams (deduplicated by exporter, sequence and time) into the flow rollup, atomically. */
  ingestFlows?(batch: FlowBatch): Promise<FlowIngestResult>;
  /** Winny monitor events, deduplicated on their content (a re-import adds nothing). */
  ingestWinny?(events: WinnyEvent[]): Promise<IngestResult>;
  /** An imported daily p2p report (inserted = rows added; a report already held is a duplicate). */
  saveP2pReport?(report: DailyP2pReport, source: string): Promise<IngestResult>;
  /** The daily "Suspected p2p traffic" report computed from the flow rollup. */
  p2pReport?(opts: P2pReportOptions): Promise<DailyP2pReport>;
  flowExporters?(): Promise<ExporterStats[]>;
  /** Evidence rows for per-host verdicts (alerts, Winny events, daily sFlow sections, imported reports). */
  p2pEvidence?(q: EvidenceQuery): Promise<Evidence[]>;

  // Issue 12 (campus policy, response proposals, incident history): optional as well. SQLite:
  // src/store/sqlite/response-store.ts (migration 3); shapes and docs in ../response/types.ts.
  recordResponse?: ResponseStoreMethods['recordResponse'];
  listProposals?: ResponseStoreMethods['listProposals'];
  getProposal?: ResponseStoreMethods['getProposal'];
  proposalDecisions?: ResponseStoreMethods['proposalDecisions'];
  decideProposal?: ResponseStoreMethods['decideProposal'];
  hostHistory?: ResponseStoreMethods['hostHistory'];
  addHostNote?: ResponseStoreMethods['addHostNote'];
  markTaskDone?: ResponseStoreMethods['markTaskDone'];
  closeIncident?: ResponseStoreMethods['closeIncident'];
}
