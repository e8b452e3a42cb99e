/**
 * Links from the mail into the published `snarf report` site. Paths come from the site's own
 * naming (src/report/filenames.ts: numbers and canonical addresses only), so a link can only
 * point where the site writes a page; everything is escaped again by the HTML template.
 */
import { hostAnchor, sigPagePath } from '../report/filenames.js';
import { clusterAnchor } from '../report/analysis/host-annotations.js';

export interface Links {
  index(): string | null;
  sig(gid: number, sid: number): string | null;
  /**
   * Where the site shows a suspected P2P host: its row on p2p.html. (Host pages may be sections
   * of a network page, whose layout the mail does not know; the analysis pages are always there.)
   */
  p2pHost(ip: string): string | null;
  /** An IRC-bot cluster on clusters.html. */
  cluster(server: string): string | null;
}

export function links(baseUrl: string | null): Links {
  const base = baseUrl?.replace(/\/+$/, '') ?? null;
  const at = (p: string): string | null => (base === null ? null : `${base}/${p}`);
  return {
    index: () => at('index.html'),
    sig: (gid, sid) => at(sigPagePath(gid, sid)),
    p2pHost: (ip) => {
      try {
        return at(`p2p.html#${hostAnchor(ip)}`);
      } catch {
        return null; // not canonical address text: no row by that name
      }
    },
    cluster: (server) => {
      try {
        return at(`clusters.html#${clusterAnchor(server)}`);
      } catch {
        return null;
      }
    },
  };
}
