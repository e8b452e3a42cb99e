/**
 * Response proposals, decisions and per-host incident history (issue 12): the shapes the
 * store keeps (src/store/sqlite/response-store.ts, migration 3) and the commands, the server,
 * the report and the mail read. Addresses are canonical text; times are µs UTC.
 */
import type { FindingKind, FindingLevel, ProcedureStep, ResponseAction } from '../policy/types.js';

/** Stored states. An approved action whose expiry has passed reads as `expired` (never stored). */
export type ProposalState = 'pending' | 'approved' | 'rejected' | 'revoked';
export type ProposalStatus = ProposalState | 'expired';

/** What the policy run asks the store to record; `key` (action|target|kind) dedupes re-runs. */
export interface ProposalDraft {
  key: string;
  action: ResponseAction;
  /** Address the action applies to: the host, or the peer / command server. */
  target: string;
  /** Internal host whose finding led to it (the incident it belongs to). */
  host: string;
  kind: FindingKind;
  level: FindingLevel;
  evidence: string[];
  firstUs: number;
  lastUs: number;
  durationS: number;
  /** Approved at once by the policy (kinds with auto_approve). */
  autoApprove: boolean;
}

export interface Proposal extends Omit<ProposalDraft, 'autoApprove'> {
  id: number;
  status: ProposalStatus;
  createdUs: number;
  decidedUs: number | null;
  decidedBy: string | null;
  /** Set on approval: when the action stops (exports carry it). */
  expiresUs: number | null;
  comment: string | null;
  incidentId: number | null;
}

export type DecisionKind = 'propose' | 'approve' | 'reject' | 'revoke';

export interface Decision {
  id: number;
  proposalId: number;
  decision: DecisionKind;
  actor: string;
  atUs: number;
  comment: string | null;
}

/** A violation as the incident history records it (one row per host, kind, source and peer). */
export interface ViolationRecord {
  host: string;
  kind: FindingKind;
  key: string;
  text: string;
  firstUs: number;
  lastUs: number;
}

export interface ResponseBatch {
  nowUs: number;
  /** Incidents opened within this window before now count as earlier offences. */
  windowUs: number;
  steps: readonly ProcedureStep[];
  violations: ViolationRecord[];
  proposals: ProposalDraft[];
  /** Actor recorded for approvals the policy makes (`policy:<file>`). */
  policyActor: string;
}

export interface ResponseBatchResult {
  incidentsOpened: number;
  findingsRecorded: number;
  proposalsCreated: number;
  proposalsUpdated: number;
  autoApproved: number;
}

export interface Incident {
  id: number;
  host: string;
  openedUs: number;
  closedUs: number | null;
  /** 1 = first offence within the procedure window, 2 = second, ... */
  offence: number;
  kinds: FindingKind[];
  step: { title: string; tasks: string[] };
  /** Indexes into step.tasks marked done. */
  done: number[];
}

export type HistoryEventType = 'finding' | 'proposal' | 'decision' | 'note' | 'step' | 'task' | 'closed';

export interface HistoryEvent {
  id: number;
  incidentId: number | null;
  atUs: number;
  type: HistoryEventType;
  actor: string;
  text: string;
  /** Proposal id for proposal/decision events, task index for task events. */
  ref: number | null;
}

export interface HostHistory {
  host: string;
  incidents: Incident[];
  events: HistoryEvent[];
  proposals: Proposal[];
}

export interface ProposalQuery {
  status?: ProposalStatus[];
  host?: string;
  nowUs: number;
}

/** The optional store methods of issue 12 (SQLite: src/store/sqlite/response-store.ts). */
export interface ResponseStoreMethods {
  recordResponse(batch: ResponseBatch): Promise<ResponseBatchResult>;
  listProposals(q: ProposalQuery): Promise<Proposal[]>;
  getProposal(id: number, nowUs: number): Promise<Proposal | undefined>;
  proposalDecisions(id: number): Promise<Decision[]>;
  decideProposal(id: number, decision: Exclude<DecisionKind, 'propose'>, actor: string, atUs: number,
    opts?: { comment?: string; expiresUs?: number }): Promise<Proposal>;
  hostHistory(host: string, nowUs: number): Promise<HostHistory>;
  addHostNote(host: string, actor: string, atUs: number, text: string): Promise<HistoryEvent>;
  markTaskDone(incidentId: number, task: number, actor: string, atUs: number): Promise<Incident>;
  closeIncident(incidentId: number, actor: string, atUs: number, comment?: string): Promise<Incident>;
}
