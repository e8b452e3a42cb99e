/**
 * The report's analysis pages: clusters.html (IRC-bot clusters, issue 6), anomalies.html
 * (issue 6), p2p.html (per-host P2P verdicts and the daily flow report, issue 5), sensors.html
 * (per-sensor totals and a side-by-side comparison, issue 9) and policy.html (violations,
 * registrations, response proposals, issue 12); plus the per-address annotations host pages show.
 *
 * Every analysis runs once (analysis-data.ts); a section that cannot be computed says why on its
 * page instead of failing the report. Pages sit at the site root like index.html, use the same
 * `_head`/`_foot` partials (CSP meta tag, nav) and relative links only; every value is escaped
 * by the templates. Links to host pages go through one function (analysis/host-links.ts).
 */
import type { AlertFilter, Store } from '../../store/store.js';
import { reportReadsFor } from '../../store/reads/reads-for.js';
import type { ReportReads } from '../../store/reads/report-reads.js';
import { Views } from '../views.js';
import { HostMap } from '../host-map.js';
import { describeFilter } from '../filters.js';
import { fmtTime } from '../format.js';
import { DEFAULT_LIMITS } from './context.js';
import { gatherAnalysis, type AnalysisData } from '../analysis/analysis-data.js';
import { HostAnnotations } from '../analysis/host-annotations.js';
import { hostHrefFor, type HostHref, type SiteHosts } from '../analysis/host-links.js';
import { Models } from '../analysis/page-models.js';

export { HostAnnotations, type HostAnnotation } from '../analysis/host-annotations.js';
export type { HostHref, SiteHosts } from '../analysis/host-links.js';

/** Where pages go: SiteWriter fits (so the manifest keeps them); tests may write files directly. */
export interface PageWriter {
  write(rel: string, content: string): Promise<void>;
}

export interface AnalysisPagesOptions {
  store: Store;
  /** The database path: the policy, notes and state files sit beside it. */
  dbPath: string;
  writer: PageWriter;
  views?: Views;
  filter?: AlertFilter;
  /** The filter as page headers show it (default: described from `filter`). */
  filterText?: string;
  /** Internal networks (default: the policy file's, else the store's, else RFC 1918 + ULA). */
  homeNets?: readonly string[];
  now?: Date;
  /**
   * The site build's host queries and map (PageContext fits): host addresses link to their
   * pages. Without it (and without `hostHref`) a map is built here with the default limits.
   */
  site?: SiteHosts;
  /** Overrides `site`: the link for an address, or null. */
  hostHref?: HostHref;
  /** Sensors to compare (default: the two, when the store has exactly two). */
  sensorPair?: readonly [string, string];
  /** Host page limits, for the map built here when `site` is not given. */
  limits?: { minHostPage: number; netPageAlerts: number };
}

export interface AnalysisPagesResult {
  /** Site-relative files written. */
  pages: string[];
  /** Per-address lookups for host pages (`annotations.get(ip)`, `annotations.links(ip)`). */
  annotations: HostAnnotations;
  data: AnalysisData;
}

export const ANALYSIS_PAGES = [
  { file: 'clusters.html', text: 'IRC clusters' },
  { file: 'anomalies.html', text: 'anomalies' },
  { file: 'p2p.html', text: 'P2P hosts' },
  { file: 'sensors.html', text: 'sensors' },
  { file: 'policy.html', text: 'policy' },
] as const;

/** Every address the pages may link (a bounded set: analysis results, not alerts). */
function addressesOf(d: AnalysisData): Set<string> {
  const out = new Set<string>();
  const c = d.clusters.value;
  for (const cl of c ? [...c.clusters, ...c.chatServers] : []) {
    out.add(cl.server);
    for (const m of cl.members) out.add(m.host);
  }
  for (const f of d.anomalies.value?.findings ?? []) out.add(f.host);
  for (const v of d.verdicts.value ?? []) out.add(v.host);
  for (const s of d.daily.value?.report.sections ?? []) for (const r of s.rows) out.add(r.dstAddr);
  const cmp = d.comparison.value;
  for (const h of cmp ? [...cmp.hosts.topOnlyA, ...cmp.hosts.topOnlyB] : []) out.add(h.ip);
  for (const j of d.policy.value?.judgements ?? []) {
    out.add(j.finding.host);
    if (j.finding.peer) out.add(j.finding.peer);
  }
  for (const p of d.proposals.value ?? []) {
    out.add(p.host);
    out.add(p.target);
  }
  return out;
}

async function linker(o: AnalysisPagesOptions, d: AnalysisData): Promise<HostHref> {
  if (o.hostHref) return o.hostHref;
  if (o.site) return hostHrefFor(o.site, addressesOf(d));
  // Standalone (tests, or a caller without a site build at hand): the same map buildSite makes.
  let q: ReportReads;
  try {
    q = reportReadsFor(o.store, o.filter ?? {});
  } catch {
    return () => null; // a store the report cannot read: addresses stay text
  }
  try {
    await q.prepare();
    const limits = o.limits ?? DEFAULT_LIMITS;
    return await hostHrefFor({ q, hosts: await HostMap.load(q, limits.minHostPage, limits.netPageAlerts) }, addressesOf(d));
  } finally {
    await q.close();
  }
}

const HOME_FROM: Record<AnalysisData['homeNetsFrom'], string> = {
  option: 'given to the report', policy: 'from the policy file', store: 'remembered by the store (sFlow import)',
  default: 'defaults: no --home-net, no policy file, none remembered by the store',
};

export async function writeAnalysisPages(o: AnalysisPagesOptions): Promise<AnalysisPagesResult> {
  const nowUs = (o.now ?? new Date()).getTime() * 1000;
  const views = o.views ?? new Views();
  const data = await gatherAnalysis({ store: o.store, dbPath: o.dbPath, filter: o.filter, homeNets: o.homeNets, nowUs, sensorPair: o.sensorPair });
  const annotations = new HostAnnotations(data);
  await annotations.loadHistories(o.store);
  const m = new Models(await linker(o, data));
  const common = {
    filterText: o.filterText ?? describeFilter(o.filter ?? {}, (us) => `${fmtTime(us)} UTC`),
    nav: ANALYSIS_PAGES,
    homeNets: data.homeNets.join(', '),
    homeNetsFrom: HOME_FROM[data.homeNetsFrom],
  };
  const pages: string[] = [];
  const put = async (file: string, view: string, model: Record<string, unknown>): Promise<void> => {
    await o.writer.write(file, views.render(view, { ...common, current: file, ...model }));
    pages.push(file);
  };
  await put('clusters.html', 'clusters', { error: data.clusters.error ?? null, r: data.clusters.value ? m.clusters(data.clusters.value) : null });
  await put('anomalies.html', 'anomalies', { error: data.anomalies.error ?? null, kinds: data.anomalies.value ? m.anomalies(data.anomalies.value) : [] });
  await put('p2p.html', 'p2p', {
    error: data.verdicts.error ?? null, verdicts: data.verdicts.value ? m.verdicts(data.verdicts.value) : [],
    dailyError: data.daily.error ?? null, daily: data.daily.value ? m.daily(data.daily.value) : null,
  });
  const cmp = data.comparison;
  await put('sensors.html', 'sensors', {
    error: data.sensors.error ?? null, sensors: m.sensors(data.sensors.value ?? []),
    cmpError: cmp.error ?? null, cmp: cmp.value ? m.comparison(cmp.value) : null,
  });
  const pol = data.policy.value;
  await put('policy.html', 'policy', {
    error: data.policy.error ?? null, file: pol?.file ?? '', loaded: Boolean(pol?.policy),
    p: pol?.policy ? m.policy(pol, nowUs) : null,
    proposalsError: data.proposals.error ?? null, proposals: m.proposals(data.proposals.value ?? []),
  });
  return { pages, annotations, data };
}
