/**
 * The real `snarf` CLI run on the corpus, for tests that import the same Snort output into
 * several stores: a runner bound to a working directory (PostgreSQL's state and notes files go
 * to the working directory), and the corpus spools by sensor and scenario.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusPath } from './corpus.js';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

/** `snarf ARGS` in `cwd`; asserts exit status 0 and returns stdout. */
export function snarfIn(cwd: string): (...args: string[]) => string {
  return (...args) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, maxBuffer: 256 * 1024 * 1024 });
    assert.equal(r.status, 0, `snarf ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
}

/** ../shared/corpus/snort/out/SENSOR/SCENARIO */
export const corpusOut = (sensor: string, scenario: string): string => corpusPath('snort', 'out', sensor, scenario);

/** The unified2 spool files of one run, in rotation order. */
export const corpusU2 = (sensor: string, scenario: string): string[] =>
  fs.readdirSync(corpusOut(sensor, scenario)).filter((n) => n.startsWith('snort.u2.')).sort().map((n) => path.join(corpusOut(sensor, scenario), n));

/** `--rules` for the corpus's own rule files. */
export const CORPUS_RULES = ['--rules', corpusPath('snort', 'rules')];
