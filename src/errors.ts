/**
 * One catalogue of warning and error codes. Codes are stable (scripts and tests match on them)
 * and never reused. Each problem names the file and the byte offset or line it is about.
 */
export const CODES = {
  SNARF_TEXT_BAD_LINE: 'a line that is not a valid alert in the detected format',
  SNARF_TEXT_LONG_LINE: 'a line longer than the bound; skipped without buffering it whole',
  SNARF_TEXT_BAD_UTF8: 'invalid UTF-8, replaced with U+FFFD',
  SNARF_TEXT_TRUNCATED: 'the file ends inside a record',
  SNARF_TEXT_BAD_TIME: 'a timestamp that cannot be placed in time',
  SNARF_NOT_TEXT: 'the file is not a text alert log (it is binary, unified2 or pcap)',
  SNARF_UNKNOWN_FORMAT: 'the format of the file could not be recognised',
  SNARF_EMPTY_FILE: 'the file is empty',
  SNARF_U2_BAD_LENGTH: 'a unified2 record whose length does not fit its type',
  SNARF_U2_UNKNOWN_TYPE: 'a unified2 record of an unknown type, skipped by its length',
  SNARF_U2_TRUNCATED: 'a unified2 file ends inside a record',
  SNARF_U2_ODD_LENGTH: 'a known unified2 record type with an unexpected length; decoded with the nearest layout',
  SNARF_U2_BAD_INNER_LENGTH: 'packet_length or blob_length disagrees with the record length',
  SNARF_NOT_UNIFIED2: 'the file is not unified2 (it is pcap, pcapng, gzip or text)',
  SNARF_SFLOW_TRUNCATED: 'an sFlow datagram ends inside a sample or record; the samples before it are kept',
  SNARF_SFLOW_BAD_VERSION: 'not an sFlow version 5 datagram (v2/v4 RFC 3176 are not decoded, or garbage)',
  SNARF_SFLOW_BAD_LENGTH: 'an sFlow sample or record whose length does not fit its layout; it is skipped',
  SNARF_SFLOW_BAD_ADDRESS: 'an sFlow address of unknown type; the rest of the datagram cannot be aligned',
  SNARF_SFLOW_SEQ_GAP: 'datagram sequence numbers skipped: datagrams from this agent were lost',
  SNARF_SFLOW_RESTART: 'an sFlow agent restarted (sequence and uptime went back)',
  SNARF_PCAP_BAD_FILE: 'the file is not a pcap/pcapng capture, or a block header is impossible',
  SNARF_PCAP_TRUNCATED: 'a capture file ends inside a record',
  SNARF_PCAP_UNSUPPORTED: 'a captured packet that cannot carry a whole sFlow datagram (link type, fragment)',
  SNARF_MAIL_BUILD_FAILED: 'the nightly summary could not be built; the "could not be built" mail is sent instead',
  SNARF_MAIL_SEND_FAILED: 'the mail could not be handed to the SMTP server after every retry',
  SNARF_MAIL_REJECTED: 'the SMTP server refused some recipients and accepted others',
  SNARF_RULES_BAD_LINE: 'a line of a rule map or config file that cannot be parsed',
  SNARF_CONFIG_INVALID: 'a configuration key or value is wrong',
  SNARF_IO: 'a file could not be read',
  SNARF_FILE_REPLACED: 'a followed file shrank or was replaced under the same name; it is read again from its start',
  SNARF_STORE_FAILED: 'a batch could not be committed to the store; it is retried and the bookmark does not move',
} as const;

export type Code = keyof typeof CODES;

/** A recoverable problem: reported, counted, and the input goes on. */
export interface Warning {
  code: Code;
  message: string;
  file?: string;
  offset?: number;
  line?: number;
}

/** Formats `file:line` or `file@offset` the way every warning and error prints its place. */
export function place(w: { file?: string; line?: number; offset?: number }): string {
  if (!w.file) return '';
  if (w.line !== undefined) return `${w.file}:${w.line}`;
  if (w.offset !== undefined) return `${w.file}@${w.offset}`;
  return w.file;
}

export function formatWarning(w: Warning): string {
  const where = place(w);
  return `${w.code}${where ? ` ${where}` : ''}: ${w.message}`;
}

/** An error that stops the current input (not the program); carries the same fields as a warning. */
export class SnarfError extends Error {
  readonly code: Code;
  readonly file?: string;
  readonly offset?: number;
  readonly line?: number;

  constructor(code: Code, message: string, where: { file?: string; offset?: number; line?: number } = {}) {
    super(`${place(where) ? place(where) + ': ' : ''}${message}`);
    this.name = 'SnarfError';
    this.code = code;
    this.file = where.file;
    this.offset = where.offset;
    this.line = where.line;
  }
}
