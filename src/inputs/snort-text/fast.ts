/**
 * alert_fast: `<ts>  [**] [g:s:r] msg [**] [Classification: c] [Priority: n] {PROTO} src -> dst`.
 * The same body (without `[**]` and timestamp) is what syslog carries, so both share parseBody.
 */
import { parseSnortTimestamp } from './time.js';
import { parseAddressPair, parseSigId, parseTail } from './fields.js';
import { excerpt, makeAlert, rejectLine, type ParseContext, type TextParser } from './parser.js';
import type { Alert, InputFormat } from '../../model/alert.js';

/** The fields an alert body (fast and syslog) carries; addresses are always present. */
export type Body = Pick<Alert, 'gid' | 'sid' | 'rev' | 'message' | 'classification' | 'priority' | 'protocol' | 'srcPort' | 'dstPort'>
  & { srcIp: string; dstIp: string };

/** Parses an alert body; `stars` says whether `[**]` brackets the gid:sid:rev and message. */
export function parseBody(s: string, start: number, stars: boolean): Body | string {
  let i = start;
  if (stars) {
    if (!s.startsWith('[**] ', i)) return 'no [**] before the signature id';
    i += 5;
  }
  const sig = parseSigId(s, i);
  if (!sig) return 'no [gid:sid:rev]';
  const tail = parseTail(s, sig.end);
  if (!tail) return 'no {PROTO} src -> dst';
  let msgEnd = tail.messageEnd;
  if (stars) {
    if (s.startsWith(' [**]', msgEnd - 5)) msgEnd -= 5;
    else if (s.startsWith('[**]', msgEnd - 4)) msgEnd -= 4;
  }
  const message = s.slice(sig.end + 1, msgEnd).trim();
  const pair = parseAddressPair(tail.addresses, tail.protocol);
  if (!pair) return `bad addresses "${excerpt(tail.addresses, 60)}"`;
  // Fields spelled out: an object spread here cost more than the whole parse (V8, Node 20).
  return {
    gid: sig.sig.gid,
    sid: sig.sig.sid,
    rev: sig.sig.rev,
    message,
    classification: tail.classification,
    priority: tail.priority,
    protocol: tail.protocol,
    srcIp: pair.src.ip,
    srcPort: pair.src.port,
    dstIp: pair.dst.ip,
    dstPort: pair.dst.port,
  };
}

/** An alert from a parsed body (shared with syslog). */
export function bodyAlert(b: Body, sensor: string, timeUs: number, format: InputFormat, file: string, offset: number, line: number): Alert {
  return makeAlert({
    sensor, timeUs, gid: b.gid, sid: b.sid, rev: b.rev, message: b.message, classification: b.classification,
    priority: b.priority, protocol: b.protocol, srcIp: b.srcIp, srcPort: b.srcPort, dstIp: b.dstIp, dstPort: b.dstPort,
    format, file, offset, line,
  });
}

export class FastParser implements TextParser {
  readonly format: InputFormat = 'alert_fast';

  constructor(private readonly ctx: ParseContext) {}

  line(text: string, lineNo: number, offset: number, unterminated: boolean): void {
    if (text.length === 0 || text.trim() === '') return;
    const gap = text.indexOf('  [**] ');
    const reason = this.parse(text, gap, lineNo, offset);
    if (reason !== null) rejectLine(this.ctx, 'an alert_fast', reason, text, lineNo, offset, unterminated);
  }

  private parse(text: string, gap: number, lineNo: number, offset: number): string | null {
    if (gap === -1) return 'no timestamp followed by [**]';
    const wall = parseSnortTimestamp(text.slice(0, gap));
    if (!wall) return `bad timestamp "${excerpt(text.slice(0, gap), 30)}"`;
    const timeUs = this.ctx.time.toEpochMicros(wall);
    if (timeUs === null) return 'timestamp out of range';
    const body = parseBody(text, gap + 2, true);
    if (typeof body === 'string') return body;
    this.ctx.emit(bodyAlert(body, this.ctx.sensor, timeUs, 'alert_fast', this.ctx.file, offset, lineNo));
    return null;
  }

  end(): void {}
}
