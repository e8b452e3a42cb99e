/**
 * The contract every Snort text format parser follows: lines in, alerts and warnings out.
 * Parsers are pure state machines; the importer and the collector feed them.
 */
import type { Alert, InputFormat, PacketSummary, Reference } from '../../model/alert.js';
import type { Warning } from '../../errors.js';
import type { TimePlacer } from './time.js';
import type { TextRow } from '../../store/alert-rows.js';
import type { LineDecoder } from '../line-splitter.js';

export interface ParseContext {
  file: string;
  /** Sensor name for alerts that do not name their own (syslog may use its host name). */
  sensor: string;
  /** True when the operator named the sensor (--sensor / config); then it always wins. */
  sensorExplicit: boolean;
  time: TimePlacer;
  emit(alert: Alert): void;
  /**
   * Where a parser that reads rows straight from bytes (alert_full's fast path) puts them; the
   * row object is reused, so its values must be copied before returning. Without it every alert
   * goes through emit().
   */
  emitRow?(row: TextRow): void;
  warn(w: Warning): void;
}

export interface TextParser {
  readonly format: InputFormat;
  /** One line without its line end. `unterminated` marks a last line that had no LF. */
  line(text: string, lineNo: number, offset: number, unterminated: boolean): void;
  /** End of input: flush a pending multi-line record. */
  end(): void;
  /** A line as bytes, before decoding (LineSink.lineBytes): true if the parser took it. */
  lineBytes?(buf: Buffer, start: number, end: number, lineNo: number, offset: number, decode: LineDecoder): boolean;
  /** The bytes given to lineBytes() may be reused from now on (LineSink.chunkEnd). */
  chunkEnd?(): void;
}

/** What a text parser knows of an alert: the identity fields plus where it was read. */
export type AlertFields = Pick<Alert,
  'sensor' | 'timeUs' | 'gid' | 'sid' | 'rev' | 'message' | 'classification' | 'priority' | 'protocol'
  | 'srcIp' | 'srcPort' | 'dstIp' | 'dstPort'> & {
  references?: Reference[];
  packet?: PacketSummary;
  format: InputFormat;
  file: string;
  offset: number;
  line: number;
};

/**
 * Reports a line a one-line parser could not read: a truncated last line as such, any other
 * as a bad line, each naming file:line and the reason.
 */
export function rejectLine(
  ctx: ParseContext, what: string, reason: string, text: string, lineNo: number, offset: number, unterminated: boolean,
): void {
  ctx.warn({
    code: unterminated ? 'SNARF_TEXT_TRUNCATED' : 'SNARF_TEXT_BAD_LINE',
    message: `${unterminated ? 'truncated last line' : `not ${what} line`}: ${reason}: "${excerpt(text)}"`,
    file: ctx.file, line: lineNo, offset,
  });
}

export function makeAlert(f: AlertFields): Alert {
  const alert: Alert = {
    sensor: f.sensor,
    timeUs: f.timeUs,
    gid: f.gid,
    sid: f.sid,
    rev: f.rev,
    message: f.message,
    classification: f.classification,
    priority: f.priority,
    protocol: f.protocol,
    srcIp: f.srcIp,
    srcPort: f.srcPort,
    dstIp: f.dstIp,
    dstPort: f.dstPort,
    eventId: null,
    eventSecond: null,
    references: f.references ?? [],
    packets: [],
    extra: [],
    origin: { format: f.format, file: f.file, offset: f.offset, line: f.line },
  };
  if (f.packet) alert.packet = f.packet;
  return alert;
}

/** Keeps a warning's text short: attacker-controlled lines can be a megabyte long. */
export function excerpt(text: string, max = 80): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
