/**
 * Per-host P2P verdicts from typed evidence (pure: no store, no clock). Every piece of evidence
 * supports a level on its own, with a sentence saying why; the host's level is the highest,
 * raised to "confirmed" when independent sources agree in time.
 *
 * Levels (defaults in VerdictOptions):
 * - confirmed: the protocol itself was seen repeatedly — a strong P2P signature with at least
 *   `confirmAlerts` alerts or `confirmPeers` distinct peers; or a Winny monitor detection of
 *   Winny/Share (the monitor decodes the protocol); or two independent sources (Snort, Winny
 *   monitor, flows) each at least "likely" within `corroborationWindowUs` of each other.
 * - likely: a strong signature seen fewer times; a weak signature from the gid:sid table (tracker,
 *   DHT, heuristics); a strong keyword match; Antinny on the monitor; a daily flow section for
 *   many sources on high ports or BitTorrent ports (computed from sFlow or imported).
 * - watch: a keyword match outside the P2P classtypes; "Unknown" on the monitor; only a mass
 *   download day (heavy, not necessarily P2P).
 */
import { ipKey } from '../model/ip.js';
import type { Evidence, HostVerdict, P2pProtocol, VerdictLevel, VerdictReason } from '../model/verdict.js';

export interface VerdictOptions {
  /** Strong-signature alerts needed for "confirmed" (default 3). */
  confirmAlerts?: number;
  /** ... or distinct peers (default 2). */
  confirmPeers?: number;
  /** Sources corroborate when their windows are this close (default 24 h). */
  corroborationWindowUs?: number;
}

const RANK: Record<VerdictLevel, number> = { confirmed: 3, likely: 2, watch: 1 };
const DAY_US = 86_400_000_000;

function iso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function window(e: { firstUs: number; lastUs: number }): string {
  return e.firstUs === e.lastUs ? `at ${iso(e.firstUs)}` : `from ${iso(e.firstUs)} to ${iso(e.lastUs)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What one piece of evidence says on its own. */
export function reasonFor(e: Evidence, o: Required<VerdictOptions>): VerdictReason {
  const at = { source: e.source, firstUs: e.firstUs, lastUs: e.lastUs };
  switch (e.source) {
    case 'snort': {
      const how = e.matchedBy === 'table' ? 'P2P signature table' : `message keyword, classtype ${e.classification ?? 'none'}`;
      let level: VerdictLevel;
      if (e.strength === 'strong') level = e.alerts >= o.confirmAlerts || e.peers >= o.confirmPeers ? 'confirmed' : 'likely';
      else level = e.matchedBy === 'table' ? 'likely' : 'watch';
      const text = `Snort ${e.gid}:${e.sid} "${e.message}" (${e.protocol}, ${e.strength}, by ${how}): ` +
        `${plural(e.alerts, 'alert')} with ${plural(e.peers, 'distinct peer')} on ${e.sensors.join(', ')} ${window(e)}`;
      return { ...at, level, text };
    }
    case 'winny': {
      const level: VerdictLevel = e.kind === 'winny' || e.kind === 'share' ? 'confirmed' : e.kind === 'antinny' ? 'likely' : 'watch';
      const acts = [e.resets ? plural(e.resets, 'reset') : '', e.blocks ? plural(e.blocks, 'block') : ''].filter(Boolean).join(', ');
      const text = `Winny monitor (${e.sensors.join(', ')}): ${plural(e.events, 'event')} of kind ${e.kind} with ` +
        `${plural(e.peers, 'distinct peer')}, ${e.bytes} bytes${acts ? ` (${acts})` : ''} ${window(e)}`;
      return { ...at, level, text };
    }
    default: {
      const what = e.section === 'high-ports'
        ? 'down traffic on high ports from many sources'
        : e.section === 'bittorrent' ? 'down traffic on BitTorrent ports' : 'mass download';
      const from = e.source === 'sflow' ? 'sFlow daily report' : `imported daily report ${e.from ?? ''}`.trim();
      const text = `${from} ${e.day}, ${what}: ${plural(e.flows, 'flow sample')}, ${e.bytes} bytes, ` +
        `${plural(e.uniqPeers, 'distinct source')} ${window(e)}`;
      return { ...at, level: e.section === 'mass-download' ? 'watch' : 'likely', text };
    }
  }
}

function protocolOf(e: Evidence): P2pProtocol | null {
  if (e.source === 'snort') return e.protocol;
  if (e.source === 'winny') return e.kind === 'share' ? 'share' : e.kind === 'unknown' ? null : 'winny';
  return e.section === 'bittorrent' ? 'bittorrent' : null;
}

/** sflow and imported reports are one family: the same traffic, counted by us or by another tool. */
function family(e: Evidence): 'snort' | 'winny' | 'flows' {
  return e.source === 'sflow' || e.source === 'report' ? 'flows' : e.source;
}

/** Two independent families, each at least "likely", overlapping within the window: a reason. */
function corroboration(items: Array<{ e: Evidence; r: VerdictReason }>, windowUs: number): VerdictReason | null {
  const strong = items.filter((x) => RANK[x.r.level] >= RANK.likely);
  for (let i = 0; i < strong.length; i++) {
    for (let j = i + 1; j < strong.length; j++) {
      const a = strong[i]!;
      const b = strong[j]!;
      if (family(a.e) === family(b.e)) continue;
      const gap = Math.max(a.e.firstUs, b.e.firstUs) - Math.min(a.e.lastUs, b.e.lastUs);
      if (gap > windowUs) continue;
      return {
        source: a.e.source, level: 'confirmed',
        text: `corroborated: ${family(a.e)} and ${family(b.e)} evidence within ${Math.round(windowUs / 3_600_000_000)} h of each other`,
        firstUs: Math.min(a.e.firstUs, b.e.firstUs), lastUs: Math.max(a.e.lastUs, b.e.lastUs),
      };
    }
  }
  return null;
}

export function computeVerdicts(evidence: readonly Evidence[], opts: VerdictOptions = {}): HostVerdict[] {
  const o: Required<VerdictOptions> = {
    confirmAlerts: opts.confirmAlerts ?? 3,
    confirmPeers: opts.confirmPeers ?? 2,
    corroborationWindowUs: opts.corroborationWindowUs ?? DAY_US,
  };
  const byHost = new Map<string, Evidence[]>();
  for (const e of evidence) {
    const list = byHost.get(e.host);
    if (list) list.push(e);
    else byHost.set(e.host, [e]);
  }
  const out: HostVerdict[] = [];
  for (const [host, list] of byHost) {
    const items = list.map((e) => ({ e, r: reasonFor(e, o) }));
    const reasons = items.map((x) => x.r);
    const corr = corroboration(items, o.corroborationWindowUs);
    if (corr) reasons.push(corr);
    reasons.sort((a, b) => RANK[b.level] - RANK[a.level] || a.firstUs - b.firstUs || a.text.localeCompare(b.text));
    const protocols = [...new Set(list.map(protocolOf).filter((p): p is P2pProtocol => p !== null))].sort();
    out.push({
      host,
      level: reasons[0]!.level,
      protocols: protocols.length ? protocols : ['p2p'],
      sources: [...new Set(list.map((e) => e.source))].sort(),
      firstUs: Math.min(...list.map((e) => e.firstUs)),
      lastUs: Math.max(...list.map((e) => e.lastUs)),
      reasons,
      evidence: list,
    });
  }
  return out.sort((a, b) => RANK[b.level] - RANK[a.level] || Buffer.compare(ipKey(a.host), ipKey(b.host)));
}
