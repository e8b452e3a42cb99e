/**
 * What the analysis pages know about one address, for the host pages: its P2P verdict, the IRC
 * clusters it is a member of, its anomaly findings, its policy status, its incident history and
 * its notes. Built once per report run from AnalysisData into Maps keyed by canonical address
 * text, so a host page (of which there may be hundreds of thousands) does O(1) lookups and never
 * runs an analysis or reads a state file itself.
 */
import crypto from 'node:crypto';
import { canonicalIp } from '../../model/ip.js';
import type { HostVerdict, VerdictLevel } from '../../model/verdict.js';
import type { Finding } from '../../analysis/anomalies.js';
import type { IrcCluster } from '../../analysis/irc-clusters.js';
import { hostPolicyStatus, registrationsMatching, type HostPolicyStatus } from '../../policy/evaluate.js';
import type { Policy } from '../../policy/types.js';
import { incidentHistory } from '../../response/service.js';
import type { HostHistory } from '../../response/types.js';
import type { Note } from '../../state/notes.js';
import type { Store } from '../../store/store.js';
import { homeMatcher } from '../../analysis/anomalies.js';
import { hostAnchor } from '../filenames.js';
import type { AnalysisData } from './analysis-data.js';

export interface HostVerdictNote { level: VerdictLevel; protocols: string[]; reasons: Array<{ level: VerdictLevel; text: string }> }
export interface HostClusterNote { server: string; level: IrcCluster['level']; new: boolean }

export interface HostAnnotation {
  ip: string;
  verdict: HostVerdictNote | null;
  clusters: HostClusterNote[];
  anomalies: Finding[];
  policy: HostPolicyStatus | null;
  history: HostHistory | null;
  notes: Note[];
}

/** Incident histories read at most (one store query each; hosts with violations or proposals). */
const MAX_HISTORIES = 5000;

const canon = (ip: string): string => canonicalIp(ip) ?? ip;

/** Membership in a noted network; a hand-edited target that is no network matches nothing. */
function netMatcher(net: string): (ip: string) => boolean {
  try {
    return homeMatcher([net]);
  } catch {
    return () => false;
  }
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export class HostAnnotations {
  readonly verdicts = new Map<string, HostVerdictNote>();
  readonly clusters = new Map<string, HostClusterNote[]>();
  readonly anomalies = new Map<string, Finding[]>();
  readonly policy = new Map<string, HostPolicyStatus>();
  readonly history = new Map<string, HostHistory>();
  /** Notes on single addresses; network notes are few and matched per lookup. */
  readonly ipNotes = new Map<string, Note[]>();
  private readonly netNotes: Array<{ note: Note; contains: (ip: string) => boolean }> = [];
  private readonly loadedPolicy: Policy | null = null;

  constructor(private readonly data: AnalysisData) {
    for (const v of data.verdicts.value ?? []) this.verdicts.set(canon(v.host), verdictNote(v));
    const c = data.clusters.value;
    // Chat servers too: an ordinary IRC user's page may say so (level 'chat').
    for (const cl of c ? [...c.clusters, ...c.chatServers] : []) {
      for (const m of cl.members) push(this.clusters, canon(m.host), { server: cl.server, level: cl.level, new: m.new });
    }
    for (const f of data.anomalies.value?.findings ?? []) push(this.anomalies, canon(f.host), f);
    const pd = data.policy.value;
    if (pd?.policy) {
      this.loadedPolicy = pd.policy;
      const hosts = new Set(pd.judgements.map((j) => j.finding.host));
      for (const h of hosts) this.policy.set(h, hostPolicyStatus(pd.policy, h, pd.judgements, data.nowUs));
    }
    for (const n of data.notes.notes) {
      if (n.kind === 'ip') push(this.ipNotes, n.target, n);
      else if (n.kind === 'net') this.netNotes.push({ note: n, contains: netMatcher(n.target) });
    }
  }

  /** Reads incident histories for hosts with violations or open proposals (call once). */
  async loadHistories(store: Store): Promise<void> {
    const hosts = new Set<string>();
    for (const [h, st] of this.policy) if (st.state === 'violation') hosts.add(h);
    for (const p of this.data.proposals.value ?? []) hosts.add(canon(p.host));
    let n = 0;
    for (const h of hosts) {
      if (n++ >= MAX_HISTORIES) break;
      try {
        const hist = await incidentHistory(store, h, this.data.nowUs);
        if (hist.incidents.length || hist.events.length || hist.proposals.length) this.history.set(h, hist);
      } catch {
        return; // a store without response tables: no histories at all
      }
    }
  }

  notesFor(ip: string): Note[] {
    const own = this.ipNotes.get(ip) ?? [];
    if (this.netNotes.length === 0) return own;
    const nets = this.netNotes.filter((x) => x.contains(ip)).map((x) => x.note);
    return nets.length ? [...own, ...nets].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)) : own;
  }

  /** The policy status of an address: judged hosts from the map; others only when a registration names them. */
  policyFor(ip: string): HostPolicyStatus | null {
    const st = this.policy.get(ip);
    if (st) return st;
    if (!this.loadedPolicy || registrationsMatching(this.loadedPolicy, ip).length === 0) return null;
    return hostPolicyStatus(this.loadedPolicy, ip, [], this.data.nowUs);
  }

  /** Everything known about an address (canonical text), or null when nothing is. */
  get(ip: string): HostAnnotation | null {
    const a: HostAnnotation = {
      ip,
      verdict: this.verdicts.get(ip) ?? null,
      clusters: this.clusters.get(ip) ?? [],
      anomalies: this.anomalies.get(ip) ?? [],
      policy: this.policyFor(ip),
      history: this.history.get(ip) ?? null,
      notes: this.notesFor(ip),
    };
    const empty = !a.verdict && !a.clusters.length && !a.anomalies.length && !a.policy && !a.history && !a.notes.length;
    return empty ? null : a;
  }

  /**
   * A short digest of what host pages show for an address ('' when nothing): the site build
   * skips host pages whose key is unchanged, so this belongs in the host's key (or a verdict
   * that changed without new alerts would never reach the page).
   */
  keyOf(ip: string): string {
    const a = this.get(ip);
    if (!a) return '';
    return crypto.createHash('sha1').update(JSON.stringify([a, this.links(ip)])).digest('base64url').slice(0, 16);
  }

  /**
   * Site-relative links from a host page to the analysis pages that mention the address (the
   * shape of PageContext.hostLinks). Anchors exist on those pages for every such address.
   */
  links(ip: string): Array<{ href: string; text: string }> {
    const out: Array<{ href: string; text: string }> = [];
    let anchor: string;
    try {
      anchor = hostAnchor(ip);
    } catch {
      return out; // not canonical address text: no page of ours has an anchor for it
    }
    const v = this.verdicts.get(ip);
    if (v) out.push({ href: `p2p.html#${anchor}`, text: `P2P: ${v.level}` });
    for (const c of this.clusters.get(ip) ?? []) {
      out.push({ href: `clusters.html#${clusterAnchor(c.server)}`, text: `${c.level === 'chat' ? 'IRC server' : `IRC bot (${c.level})`} ${c.server}${c.new ? ', new' : ''}` });
    }
    const an = this.anomalies.get(ip);
    if (an) out.push({ href: `anomalies.html#${anchor}`, text: `anomalies: ${[...new Set(an.map((f) => f.kind))].join(', ')}` });
    const st = this.policy.get(ip);
    if (st && st.state !== 'none') out.push({ href: `policy.html#${anchor}`, text: `policy: ${st.state}` });
    return out;
  }
}

function verdictNote(v: HostVerdict): HostVerdictNote {
  return { level: v.level, protocols: [...v.protocols], reasons: v.reasons.map((r) => ({ level: r.level, text: r.text })) };
}

/** `c-203-0-113-66`: a cluster's section on clusters.html (servers are canonical addresses). */
export function clusterAnchor(server: string): string {
  return `c-${hostAnchor(canon(server)).slice(2)}`;
}
