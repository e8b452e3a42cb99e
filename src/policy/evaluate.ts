/**
 * Matching findings to the policy (pure: no store, no clock beyond the `nowUs` passed in).
 *
 * A finding is judged on the time of the traffic, not the time of the check: a registration
 * covers it only when the finding's whole window [first, last] lies within the registration's
 * [from, expires). So an expired registration stops protecting a host for anything seen after
 * it lapsed (and for traffic that ran on past the expiry), while last month's registered
 * research traffic does not turn into a violation the day the registration ends.
 */
import { inCidr } from '../model/ip.js';
import type { PolicyFinding } from './findings.js';
import { LEVEL_RANK, type FindingKind, type Policy, type PolicyRule, type Registration } from './types.js';

export type PolicyStatus = 'violation' | 'registered' | 'allowed' | 'below-threshold';

export interface Judgement {
  finding: PolicyFinding;
  status: PolicyStatus;
  rule: PolicyRule;
  /** The registration that covers the finding, or the one that lapsed (violation). */
  registration: Registration | null;
  /** One sentence for people: why this status. */
  why: string;
}

function iso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Registrations naming this host (by its network) and kind, in file order. */
export function registrationsMatching(policy: Policy, host: string, kind?: FindingKind): Registration[] {
  return policy.registrations.filter((r) => (kind === undefined || r.kinds.includes(kind)) && safeInCidr(host, r.net));
}

function safeInCidr(host: string, net: string): boolean {
  try {
    return inCidr(host, net);
  } catch {
    return false;
  }
}

function covers(r: Registration, f: PolicyFinding): boolean {
  return (r.fromUs === null || f.firstUs >= r.fromUs) && f.lastUs < r.expiresUs;
}

export function judge(policy: Policy, f: PolicyFinding): Judgement {
  const kp = policy.kinds[f.kind];
  const base = { finding: f, rule: kp.rule };
  if (kp.rule === 'allowed') return { ...base, status: 'allowed', registration: null, why: `${f.kind} is allowed by the policy` };
  const regs = kp.rule === 'registration' ? registrationsMatching(policy, f.host, f.kind) : [];
  const cover = regs.find((r) => covers(r, f));
  if (cover) {
    return { ...base, status: 'registered', registration: cover, why: `registered (${cover.id}, owner ${cover.owner}) until ${iso(cover.expiresUs)}` };
  }
  if (LEVEL_RANK[f.level] < LEVEL_RANK[kp.minLevel]) {
    return { ...base, status: 'below-threshold', registration: null, why: `${f.level} ${f.kind} evidence is below the policy's ${kp.minLevel} threshold` };
  }
  if (kp.rule === 'banned') return { ...base, status: 'violation', registration: null, why: `${f.kind} is banned by the policy` };
  // Say which registration lapsed (or has not started): the owner is the first person to call.
  const lapsed = regs.find((r) => f.lastUs >= r.expiresUs) ?? regs[0] ?? null;
  let why = `${f.kind} needs a registration and ${f.host} has none`;
  if (lapsed && f.lastUs >= lapsed.expiresUs) why = `registration ${lapsed.id} (owner ${lapsed.owner}) expired ${iso(lapsed.expiresUs)}; traffic seen until ${iso(f.lastUs)}`;
  else if (lapsed && lapsed.fromUs !== null) why = `registration ${lapsed.id} starts ${iso(lapsed.fromUs)}; traffic seen from ${iso(f.firstUs)}`;
  return { ...base, status: 'violation', registration: lapsed, why };
}

export function judgeAll(policy: Policy, findings: readonly PolicyFinding[]): Judgement[] {
  return findings.map((f) => judge(policy, f));
}

export function violations(judgements: readonly Judgement[]): Judgement[] {
  return judgements.filter((j) => j.status === 'violation');
}

export interface RegistrationState {
  registration: Registration;
  /** Valid at `nowUs`. */
  active: boolean;
}

/** What a host page, a verdict line or the nightly mail says about a host. */
export interface HostPolicyStatus {
  host: string;
  /** violation > registered > watch (below threshold) > allowed > none. */
  state: 'violation' | 'registered' | 'watch' | 'allowed' | 'none';
  judgements: Judgement[];
  registrations: RegistrationState[];
}

const STATE_RANK = { violation: 5, registered: 4, watch: 3, allowed: 2, none: 1 } as const;
const STATE_OF: Record<PolicyStatus, HostPolicyStatus['state']> = {
  violation: 'violation', registered: 'registered', 'below-threshold': 'watch', allowed: 'allowed',
};

export function hostPolicyStatus(policy: Policy, host: string, judgements: readonly Judgement[], nowUs: number): HostPolicyStatus {
  const mine = judgements.filter((j) => j.finding.host === host);
  let state: HostPolicyStatus['state'] = 'none';
  for (const j of mine) if (STATE_RANK[STATE_OF[j.status]] > STATE_RANK[state]) state = STATE_OF[j.status];
  const registrations = registrationsMatching(policy, host).map((r) => ({
    registration: r, active: (r.fromUs === null || r.fromUs <= nowUs) && nowUs < r.expiresUs,
  }));
  return { host, state, judgements: mine, registrations };
}

/** JSON shape of a judgement (stable: `snarf policy check --json` prints it). */
export function judgementJson(j: Judgement): unknown {
  const f = j.finding;
  return {
    host: f.host, kind: f.kind, status: j.status, rule: j.rule, level: f.level, peer: f.peer, source: f.source,
    first: iso(f.firstUs), last: iso(f.lastUs), why: j.why,
    registration: j.registration ? registrationJson(j.registration) : null,
    evidence: f.evidence,
  };
}

export function registrationJson(r: Registration, nowUs?: number): unknown {
  return {
    id: r.id, net: r.net, kinds: r.kinds, owner: r.owner, reason: r.reason,
    from: r.fromUs === null ? null : iso(r.fromUs), expires: iso(r.expiresUs),
    ...(nowUs === undefined ? {} : { active: (r.fromUs === null || r.fromUs <= nowUs) && nowUs < r.expiresUs }),
  };
}
