/**
 * Subcommands load their implementation only when they run: `snarf --version` and `--help`
 * load no store driver, server, report or mail code, and `snarf import` none of the server,
 * report or mail code. Checked by running the real CLI with a module loader hook that records
 * every module loaded through `import` (ES modules, and CommonJS packages imported from them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/store.js';
import { DEFAULT_DB as STORE_DEFAULT_DB } from '../../src/store/open.js';
import { DEFAULT_DB as CLI_DEFAULT_DB } from '../../src/cli/options.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

const HOOKS = `import fs from 'node:fs';
export async function load(url, context, next) {
  fs.appendFileSync(process.env.SNARF_TEST_LOADED, url + '\\n');
  return next(url, context);
}
`;

/** Runs the CLI and returns its result and the URLs of the modules it loaded. */
function traced(args: string[]): { status: number | null; stdout: string; stderr: string; loaded: string[] } {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'hooks.mjs'), HOOKS);
  fs.writeFileSync(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  const list = path.join(dir, 'loaded.txt');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, CLI, ...args], {
    encoding: 'utf8', env: { ...process.env, SNARF_TEST_LOADED: list },
  });
  const loaded = fs.existsSync(list) ? fs.readFileSync(list, 'utf8').split('\n').filter(Boolean) : [];
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded };
}

const pkg = (name: string): RegExp => new RegExp(`/node_modules/${name}/`);
const under = (...names: string[]): RegExp => new RegExp(`/src/(${names.join('|')})/`);
/** Light modules the option definitions use (defaults shown in help texts, validators). */
const FOR_OPTIONS = /\/src\/(server\/listen|report\/filters|mail\/sanitize|response\/exporters|response\/export-safe)\.js$/;

function assertNotLoaded(loaded: string[], patterns: RegExp[]): void {
  for (const re of patterns) {
    assert.deepEqual(loaded.filter((u) => re.test(u) && !FOR_OPTIONS.test(u)), [], `loaded although not needed: ${re}`);
  }
}

test('--version and --help load the option definitions only', () => {
  for (const args of [['--version'], ['--help'], ['serve', '--help'], ['mail', '--help']]) {
    const r = traced(args);
    assert.equal(r.status, 0, r.stderr);
    if (args[0] === '--version') assert.equal(r.stdout, '0.1.0\n');
    assert.ok(r.loaded.some((u) => pkg('commander').test(u)), 'the hook saw the modules the CLI loaded');
    assert.ok(r.loaded.some((u) => u.endsWith('/src/cli/serve.js')), 'every command is defined');
    assertNotLoaded(r.loaded, [
      ...['express', 'ejs', 'nodemailer', 'pg', 'better-sqlite3', 'yaml', 'lowdb', 'node-cron', 'cli-progress'].map(pkg),
      under('store', 'state', 'server', 'report', 'mail', 'import', 'collector', 'export', 'response'),
    ]);
  }
});

test('import into SQLite loads the importer and the store, not PostgreSQL, the server, report or mail code', () => {
  const dir = tempDir();
  const file = path.join(dir, 'alert.fast');
  fs.writeFileSync(file, '11/20-09:00:02.928308  [**] [1:1000002:1] P2P BitTorrent tracker announce request [**] ' +
    '[Classification: Potential Corporate Privacy Violation] [Priority: 1] {TCP} 163.221.10.11:4532 -> 192.0.2.80:6969\n');
  const r = traced(['import', '--db', path.join(dir, 'snarf.db'), '--year', '2026', '--no-progress', '-q', '--json', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { totals: { inserted: number } }).totals.inserted, 1);
  assert.ok(r.loaded.some((u) => u.endsWith('/src/import/import-files.js')), 'the importer was loaded when the command ran');
  assertNotLoaded(r.loaded, [...['express', 'ejs', 'nodemailer', 'yaml', 'cli-progress', 'pg'].map(pkg), under('server', 'report', 'mail', 'response', 'store/postgres')]);
});

test('the CLI default --db is the store default', () => {
  assert.equal(CLI_DEFAULT_DB, STORE_DEFAULT_DB);
});
