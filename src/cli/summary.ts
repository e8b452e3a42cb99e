/**
 * `snarf summary [--db PATH] [--json]`: what the store holds. The store is imported when the
 * command runs (see main.ts).
 */
import { Command } from 'commander';
import type { AlertFilter, Summary } from '../store/store.js';
import { collect, DEFAULT_DB, isoMicros, parsePositiveInt } from './options.js';

interface SummaryCliOptions {
  db: string;
  json?: boolean;
  sensor: string[];
  top: number;
}

export function summaryJson(s: Summary, store: { kind: string; location: string }, bookmarks: unknown[]): unknown {
  return {
    store: { kind: store.kind, location: store.location },
    totals: s.totals,
    timeRange: { first: isoMicros(s.firstUs), last: isoMicros(s.lastUs) },
    signatures: s.signatures.map((g) => ({
      gid: g.gid, sid: g.sid, rev: g.rev, message: g.message, classification: g.classification, priority: g.priority,
      count: g.count, sources: g.sources, destinations: g.destinations, first: isoMicros(g.firstUs), last: isoMicros(g.lastUs),
    })),
    sources: s.sources.map((h) => ({ ip: h.ip, count: h.count, first: isoMicros(h.firstUs), last: isoMicros(h.lastUs) })),
    destinations: s.destinations.map((h) => ({ ip: h.ip, count: h.count, first: isoMicros(h.firstUs), last: isoMicros(h.lastUs) })),
    sensors: s.sensors.map((x) => ({ name: x.name, count: x.count, first: isoMicros(x.firstUs), last: isoMicros(x.lastUs) })),
    inputs: bookmarks,
  };
}

function pad(s: string | number, n: number): string {
  const t = String(s);
  return t.length >= n ? t : t + ' '.repeat(n - t.length);
}

export function summaryText(s: Summary, top: number): string {
  const out: string[] = [];
  out.push(`alerts ${s.totals.alerts}  signatures ${s.totals.signatures}  sources ${s.totals.sources}  destinations ${s.totals.destinations}  sensors ${s.totals.sensors}`);
  out.push(`from ${isoMicros(s.firstUs) ?? '-'} to ${isoMicros(s.lastUs) ?? '-'}`);
  out.push('', 'count    pri  gid:sid:rev       message');
  for (const g of s.signatures.slice(0, top || undefined)) {
    out.push(`${pad(g.count, 8)} ${pad(g.priority ?? '-', 4)} ${pad(`${g.gid}:${g.sid}:${g.rev}`, 17)} ${g.message.replace(/[\u0000-\u001f\u007f]/g, '?')}`);
  }
  out.push('', 'sensor               count');
  for (const x of s.sensors) out.push(`${pad(x.name.replace(/[\u0000-\u001f\u007f]/g, '?'), 20)} ${x.count}`);
  return `${out.join('\n')}\n`;
}

export function summaryCommand(): Command {
  return new Command('summary')
    .description('totals and per signature, source, destination and sensor counts of the store')
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--sensor <name>', 'only these sensors (repeatable)', collect, [])
    .option('--top <n>', 'list at most n sources/destinations (0 = all)', parsePositiveInt, 0)
    .option('--json', 'machine-readable output')
    .action(async (o: SummaryCliOptions) => {
      const { openStore } = await import('../store/open.js');
      const store = await openStore(o.db, { mustExist: true });
      try {
        const filter: AlertFilter = o.sensor.length ? { sensors: o.sensor } : {};
        const s = await store.summary(filter, o.top);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(summaryJson(s, store, await store.listBookmarks()), null, 2)}\n`);
        } else {
          process.stdout.write(summaryText(s, o.top || 20));
        }
      } finally {
        await store.close();
      }
    });
}
