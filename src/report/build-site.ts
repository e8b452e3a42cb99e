/**
 * `snarf report`: builds the static site from a store. Reads the store's rollups (or one
 * filtered pass over the alerts), then writes: index.html, sig/<gid>-<sid>.html,
 * src|dst/<ip>.html (+ <ip>/<k>.html pages), top-sources.html, top-destinations.html,
 * breakdowns.html, and the static assets (site.css, sort.js). See docs/report.md.
 *
 * Written against SqliteStore for now: the Store interface has no report queries yet, and the
 * PostgreSQL store does not exist. A store of another kind is refused with a clear message.
 */
import crypto from 'node:crypto';
import type { SignatureCatalog } from '../rules/catalog.js';
import type { AlertFilter, Store } from '../store/store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { ReportQueries } from '../store/sqlite/report-queries.js';
import { describeFilter } from './filters.js';
import { fmtTime } from './format.js';
import { SiteWriter, type WriteStats } from './site-writer.js';
import { Views } from './views.js';
import { DEFAULT_LIMITS, sigMetaMap, type Limits, type PageContext } from './pages/context.js';
import { writeBreakdowns, writeIndex, writeTopHosts } from './pages/summary-pages.js';
import { writeSigPages } from './pages/sig-pages.js';
import { writeHostPages } from './pages/host-pages.js';

/** Bumped when page builders change what they print (templates are digested separately). */
const BUILDER_VERSION = 1;

export interface BuildOptions {
  outDir: string;
  filter?: AlertFilter;
  catalog?: SignatureCatalog | null;
  limits?: Partial<Limits>;
  /** Parallel file writes (default 16). */
  concurrency?: number;
  /** Progress callback: phase names as they start. */
  onPhase?(phase: string): void;
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
  if (!(store instanceof SqliteStore)) {
    throw new Error(`snarf report reads SQLite stores only in this version (got ${store.kind})`);
  }
  const started = process.hrtime.bigint();
  const filter = opts.filter ?? {};
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const views = new Views();
  const q = new ReportQueries(store.db, filter);
  opts.onPhase?.('prepare');
  q.prepare();
  const catalog = opts.catalog ?? null;
  const sigs = sigMetaMap(q, catalog);
  // The salt names what every host page depends on besides its own alerts and signatures
  // (those go into each host's key): when it changes, no host may be skipped unread. Sensor
  // names are immutable in the store, so new sensors and signatures leave the salt alone.
  const salt = crypto.createHash('sha1').update(JSON.stringify({ v: BUILDER_VERSION, views: views.digest(), filter, limits })).digest('hex');
  // A richer duplicate (unified2 after alert_fast) adds packets or extra data to an OLD alert
  // without changing any count: if the alerts the previous run covered gained any, no host key
  // can be trusted.
  const watermark = q.watermark();
  const prev = SiteWriter.previousMark(opts.outDir);
  const before = prev ? q.captureCountsUpTo(prev.watermark) : null;
  const enriched = !prev || before!.packets !== prev.packets || before!.extra !== prev.extra;
  const writer = new SiteWriter(opts.outDir, salt, { watermark, ...q.captureCountsUpTo(watermark) }, enriched, opts.concurrency ?? 16);
  const ctx: PageContext = {
    q, views, writer, catalog, limits, sigs,
    filterText: describeFilter(filter, (us) => `${fmtTime(us)} UTC`),
    sensorNames: q.sensorNames(),
  };
  for (const a of views.assets()) await writer.write(a.name, a.content);
  const reported = q.signatures();
  opts.onPhase?.('index');
  await writeIndex(ctx, reported);
  await writeTopHosts(ctx, 'src');
  await writeTopHosts(ctx, 'dst');
  await writeBreakdowns(ctx, reported);
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
