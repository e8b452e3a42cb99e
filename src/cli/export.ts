/**
 * `snarf export --format json|csv|eve [filters] [--out FILE]`: alerts out of the store for
 * other tools (EveBox, the Elastic Suricata module, spreadsheets), streamed with bounded memory.
 * The store and the exporter are imported when the command runs (see main.ts).
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import type { ExportFormat } from '../export/export.js';
import { addFilterOptions, filterFromOptions } from './filter-options.js';
import { DEFAULT_DB } from './options.js';
import type { FilterOptions } from '../report/filters.js';

export function exportCommand(): Command {
  const cmd = new Command('export')
    .description('write the alerts that match the filters as JSON lines, CSV, or Suricata EVE JSON')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv', 'eve']).makeOptionMandatory())
    .option('--db <path>', 'SQLite database path or postgres:// URL', DEFAULT_DB)
    .option('--out <file>', 'write here instead of standard output');
  addFilterOptions(cmd);
  return cmd.action(async (o: FilterOptions & { db: string; format: ExportFormat; out?: string }) => {
    const filter = filterFromOptions(o);
    const { openStore } = await import('../store/open.js');
    const { exportReadsFor } = await import('../store/reads/reads-for.js');
    const { exportAlerts } = await import('../export/export.js');
    const store = await openStore(o.db, { mustExist: true });
    const out = o.out ? fs.createWriteStream(o.out) : process.stdout;
    try {
      const n = await exportAlerts(exportReadsFor(store), filter, o.format, out);
      if (o.out) {
        await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
        process.stderr.write(`exported ${n} alerts to ${o.out}\n`);
      }
    } finally {
      await store.close();
    }
  });
}
