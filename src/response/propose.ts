/**
 * From judged findings to what the store records (pure): every violation goes into the host's
 * incident history, and violations sure enough for their kind (`respond_level`) get the
 * actions the policy lists for that kind. Block-peer needs a peer: a P2P verdict has none (its
 * peers are many), so only bots' command servers get one; nothing is invented.
 */
import type { Judgement } from '../policy/evaluate.js';
import { LEVEL_RANK, type Policy } from '../policy/types.js';
import type { ProposalDraft, ResponseBatch, ViolationRecord } from './types.js';

const DAY_US = 86_400_000_000;

export function proposalKey(action: string, target: string, kind: string): string {
  return `${action}|${target}|${kind}`;
}

export function draftProposals(policy: Policy, judgements: readonly Judgement[]): ProposalDraft[] {
  const byKey = new Map<string, ProposalDraft>();
  for (const j of judgements) {
    if (j.status !== 'violation') continue;
    const f = j.finding;
    const kp = policy.kinds[f.kind];
    if (LEVEL_RANK[f.level] < LEVEL_RANK[kp.respondLevel]) continue;
    for (const action of kp.respond) {
      const target = action === 'block-peer' ? f.peer : f.host;
      if (!target) continue;
      const key = proposalKey(action, target, f.kind);
      const prev = byKey.get(key);
      if (prev) {
        // Several members of one bot cluster share a block-peer: one proposal, all the evidence.
        prev.firstUs = Math.min(prev.firstUs, f.firstUs);
        prev.lastUs = Math.max(prev.lastUs, f.lastUs);
        if (LEVEL_RANK[f.level] > LEVEL_RANK[prev.level]) prev.level = f.level;
        prev.evidence.push(`${f.host}: ${j.why}`, ...f.evidence.slice(0, 3));
        prev.evidence = [...new Set(prev.evidence)].slice(0, 40);
        continue;
      }
      byKey.set(key, {
        key, action, target, host: f.host, kind: f.kind, level: f.level, evidence: [`${f.host}: ${j.why}`, ...f.evidence],
        firstUs: f.firstUs, lastUs: f.lastUs, durationS: kp.durationS, autoApprove: kp.autoApprove,
      });
    }
  }
  return [...byKey.values()];
}

export function violationRecords(judgements: readonly Judgement[]): ViolationRecord[] {
  return judgements.filter((j) => j.status === 'violation').map((j) => {
    const f = j.finding;
    return {
      host: f.host, kind: f.kind, key: `finding|${f.kind}|${f.source}|${f.peer ?? ''}`, firstUs: f.firstUs, lastUs: f.lastUs,
      text: `${f.kind} (${f.level}, ${f.source}${f.peer ? `, peer ${f.peer}` : ''}): ${j.why}${f.evidence[0] ? `; ${f.evidence[0]}` : ''}`,
    };
  });
}

export function responseBatch(policy: Policy, judgements: readonly Judgement[], nowUs: number): ResponseBatch {
  return {
    nowUs, windowUs: policy.procedure.windowDays * DAY_US, steps: policy.procedure.steps,
    violations: violationRecords(judgements), proposals: draftProposals(policy, judgements), policyActor: 'policy',
  };
}
