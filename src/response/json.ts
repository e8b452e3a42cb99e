/**
 * Stable JSON shapes of proposals and histories (`snarf response list|show|history --json`,
 * the server's API and the report read the same). Times are ISO 8601 UTC.
 */
import { isoMicros } from '../cli/options.js';
import type { Decision, HostHistory, Proposal } from './types.js';

export function proposalJson(p: Proposal, decisions?: readonly Decision[]): unknown {
  return {
    id: p.id, status: p.status, action: p.action, target: p.target, host: p.host, kind: p.kind, level: p.level,
    first: isoMicros(p.firstUs), last: isoMicros(p.lastUs), durationSeconds: p.durationS, created: isoMicros(p.createdUs),
    decided: isoMicros(p.decidedUs), decidedBy: p.decidedBy, expires: isoMicros(p.expiresUs), comment: p.comment,
    incident: p.incidentId, evidence: p.evidence,
    ...(decisions ? { decisions: decisions.map((d) => ({ decision: d.decision, actor: d.actor, at: isoMicros(d.atUs), comment: d.comment })) } : {}),
  };
}

export function historyJson(h: HostHistory): unknown {
  return {
    host: h.host,
    incidents: h.incidents.map((i) => ({
      id: i.id, offence: i.offence, opened: isoMicros(i.openedUs), closed: isoMicros(i.closedUs), kinds: i.kinds,
      step: i.step.title, tasks: i.step.tasks.map((t, n) => ({ task: n + 1, text: t, done: i.done.includes(n) })),
    })),
    events: h.events.map((e) => ({ at: isoMicros(e.atUs), incident: e.incidentId, type: e.type, actor: e.actor, text: e.text, ref: e.ref })),
    proposals: h.proposals.map((p) => proposalJson(p)),
  };
}

const CSV_NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell; a leading = + - @ is defused so that a spreadsheet never runs a note as a formula. */
function cell(v: string | number | null): string {
  let s = v === null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return CSV_NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The history as CSV (`snarf response history HOST --format csv`): one row per event. */
export function historyCsv(h: HostHistory): string {
  const rows = [['host', 'at', 'incident', 'offence', 'type', 'actor', 'text', 'ref'].join(',')];
  const offence = new Map(h.incidents.map((i) => [i.id, i.offence]));
  for (const e of h.events) {
    rows.push([h.host, isoMicros(e.atUs), e.incidentId, e.incidentId === null ? null : offence.get(e.incidentId) ?? null, e.type, e.actor, e.text, e.ref].map(cell).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
