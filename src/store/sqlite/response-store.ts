/**
 * The SQLite side of issue 12: response proposals, their decisions, incidents and the per-host
 * history (schema migration 3). Attached to SqliteStore by attachResponseStore(), as the flow
 * store is. Every call is one transaction, so a proposal and the decision and history rows that
 * record it commit together. Lifecycle rules (what may be approved, when a rejected proposal
 * may be proposed again) live here because they must hold under concurrent writers (the server
 * and a cron job); see docs/policy.md.
 */
import type Database from 'better-sqlite3';
import { SnarfError } from '../../errors.js';
import { ipFromKey, ipKey } from '../../model/ip.js';
import type { FindingKind, FindingLevel, ResponseAction } from '../../policy/types.js';
import type {
  Decision, DecisionKind, HistoryEvent, HistoryEventType, HostHistory, Incident, Proposal, ProposalQuery, ProposalState,
  ProposalStatus, ResponseBatch, ResponseBatchResult, ResponseStoreMethods,
} from '../../response/types.js';
import { stmt } from './flow-store.js';

type Db = Database.Database;

interface ProposalRow {
  id: number; key: string; action: string; target: Buffer; host: Buffer; kind: string; level: string; state: string;
  evidence: string; first: number; last: number; duration: number; created: number; decided: number | null;
  decided_by: string | null; expires: number | null; comment: string | null; incident_id: number | null;
}

interface IncidentRow { id: number; host: Buffer; opened: number; closed: number | null; offence: number; kinds: string; step_title: string; step_tasks: string }

const fail = (msg: string): never => { throw new SnarfError('SNARF_CONFIG_INVALID', msg); };

/** Approved and past its expiry reads as expired: nothing has to run at the expiry instant. */
export function effectiveStatus(state: ProposalState, expiresUs: number | null, nowUs: number): ProposalStatus {
  return state === 'approved' && expiresUs !== null && expiresUs <= nowUs ? 'expired' : state;
}

function toProposal(r: ProposalRow, nowUs: number): Proposal {
  return {
    id: r.id, key: r.key, action: r.action as ResponseAction, target: ipFromKey(r.target), host: ipFromKey(r.host),
    kind: r.kind as FindingKind, level: r.level as FindingLevel, status: effectiveStatus(r.state as ProposalState, r.expires, nowUs),
    evidence: JSON.parse(r.evidence) as string[], firstUs: r.first, lastUs: r.last, durationS: r.duration, createdUs: r.created,
    decidedUs: r.decided, decidedBy: r.decided_by, expiresUs: r.expires, comment: r.comment, incidentId: r.incident_id,
  };
}

function toIncident(db: Db, r: IncidentRow): Incident {
  const done = (stmt(db, "SELECT DISTINCT ref FROM incident_events WHERE incident_id = ? AND type = 'task' ORDER BY ref").all(r.id) as Array<{ ref: number }>).map((x) => x.ref);
  return {
    id: r.id, host: ipFromKey(r.host), openedUs: r.opened, closedUs: r.closed, offence: r.offence, kinds: JSON.parse(r.kinds) as FindingKind[],
    step: { title: r.step_title, tasks: JSON.parse(r.step_tasks) as string[] }, done,
  };
}

function addEvent(db: Db, e: { incidentId: number | null; host: Buffer; atUs: number; type: HistoryEventType; actor: string; text: string; ref?: number | null; key?: string }): number {
  return Number(stmt(db, 'INSERT INTO incident_events (incident_id, host, at, type, actor, text, ref, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(e.incidentId, e.host, e.atUs, e.type, e.actor, e.text, e.ref ?? null, e.key ?? null).lastInsertRowid);
}

/** The host's open incident, opened now (with its offence number and procedure step) if none. */
function openIncident(db: Db, host: Buffer, kind: FindingKind, b: ResponseBatch, counts: ResponseBatchResult): number {
  const open = stmt(db, 'SELECT * FROM incidents WHERE host = ? AND closed IS NULL ORDER BY id DESC LIMIT 1').get(host) as IncidentRow | undefined;
  if (open) {
    const kinds = JSON.parse(open.kinds) as string[];
    if (!kinds.includes(kind)) stmt(db, 'UPDATE incidents SET kinds = ? WHERE id = ?').run(JSON.stringify([...kinds, kind].sort()), open.id);
    return open.id;
  }
  const earlier = (stmt(db, 'SELECT count(*) AS n FROM incidents WHERE host = ? AND opened >= ?').get(host, b.nowUs - b.windowUs) as { n: number }).n;
  const offence = earlier + 1;
  const step = b.steps[Math.min(offence, b.steps.length) - 1] ?? { title: `Offence ${offence}`, tasks: [] };
  const id = Number(stmt(db, 'INSERT INTO incidents (host, opened, closed, offence, kinds, step_title, step_tasks) VALUES (?, ?, NULL, ?, ?, ?, ?)')
    .run(host, b.nowUs, offence, JSON.stringify([kind]), step.title, JSON.stringify(step.tasks)).lastInsertRowid);
  addEvent(db, { incidentId: id, host, atUs: b.nowUs, type: 'step', actor: 'snarf', text: `offence ${offence}: ${step.title}${step.tasks.length ? ` (${step.tasks.join('; ')})` : ''}` });
  counts.incidentsOpened++;
  return id;
}

export function recordResponse(db: Db, b: ResponseBatch): ResponseBatchResult {
  return db.transaction(() => {
    const counts: ResponseBatchResult = { incidentsOpened: 0, findingsRecorded: 0, proposalsCreated: 0, proposalsUpdated: 0, autoApproved: 0 };
    for (const v of b.violations) {
      const host = ipKey(v.host);
      const inc = openIncident(db, host, v.kind, b, counts);
      const res = stmt(db, `INSERT INTO incident_events (incident_id, host, at, type, actor, text, ref, key) VALUES (?, ?, ?, 'finding', 'snarf', ?, NULL, ?)
        ON CONFLICT (incident_id, key) WHERE key IS NOT NULL DO UPDATE SET text = excluded.text, at = max(at, excluded.at)`)
        .run(inc, host, v.lastUs, v.text, v.key);
      if (res.changes) counts.findingsRecorded++;
    }
    for (const p of b.proposals) {
      const last = stmt(db, 'SELECT * FROM response_proposals WHERE key = ? ORDER BY id DESC LIMIT 1').get(p.key) as ProposalRow | undefined;
      if (last) {
        const status = effectiveStatus(last.state as ProposalState, last.expires, b.nowUs);
        if (status === 'pending') {
          stmt(db, 'UPDATE response_proposals SET evidence = ?, level = ?, first = min(first, ?), last = max(last, ?) WHERE id = ?')
            .run(JSON.stringify(p.evidence), p.level, p.firstUs, p.lastUs, last.id);
          counts.proposalsUpdated++;
          continue;
        }
        if (status === 'approved') continue;
        // Rejected, revoked or expired: propose again only for activity after that decision or expiry.
        const since = status === 'expired' ? last.expires! : last.decided ?? last.created;
        if (p.lastUs <= since) continue;
      }
      const host = ipKey(p.host);
      const inc = openIncident(db, host, p.kind, b, counts);
      const id = Number(stmt(db, `INSERT INTO response_proposals (key, action, target, host, kind, level, state, evidence, first, last, duration, created, incident_id)
        VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)`)
        .run(p.key, p.action, ipKey(p.target), host, p.kind, p.level, JSON.stringify(p.evidence), p.firstUs, p.lastUs, p.durationS, b.nowUs, inc).lastInsertRowid);
      stmt(db, "INSERT INTO response_decisions (proposal_id, decision, actor, at, comment) VALUES (?, 'propose', 'snarf', ?, NULL)").run(id, b.nowUs);
      addEvent(db, { incidentId: inc, host, atUs: b.nowUs, type: 'proposal', actor: 'snarf', text: `proposed ${p.action} ${p.target} (${p.kind}, ${p.level})`, ref: id });
      counts.proposalsCreated++;
      if (p.autoApprove) {
        decide(db, id, 'approve', b.policyActor, b.nowUs, { comment: 'auto_approve in the policy' });
        counts.autoApproved++;
      }
    }
    return counts;
  })();
}

const NEXT: Record<Exclude<DecisionKind, 'propose'>, { from: ProposalStatus; to: ProposalState }> = {
  approve: { from: 'pending', to: 'approved' },
  reject: { from: 'pending', to: 'rejected' },
  revoke: { from: 'approved', to: 'revoked' },
};

function decide(db: Db, id: number, d: Exclude<DecisionKind, 'propose'>, actor: string, atUs: number, opts: { comment?: string; expiresUs?: number }): Proposal {
  const row = stmt(db, 'SELECT * FROM response_proposals WHERE id = ?').get(id) as ProposalRow | undefined;
  if (!row) return fail(`no response proposal ${id}`);
  const status = effectiveStatus(row.state as ProposalState, row.expires, atUs);
  const step = NEXT[d];
  if (status !== step.from) return fail(`proposal ${id} is ${status}; only a ${step.from} proposal can be ${d === 'approve' ? 'approved' : `${d}ed`}`);
  if (!actor.trim()) return fail('a decision needs the name of who made it');
  let expires = row.expires;
  if (d === 'approve') {
    expires = opts.expiresUs ?? atUs + row.duration * 1_000_000;
    if (expires <= atUs) fail('the expiry of an approved action must be in the future');
  }
  stmt(db, 'UPDATE response_proposals SET state = ?, decided = ?, decided_by = ?, expires = ?, comment = ? WHERE id = ?')
    .run(step.to, atUs, actor, expires, opts.comment ?? null, id);
  stmt(db, 'INSERT INTO response_decisions (proposal_id, decision, actor, at, comment) VALUES (?, ?, ?, ?, ?)').run(id, d, actor, atUs, opts.comment ?? null);
  addEvent(db, {
    incidentId: row.incident_id, host: row.host, atUs, type: 'decision', actor, ref: id,
    text: `${step.to} ${row.action} ${ipFromKey(row.target)}${opts.comment ? `: ${opts.comment}` : ''}`,
  });
  return toProposal(stmt(db, 'SELECT * FROM response_proposals WHERE id = ?').get(id) as ProposalRow, atUs);
}

export function listProposals(db: Db, q: ProposalQuery): Proposal[] {
  const rows = (q.host
    ? stmt(db, 'SELECT * FROM response_proposals WHERE host = ? ORDER BY id').all(ipKey(q.host))
    : stmt(db, 'SELECT * FROM response_proposals ORDER BY id').all()) as ProposalRow[];
  const all = rows.map((r) => toProposal(r, q.nowUs));
  return q.status?.length ? all.filter((p) => q.status!.includes(p.status)) : all;
}

function incident(db: Db, id: number): IncidentRow {
  const row = stmt(db, 'SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;
  return row ?? fail(`no incident ${id}`);
}

export function attachResponseStore(cls: { prototype: object }): void {
  const methods: ResponseStoreMethods & ThisType<{ db: Db }> = {
    async recordResponse(batch) { return recordResponse(this.db, batch); },
    async listProposals(q) { return listProposals(this.db, q); },
    async getProposal(id, nowUs) {
      const row = stmt(this.db, 'SELECT * FROM response_proposals WHERE id = ?').get(id) as ProposalRow | undefined;
      return row ? toProposal(row, nowUs) : undefined;
    },
    async proposalDecisions(id) {
      const rows = stmt(this.db, 'SELECT * FROM response_decisions WHERE proposal_id = ? ORDER BY id').all(id) as Array<Record<string, unknown>>;
      return rows.map((r): Decision => ({
        id: Number(r.id), proposalId: Number(r.proposal_id), decision: r.decision as DecisionKind, actor: String(r.actor), atUs: Number(r.at),
        comment: r.comment === null ? null : String(r.comment),
      }));
    },
    async decideProposal(id, d, actor, atUs, opts = {}) { return this.db.transaction(() => decide(this.db, id, d, actor, atUs, opts))(); },
    async hostHistory(host, nowUs): Promise<HostHistory> {
      const key = ipKey(host);
      const incidents = (stmt(this.db, 'SELECT * FROM incidents WHERE host = ? ORDER BY opened, id').all(key) as IncidentRow[]).map((r) => toIncident(this.db, r));
      const events = (stmt(this.db, 'SELECT * FROM incident_events WHERE host = ? ORDER BY at, id').all(key) as Array<Record<string, unknown>>).map((r): HistoryEvent => ({
        id: Number(r.id), incidentId: r.incident_id === null ? null : Number(r.incident_id), atUs: Number(r.at), type: r.type as HistoryEventType,
        actor: String(r.actor), text: String(r.text), ref: r.ref === null ? null : Number(r.ref),
      }));
      return { host, incidents, events, proposals: listProposals(this.db, { host, nowUs }) };
    },
    async addHostNote(host, actor, atUs, text) {
      if (!text.trim()) fail('an empty note');
      const key = ipKey(host);
      const open = stmt(this.db, 'SELECT id FROM incidents WHERE host = ? AND closed IS NULL ORDER BY id DESC LIMIT 1').get(key) as { id: number } | undefined;
      const id = addEvent(this.db, { incidentId: open?.id ?? null, host: key, atUs, type: 'note', actor, text });
      return { id, incidentId: open?.id ?? null, atUs, type: 'note', actor, text, ref: null };
    },
    async markTaskDone(incidentId, task, actor, atUs) {
      return this.db.transaction(() => {
        const row = incident(this.db, incidentId);
        const tasks = JSON.parse(row.step_tasks) as string[];
        if (!Number.isInteger(task) || task < 0 || task >= tasks.length) fail(`incident ${incidentId} has tasks 1 to ${tasks.length}`);
        addEvent(this.db, { incidentId, host: row.host, atUs, type: 'task', actor, text: `done: ${tasks[task]}`, ref: task });
        return toIncident(this.db, row);
      })();
    },
    async closeIncident(incidentId, actor, atUs, comment) {
      return this.db.transaction(() => {
        const row = incident(this.db, incidentId);
        if (row.closed !== null) fail(`incident ${incidentId} is already closed`);
        stmt(this.db, 'UPDATE incidents SET closed = ? WHERE id = ?').run(atUs, incidentId);
        addEvent(this.db, { incidentId, host: row.host, atUs, type: 'closed', actor, text: comment ? `closed: ${comment}` : 'closed' });
        return toIncident(this.db, { ...row, closed: atUs });
      })();
    },
  };
  Object.assign(cls.prototype, methods);
}
