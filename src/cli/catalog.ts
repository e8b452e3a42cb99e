/**
 * Loads signature metadata for the commands that need it: Snarf's shipped rules/ plus any
 * maps and rule files the operator names (later ones refine earlier ones).
 */
import fs from 'node:fs';
import type { Warning } from '../errors.js';
import { SignatureCatalog } from '../rules/catalog.js';

export async function loadCatalog(paths: string[], defaults: boolean, warn: (w: Warning) => void): Promise<SignatureCatalog> {
  const catalog = new SignatureCatalog();
  if (defaults) catalog.loadDefaults();
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) catalog.loadDirectory(p);
    else catalog.loadFile(p);
  }
  for (const w of catalog.warnings) warn(w);
  return catalog;
}
