/**
 * What the policy judges: one small typed finding per (host, kind, source), whatever produced
 * it. P2P verdicts, IRC-bot clusters and behaviour anomalies each have an adapter below; the
 * last two take *structural* shapes (only the fields read here), so src/analysis/irc-clusters.ts
 * and anomalies.ts plug in without this module depending on their evolving files, and the JSON
 * those commands print (`snarf clusters --json`, `snarf anomalies --json`) plugs in the same way.
 */
import { canonicalIp } from '../model/ip.js';
import type { HostVerdict } from '../model/verdict.js';
import { FINDING_KINDS, type FindingKind, type FindingLevel } from './types.js';

export interface PolicyFinding {
  kind: FindingKind;
  /** Canonical address of the internal host the finding is about. */
  host: string;
  /** The other end when one stands out: the command server of a bot, a P2P peer. */
  peer: string | null;
  level: FindingLevel;
  /** Sentences for people (the verdict's reasons, the cluster's reasons, the anomaly summary). */
  evidence: string[];
  firstUs: number;
  lastUs: number;
  /** Producer: `p2p-verdicts`, `irc-clusters`, `anomalies`, or a caller's own name. */
  source: string;
}

const MAX_EVIDENCE = 12;

/** Per-host P2P verdicts → one finding per protocol (a host running Winny and BitTorrent has two). */
export function findingsFromVerdicts(verdicts: readonly HostVerdict[]): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  for (const v of verdicts) {
    for (const p of v.protocols) {
      out.push({
        kind: p, host: v.host, peer: null, level: v.level, source: 'p2p-verdicts',
        evidence: v.reasons.slice(0, MAX_EVIDENCE).map((r) => `[${r.level}] ${r.text}`), firstUs: v.firstUs, lastUs: v.lastUs,
      });
    }
  }
  return out;
}

/** The fields of an IRC cluster (src/analysis/irc-clusters.ts IrcCluster) this adapter reads. */
export interface ClusterLike {
  server: string;
  level: string;
  reasons?: readonly string[];
  first?: string | null;
  last?: string | null;
  members: ReadonlyArray<{ host: string; first?: string | null; last?: string | null }>;
}

/** The fields of an anomaly finding (src/analysis/anomalies.ts Finding) this adapter reads. */
export interface AnomalyLike {
  kind: string;
  host: string;
  internal?: boolean;
  first?: string | null;
  last?: string | null;
  summary: string;
}

function isoToUs(s: string | null | undefined): number | null {
  if (!s) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms * 1000;
}

/**
 * IRC clusters → per member an `irc-bot` finding (confirmed or likely) with the server as peer;
 * members of plain chat servers become `irc` (ordinary IRC use, which a policy may allow).
 */
export function findingsFromClusters(clusters: readonly ClusterLike[]): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  for (const c of clusters) {
    const server = canonicalIp(c.server);
    const bot = c.level === 'confirmed' || c.level === 'suspected';
    for (const m of c.members) {
      const host = canonicalIp(m.host);
      if (!host) continue;
      const firstUs = isoToUs(m.first) ?? isoToUs(c.first) ?? 0;
      const lastUs = isoToUs(m.last) ?? isoToUs(c.last) ?? firstUs;
      out.push({
        kind: bot ? 'irc-bot' : 'irc', host, peer: server, level: c.level === 'confirmed' ? 'confirmed' : c.level === 'suspected' ? 'likely' : 'watch',
        evidence: [`IRC cluster on ${server ?? '?'} (${c.level}, ${c.members.length} members)`, ...(c.reasons ?? []).slice(0, MAX_EVIDENCE - 1)],
        firstUs, lastUs, source: 'irc-clusters',
      });
    }
  }
  return out;
}

/** Anomaly kinds → policy kinds: mass SMTP is what the policy calls a spam bot. */
const ANOMALY_KIND: Record<string, FindingKind> = {
  'mass-smtp': 'spam-bot', 'non-smtp': 'non-smtp', sweep: 'sweep', scan: 'scan', 'fan-in': 'fan-in', 'non-http': 'non-http', 'always-on': 'always-on',
};

/**
 * Anomaly findings about internal hosts → policy findings. Behaviour is measured, not decoded,
 * so every anomaly is `likely`, except mass SMTP and sweeps, which are what bots do (confirmed).
 */
export function findingsFromAnomalies(findings: readonly AnomalyLike[]): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  for (const f of findings) {
    const kind = ANOMALY_KIND[f.kind];
    const host = canonicalIp(f.host);
    if (!kind || !host || f.internal === false) continue;
    const firstUs = isoToUs(f.first) ?? 0;
    out.push({
      kind, host, peer: null, level: kind === 'spam-bot' || kind === 'sweep' ? 'confirmed' : 'likely',
      evidence: [f.summary], firstUs, lastUs: isoToUs(f.last) ?? firstUs, source: 'anomalies',
    });
  }
  return out;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Findings from a JSON document another command printed: `{clusters: [...]}`, `{findings: [...]}`
 * (anomalies, or Snarf policy findings with `kind`/`host`/`level`), or a bare list of either.
 * Items are recognised by shape; what is not recognised is counted, not guessed at.
 */
export function findingsFromJson(doc: unknown, source = 'file'): { findings: PolicyFinding[]; ignored: number } {
  const items: unknown[] = Array.isArray(doc) ? doc
    : isObj(doc) ? [...(Array.isArray(doc.clusters) ? doc.clusters : []), ...(Array.isArray(doc.findings) ? doc.findings : []), ...(Array.isArray(doc.anomalies) ? doc.anomalies : [])]
    : [];
  const findings: PolicyFinding[] = [];
  let ignored = 0;
  for (const it of items) {
    if (isObj(it) && typeof it.server === 'string' && Array.isArray(it.members) && typeof it.level === 'string') {
      findings.push(...findingsFromClusters([it as unknown as ClusterLike]));
    } else if (isObj(it) && typeof it.kind === 'string' && typeof it.host === 'string' && typeof it.summary === 'string' && ANOMALY_KIND[it.kind]) {
      findings.push(...findingsFromAnomalies([it as unknown as AnomalyLike]));
    } else if (isObj(it) && FINDING_KINDS.includes(it.kind as FindingKind) && typeof it.host === 'string' && canonicalIp(it.host)
      && (it.level === 'confirmed' || it.level === 'likely' || it.level === 'watch')) {
      const firstUs = isoToUs(typeof it.first === 'string' ? it.first : null) ?? 0;
      findings.push({
        kind: it.kind as FindingKind, host: canonicalIp(it.host)!, peer: typeof it.peer === 'string' ? canonicalIp(it.peer) : null,
        level: it.level, evidence: Array.isArray(it.evidence) ? it.evidence.filter((e): e is string => typeof e === 'string').slice(0, MAX_EVIDENCE) : [],
        firstUs, lastUs: isoToUs(typeof it.last === 'string' ? it.last : null) ?? firstUs, source: typeof it.source === 'string' ? it.source : source,
      });
    } else {
      ignored++;
    }
  }
  return { findings, ignored };
}
