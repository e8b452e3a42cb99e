/**
 * What the rest of Snarf asks of signature metadata (sid-msg.map, gen-msg.map,
 * classification.config, reference.config, .rules files). Inputs that carry no message text
 * (unified2) resolve it here; text inputs use it to fill in references and rule text.
 */
import type { Reference } from '../model/alert.js';

export interface Classification {
  /** Short name as in rules (`policy-violation`). */
  shortname: string;
  /** Description as Snort prints it (`Potential Corporate Privacy Violation`). */
  description: string;
  priority: number;
}

export interface SignatureInfo {
  gid: number;
  sid: number;
  /** Revision the metadata describes, when the source says. */
  rev?: number;
  message: string;
  /** Classification short name (classtype), when known. */
  classtype?: string;
  priority?: number;
  references: Reference[];
  /** Full text of the rule, when it was loaded from a .rules file. */
  ruleText?: string;
}

export interface SignatureResolver {
  /**
   * Metadata for gid:sid (rev used when the source distinguishes revisions). gid 3
   * (shared-object rules) falls back to gid 1 as Snort's own tools do.
   */
  lookup(gid: number, sid: number, rev?: number): SignatureInfo | undefined;
  /** unified2 classification_id: the 1-based index over `config classification:` lines. */
  classificationById(id: number): Classification | undefined;
  classificationByName(shortname: string): Classification | undefined;
  /** URL for a reference via reference.config (`url,x` gives `http://x`); null if the system is unknown. */
  referenceUrl(ref: Reference): string | null;
}
