/**
 * One measured `snarf import` of a generated file: the real CLI (dist/src/cli/main.js) in its own
 * child process with the RSS probe preloaded, into a fresh SQLite database that is deleted
 * afterwards. The result is checked: an import that does not store every generated alert throws,
 * so a benchmark can never report the speed of importing nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_MAIN, runNodeChild, type ChildRun } from './measure.js';
import { profilesIn, summariseNew, type ProfileSummary } from './cpu-profile.js';
import { sqliteFloor, type StoreFloor } from './store-floor.js';

export interface ImportTotals {
  files: number; imported: number; skipped: number; alerts: number; inserted: number; duplicates: number; rejected: number;
}

export interface CliImportRun extends ChildRun {
  totals: ImportTotals;
  format: string;
  /** The seconds the CLI itself reports (from its start, after node start-up and module loading). */
  cliSeconds: number;
  dbBytes: number;
  /** With cpuProfDir: one summary per thread (main first, then parser workers). */
  profiles?: ProfileSummary[];
  /** With `floor`: the database's own floor for the rows this import stored (store-floor.ts). */
  floor?: StoreFloor;
}

export interface CliImportOptions {
  /** The number of alerts the file holds: the import must add exactly this many. */
  expected: number;
  /** Extra CLI options (e.g. --no-default-rules, --rules PATH). */
  extraArgs?: string[];
  /** Profile the import child (slower: use a separate, untimed run) and keep the profile here. */
  cpuProfDir?: string;
  /** Where the throw-away database goes (default: os.tmpdir()). */
  workDir?: string;
  /** Also measure the store floor on the database this import wrote (after the timed run). */
  floor?: boolean;
}

export function cliImport(file: string, opts: CliImportOptions): CliImportRun {
  if (!fs.existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} not found: build first (npm run build)`);
  const dir = fs.mkdtempSync(path.join(opts.workDir ?? os.tmpdir(), 'snarf-bench-db-'));
  const db = path.join(dir, 'bench.db');
  try {
    if (opts.cpuProfDir) fs.mkdirSync(opts.cpuProfDir, { recursive: true });
    const before = opts.cpuProfDir ? profilesIn(opts.cpuProfDir) : [];
    const run = runNodeChild(CLI_MAIN, ['import', '--db', db, '--no-progress', '-q', '--json', ...(opts.extraArgs ?? []), file], {
      cpuProfDir: opts.cpuProfDir,
    });
    if (run.status !== 0) {
      throw new Error(`snarf import failed (status ${run.status}${run.signal ? `, signal ${run.signal}` : ''}): ${run.stderr.trim().slice(-2000)}`);
    }
    let parsed: { seconds: number; files: { format: string }[]; totals: ImportTotals };
    try {
      parsed = JSON.parse(run.stdout) as typeof parsed;
    } catch {
      throw new Error(`snarf import --json printed no JSON: ${run.stdout.slice(0, 500)} ${run.stderr.slice(-500)}`);
    }
    const t = parsed.totals;
    const problems: string[] = [];
    if (t.imported !== 1) problems.push(`imported ${t.imported} files, expected 1 (${JSON.stringify(parsed.files)})`);
    if (t.alerts !== opts.expected) problems.push(`read ${t.alerts} alerts`);
    if (t.inserted !== opts.expected) problems.push(`inserted ${t.inserted} alerts`);
    if (t.duplicates !== 0) problems.push(`${t.duplicates} duplicates`);
    if (t.rejected !== 0) problems.push(`${t.rejected} rejected`);
    if (problems.length) throw new Error(`import of ${opts.expected} generated alerts is wrong: ${problems.join(', ')}`);
    let dbBytes = 0;
    for (const f of fs.readdirSync(dir)) dbBytes += fs.statSync(path.join(dir, f)).size;
    const floor = opts.floor ? sqliteFloor(db, path.join(dir, 'floor.db')) : undefined;
    if (floor && floor.alerts !== opts.expected) throw new Error(`store floor copied ${floor.alerts} alerts, expected ${opts.expected}`);
    return {
      ...run, totals: t, format: parsed.files[0]?.format ?? 'unknown', cliSeconds: parsed.seconds, dbBytes,
      profiles: opts.cpuProfDir ? summariseNew(opts.cpuProfDir, before) : undefined, floor,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
