/**
 * The sFlow and pcap readers report through the common catalogue (src/errors.ts); these
 * names remain so the readers say what they deal in.
 */
import type { Warning } from '../../errors.js';

export type SflowWarning = Warning;

/** Receives warnings as they happen; readers never throw for a recoverable problem. */
export type WarningSink = (w: Warning) => void;
