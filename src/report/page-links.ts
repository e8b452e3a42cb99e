/**
 * How a host or network page writes its links. Most links on such a page are its alert lines'
 * links to peers, all on the other side, so the page resolves its links from the other side's
 * directory (`<base href>`), or from that side's `net/` when most of its peers are sections of
 * network pages: a peer link is then just the peer's path within it (`163.221.10.11.html`,
 * `198.51.40.0-24.html#h248`), and the page's other links climb out (`root`).
 */
import type { Side } from '../store/reads/report-reads.js';
import { rootPrefix } from './filenames.js';

export interface Linker {
  /** The page's `<base href>`, relative to the page. */
  base: string;
  /** From the base back to the site root: `../` or `../../`. */
  root: string;
  /** A site-relative path as written on the page. */
  local(sitePath: string): string;
}

/** The linker of the page at site-relative `rel` whose peers are on side `other`. */
export function linker(rel: string, other: Side, intoNet: boolean): Linker {
  const side = `${other}/`;
  const dir = intoNet ? `${side}net/` : side;
  const root = intoNet ? '../../' : '../';
  return {
    base: `${rootPrefix(rel)}${dir}`,
    root,
    local: (sp) => {
      if (sp.startsWith(dir)) return sp.slice(dir.length);
      if (intoNet && sp.startsWith(side)) return `../${sp.slice(side.length)}`;
      return `${root}${sp}`;
    },
  };
}

/**
 * The linker that writes the page's links in fewer bytes, given how many go into the other
 * side's network pages (`intoNet`) and how many go anywhere else (`elsewhere`): a `net/` base
 * saves 4 bytes (`net/`) on each of the first and costs 3 (`../`) on each of the others.
 */
export function cheapestLinker(rel: string, other: Side, intoNet: number, elsewhere: number): Linker {
  return linker(rel, other, 4 * intoNet > 3 * elsewhere);
}
