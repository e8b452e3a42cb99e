/**
 * `snarf hosts`: per internal host P2P verdicts (confirmed / likely / watch) with every reason,
 * from Snort alerts, the Winny monitor and daily flow sections (sFlow or imported reports).
 * The store and the analysis are imported when the command runs (see main.ts).
 */
import { Command } from 'commander';
import type { HostVerdict } from '../model/verdict.js';
import { DEFAULT_DB, isoMicros } from './options.js';
import { parseCidr, parseCount, parseFlowZone, parseInstant } from './flow-options.js';

interface HostsCliOptions {
  db: string;
  homeNet?: string[];
  since?: number;
  until?: number;
  tz: string;
  p2pSignatures?: string[];
  confirmAlerts: number;
  confirmPeers: number;
  json?: boolean;
}

export function verdictJson(v: HostVerdict): unknown {
  return {
    host: v.host, level: v.level, protocols: v.protocols, sources: v.sources, first: isoMicros(v.firstUs), last: isoMicros(v.lastUs),
    reasons: v.reasons.map((r) => ({ level: r.level, source: r.source, text: r.text, first: isoMicros(r.firstUs), last: isoMicros(r.lastUs) })),
    evidence: v.evidence.map((e) => ({ ...e, firstUs: undefined, lastUs: undefined, first: isoMicros(e.firstUs), last: isoMicros(e.lastUs) })),
  };
}

export function hostsCommand(): Command {
  return new Command('hosts')
    .description('per internal host P2P verdicts (confirmed / likely / watch) with their reasons')
    .option('--db <path>', 'SQLite database path or postgres:// URL', DEFAULT_DB)
    .option('--home-net <cidr>', 'internal networks (repeatable; default: those remembered from an sFlow import)', parseCidr)
    .option('--since <time>', 'only evidence from this time on (YYYY-MM-DD = UTC midnight, or ISO 8601)', parseInstant)
    .option('--until <time>', 'only evidence before this time', parseInstant)
    .option('--tz <zone>', 'zone of the daily flow sections', parseFlowZone, 'UTC')
    .option('--p2p-signatures <file>', 'override rules/p2p-signatures.json entries (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--confirm-alerts <n>', 'strong-signature alerts that confirm a host', parseCount, 3)
    .option('--confirm-peers <n>', 'or distinct peers of a strong signature', parseCount, 2)
    .option('--json', 'machine-readable output')
    .action(async (o: HostsCliOptions) => {
      const { openStore } = await import('../store/open.js');
      const { hostVerdicts } = await import('../analysis/host-verdicts.js');
      const store = await openStore(o.db, { mustExist: true });
      try {
        const verdicts = await hostVerdicts(store, {
          homeNets: o.homeNet, sinceUs: o.since, untilUs: o.until, timeZone: o.tz, signatureFiles: o.p2pSignatures,
          confirmAlerts: o.confirmAlerts, confirmPeers: o.confirmPeers,
        });
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ db: store.location, hosts: verdicts.map(verdictJson) }, null, 2)}\n`);
          return;
        }
        const out: string[] = [];
        for (const v of verdicts) {
          out.push(`${v.host}  ${v.level}  ${v.protocols.join(',')}  ${isoMicros(v.firstUs)} .. ${isoMicros(v.lastUs)}`);
          for (const r of v.reasons) out.push(`  [${r.level}] ${r.text.replace(/[\u0000-\u001f\u007f]/g, '?')}`);
        }
        process.stdout.write(out.length ? `${out.join('\n')}\n` : 'no P2P hosts\n');
      } finally {
        await store.close();
      }
    });
}
