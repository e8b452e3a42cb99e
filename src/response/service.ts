/**
 * The calls the CLI, the server, the report and the nightly mail make (one place that joins
 * the store, the policy and the pure analysis):
 *
 * - checkPolicy(store, policy, opts)         findings judged against the policy (`snarf policy check`)
 * - proposeResponses(store, policy, opts)    the same, recorded: incidents, findings, proposals
 * - policyStatus(store, policy, host, opts)  what a host page / verdict line says about one host
 * - incidentHistory(store, host)             the host's incidents, events and proposals
 * - listProposals / approveProposal / rejectProposal / revokeProposal (who and when recorded)
 * - exportApproved(store, format, opts)      approved, unexpired actions as firewall text
 *
 * Callers that already hold verdicts (the report) can skip the store query with the pure
 * functions in src/policy/evaluate.ts and findingsFromVerdicts().
 */
import { SnarfError } from '../errors.js';
import { canonicalIp } from '../model/ip.js';
import { hostVerdicts, type HostVerdictQuery } from '../analysis/host-verdicts.js';
import { findingsFromAnomalies, findingsFromClusters, findingsFromVerdicts, type PolicyFinding } from '../policy/findings.js';
import { clusterReport } from '../cli/clusters.js';
import { anomalyReport } from '../cli/anomalies.js';
import { hostPolicyStatus, judgeAll, type HostPolicyStatus, type Judgement } from '../policy/evaluate.js';
import type { Policy, ResponseAction } from '../policy/types.js';
import type { Store } from '../store/store.js';
import { responseBatch } from './propose.js';
import { exportActions, type ExportFormat, type ExportOptions, type ExportResult } from './exporters.js';
import type { HostHistory, Proposal, ProposalQuery, ResponseBatchResult, ResponseStoreMethods } from './types.js';

export interface PolicyRunOptions {
  /** Query for the P2P verdicts (home networks default to the policy's, then the store's). */
  verdicts?: HostVerdictQuery | false;
  /** IRC-bot clusters and anomalies (spam bots, sweeps, scans) from the store too (SQLite only). */
  bots?: { homeNets?: readonly string[]; sinceUs?: number; untilUs?: number } | false;
  /** Findings from elsewhere: IRC clusters, anomalies, hand-made (src/policy/findings.ts adapters). */
  extraFindings?: readonly PolicyFinding[];
  nowUs?: number;
}

const nowUs = (): number => Date.now() * 1000;

/** The store's response methods, or a clear error for a store without them. */
export function responseStore(store: Store): ResponseStoreMethods {
  const s = store as Store & Partial<ResponseStoreMethods>;
  if (!s.recordResponse || !s.listProposals || !s.getProposal || !s.proposalDecisions || !s.decideProposal
    || !s.hostHistory || !s.addHostNote || !s.markTaskDone || !s.closeIncident) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `the ${store.kind} store does not keep response proposals`);
  }
  return s as ResponseStoreMethods;
}

export async function collectFindings(store: Store, policy: Policy, o: PolicyRunOptions = {}): Promise<PolicyFinding[]> {
  const findings: PolicyFinding[] = [];
  if (o.verdicts !== false) {
    const q: HostVerdictQuery = { ...(o.verdicts ?? {}) };
    if (!q.homeNets?.length && policy.homeNets.length) q.homeNets = policy.homeNets;
    findings.push(...findingsFromVerdicts(await hostVerdicts(store, q)));
  }
  if (o.bots) {
    const b = o.bots;
    const homeNets = b.homeNets?.length ? b.homeNets : policy.homeNets.length ? policy.homeNets : undefined;
    const c = await clusterReport(store, { homeNets, sinceUs: b.sinceUs, untilUs: b.untilUs });
    findings.push(...findingsFromClusters([...c.clusters, ...c.chatServers]));
    const a = await anomalyReport(store, { homeNets, sinceUs: b.sinceUs, untilUs: b.untilUs });
    findings.push(...findingsFromAnomalies(a.findings));
  }
  findings.push(...(o.extraFindings ?? []));
  return findings;
}

export async function checkPolicy(store: Store, policy: Policy, o: PolicyRunOptions = {}): Promise<Judgement[]> {
  return judgeAll(policy, await collectFindings(store, policy, o));
}

/** Judges and records: violations into incident histories, proposals (auto-approved where the policy says). */
export async function proposeResponses(store: Store, policy: Policy, o: PolicyRunOptions = {}): Promise<{ judgements: Judgement[]; result: ResponseBatchResult }> {
  const judgements = await checkPolicy(store, policy, o);
  const batch = responseBatch(policy, judgements, o.nowUs ?? nowUs());
  batch.policyActor = `policy:${policy.file}`;
  return { judgements, result: await responseStore(store).recordResponse(batch) };
}

export async function policyStatus(store: Store, policy: Policy, host: string, o: PolicyRunOptions = {}): Promise<HostPolicyStatus> {
  const h = canonicalIp(host) ?? host;
  return hostPolicyStatus(policy, h, await checkPolicy(store, policy, o), o.nowUs ?? nowUs());
}

export async function incidentHistory(store: Store, host: string, at = nowUs()): Promise<HostHistory> {
  const h = canonicalIp(host);
  if (!h) throw new SnarfError('SNARF_CONFIG_INVALID', `"${host.replace(/[^\x20-\x7e]/g, '?').slice(0, 60)}" is not an IP address`);
  return responseStore(store).hostHistory(h, at);
}

export async function listProposals(store: Store, q: Partial<ProposalQuery> = {}): Promise<Proposal[]> {
  return responseStore(store).listProposals({ ...q, nowUs: q.nowUs ?? nowUs() });
}

export interface DecisionOptions {
  comment?: string;
  /** Approve only: when the action ends (default: now + the kind's duration). */
  expiresUs?: number;
  nowUs?: number;
}

export async function approveProposal(store: Store, id: number, actor: string, o: DecisionOptions = {}): Promise<Proposal> {
  return responseStore(store).decideProposal(id, 'approve', actor, o.nowUs ?? nowUs(), { comment: o.comment, expiresUs: o.expiresUs });
}

export async function rejectProposal(store: Store, id: number, actor: string, o: DecisionOptions = {}): Promise<Proposal> {
  return responseStore(store).decideProposal(id, 'reject', actor, o.nowUs ?? nowUs(), { comment: o.comment });
}

/** Withdraws an approved action before its expiry: the next export leaves it out. */
export async function revokeProposal(store: Store, id: number, actor: string, o: DecisionOptions = {}): Promise<Proposal> {
  return responseStore(store).decideProposal(id, 'revoke', actor, o.nowUs ?? nowUs(), { comment: o.comment });
}

export interface ExportApprovedOptions extends Partial<ExportOptions> {
  /** Only these actions (default all three). */
  actions?: readonly ResponseAction[];
}

export async function exportApproved(store: Store, format: ExportFormat, o: ExportApprovedOptions = {}): Promise<ExportResult> {
  const at = o.nowUs ?? nowUs();
  // `approved` is the effective status: expired approvals read as `expired` and are not listed.
  const approved = await listProposals(store, { status: ['approved'], nowUs: at });
  const chosen = approved.filter((p) => p.expiresUs !== null && (!o.actions?.length || o.actions.includes(p.action)));
  return exportActions(format, chosen.map((p) => ({
    id: p.id, action: p.action, target: p.target, kind: p.kind, expiresUs: p.expiresUs!, decidedBy: p.decidedBy ?? 'unknown',
  })), { ...o, nowUs: at });
}
