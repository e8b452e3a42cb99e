/**
 * Everything the report's analysis pages (clusters, anomalies, p2p, sensors, policy) and the
 * host annotations show, gathered ONCE per report run: each analysis reads the store in its own
 * way (packets, rollups, flow tables), so host pages must never call them per host.
 *
 * Every section is computed on its own and fails on its own (`{ error }`): a store without flow
 * tables, or a malformed policy file, costs one section of one page, never the whole report.
 * Home networks are resolved once and used by every analysis, so the pages agree with each
 * other: the caller's, else the policy file's, else the store's (sFlow import), else the CLI
 * default (RFC 1918 + ULA); the pages say which.
 */
import fs from 'node:fs';
import type { AlertFilter, Store } from '../../store/store.js';
import { clusterReport, DEFAULT_HOME_NETS, loadKnownClusters, resolveHomeNets, type ClusterReport } from '../../cli/clusters.js';
import { anomalyReport, type AnomalyReport } from '../../cli/anomalies.js';
import { hostVerdicts } from '../../analysis/host-verdicts.js';
import type { HostVerdict } from '../../model/verdict.js';
import type { DailyP2pReport } from '../../inputs/sflow/daily-report.js';
import { loadPolicy, policyPathFor } from '../../policy/policy-file.js';
import type { Policy } from '../../policy/types.js';
import type { Judgement } from '../../policy/evaluate.js';
import { findingsFromAnomalies, findingsFromClusters, findingsFromVerdicts } from '../../policy/findings.js';
import { checkPolicy, listProposals } from '../../response/service.js';
import type { Proposal } from '../../response/types.js';
import { readNotes, type NotesState } from '../../state/notes.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { SensorReads, SensorStats } from '../../store/reads/sensor-reads.js';
import { sensorReadsFor } from '../../store/reads/reads-for.js';
import { sensorComparison, type SensorComparison } from './sensor-comparison.js';

/** A section's value, or why it could not be computed (shown on the page instead). */
export type Section<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

export type HomeNetsFrom = 'option' | 'policy' | 'store' | 'default';

export interface DailyFlows {
  /** The last local (UTC) day the flow rollup has samples for. */
  day: string;
  report: DailyP2pReport;
}

export interface PolicyData {
  file: string;
  /** Null when the policy file does not exist (the page explains how to add one). */
  policy: Policy | null;
  judgements: Judgement[];
}

export interface AnalysisData {
  nowUs: number;
  homeNets: string[];
  homeNetsFrom: HomeNetsFrom;
  clusters: Section<ClusterReport>;
  anomalies: Section<AnomalyReport>;
  verdicts: Section<HostVerdict[]>;
  /** Null value: the store holds no flows (no sFlow import). */
  daily: Section<DailyFlows | null>;
  sensors: Section<SensorStats[]>;
  /** Null value: not exactly two sensors and no pair asked for. */
  comparison: Section<SensorComparison | null>;
  policy: Section<PolicyData>;
  proposals: Section<Proposal[]>;
  notes: NotesState;
}

export interface GatherOptions {
  store: Store;
  dbPath: string;
  filter?: AlertFilter;
  homeNets?: readonly string[];
  nowUs: number;
  /** Sensors to compare side by side (default: the two sensors, when there are exactly two). */
  sensorPair?: readonly [string, string];
  minSilentHours?: number;
}


/** The message of anything thrown, single-line and bounded (it is shown on a page, escaped). */
export function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 500);
}

async function attempt<T>(fn: () => Promise<T> | T): Promise<Section<T>> {
  try {
    return { value: await fn() };
  } catch (e) {
    return { error: errorText(e) };
  }
}

/**
 * The last UTC day with flow samples, or null without flows. The rollup is hourly (flow_peers),
 * so max(hour) names the day; a store from before issue 5 has no such table.
 */
function lastFlowDay(store: SqliteStore): string | null {
  const t = store.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'flow_peers'").get();
  if (!t) return null;
  const r = store.db.prepare('SELECT max(hour) AS h FROM flow_peers').get() as { h: number | null };
  return r.h === null ? null : new Date(r.h * 3_600_000).toISOString().slice(0, 10);
}

/** Why a store has no daily flow report at all (not merely no flows yet), or null. */
export function noFlowsReason(store: Store): string | null {
  // As `snarf mail` says in place of its sFlow sections: the central store keeps no flows.
  return store.kind === 'postgres' ? 'the PostgreSQL store keeps no flows (sFlow and flow imports are kept by SQLite stores only)' : null;
}

async function dailyFlows(store: Store, homeNets: readonly string[]): Promise<DailyFlows | null> {
  const none = noFlowsReason(store);
  if (none !== null) throw new Error(none);
  if (!(store instanceof SqliteStore) || !store.p2pReport || !store.flowSettings) return null;
  const day = lastFlowDay(store);
  if (day === null) return null;
  // Port classes are fixed at import: ask with the stored ones so the rollup can answer.
  const classing = (await store.flowSettings()).classing;
  const report = await store.p2pReport({
    day, timeZone: 'UTC', internalNetworks: homeNets,
    wellKnownBelow: classing?.wellKnownBelow, wellKnownPorts: classing?.wellKnownPorts ? new Set(classing.wellKnownPorts) : undefined,
    bittorrentPorts: classing?.bittorrentPorts ? [classing.bittorrentPorts[0], classing.bittorrentPorts[1]] : undefined,
  });
  return { day, report };
}

async function sensorSections(store: Store, filter: AlertFilter, pair: GatherOptions['sensorPair'], minSilentHours: number):
  Promise<{ sensors: Section<SensorStats[]>; comparison: Section<SensorComparison | null> }> {
  let stats: SensorStats[];
  let reads: SensorReads;
  try {
    reads = sensorReadsFor(store);
    stats = await reads.sensorStats();
  } catch (e) {
    return { sensors: { error: errorText(e) }, comparison: { error: errorText(e) } };
  }
  // The report's sensor filter narrows the list (and the default pair) like every other page.
  const wanted = filter.sensors?.length ? new Set(filter.sensors) : null;
  const shown = wanted ? stats.filter((s) => wanted.has(s.name)) : stats;
  const names = pair ?? (shown.length === 2 ? [shown[0]!.name, shown[1]!.name] as const : null);
  let comparison: Section<SensorComparison | null> = { value: null };
  if (names) {
    try {
      comparison = { value: await sensorComparison(reads, names[0], names[1], { sinceUs: filter.sinceUs, untilUs: filter.untilUs }, minSilentHours) };
    } catch (e) {
      comparison = { error: errorText(e) };
    }
  }
  return { sensors: { value: shown }, comparison };
}

/** Home networks every analysis uses (see the module comment for the order). */
async function homeNetsFor(store: Store, given: readonly string[] | undefined, policy: Policy | null): Promise<{ homeNets: string[]; from: HomeNetsFrom }> {
  if (given?.length) return { homeNets: [...given], from: 'option' };
  if (policy?.homeNets.length) return { homeNets: [...policy.homeNets], from: 'policy' };
  try {
    const r = await resolveHomeNets(store, undefined);
    return { homeNets: r.homeNets, from: r.from === 'store' ? 'store' : 'default' };
  } catch {
    return { homeNets: [...DEFAULT_HOME_NETS], from: 'default' };
  }
}

export async function gatherAnalysis(o: GatherOptions): Promise<AnalysisData> {
  const { store } = o;
  const filter = o.filter ?? {};
  const policyFile = policyPathFor(o.dbPath);
  const loaded = await attempt(() => (fs.existsSync(policyFile) ? loadPolicy(policyFile) : null));
  const { homeNets, from } = await homeNetsFor(store, o.homeNets, loaded.value ?? null);
  const window = { sinceUs: filter.sinceUs, untilUs: filter.untilUs };
  // loadKnownClusters only reads the state file: the report never records clusters (that is
  // `snarf clusters`' job), so new members stay new until someone runs it.
  const clusters = await attempt(async () => clusterReport(store, { homeNets, ...window, sensors: filter.sensors, known: await loadKnownClusters(o.dbPath) }));
  // Protocol checks read alerts on the web and mail ports into memory: bounded here so that a
  // report of millions of alerts stays within its memory budget (the CLI can go further).
  const anomalies = await attempt(() => anomalyReport(store, { homeNets, ...window, sensors: filter.sensors, maxAlerts: 100_000 }));
  const verdicts = await attempt(() => hostVerdicts(store, { homeNets, ...window }));
  const daily = await attempt(() => dailyFlows(store, homeNets));
  const { sensors, comparison } = await sensorSections(store, filter, o.sensorPair, o.minSilentHours ?? 1);
  let policy: Section<PolicyData>;
  if (loaded.error !== undefined) policy = { error: `${policyFile}: ${loaded.error}` };
  else if (loaded.value === null) policy = { value: { file: policyFile, policy: null, judgements: [] } };
  else {
    const p = loaded.value;
    // The findings `snarf policy check` would collect, from the analyses already run above
    // (checkPolicy would otherwise run all three again).
    const extra = [
      ...findingsFromVerdicts(verdicts.value ?? []),
      ...(clusters.value ? findingsFromClusters([...clusters.value.clusters, ...clusters.value.chatServers]) : []),
      ...findingsFromAnomalies(anomalies.value?.findings ?? []),
    ];
    policy = await attempt(async () => ({
      file: policyFile, policy: p, judgements: await checkPolicy(store, p, { verdicts: false, bots: false, extraFindings: extra, nowUs: o.nowUs }),
    }));
  }
  const proposals = await attempt(() => listProposals(store, { status: ['pending', 'approved'], nowUs: o.nowUs }));
  let notes: NotesState;
  try {
    notes = await readNotes(o.dbPath);
  } catch {
    notes = { version: 1, notes: [], acks: [] };
  }
  return { nowUs: o.nowUs, homeNets, homeNetsFrom: from, clusters, anomalies, verdicts, daily, sensors, comparison, policy, proposals, notes };
}

