/**
 * The seed's daily "Suspected p2p traffic" report, computed from flow samples (pure; no store,
 * no clock). "Down" traffic = destination internal, source external. The definitions the seed
 * leaves open (shared/formats/sflow.md section 7) are options; the defaults reproduce
 * corpus/sflow/expected-report.tsv.
 *
 * Also the per-host daily rollup (`hostDayFlows`, the shape of corpus/sflow/expected-hosts.tsv)
 * since it needs the same internal/external split.
 */
import { cidrRange, ipKey } from '../model/ip.js';
import type { FlowSample, HostDayFlows } from '../model/flow.js';
import { emptyReport, type DailyP2pReport, type P2pReportRow } from '../inputs/sflow/daily-report.js';
import { dayBoundsUs } from '../inputs/sflow/zone.js';

export interface P2pReportOptions {
  /** Local day `YYYY-MM-DD` of the report. */
  day: string;
  /** Zone of the day boundaries and printed times (default `UTC`; the corpus is `+09:00`). */
  timeZone?: string;
  /** CIDRs of the campus (corpus: 192.0.2.0/24, 2001:db8:1::/48). */
  internalNetworks: readonly string[];
  /** Explicit well-known port set; when absent a port is well-known if `< wellKnownBelow`. */
  wellKnownPorts?: ReadonlySet<number>;
  /** Default 1024: section 1 needs both ports ≥ 1024. */
  wellKnownBelow?: number;
  /** Section 1 lists hosts with MORE than this many distinct external sources (default 10). */
  minUniqueSources?: number;
  /** Section 2 TCP port range, inclusive (default 6881-6889). */
  bittorrentPorts?: readonly [number, number];
  /** Size of a "GB": 'si' = 10^9 (default), 'binary' = 2^30. */
  gigabyte?: 'si' | 'binary';
  /** Section 3 lists hosts with MORE than this many GB per day (default 1). */
  massDownloadGb?: number;
  /** total_bytes = Σ frame_length × sampling_rate (default true) or Σ frame_length. */
  scaleBySamplingRate?: boolean;
  /** Leave BitTorrent-port samples out of section 1 (default false: the sections are independent). */
  excludeBittorrentFromSection1?: boolean;
}

interface Acc {
  flows: number;
  bytes: number;
  first: number;
  last: number;
  srcs: Set<string>;
}

/** A fast "is this address internal" test: CIDRs turned into key ranges once, answers cached. */
export function internalMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  const ranges = cidrs.map((c) => cidrRange(c));
  const cache = new Map<string, boolean>();
  return (ip) => {
    let hit = cache.get(ip);
    if (hit === undefined) {
      const k = ipKey(ip);
      hit = ranges.some((r) => Buffer.compare(k, r.low) >= 0 && Buffer.compare(k, r.high) <= 0);
      if (cache.size >= 100_000) cache.clear();
      cache.set(ip, hit);
    }
    return hit;
  };
}

/** Section titles as the seed prints them, adjusted when the options differ from the seed's. */
export function sectionTitles(opts: P2pReportOptions): string[] {
  const [lo, hi] = opts.bittorrentPorts ?? [6881, 6889];
  const below = opts.wellKnownBelow ?? 1024;
  const wk = opts.wellKnownPorts || below === 1024 ? 'well-known ports' : `ports < ${below}`;
  // The seed writes "GB" whichever size it meant; the `gigabyte` option changes the rule, not the label.
  const gb = opts.massDownloadGb ?? 1;
  return [
    `down traffic(tcp or udp, except ${wk}, num_of_uniq_srcaddrs > ${opts.minUniqueSources ?? 10})`,
    `down traffic(BitTorrent(${lo}-${hi}/tcp))`,
    `mass downloading hosts (>${gb}GB/day)`,
  ];
}

export function computeP2pReport(samples: Iterable<FlowSample>, opts: P2pReportOptions): DailyP2pReport {
  const tz = opts.timeZone ?? 'UTC';
  const report = emptyReport(opts.day, tz, sectionTitles(opts));
  const isInternal = internalMatcher(opts.internalNetworks);
  const below = opts.wellKnownBelow ?? 1024;
  const wkSet = opts.wellKnownPorts;
  const isWellKnown = wkSet ? (p: number) => wkSet.has(p) : (p: number) => p < below;
  const [btLo, btHi] = opts.bittorrentPorts ?? [6881, 6889];
  const isBt = (p: number): boolean => p >= btLo && p <= btHi;
  const scale = opts.scaleBySamplingRate ?? true;
  const gbBytes = opts.gigabyte === 'binary' ? 2 ** 30 : 1e9;
  const massBytes = (opts.massDownloadGb ?? 1) * gbBytes;
  const minSrcs = opts.minUniqueSources ?? 10;
  const exclBt = opts.excludeBittorrentFromSection1 ?? false;
  const acc: [Map<string, Acc>, Map<string, Acc>, Map<string, Acc>] = [new Map(), new Map(), new Map()];

  for (const s of samples) {
    if (s.timeUs < report.startUs || s.timeUs >= report.endUs) continue;
    const { srcIp, dstIp } = s;
    if (srcIp === null || dstIp === null || !isInternal(dstIp) || isInternal(srcIp)) continue;
    const bytes = scale ? s.bytes : s.frameLength;
    const ports = s.srcPort !== null && s.dstPort !== null;
    const tcp = s.protocol === 6;
    const bt = tcp && ports && (isBt(s.srcPort!) || isBt(s.dstPort!));
    if ((tcp || s.protocol === 17) && ports && !isWellKnown(s.srcPort!) && !isWellKnown(s.dstPort!) && !(exclBt && bt)) {
      add(acc[0], dstIp, srcIp, s.timeUs, bytes);
    }
    if (bt) add(acc[1], dstIp, srcIp, s.timeUs, bytes);
    add(acc[2], dstIp, srcIp, s.timeUs, bytes);
  }
  const keep = [(a: Acc) => a.srcs.size > minSrcs, () => true, (a: Acc) => a.bytes > massBytes];
  acc.forEach((m, i) => {
    report.sections[i]!.rows = rows(m, keep[i]!);
  });
  return report;
}

function add(m: Map<string, Acc>, host: string, peer: string, t: number, bytes: number): void {
  let a = m.get(host);
  if (a === undefined) {
    a = { flows: 0, bytes: 0, first: t, last: t, srcs: new Set() };
    m.set(host, a);
  }
  a.flows++;
  a.bytes += bytes;
  if (t < a.first) a.first = t;
  if (t > a.last) a.last = t;
  a.srcs.add(peer);
}

/** Rows by total_bytes descending; equal totals by address (key order) so output is stable. */
function rows(m: Map<string, Acc>, keep: (a: Acc) => boolean): P2pReportRow[] {
  const out: P2pReportRow[] = [];
  for (const [host, a] of m) {
    if (!keep(a)) continue;
    out.push({ dstAddr: host, fqdn: '', firstUs: a.first, lastUs: a.last, flows: a.flows, totalBytes: a.bytes, uniqSrcs: a.srcs.size });
  }
  return out.sort((x, y) => y.totalBytes - x.totalBytes || Buffer.compare(ipKey(x.dstAddr), ipKey(y.dstAddr)));
}

export type ReverseResolver = (ip: string) => Promise<string | null | undefined>;

export interface ResolverOptions {
  /** Give up on one lookup after this long (default 2000 ms); the fqdn column stays empty. */
  timeoutMs?: number;
  /** Shared between calls so a nightly run does not ask twice for the same host. */
  cache?: Map<string, string>;
}

/**
 * Wraps a reverse-DNS function (e.g. `dns.promises.reverse` → first name) with a timeout and a
 * cache. A failure or timeout is cached as '' so a dead resolver costs one timeout per host.
 */
export function cachedResolver(resolve: ReverseResolver, opts: ResolverOptions = {}): (ip: string) => Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const cache = opts.cache ?? new Map<string, string>();
  return async (ip) => {
    const hit = cache.get(ip);
    if (hit !== undefined) return hit;
    let timer: NodeJS.Timeout | undefined;
    // Not unref'd: someone awaits this promise, so the timer must keep the process alive; it is
    // cleared as soon as the lookup wins the race.
    const timeout = new Promise<string>((ok) => {
      timer = setTimeout(() => ok(''), timeoutMs);
    });
    const lookup = resolve(ip).then((n) => n ?? '', () => '');
    const name = await Promise.race([lookup, timeout]);
    clearTimeout(timer);
    cache.set(ip, name);
    return name;
  };
}

/** A copy of the report with fqdn filled in (lookups run concurrently, one per distinct host). */
export async function fillFqdn(report: DailyP2pReport, resolve: (ip: string) => Promise<string>): Promise<DailyP2pReport> {
  const hosts = [...new Set(report.sections.flatMap((s) => s.rows.map((r) => r.dstAddr)))];
  const names = new Map(await Promise.all(hosts.map(async (h) => [h, await resolve(h)] as const)));
  return {
    ...report,
    sections: report.sections.map((s) => ({ ...s, rows: s.rows.map((r) => ({ ...r, fqdn: names.get(r.dstAddr) ?? '' })) })),
  };
}

export interface HostDayOptions {
  day: string;
  timeZone?: string;
  internalNetworks: readonly string[];
  /** Destination ports counted as SMTP (default 25, 465, 587). */
  smtpPorts?: ReadonlySet<number>;
  scaleBySamplingRate?: boolean;
}

/** Per internal host, inbound/outbound samples, bytes and distinct external peers for one local day. */
export function hostDayFlows(samples: Iterable<FlowSample>, opts: HostDayOptions): HostDayFlows[] {
  const { startUs, endUs } = dayBoundsUs(opts.day, opts.timeZone ?? 'UTC');
  const isInternal = internalMatcher(opts.internalNetworks);
  const smtp = opts.smtpPorts ?? new Set([25, 465, 587]);
  const scale = opts.scaleBySamplingRate ?? true;
  const m = new Map<string, { row: HostDayFlows; src: Set<string>; dst: Set<string>; smtp: Set<string> }>();
  const get = (host: string, t: number) => {
    let e = m.get(host);
    if (e === undefined) {
      e = {
        row: { day: opts.day, host, inSamples: 0, inBytesEst: 0, inUniqSrc: 0, outSamples: 0, outBytesEst: 0, outUniqDst: 0, outSmtpUniqDst: 0, firstUs: t, lastUs: t },
        src: new Set(), dst: new Set(), smtp: new Set(),
      };
      m.set(host, e);
    }
    if (t < e.row.firstUs) e.row.firstUs = t;
    if (t > e.row.lastUs) e.row.lastUs = t;
    return e;
  };
  for (const s of samples) {
    if (s.timeUs < startUs || s.timeUs >= endUs || s.srcIp === null || s.dstIp === null) continue;
    const srcIn = isInternal(s.srcIp);
    const dstIn = isInternal(s.dstIp);
    if (srcIn === dstIn) continue; // internal-internal and transit traffic have no "external peer"
    const bytes = scale ? s.bytes : s.frameLength;
    if (dstIn) {
      const e = get(s.dstIp, s.timeUs);
      e.row.inSamples++;
      e.row.inBytesEst += bytes;
      e.src.add(s.srcIp);
    } else {
      const e = get(s.srcIp, s.timeUs);
      e.row.outSamples++;
      e.row.outBytesEst += bytes;
      e.dst.add(s.dstIp);
      if (s.dstPort !== null && smtp.has(s.dstPort) && s.protocol === 6) e.smtp.add(s.dstIp);
    }
  }
  return [...m.values()]
    .map((e) => ({ ...e.row, inUniqSrc: e.src.size, outUniqDst: e.dst.size, outSmtpUniqDst: e.smtp.size }))
    .sort((a, b) => Buffer.compare(ipKey(a.host), ipKey(b.host)));
}
