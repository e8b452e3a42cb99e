/**
 * Reads one local day from the store into a DailySummary. The counts (totals, signatures,
 * sensors) are the core: if they cannot be read the build fails and the caller sends the
 * "could not be built" mail. The P2P, sFlow and IRC sections stand on data a site may not have
 * (no home networks, no sFlow, a zone the hourly flow rollup cannot cut): each of those fails
 * on its own, and the mail says which section is missing and why.
 */
import type { Store } from '../store/store.js';
import { mailReadsFor } from '../store/reads/reads-for.js';
import type { Window } from '../store/reads/mail-reads.js';
import { hostVerdicts } from '../analysis/host-verdicts.js';
import { DEFAULT_CLASSING } from '../analysis/flow-rollup.js';
import { dayBoundsUs } from '../inputs/sflow/zone.js';
import type { HostVerdict } from '../model/verdict.js';
import type { ClusterSource } from './clusters.js';
import { avg, type DailySummary, type SectionNote, type SensorLine, type SignatureLine } from './daily-summary.js';
import fs from 'node:fs';
import { loadPolicy } from '../policy/policy-file.js';
import { findingsFromVerdicts } from '../policy/findings.js';
import { hostPolicyStatus, judgeAll } from '../policy/evaluate.js';

export interface CollectOptions {
  day: string;
  timeZone: string;
  top: number;
  baseUrl: string | null;
  /** P2P hosts listed at most (the rest are counted). */
  maxP2pHosts?: number;
  clusters?: ClusterSource;
  /** The campus policy file, when there is one: each P2P host then says whether it breaks it. */
  policyFile?: string;
  /** µs UTC, for the "generated" line (injected clock). */
  nowUs: number;
}

/** `YYYY-MM-DD` ± n calendar days. */
export function shiftDay(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

const RANK = { confirmed: 3, likely: 2, watch: 1 } as const;

function windowOf(day: string, tz: string): Window {
  const b = dayBoundsUs(day, tz);
  return { startUs: b.startUs, endUs: b.endUs };
}

export async function collectDay(store: Store, o: CollectOptions): Promise<DailySummary> {
  const db = mailReadsFor(store);
  const today = windowOf(o.day, o.timeZone);
  // Previous day and the week before: bounds of local days (a DST day is 23 or 25 hours).
  const prev = windowOf(shiftDay(o.day, -1), o.timeZone);
  const week: Window = { startUs: windowOf(shiftDay(o.day, -7), o.timeZone).startUs, endUs: today.startUs };

  const rows = await db.countsBySensorSig(today);
  const prevSig = await db.countsBySig(prev);
  const weekSig = await db.countsBySig(week);
  const firsts = new Set((await db.firstSeenIn(today)).map((f) => `${f.gid}:${f.sid}`));

  const bySig = new Map<string, SignatureLine>();
  for (const r of rows) {
    const k = `${r.gid}:${r.sid}`;
    const line = bySig.get(k) ?? {
      gid: r.gid, sid: r.sid, rev: r.rev, message: r.message, classification: r.classification, priority: r.priority,
      count: 0, prevDay: prevSig.get(k) ?? 0, avg7: avg(weekSig.get(k) ?? 0, 7), isNew: firsts.has(k),
    };
    line.count += r.n;
    bySig.set(k, line);
  }
  const sigs = [...bySig.values()].sort((a, b) => b.count - a.count || a.gid - b.gid || a.sid - b.sid);

  const todaySensor = await db.countsBySensor(today);
  const prevSensor = await db.countsBySensor(prev);
  const weekSensor = await db.countsBySensor(week);
  const sensors: SensorLine[] = (await db.sensorsLast()).map((s) => {
    const count = todaySensor.get(s.name) ?? 0;
    const weekN = weekSensor.get(s.name) ?? 0;
    return {
      name: s.name, count, prevDay: prevSensor.get(s.name) ?? 0, avg7: avg(weekN, 7), lastUs: s.lastUs,
      silent: count === 0, wentSilent: count === 0 && weekN > 0,
    };
  });

  const total = (m: Map<string, number>): number => [...m.values()].reduce((t, n) => t + n, 0);
  const hosts = await db.distinctHosts(today);
  const notes: SectionNote[] = [];
  const summary: DailySummary = {
    day: o.day, timeZone: o.timeZone, startUs: today.startUs, endUs: today.endUs, generatedUs: o.nowUs,
    totals: {
      count: total(todaySensor), prevDay: total(prevSensor), avg7: avg(total(weekSensor), 7),
      signatures: sigs.length, sources: hosts.sources, destinations: hosts.destinations,
      sensorsActive: sensors.filter((s) => !s.silent).length, sensorsKnown: sensors.length,
    },
    topSignatures: sigs.slice(0, o.top),
    newSignatures: sigs.filter((s) => s.isNew),
    sensors,
    p2pHosts: [], p2pMore: 0, sflow: null, clusters: [], notes, baseUrl: o.baseUrl,
  };

  await p2pSections(store, o, today, summary);
  if (o.clusters) {
    try {
      summary.clusters = await o.clusters.clusters({ sinceUs: today.startUs, untilUs: today.endUs });
    } catch (err) {
      notes.push({ section: 'irc', text: `IRC-bot clusters could not be computed: ${(err as Error).message}` });
    }
  }
  return summary;
}

/** P2P verdicts of the day and the three sFlow sections, each allowed to fail on its own. */
async function p2pSections(store: Store, o: CollectOptions, w: Window, s: DailySummary): Promise<void> {
  let homeNets: string[] | null = null;
  try {
    homeNets = store.flowSettings ? (await store.flowSettings()).homeNets : null;
    const verdicts: HostVerdict[] = await hostVerdicts(store, { sinceUs: w.startUs, untilUs: w.endUs, timeZone: o.timeZone });
    verdicts.sort((a, b) => RANK[b.level] - RANK[a.level] || b.reasons.length - a.reasons.length || (a.host < b.host ? -1 : 1));
    const max = o.maxP2pHosts ?? 25;
    const policyOf = policyJudge(o, verdicts, s);
    s.p2pHosts = verdicts.slice(0, max).map((v) => ({
      host: v.host, level: v.level, protocols: [...v.protocols], sources: [...v.sources], reasons: v.reasons.map((r) => r.text),
      ...(policyOf ? { policy: policyOf(v.host) } : {}),
    }));
    s.p2pMore = Math.max(0, verdicts.length - max);
  } catch (err) {
    s.notes.push({ section: 'p2p', text: `P2P verdicts could not be computed: ${(err as Error).message}` });
  }
  try {
    if (!store.p2pReport || !store.flowExporters || !store.flowSettings) throw new Error(`the ${store.kind} store keeps no flows`);
    if ((await store.flowExporters()).length === 0) {
      s.notes.push({ section: 'sflow', text: 'no sFlow exporter has sent anything to this store: the three sFlow sections are empty by lack of data' });
    }
    // The rollup's port classes were fixed at import; ask with the same ones or it refuses.
    const c = (await store.flowSettings()).classing ?? DEFAULT_CLASSING;
    s.sflow = await store.p2pReport({
      day: o.day, timeZone: o.timeZone, internalNetworks: homeNets ?? [],
      wellKnownBelow: c.wellKnownBelow, wellKnownPorts: c.wellKnownPorts ? new Set(c.wellKnownPorts) : undefined,
      bittorrentPorts: c.bittorrentPorts,
    });
  } catch (err) {
    s.notes.push({ section: 'sflow', text: `the sFlow daily sections could not be computed: ${(err as Error).message}` });
  }
}

/**
 * With a policy file, a host's state under it (violation, registered, watch, allowed): a
 * registered research host reads as registered, not as a suspect. A broken policy file is said
 * in the mail rather than silently ignored.
 */
function policyJudge(o: CollectOptions, verdicts: readonly HostVerdict[], s: DailySummary): ((host: string) => string) | null {
  if (!o.policyFile || !fs.existsSync(o.policyFile)) return null;
  try {
    const policy = loadPolicy(o.policyFile);
    const judgements = judgeAll(policy, findingsFromVerdicts(verdicts));
    return (host) => hostPolicyStatus(policy, host, judgements, o.nowUs).state;
  } catch (err) {
    s.notes.push({ section: 'p2p', text: `the policy file could not be read: ${(err as Error).message}` });
    return null;
  }
}
