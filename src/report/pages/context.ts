/**
 * What every page builder shares: the queries, templates, writer, signature metadata (from the
 * store, completed by the rule catalog) and limits. Signature rows are few (thousands at most)
 * so they are held in memory; alerts and hosts never are.
 */
import type { SignatureCatalog } from '../../rules/catalog.js';
import type { Reference } from '../../model/alert.js';
import type { ReportReads, StaleHosts } from '../../store/reads/report-reads.js';
import type { SiteWriter } from '../site-writer.js';
import type { Views } from '../views.js';
import type { HostMap } from '../host-map.js';
import { esc, safeHref } from '../format.js';
import { sigPagePath } from '../filenames.js';
import type { HostAnnotation } from '../analysis/host-annotations.js';

export interface Limits {
  /** Alerts per host page (page 1 and every `<ip>/<k>.html`). */
  pageSize: number;
  /**
   * Hosts listed per side on a signature page (the busiest; the lists are a summary: every host
   * is on the top pages or reached from its peers, and a small site's size is mostly these).
   */
  sigHosts: number;
  /** Hosts on top-sources / top-destinations. */
  topHosts: number;
  /** Peers listed on a host page. */
  peers: number;
  /**
   * Distinct peers of one host counted in memory while its alerts stream by; a host with more
   * (a scanner) has its peer table read from the store instead (ReportReads.hostPeers).
   */
  peersInMemory: number;
  /** Payload bytes dumped per alert (all its packets together). */
  payloadBytes: number;
  /**
   * Hosts with at least this many alerts on a side get pages of their own there; the others are
   * sections of their network's page (IPv4 /24, IPv6 /64). 1 (or 0): a page per address.
   */
  minHostPage: number;
  /** Alerts per network page; a network with more continues on further parts. */
  netPageAlerts: number;
}

export const DEFAULT_LIMITS: Limits = {
  pageSize: 500, sigHosts: 100, topHosts: 1000, peers: 50, peersInMemory: 65_536, payloadBytes: 1024, minHostPage: 20, netPageAlerts: 5000,
};

export interface SigMeta {
  id: number;
  gid: number;
  sid: number;
  rev: number;
  message: string;
  classification: string | null;
  priority: number | null;
  refs: RefView[];
  ruleText: string | null;
  href: string;
  label: string;
  /** `gid:sid:` (an alert row appends its own rev). */
  idPrefix: string;
  /** The message, HTML-escaped once for the code-built tables. */
  messageHtml: string;
}

export interface RefView { text: string; href: string | null }

export interface PageContext {
  q: ReportReads;
  views: Views;
  writer: SiteWriter;
  catalog: SignatureCatalog | null;
  limits: Limits;
  filterText: string;
  sigs: Map<number, SigMeta>;
  sensorNames: Map<number, string>;
  /** The same names, HTML-escaped once (alert rows print them). */
  sensorHtml: Map<number, string>;
  /** Where every host is shown (own pages or its network's page). */
  hosts: HostMap;
  /** Hosts whose pages are rendered again even when their keys did not change (ReportReads.staleSince). */
  stale?: StaleHosts;
  /** The reported sensor when there is exactly one (alert rows then have no sensor column), else null. */
  soleSensor: string | null;
  /** Links a host page shows to the analysis pages (verdict, clusters, anomalies, policy). */
  hostLinks?: (ip: string) => Array<{ href: string; text: string }>;
  /** A short digest of what the analysis says of a host: part of its page's change key. */
  hostKey?: (ip: string) => string;
  /** What the analysis says of a host (verdict, clusters, findings, policy, incidents, notes). */
  hostAnnotation?: (ip: string) => HostAnnotation | null;
  /** Triage notes on a signature (from `snarf serve`), as lines to print. */
  sigNotes?: (gid: number, sid: number) => string[];
}

/** References of a signature as shown: a link only for http(s) URLs, else `system,id` as text. */
export function refViews(refsJson: string | null, gid: number, sid: number, catalog: SignatureCatalog | null): RefView[] {
  let refs: Reference[] = [];
  try {
    const parsed: unknown = refsJson ? JSON.parse(refsJson) : [];
    if (Array.isArray(parsed)) refs = parsed.filter((r): r is Reference => typeof r === 'object' && r !== null);
  } catch {
    refs = [];
  }
  if (refs.length === 0 && catalog) refs = catalog.lookup(gid, sid)?.references ?? [];
  return refs.map((r) => {
    const url = r.url ?? (catalog ? catalog.referenceUrl(r) : null);
    // alert_full prints only the expanded URL (stored as system "url"): show the URL itself.
    const text = r.system === 'url' || !r.id ? String(url ?? r.id ?? '') : `${r.system},${r.id}`;
    return { text, href: safeHref(url) };
  });
}

export async function sigMetaMap(q: Pick<ReportReads, 'allSignatures'>, catalog: SignatureCatalog | null): Promise<Map<number, SigMeta>> {
  const out = new Map<number, SigMeta>();
  for (const g of await q.allSignatures()) {
    const info = catalog?.lookup(g.gid, g.sid, g.rev);
    out.set(g.id, {
      id: g.id, gid: g.gid, sid: g.sid, rev: g.rev, message: g.message,
      classification: g.classification, priority: g.priority,
      refs: refViews(g.refs, g.gid, g.sid, catalog),
      ruleText: info?.ruleText ?? null,
      href: sigPagePath(g.gid, g.sid),
      label: `${g.gid}:${g.sid}:${g.rev}`,
      idPrefix: `${g.gid}:${g.sid}:`,
      messageHtml: esc(g.message),
    });
  }
  return out;
}

/**
 * Order of signature rows with the same count (host and network signature tables): by gid:sid,
 * never by the store's row id, which follows import order on SQLite and batch order on
 * PostgreSQL, so that both stores (and two imports in another order) print the same page.
 */
export function sigOrder(sigs: Map<number, SigMeta>): (a: number, b: number) => number {
  return (a, b) => {
    const x = sigs.get(a);
    const y = sigs.get(b);
    if (x === undefined || y === undefined) return a - b;
    return x.gid - y.gid || x.sid - y.sid;
  };
}
