/**
 * `snarf collect --config FILE [--once]`: the collector daemon. SIGINT/SIGTERM stop it after
 * the transaction in progress; the store is closed and the exit status is 0.
 * The collector is imported when the command runs (see main.ts).
 */
import { Command } from 'commander';

interface CollectCliOptions {
  config: string;
  once?: boolean;
  db?: string;
  quiet?: boolean;
  logFormat?: string;
}

export function collectCommand(): Command {
  return new Command('collect')
    .description('follow unified2 spools and text alert files (exactly once: rows and bookmark commit together); see docs/collector.md')
    .requiredOption('--config <file>', 'collector configuration (YAML or JSON)')
    .option('--once', 'read everything available now, store it and exit (for cron and tests)')
    .option('--db <path>', 'SQLite database path (overrides `db` in the config)')
    .option('-q, --quiet', 'log only errors')
    .option('--log-format <format>', 'text or json (default: text on a terminal, json otherwise)')
    .action(async (o: CollectCliOptions) => {
      const { createLogger } = await import('../log.js');
      const { loadConfig } = await import('../collector/config.js');
      const { loadCatalog } = await import('./catalog.js');
      const { openStore } = await import('../store/open.js');
      const { Collector } = await import('../collector/collector.js');
      const logger = createLogger({ json: o.logFormat ? o.logFormat === 'json' : undefined, quiet: o.quiet });
      const config = loadConfig(o.config);
      if (o.db) config.db = o.db;
      const catalog = await loadCatalog(config.rules, config.defaultRules, (w) => logger.warning(w));
      const store = await openStore(config.db);
      const collector = new Collector({ config, store, logger, catalog, once: o.once });
      const onSignal = (sig: NodeJS.Signals): void => collector.stop(sig);
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await collector.run();
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await store.close();
      }
    });
}
