/**
 * Where each host of the report is shown. A host with at least `minHostPage` alerts on a side
 * has its own pages there (`src/<ip>.html`, paged); every other host is a section, with the
 * anchor `#h<host part>`, of its network's page on that side (`src/net/<net>.html`: IPv4 /24, IPv6
 * /64). A network page holds at most `netPageAlerts` alerts; a busier network (an IPv6 /64 full
 * of privacy addresses) continues on `src/net/<net>/2.html`, ... with its hosts in address order.
 *
 * Built before any page is written, from one ordered pass over the report's host table per
 * side, so every link (alert rows, peers, signature pages, top lists) points at the right file
 * and anchor. Memory: the busy hosts (at most alerts / minHostPage) and the hosts on network
 * parts after the first (only networks larger than one page); none with `minHostPage` <= 1.
 */
import { ipFromKey, ipKey } from '../model/ip.js';
import type { ReportReads, Side } from '../store/reads/report-reads.js';
import { hostPagePath, netOfKey, netPagePath, sameNet, sectionAnchor } from './filenames.js';

/** What the manifest keeps of a side's map (for incremental re-runs). */
export interface SideLayout { busy: string[]; parts: Array<[string, number]> }

interface SideMap {
  busy: Set<string>;
  /** Hosts on network part 2 or later: ip → part. */
  parts: Map<string, number>;
  /** Networks with more than one part: net id → parts. */
  netParts: Map<string, number>;
}

export class HostMap {
  private readonly sides: Record<Side, SideMap>;

  constructor(readonly minHostPage: number, readonly netPageAlerts: number, sides?: Record<Side, SideMap>) {
    const empty = (): SideMap => ({ busy: new Set(), parts: new Map(), netParts: new Map() });
    this.sides = sides ?? { src: empty(), dst: empty() };
  }

  /** One ordered pass per side over the report's hosts (ip, alert count), read in batches. */
  static async load(q: Pick<ReportReads, 'hostCounts'>, minHostPage: number, netPageAlerts: number): Promise<HostMap> {
    const map = new HostMap(minHostPage, netPageAlerts);
    if (minHostPage <= 1) return map;
    for (const side of ['src', 'dst'] as const) {
      const place = map.placer(side);
      for await (const batch of q.hostCounts(side)) for (const [ip, n] of batch) place(ip, n);
    }
    return map;
  }

  /** The same from hosts at hand (in address order per side). */
  static build(q: { hostCounts(side: Side): Iterable<[Buffer, number]> }, minHostPage: number, netPageAlerts: number): HostMap {
    const map = new HostMap(minHostPage, netPageAlerts);
    if (minHostPage <= 1) return map;
    for (const side of ['src', 'dst'] as const) {
      const place = map.placer(side);
      for (const [ip, n] of q.hostCounts(side)) place(ip, n);
    }
    return map;
  }

  /** Places the hosts of one side, fed in address order. */
  private placer(side: Side): (ip: Buffer, n: number) => void {
    const s = this.sides[side];
    const cut = new NetCutter(this.netPageAlerts);
    return (ip, n) => {
      if (n >= this.minHostPage) {
        s.busy.add(ipFromKey(ip));
        return;
      }
      const part = cut.place(ip, n);
      if (part > 1) {
        s.parts.set(ipFromKey(ip), part);
        s.netParts.set(netOfKey(ip).id, part);
      }
    };
  }

  /** A host with this many alerts on a side has pages of its own. */
  ownPages(count: number): boolean {
    return count >= this.minHostPage;
  }

  /** Whether the host (present on that side) has its own pages. */
  isOwn(side: Side, ip: string): boolean {
    return this.minHostPage <= 1 || this.sides[side].busy.has(ip);
  }

  /** Site-relative link to a host present on that side: its own page, or its network page's anchor. */
  href(side: Side, ip: string, key?: Uint8Array): string {
    if (this.isOwn(side, ip)) return hostPagePath(side, ip);
    const k = key ?? ipKey(ip);
    return `${netPagePath(side, netOfKey(k).base, this.sides[side].parts.get(ip) ?? 1)}#${sectionAnchor(k)}`;
  }

  /** Parts of a network's page on a side (1 unless the network outgrew one page). */
  netPartsOf(side: Side, netId: string): number {
    return this.sides[side].netParts.get(netId) ?? 1;
  }

  layout(side: Side): SideLayout {
    const s = this.sides[side];
    return { busy: [...s.busy].sort(), parts: [...s.parts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
  }

  /**
   * True when some host's location on this side differs from the previous run's layout: pages
   * of the other side (which link to these hosts) cannot then be kept unread. A host new to the
   * site may be reported as moved (conservative: its peers' pages changed anyway).
   */
  movedSince(side: Side, prev: SideLayout | undefined): boolean {
    if (!prev) return true;
    const s = this.sides[side];
    const oldBusy = new Set(prev.busy);
    const oldParts = new Map(prev.parts);
    if (oldBusy.size !== s.busy.size) return true;
    for (const ip of s.busy) if (!oldBusy.has(ip)) return true;
    if (oldParts.size !== s.parts.size) return true;
    for (const [ip, p] of s.parts) if (oldParts.get(ip) !== p) return true;
    return false;
  }
}

/**
 * Assigns grouped hosts, in address order, to network page parts: a new part starts when a
 * host would push the current part past the limit (a host is never split across parts).
 */
export class NetCutter {
  private net: Uint8Array | null = null;
  private part = 1;
  private acc = 0;

  constructor(private readonly limit: number) {}

  place(ip: Uint8Array, n: number): number {
    if (this.net === null || !sameNet(this.net, ip)) {
      this.net = ip;
      this.part = 1;
      this.acc = 0;
    } else if (this.acc > 0 && this.acc + n > this.limit) {
      this.part++;
      this.acc = 0;
    }
    this.acc += n;
    return this.part;
  }
}

const V4_HEX = '00000000000000000000FFFF';

/** Canonical text of an address given as the upper-case hex of its 16-byte key (SQLite hex()). */
export function ipFromHex(hex: string): string {
  if (hex.startsWith(V4_HEX)) {
    const v = parseInt(hex.slice(24), 16);
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  }
  return ipFromKey(Buffer.from(hex, 'hex'));
}
