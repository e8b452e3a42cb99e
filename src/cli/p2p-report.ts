/**
 * `snarf p2p-report --date YYYY-MM-DD`: the seed's daily "Suspected p2p traffic" report from the
 * store's flow rollup, byte for byte in the seed's layout (or --json with the exporters' loss).
 * The store and the report writer are imported when the command runs (see main.ts).
 */
import fs from 'node:fs';
import dns from 'node:dns';
import { Command, InvalidArgumentError } from 'commander';
import { SnarfError } from '../errors.js';
import type { P2pReportOptions } from '../analysis/p2p-report.js';
import type { DailyP2pReport } from '../inputs/sflow/daily-report.js';
import { formatLocal } from '../inputs/sflow/zone.js';
import { DEFAULT_DB, isoMicros } from './options.js';
import { parseCidr, parseCount, parseFlowZone, parsePortList, parsePortRange } from './flow-options.js';

interface P2pCliOptions {
  date: string;
  db: string;
  homeNet?: string[];
  tz: string;
  resolveDns?: boolean;
  dnsTimeout: number;
  minUniqueSources: number;
  wellKnownBelow: number;
  wellKnownPorts?: number[];
  bittorrentPorts: [number, number];
  massDownloadGb: number;
  gigabyte: 'si' | 'binary';
  scale: boolean;
  excludeBittorrent?: boolean;
  json?: boolean;
  output?: string;
}

function parseDay(v: string): string {
  if (!/^\d{4}-\d\d-\d\d$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new InvalidArgumentError(`"${v}" is not a day (YYYY-MM-DD)`);
  return v;
}

export function reportJson(r: DailyP2pReport): unknown {
  return {
    day: r.day, timeZone: r.timeZone, start: isoMicros(r.startUs), end: isoMicros(r.endUs),
    sections: r.sections.map((s) => ({
      title: s.title,
      rows: s.rows.map((x) => ({
        dst_addr: x.dstAddr, fqdn: x.fqdn, first: isoMicros(x.firstUs), last: isoMicros(x.lastUs),
        first_local: formatLocal(x.firstUs, r.timeZone), last_local: formatLocal(x.lastUs, r.timeZone),
        flows: x.flows, total_bytes: x.totalBytes, uniq_srcaddrs: x.uniqSrcs,
      })),
    })),
  };
}

export function p2pReportCommand(): Command {
  return new Command('p2p-report')
    .description('daily "Suspected p2p traffic" report (high ports from many sources, BitTorrent ports, mass downloads) from imported sFlow')
    .requiredOption('--date <day>', 'local day YYYY-MM-DD', parseDay)
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--home-net <cidr>', 'only hosts in these networks (repeatable; default: all internal hosts of the store)', parseCidr)
    .option('--tz <zone>', 'zone of the day and of printed times (IANA name or +HH:MM)', parseFlowZone, 'UTC')
    .option('--resolve-dns', 'fill fqdn_dst_addr by reverse DNS (cached, with a timeout)')
    .option('--dns-timeout <ms>', 'give up one lookup after this long', parseCount, 2000)
    .option('--min-unique-sources <n>', 'section 1 lists hosts with MORE distinct external sources than this', parseCount, 10)
    .option('--well-known-below <port>', 'ports below this are well-known (must match the import)', parseCount, 1024)
    .option('--well-known-ports <list>', 'explicit well-known port list instead (must match the import)', parsePortList)
    .option('--bittorrent-ports <lo-hi>', 'section 2 TCP port range (must match the import)', parsePortRange, [6881, 6889])
    .option('--mass-download-gb <n>', 'section 3 lists hosts with MORE than this many GB in the day', parseCount, 1)
    .option('--gigabyte <size>', 'si (10^9 bytes) or binary (2^30)', (v) => {
      if (v !== 'si' && v !== 'binary') throw new InvalidArgumentError('--gigabyte is si or binary');
      return v;
    }, 'si')
    .option('--no-scale', 'total_bytes = sum of sampled frame lengths, not scaled by the sampling rate')
    .option('--exclude-bittorrent', 'leave BitTorrent-port samples out of section 1')
    .option('--json', 'machine-readable output, with per-exporter datagram loss')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action(async (o: P2pCliOptions) => {
      const { openStore } = await import('../store/open.js');
      const { cachedResolver, fillFqdn } = await import('../analysis/p2p-report.js');
      const { writeDailyReport } = await import('../inputs/sflow/daily-report.js');
      const store = await openStore(o.db, { mustExist: true });
      try {
        if (!store.p2pReport || !store.flowSettings || !store.flowExporters) throw new SnarfError('SNARF_CONFIG_INVALID', `the ${store.kind} store keeps no flows`);
        const opts: P2pReportOptions = {
          day: o.date, timeZone: o.tz, internalNetworks: o.homeNet ?? [], minUniqueSources: o.minUniqueSources,
          wellKnownBelow: o.wellKnownBelow, wellKnownPorts: o.wellKnownPorts ? new Set(o.wellKnownPorts) : undefined,
          bittorrentPorts: o.bittorrentPorts, massDownloadGb: o.massDownloadGb, gigabyte: o.gigabyte,
          scaleBySamplingRate: o.scale, excludeBittorrentFromSection1: o.excludeBittorrent ?? false,
        };
        let report = await store.p2pReport(opts);
        if (o.resolveDns) {
          const resolve = cachedResolver(async (ip) => (await dns.promises.reverse(ip))[0], { timeoutMs: o.dnsTimeout });
          report = await fillFqdn(report, resolve);
        }
        const text = o.json
          ? `${JSON.stringify({ db: store.location, report: reportJson(report), exporters: (await store.flowExporters()).map((e) => ({
            agent: e.agent, subAgentId: e.subAgentId, datagrams: e.datagrams, samples: e.samples, lost: e.lost, restarts: e.restarts,
            first: isoMicros(e.firstUs), last: isoMicros(e.lastUs),
          })), homeNets: (await store.flowSettings()).homeNets }, null, 2)}\n`
          : writeDailyReport(report);
        if (o.output) fs.writeFileSync(o.output, text);
        else process.stdout.write(text);
      } finally {
        await store.close();
      }
    });
}
