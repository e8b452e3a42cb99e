/**
 * `snarf report`: builds the static site from a store. Reads the store's rollups (or one
 * filtered pass over the alerts), then writes: index.html, sig/<gid>-<sid>.html,
 * src|dst/<ip>.html (+ <ip>/<k>.html pages) for hosts with at least `minHostPage` alerts,
 * src|dst/net/<net>.html for the others (one page per IPv4 /24 or IPv6 /64, a section per
 * host), top-sources.html, top-destinations.html,
 * breakdowns.html, and the static assets (site.css, sort.js). See docs/report.md.
 *
 * Reads either store through ReportReads (src/store/reads/report-reads.ts): SQLite's queries, or
 * PostgreSQL's in one snapshot held for the whole build; the same alerts give the same site. The
 * reads are always closed (PostgreSQL: the snapshot ends, the connection goes back to the pool).
 */
import crypto from 'node:crypto';
import type { SignatureCatalog } from '../rules/catalog.js';
import type { AlertFilter, Store } from '../store/store.js';
import { reportReadsFor } from '../store/reads/reads-for.js';
import type { ReportReads } from '../store/reads/report-reads.js';
import { describeFilter } from './filters.js';
import { fmtTime } from './format.js';
import { SiteWriter, type WriteStats } from './site-writer.js';
import { projectRoot, Views } from './views.js';
import { HostMap, type SideLayout } from './host-map.js';
import { esc } from './format.js';
import { DEFAULT_LIMITS, sigMetaMap, type Limits, type PageContext } from './pages/context.js';
import { writeBreakdowns, writeIndex, writeTopHosts } from './pages/summary-pages.js';
import { writeSigPages } from './pages/sig-pages.js';
import { writeHostPages } from './pages/host-pages.js';
import { writeAnalysisPages } from './pages/analysis-pages.js';
import { notesForSig } from '../state/notes.js';

/**
 * Bumped when page builders change what they print (templates are digested separately). 5: rows
 * of equal count in host and network signature tables in gid:sid order, not store row id order.
 */
const BUILDER_VERSION = 5;

export interface BuildOptions {
  outDir: string;
  filter?: AlertFilter;
  catalog?: SignatureCatalog | null;
  limits?: Partial<Limits>;
  /** Parallel file writes (default 16). */
  concurrency?: number;
  /** Progress callback: phase names as they start. */
  onPhase?(phase: string): void;
  /** The database file: the policy, notes and state files sit beside it. */
  dbPath?: string;
  /** Internal networks for verdicts, clusters and anomalies (default: policy, store, then RFC 1918). */
  homeNets?: string[];
  /** Build the analysis pages and host annotations (default true; they cost a pass each). */
  analysis?: boolean;
}

export interface BuildResult extends WriteStats {
  outDir: string;
  index: string;
  signatures: number;
  sources: number;
  destinations: number;
  seconds: number;
}

export async function buildSite(store: Store, opts: BuildOptions): Promise<BuildResult> {
  const started = process.hrtime.bigint();
  const filter = opts.filter ?? {};
  const q = reportReadsFor(store, filter);
  try {
    opts.onPhase?.('prepare');
    await q.prepare();
    return await writeSite(store, q, opts, filter, started);
  } finally {
    await q.close();
  }
}

async function writeSite(store: Store, q: ReportReads, opts: BuildOptions, filter: AlertFilter, started: bigint): Promise<BuildResult> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const analysis = opts.analysis !== false;
  // The navigation bar links the analysis pages only when this run writes them.
  const views = new Views(projectRoot(), { analysis });
  const catalog = opts.catalog ?? null;
  const sigs = await sigMetaMap(q, catalog);
  const sensors = await q.sensors();
  // One reported sensor: alert rows leave out the sensor column, page headers name it.
  const soleSensor = sensors.length === 1 ? sensors[0]!.name : null;
  // The salt names what every host page depends on besides its own alerts and signatures
  // (those go into each host's key): when it changes, no host may be skipped unread. Sensor
  // names are immutable in the store, so new sensors and signatures leave the salt alone
  // (unless the site goes from one sensor to several: the alert lines gain a field). Whether
  // the analysis pages are written changes every page's navigation bar.
  const salt = crypto.createHash('sha1').update(JSON.stringify({ v: BUILDER_VERSION, views: views.digest(), filter, limits, soleSensor, analysis })).digest('hex');
  opts.onPhase?.('hosts');
  const hosts = await HostMap.load(q, limits.minHostPage, limits.netPageAlerts);
  // A richer duplicate (unified2 after alert_fast) adds packets or extra data to an OLD alert
  // without changing any count: the hosts of alerts the previous run showed that gained any
  // cannot be kept on their keys. The store says which (ReportReads.staleSince: on SQLite every
  // host, from the rollup watermark; on PostgreSQL the hosts of the days that gained captures);
  // unsure means every host.
  const mark = await q.mark();
  const stale = await q.staleSince(SiteWriter.previousMark(opts.outDir));
  const writer = new SiteWriter(opts.outDir, salt, mark, stale.all, opts.concurrency ?? 16);
  // Pages link to hosts of the other side: where a host of one side moved (own page <-> its
  // network's page, or another network part), the other side's pages cannot be kept unread.
  const before = writer.previousLayout() as Partial<Record<'src' | 'dst', SideLayout>> | undefined;
  if (hosts.movedSince('dst', before?.dst)) writer.forget('src/');
  if (hosts.movedSince('src', before?.src)) writer.forget('dst/');
  writer.setLayout({ src: hosts.layout('src'), dst: hosts.layout('dst') });
  const sensorNames = await q.sensorNames();
  const ctx: PageContext = {
    q, views, writer, catalog, limits, sigs, hosts, soleSensor, stale,
    filterText: describeFilter(filter, (us) => `${fmtTime(us)} UTC`),
    sensorNames, sensorHtml: new Map([...sensorNames].map(([id, name]) => [id, esc(name)])),
  };
  for (const a of views.assets()) await writer.write(a.name, a.content);
  const reported = await q.signatures();
  opts.onPhase?.('index');
  await writeIndex(ctx, reported);
  await writeTopHosts(ctx, 'src');
  await writeTopHosts(ctx, 'dst');
  await writeBreakdowns(ctx, reported);
  // Verdicts, clusters, anomalies, policy and notes: their pages, and what host pages say of each
  // address (computed once, looked up per host).
  if (analysis) {
    opts.onPhase?.('analysis');
    const written = await writeAnalysisPages({
      store, dbPath: opts.dbPath ?? store.location, writer, views, filter,
      filterText: ctx.filterText, site: ctx, homeNets: opts.homeNets,
    });
    ctx.hostLinks = (ip) => written.annotations.links(ip);
    ctx.hostKey = (ip) => written.annotations.keyOf(ip);
    ctx.hostAnnotation = (ip) => written.annotations.get(ip);
    ctx.sigNotes = (gid, sid) => notesForSig(written.data.notes, gid, sid).map((n) => `${n.at.slice(0, 10)} ${n.author}: ${n.text}`);
  }
  opts.onPhase?.('signatures');
  await writeSigPages(ctx, reported);
  opts.onPhase?.('sources');
  const sources = await writeHostPages(ctx, 'src');
  opts.onPhase?.('destinations');
  const destinations = await writeHostPages(ctx, 'dst');
  const stats = await writer.finish();
  return {
    ...stats, outDir: opts.outDir, index: `${opts.outDir.replace(/\/+$/, '')}/index.html`,
    signatures: reported.length, sources, destinations,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
