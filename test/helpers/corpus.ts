/**
 * Where the shared real-data corpus lives. Tests read it in place (never copied into the repo):
 * CI clones the project beside shared/, so ../shared/corpus from the project root.
 */
import path from 'node:path';
import fs from 'node:fs';

export const CORPUS = process.env.SNARF_CORPUS ?? path.resolve(process.cwd(), '../shared/corpus');

export function corpusPath(...parts: string[]): string {
  return path.join(CORPUS, ...parts);
}

export function hasCorpus(): boolean {
  return fs.existsSync(CORPUS);
}

/** Project root (tests run from it: `npm test`). */
export const ROOT = process.cwd();
