/**
 * Links from the mail into the published `snarf report` site. Paths come from the site's own
 * naming (src/report/filenames.ts: numbers and canonical addresses only), so a link can only
 * point where the site writes a page; everything is escaped again by the HTML template.
 */
import { hostPagePath, sigPagePath } from '../report/filenames.js';

export interface Links {
  index(): string | null;
  sig(gid: number, sid: number): string | null;
  /** An internal host's page as a destination ('dst', P2P down traffic) or source ('src', bots). */
  host(side: 'src' | 'dst', ip: string): string | null;
}

export function links(baseUrl: string | null): Links {
  const base = baseUrl?.replace(/\/+$/, '') ?? null;
  const at = (p: string): string | null => (base === null ? null : `${base}/${p}`);
  return {
    index: () => at('index.html'),
    sig: (gid, sid) => at(sigPagePath(gid, sid)),
    host: (side, ip) => {
      try {
        return at(hostPagePath(side, ip));
      } catch {
        return null; // not canonical address text: no page by that name
      }
    },
  };
}
