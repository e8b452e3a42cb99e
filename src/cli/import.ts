/**
 * `snarf import [--db PATH] [--sensor NAME] [--year Y] [--tz ZONE] FILE|DIR...`
 * The importer, store and progress bar are imported when the command runs (see main.ts).
 */
import { Command } from 'commander';
import { collect, DEFAULT_DB, parseYear, parseZone } from './options.js';
import { addFlowImportOptions } from './flow-options.js';

interface ImportCliOptions {
  homeNet?: string[];
  sflowPort?: number[];
  flowTime?: number;
  db: string;
  sensor?: string;
  year?: number;
  tz?: string;
  rules: string[];
  defaultRules: boolean;
  json?: boolean;
  progress?: boolean;
  quiet?: boolean;
  logFormat?: string;
}

export function importCommand(): Command {
  return addFlowImportOptions(new Command('import'))
    .description('import Snort alert files (alert_fast, alert_full, alert_csv, syslog, unified2; .gz too) into the store')
    .argument('<paths...>', 'files or directories (walked recursively)')
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--sensor <name>', 'sensor name for these files (default: syslog host name; for unified2 the registry entry matching the sensor_id or -G log id, else snort-G<id>; else "default")')
    .option('--year <year>', 'year for timestamps that carry none (default: the most recent year that keeps them out of the future)', parseYear)
    .option('--tz <zone>', "the sensor's time zone for text timestamps (IANA name)", parseZone, 'UTC')
    .option('--rules <path>', 'rule maps or .rules files (sid-msg.map, gen-msg.map, classification.config, reference.config, *.rules); repeatable', collect, [])
    .option('--no-default-rules', "do not load Snarf's shipped rules/ metadata")
    .option('--json', 'print the result as JSON on stdout')
    .option('--no-progress', 'no progress bar even on a terminal')
    .option('-q, --quiet', 'no warnings, only errors and the result')
    .option('--log-format <format>', 'text or json (default: text on a terminal, json otherwise)')
    .action(async (paths: string[], o: ImportCliOptions) => {
      const { createLogger } = await import('../log.js');
      const { loadCatalog } = await import('./catalog.js');
      const { expandPaths, importFiles } = await import('../import/import-files.js');
      const { openStore } = await import('../store/open.js');
      const { openState, recordImport, statePathFor } = await import('../state/state-file.js');
      const started = Date.now();
      const logger = createLogger({ json: o.logFormat ? o.logFormat === 'json' : undefined, quiet: o.quiet });
      const catalog = await loadCatalog(o.rules, o.defaultRules, (w) => logger.warning(w));
      const { bytes } = await expandPaths(paths);
      const store = await openStore(o.db);
      const registry = (await openState(statePathFor(o.db))).data.sensors;
      const tty = process.stderr.isTTY && o.progress !== false;
      // The progress bar's package is loaded only when there is a bar to draw.
      const cliProgress = tty ? (await import('cli-progress')).default : null;
      const bar = cliProgress
        ? new cliProgress.SingleBar({
          stream: process.stderr,
          format: 'import [{bar}] {percentage}% | {value}/{total} MB | {file}',
          hideCursor: true,
          clearOnComplete: true,
        }, cliProgress.Presets.shades_classic)
        : null;
      let read = 0;
      bar?.start(Math.max(1, Math.round(bytes / 1e6)), 0, { file: '' });
      const warnings: string[] = [];
      try {
        const result = await importFiles(store, paths, {
          sensor: o.sensor,
          year: o.year,
          tz: o.tz,
          catalog,
          catalogSource: { paths: o.rules, defaults: o.defaultRules },
          sensorRegistry: registry,
          flow: { homeNets: o.homeNet, ports: o.sflowPort, lineTimeUs: o.flowTime },
          warn: (w) => {
            if (bar) {
              // Keep the bar on its own line: print warnings after it finishes.
              if (warnings.length < 1000) warnings.push(JSON.stringify(w));
            } else {
              logger.warning(w);
            }
          },
          onBytes: (n) => {
            read += n;
            bar?.update(Math.round(read / 1e6));
          },
          onFileStart: (file) => bar?.update(Math.round(read / 1e6), { file }),
        });
        bar?.stop();
        for (const w of warnings) logger.warning(JSON.parse(w));
        const seconds = (Date.now() - started) / 1000;
        const t = result.totals;
        await recordImport(statePathFor(o.db), {
          at: new Date(started).toISOString(), args: process.argv.slice(2), sensor: o.sensor,
          files: t.files, imported: t.imported, skipped: t.skipped, alerts: t.alerts, inserted: t.inserted,
          duplicates: t.duplicates, rejected: t.rejected, seconds,
        }, o.sensor ? [o.sensor] : []);
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ db: store.location, seconds, ...result }, null, 2)}\n`);
        } else {
          process.stderr.write(
            `imported ${t.imported} of ${t.files} files (${t.skipped} skipped) in ${seconds.toFixed(1)} s: ` +
            `${t.inserted} alerts added, ${t.duplicates} duplicates skipped, ${t.rejected} lines rejected -> ${store.location}\n`,
          );
        }
      } finally {
        bar?.stop();
        await store.close();
      }
    });
}
