/**
 * `snarf report [--db PATH|URL] --out DIR [filters]`: the SnortSnarf-style static site, from a
 * SQLite file or a PostgreSQL URL (the same site for the same alerts; docs/report.md).
 * The site builder and the store are imported when the command runs (see main.ts).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { buildFilter, parseCidr, parseSigId, parseTimeSpec } from '../report/filters.js';
import { collect, DEFAULT_DB, parsePositiveInt } from './options.js';
import { parseCidr as parseHomeNet } from './flow-options.js';

interface ReportCliOptions {
  db: string;
  out: string;
  since?: string;
  until?: string;
  minPriority?: number;
  src?: string;
  dst?: string;
  excludeSid: string[];
  sensor: string[];
  rules: string[];
  defaultRules: boolean;
  pageSize: number;
  minHostPage: number;
  homeNet?: string[];
  analysis: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** Wraps a validating parser so commander reports the option and the reason. */
function checked<T>(parse: (v: string) => T): (v: string) => string {
  return (v: string) => {
    try {
      parse(v);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
    return v;
  };
}

export function reportCommand(): Command {
  return new Command('report')
    .description('write the static HTML report (SnortSnarf-style site) for the store; open <out>/index.html in a browser')
    .requiredOption('--out <dir>', 'output directory (re-running rewrites only pages that changed)')
    .option('--db <path>', 'SQLite database path or postgres:// URL', DEFAULT_DB)
    .option('--since <time>', 'only alerts at or after this time: ISO date/time (UTC), now, today, yesterday, -2d, -6h, @unix', checked(parseTimeSpec))
    .option('--until <time>', 'only alerts before this time (same forms as --since)', checked(parseTimeSpec))
    .option('--min-priority <n>', 'only alerts at least this severe (priority number <= n; 1 is most severe)', parsePositiveInt)
    .option('--src <cidr>', 'only alerts whose source is in this address or CIDR', checked(parseCidr))
    .option('--dst <cidr>', 'only alerts whose destination is in this address or CIDR', checked(parseCidr))
    .option('--exclude-sid <sid>', 'leave out a signature: SID (gid 1) or GID:SID; repeatable', (v: string, prev: string[]) => {
      checked(parseSigId)(v);
      return collect(v, prev);
    }, [])
    .option('--sensor <name>', 'only these sensors (repeatable)', collect, [])
    .option('--rules <path>', 'rule maps or .rules files for references and rule text (repeatable)', collect, [])
    .option('--no-default-rules', "do not load Snarf's shipped rules/ metadata")
    .option('--page-size <n>', 'alerts per host page', parsePositiveInt, 500)
    .option('--no-analysis', 'leave out the analysis pages (P2P, IRC clusters, anomalies, sensors, policy) and host annotations')
    .option('--home-net <cidr>', 'internal networks for verdicts, clusters and anomalies (repeatable; default: the policy file, the store, then RFC 1918)', parseHomeNet)
    .option('--min-host-page <n>', 'alerts an address needs for pages of its own; fewer: a section of its network page (IPv4 /24, IPv6 /64); 1: a page per address', parsePositiveInt, 20)
    .option('--json', 'print the result as JSON on stdout')
    .option('-q, --quiet', 'no warnings, only errors and the result')
    .action(async (o: ReportCliOptions) => {
      if (o.pageSize < 1) throw new InvalidArgumentError('--page-size must be at least 1');
      const { createLogger } = await import('../log.js');
      const { loadCatalog } = await import('./catalog.js');
      const { openStore } = await import('../store/open.js');
      const { buildSite } = await import('../report/build-site.js');
      const logger = createLogger({ quiet: o.quiet });
      const filter = buildFilter({
        since: o.since, until: o.until, minPriority: o.minPriority, src: o.src, dst: o.dst, excludeSid: o.excludeSid, sensor: o.sensor,
      });
      const catalog = await loadCatalog(o.rules, o.defaultRules, (w) => logger.warning(w));
      const store = await openStore(o.db, { mustExist: true });
      try {
        const r = await buildSite(store, {
          outDir: o.out, filter, catalog, dbPath: o.db, homeNets: o.homeNet, analysis: o.analysis,
          limits: { pageSize: o.pageSize, minHostPage: o.minHostPage },
        });
        const index = path.resolve(r.index);
        if (o.json) {
          // store.location: a URL without its password.
          process.stdout.write(`${JSON.stringify({ db: store.location, ...r, index }, null, 2)}\n`);
        } else {
          process.stderr.write(
            `report: ${r.files} files (${r.written} written, ${r.unchanged} unchanged, ${r.removed} removed), ` +
            `${r.signatures} signatures, ${r.sources} sources, ${r.destinations} destinations in ${r.seconds.toFixed(1)} s\n` +
            `open ${pathToFileURL(index).href}\n`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
