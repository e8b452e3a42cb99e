/**
 * The ONE place the analysis pages turn an address into a link to its host page (every page
 * calls hostHrefFor's result, so switching to another scheme is a change here only).
 *
 * The report gives a host pages on a side only when it has alerts there (under the report's
 * filter), and HostMap says where those pages are (own pages, or a section of its network's
 * page). An analysis names addresses from packets and flows too (a C&C server seen only in
 * payload lines, a P2P host known only from sFlow): those get no link rather than a broken one.
 * So: the wanted addresses (a bounded set) are looked up in one streamed pass over each side's
 * host list; the source side is preferred (the analyses are about what hosts do).
 */
import { ipKey } from '../../model/ip.js';
import type { ReportReads, Side } from '../../store/reads/report-reads.js';
import type { HostMap } from '../host-map.js';

/** Site-relative link to an address's host page (may carry a `#h-...` anchor), or null. */
export type HostHref = (ip: string) => string | null;

/** What a link needs from the site build (PageContext has both). */
export interface SiteHosts {
  q: Pick<ReportReads, 'hostCounts'>;
  hosts: Pick<HostMap, 'href'>;
}

export async function hostHrefFor(site: SiteHosts, wanted: Iterable<string>): Promise<HostHref> {
  const keyOf = new Map<string, string>();
  for (const ip of wanted) {
    try {
      keyOf.set(ipKey(ip).toString('hex'), ip);
    } catch {
      // not an address (a name from a payload): never linked
    }
  }
  const present: Record<Side, Set<string>> = { src: new Set(), dst: new Set() };
  if (keyOf.size > 0) {
    for (const side of ['src', 'dst'] as const) {
      for await (const batch of site.q.hostCounts(side)) {
        for (const [k] of batch) {
          const ip = keyOf.get(k.toString('hex'));
          if (ip !== undefined) present[side].add(ip);
        }
      }
    }
  }
  const cache = new Map<string, string | null>();
  return (ip) => {
    let href = cache.get(ip);
    if (href === undefined) {
      const side: Side | null = present.src.has(ip) ? 'src' : present.dst.has(ip) ? 'dst' : null;
      href = side ? site.hosts.href(side, ip) : null;
      cache.set(ip, href);
    }
    return href;
  };
}
