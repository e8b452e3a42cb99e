/**
 * Loads signature metadata for the commands that need it: Snarf's shipped rules/ plus any
 * maps and rule files the operator names.
 */
import type { Warning } from '../errors.js';
import type { SignatureResolver } from '../rules/types.js';

export async function loadCatalog(
  _paths: string[], _defaults: boolean, _warn: (w: Warning) => void,
): Promise<SignatureResolver | undefined> {
  return undefined;
}
