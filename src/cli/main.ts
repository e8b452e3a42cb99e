#!/usr/bin/env node
/**
 * The `snarf` command. One file per subcommand; this one only wires them together and turns
 * failures into one clear line and a non-zero exit status (never a stack trace for bad input).
 * The subcommand modules only define their options here; each action imports its implementation
 * (stores, server, report, mail...) when it runs, so that `snarf --version`, `--help` or a small
 * `snarf import` do not pay for loading every command's code (test/cli/lazy-load.test.ts).
 */
import { Command, CommanderError } from 'commander';
import { importCommand } from './import.js';
import { summaryCommand } from './summary.js';
import { sensorsCommand } from './sensors.js';
import { exportCommand } from './export.js';
import { waldoCommand } from './waldo.js';
import { collectCommand } from './collect.js';
import { statusCommand } from './status.js';
import { reportCommand } from './report.js';
import { SnarfError } from '../errors.js';
import { p2pReportCommand } from './p2p-report.js';
import { hostsCommand } from './hosts.js';
import { policyCommand } from './policy.js';
import { responseCommand } from './response.js';
import { serveCommand } from './serve.js';
import { clustersCommand } from './clusters.js';
import { anomaliesCommand } from './anomalies.js';
import { mailCommand } from './mail.js';

export function buildProgram(): Command {
  const program = new Command('snarf')
    .description('Snort alert aggregator and SnortSnarf-style reporter: P2P, exposure viruses and IRC bots')
    .version('0.1.0')
    .showHelpAfterError();
  program.addCommand(importCommand());
  program.addCommand(summaryCommand());
  program.addCommand(sensorsCommand());
  program.addCommand(exportCommand());
  program.addCommand(waldoCommand());
  program.addCommand(collectCommand());
  program.addCommand(statusCommand());
  program.addCommand(p2pReportCommand());
  program.addCommand(hostsCommand());
  program.addCommand(clustersCommand());
  program.addCommand(anomaliesCommand());
  program.addCommand(reportCommand());
  program.addCommand(policyCommand());
  program.addCommand(responseCommand());
  program.addCommand(serveCommand());
  program.addCommand(mailCommand());
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    const e = err as Error;
    const code = err instanceof SnarfError ? `${err.code}: ` : '';
    process.stderr.write(`snarf: ${code}${e.message}\n`);
    if (process.env.SNARF_DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
    process.exitCode = 1;
  }
}

void main();
