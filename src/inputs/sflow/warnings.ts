/**
 * Warning codes for the sFlow and pcap inputs. They belong in src/errors.ts's catalogue; until the
 * lead merges them there, they live here and `SflowWarning` is `Warning` with the wider code set
 * (the same fields, so `place()` and a merged `formatWarning` work unchanged).
 */
import { CODES, place, type Code } from '../../errors.js';

export const SFLOW_CODES = {
  SNARF_SFLOW_TRUNCATED: 'an sFlow datagram ends inside a sample or record; the samples before it are kept',
  SNARF_SFLOW_BAD_VERSION: 'not an sFlow version 5 datagram (v2/v4 RFC 3176 are not decoded, or garbage)',
  SNARF_SFLOW_BAD_LENGTH: 'an sFlow sample or record whose length does not fit its layout; it is skipped',
  SNARF_SFLOW_BAD_ADDRESS: 'an sFlow address of unknown type; the rest of the datagram cannot be aligned',
  SNARF_SFLOW_SEQ_GAP: 'datagram sequence numbers skipped: datagrams from this agent were lost',
  SNARF_SFLOW_RESTART: 'an sFlow agent restarted (sequence and uptime went back)',
  SNARF_PCAP_BAD_FILE: 'the file is not a pcap/pcapng capture, or a block header is impossible',
  SNARF_PCAP_TRUNCATED: 'a capture file ends inside a record',
  SNARF_PCAP_UNSUPPORTED: 'a captured packet that cannot carry a whole sFlow datagram (link type, fragment)',
} as const;

export type SflowCode = keyof typeof SFLOW_CODES;

export interface SflowWarning {
  code: Code | SflowCode;
  message: string;
  file?: string;
  offset?: number;
  line?: number;
}

/** Receives warnings as they happen; readers never throw for a recoverable problem. */
export type WarningSink = (w: SflowWarning) => void;

export function formatSflowWarning(w: SflowWarning): string {
  const where = place(w);
  return `${w.code}${where ? ` ${where}` : ''}: ${w.message}`;
}

/** True for codes of either catalogue (handy for tests and for merging). */
export function isKnownCode(code: string): boolean {
  return code in CODES || code in SFLOW_CODES;
}
