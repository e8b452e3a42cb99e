/**
 * What `snarf report` reads (the page builders are src/report/**), as one async interface that
 * both stores implement: SQLite wraps src/store/sqlite/report-queries.ts (its synchronous
 * queries, unchanged), PostgreSQL is src/store/postgres/report-queries.ts; reads-for.ts picks one.
 *
 * prepare() builds the report's working set for one filter (per signature, signature × hour,
 * host × signature, host, sensor, destination port) from the rollups, or from one grouped pass
 * over the matching alerts when the filter needs per-alert attributes; every other read answers
 * from that working set or streams raw alerts in address order. close() releases what prepare()
 * took (PostgreSQL: its connection and snapshot).
 *
 * Rows have the same JS shapes on both stores: addresses are 16-byte Buffers (upper-case hex
 * text in the alert stream), times µs numbers, counts numbers. The big reads (hostCounts,
 * sideAlerts) are async iterables of ARRAYS of rows: one await per batch, none per row.
 */

export type Side = 'src' | 'dst';

export interface ReportSignature {
  id: number; gid: number; sid: number; rev: number; message: string;
  classification: string | null; priority: number | null; refs: string | null;
  count: number; sources: number; destinations: number; firstUs: number; lastUs: number;
}
/** A signature row of the store (reported or not): what host pages print of each signature id. */
export interface SignatureRow {
  id: number; gid: number; sid: number; rev: number; message: string;
  classification: string | null; priority: number | null; refs: string | null;
}
export interface ReportHost { ip: Buffer; count: number; firstUs: number; lastUs: number; sigs: number; other: boolean }
export interface SigHost { ip: Buffer; count: number; total: number; firstUs: number; lastUs: number }
export interface HostSig { sigId: number; count: number; firstUs: number; lastUs: number }
/** One capture row; `alertId` is the alert stream's Col.Id of the alert it belongs to. */
export interface PacketRow { alertId: number; seq: number; linktype: number; length: number; data: Buffer }
export interface ExtraRow { alertId: number; seq: number; type: number; name: string; value: Buffer | string }
export interface Bucket { key: number; count: number }
export interface SensorRow { id: number; name: string; count: number; firstUs: number; lastUs: number }
export interface InputRow { path: string; format: string; sensor: string }
export interface PortRow { proto: number; port: number; count: number }
/** [ip, signature id, count, first µs, last µs] in (ip, signature id) order. */
export type HostSigRow = [Buffer, number, number, number, number];

/**
 * One alert of the side stream as a raw row: [id, ts, sig_id, rev, msg, proto, hex(src), sport,
 * hex(dst), dport, sensor_id] (src/report/rows.ts names the columns). The id is the store's own
 * and only ever used to match the alert's captures within one run. A store may append columns.
 */
export type RawAlert = unknown[];

/**
 * What a run of the report recorded about the store, so that the next run can tell which pages
 * its host keys cannot vouch for: packets or extra data added to alerts the previous run had
 * already shown (a richer duplicate, e.g. unified2 after alert_fast, changes no count).
 *
 * SQLite: `watermark` is the rollup watermark (an alert id; ids are dense and follow commits),
 * `packets` and `extra` the capture rows of the alerts up to it. PostgreSQL (`store: 'postgres'`)
 * has no such order: `sensorLast` is each sensor's latest alert time in the run's snapshot and
 * `captureDays` the capture rows per UTC day (`watermark`, `packets`, `extra` are then totals,
 * for people reading the manifest).
 */
export interface ReportMark {
  watermark: number;
  packets: number;
  extra: number;
  store?: 'postgres';
  /** Sensor id → latest alert time (µs) in the snapshot. */
  sensorLast?: Record<string, number>;
  /** UTC day number (µs / 86.4e9) → packet and extra-data rows of that day's alerts. */
  captureDays?: Record<string, number>;
}

/**
 * Host pages to render again although their keys are unchanged: every one (`all`), or the
 * hosts listed per side (upper-case hex of their 16-byte keys, as the alert stream has them).
 */
export interface StaleHosts {
  all: boolean;
  src: ReadonlySet<string>;
  dst: ReadonlySet<string>;
}

export const ALL_STALE: StaleHosts = { all: true, src: new Set(), dst: new Set() };
export const NONE_STALE: StaleHosts = { all: false, src: new Set(), dst: new Set() };

export interface ReportReads {
  readonly kind: 'sqlite' | 'postgres';
  /** Builds the working set for the filter; call once before any other read. */
  prepare(): Promise<void>;
  /** Reported signatures: priority, then most alerts, then gid:sid. */
  signatures(): Promise<ReportSignature[]>;
  /** Every signature row in the store, by id. */
  allSignatures(): Promise<SignatureRow[]>;
  hostTotals(): Promise<{ sources: number; destinations: number }>;
  /** Reported sensors by name (bytewise). */
  sensors(): Promise<SensorRow[]>;
  /** Every sensor name by id (alert rows carry ids). */
  sensorNames(): Promise<Map<number, string>>;
  inputs(limit: number): Promise<{ rows: InputRow[]; total: number }>;
  /** Alerts per hour (µs / 3.6e9), of all signatures or one; only hours with alerts, in order. */
  hourly(sigId?: number): Promise<Bucket[]>;
  destinationPorts(limit: number): Promise<PortRow[]>;
  /** A signature's hosts on one side, most alerts first (then address), with each host's total. */
  sigHosts(side: Side, sigId: number, limit: number): Promise<SigHost[]>;
  /** The busiest hosts of one side (most alerts, then address). */
  topHosts(side: Side, limit: number): Promise<ReportHost[]>;
  /** Every host of one side in address order as [ip, alerts], in batches. */
  hostCounts(side: Side): AsyncIterable<Array<[Buffer, number]>>;
  /** Hosts of one side in address order after `after` (keyset), `limit` at a time. */
  hostBatch(side: Side, after: Buffer | null, limit: number): Promise<ReportHost[]>;
  /** Signature counts of the hosts in (after, upTo] on one side. */
  hostSigsRange(side: Side, after: Buffer | null, upTo: Buffer): Promise<HostSigRow[]>;
  /**
   * Every alert of one side in (address, time, import order) from address `from` on, in batches:
   * one ordered scan for the whole site. Breaking out of the loop ends the scan.
   */
  sideAlerts(side: Side, from?: Buffer): AsyncIterable<RawAlert[]>;
  /** A host's peers by alert count (then address), for hosts with too many to count in memory. */
  hostPeers(side: Side, ip: Buffer, limit: number): Promise<{ rows: Array<{ ip: Buffer; count: number }>; total: number }>;
  /** Packets of these alerts (rows of sideAlerts), by alert then seq. */
  packets(alerts: readonly RawAlert[]): Promise<PacketRow[]>;
  /** Extra data of these alerts, by alert then seq (text values as strings). */
  extra(alerts: readonly RawAlert[]): Promise<ExtraRow[]>;
  /** Whether any alert carries packets or extra data (text-only stores skip those lookups). */
  hasCaptures(): Promise<{ packets: boolean; extra: boolean }>;
  /** The store's state as this run sees it, for the next run's staleSince(). */
  mark(): Promise<ReportMark>;
  /**
   * Which host pages the previous run (`prev`, from its manifest) wrote may have gained packets
   * or extra data since, so that their unchanged keys cannot be trusted. All of them when
   * unsure (no mark, a mark of the other store).
   */
  staleSince(prev: ReportMark | undefined): Promise<StaleHosts>;
  close(): Promise<void>;
}
