/**
 * Verdicts straight from a store: what `snarf hosts` prints and what the report's p2p page
 * (src/report/**) calls. The only place that joins the store query and the pure analysis.
 */
import { SnarfError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { HostVerdict } from '../model/verdict.js';
import { computeVerdicts, type VerdictOptions } from './verdicts.js';
import { loadP2pSignatures, p2pMatcher } from './p2p-signatures.js';

export interface HostVerdictQuery extends VerdictOptions {
  /** Internal networks; default: the store's remembered home networks (set by an sFlow import). */
  homeNets?: readonly string[];
  sinceUs?: number;
  untilUs?: number;
  /** Override files for rules/p2p-signatures.json. */
  signatureFiles?: readonly string[];
  /** Zone of the daily flow sections (default UTC). */
  timeZone?: string;
  minUniqueSources?: number;
  massDownloadGb?: number;
  gigabyte?: 'si' | 'binary';
  scaleBySamplingRate?: boolean;
}

export async function hostVerdicts(store: Store, q: HostVerdictQuery = {}): Promise<HostVerdict[]> {
  if (!store.p2pEvidence || !store.flowSettings) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `the ${store.kind} store does not keep P2P evidence`);
  }
  const homeNets = q.homeNets?.length ? q.homeNets : (await store.flowSettings()).homeNets;
  if (!homeNets?.length) {
    throw new SnarfError('SNARF_CONFIG_INVALID', 'no home networks: pass --home-net CIDR (repeatable), or import sFlow with --home-net once');
  }
  const evidence = await store.p2pEvidence({
    homeNets, sinceUs: q.sinceUs, untilUs: q.untilUs, match: p2pMatcher(loadP2pSignatures(q.signatureFiles)),
    timeZone: q.timeZone, minUniqueSources: q.minUniqueSources, massDownloadGb: q.massDownloadGb, gigabyte: q.gigabyte,
    scaleBySamplingRate: q.scaleBySamplingRate,
  });
  return computeVerdicts(evidence, q);
}
