/**
 * alert_full: a block per alert, ended by a blank line:
 *   [**] [g:s:r] msg [**]
 *   [Classification: c] [Priority: n]            (classification optional)
 *   <ts> src -> dst
 *   PROTO TTL:.. TOS:.. ID:.. IpLen:.. DgmLen:..
 *   transport line (TCP flags/seq/ack/win, UDP Len, ICMP Type/Code/ID/Seq), TCP Options
 *   [Xref => url][Xref => url]                    (zero or one line, several refs on it)
 * Unknown lines inside a block (older -I, -e, ORIGINAL DATAGRAM DUMP) are skipped.
 */
import { parseSnortTimestamp } from './time.js';
import { parseAddressPair, parseSigId } from './fields.js';
import { excerpt, makeAlert, type ParseContext, type TextParser } from './parser.js';
import { protocolNumber, type InputFormat, type PacketSummary, type Reference } from '../../model/alert.js';
import { classLine, EMPTY, FullBlockReader, type ByteLine } from './full-bytes.js';
import type { LineDecoder } from '../line-splitter.js';

interface Block {
  lineNo: number;
  offset: number;
  lines: string[];
}

/** Upper bound on lines kept for one block: a missing blank line must not swallow a file. */
const MAX_BLOCK_LINES = 64;

const NOT_BLANK = 0;
const BLANK = 1;
const MAYBE_BLANK = 2;

/**
 * Whether a line is blank as `text.trim() === ''` would say, from its bytes: spaces and tabs
 * only is BLANK; a byte that can only be content makes it NOT_BLANK; otherwise (other ASCII
 * whitespace, or bytes of what may be Unicode spaces) it is MAYBE_BLANK, for the text path.
 */
function blankness(buf: Buffer, start: number, end: number): number {
  let maybe = false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0x09) continue;
    if ((c >= 0x0a && c <= 0x0d) || c >= 0x80) {
      maybe = true;
      continue;
    }
    return NOT_BLANK;
  }
  return maybe ? MAYBE_BLANK : BLANK;
}

/** Shared by every alert without references; frozen, as the shared arrays below. */
const NO_REFS: Reference[] = Object.freeze([]) as unknown as Reference[];

export class FullParser implements TextParser {
  readonly format: InputFormat = 'alert_full';
  private block: Block | null = null;
  /**
   * A signature prints the same Xref line on every alert: parse each line once and share the
   * (frozen) result, which also lets the row builder serialise it once (alert-rows.ts).
   */
  private readonly xrefCache = new Map<string, Reference[]>();

  private xrefs(line: string): Reference[] {
    let refs = this.xrefCache.get(line);
    if (refs === undefined) {
      refs = [];
      parseXrefs(line, refs);
      for (const r of refs) Object.freeze(r);
      Object.freeze(refs);
      if (this.xrefCache.size >= 4096) this.xrefCache.clear();
      this.xrefCache.set(line, refs);
    }
    return refs;
  }

  /** Reads held blocks from their bytes when the context takes rows (ctx.emitRow). */
  private readonly reader: FullBlockReader | null;
  /** Lines of the current block while it is held as bytes (the first `held` of them). */
  private readonly heldLines: ByteLine[] = [];
  private held = 0;
  private decode: LineDecoder | null = null;
  /** Blocks read from bytes and blocks read as text (tests check the fast path is taken). */
  readonly stats = { bytes: 0, text: 0 };

  constructor(private readonly ctx: ParseContext) {
    this.reader = ctx.emitRow ? new FullBlockReader(ctx.sensor, ctx.time, (line) => this.xrefs(line)) : null;
  }

  /**
   * A line as bytes: the start of a block, a blank line, or a line of a block held as bytes is
   * taken here; anything else (a line outside a block, a block already being read as text, a
   * line that may be blank in some other whitespace) goes to line() as text.
   */
  lineBytes(buf: Buffer, start: number, end: number, lineNo: number, offset: number, decode: LineDecoder): boolean {
    if (this.reader === null) return false;
    this.decode = decode;
    if (end - start >= 6 && buf[start] === 0x5b && buf[start + 1] === 0x2a && buf[start + 2] === 0x2a
      && buf[start + 3] === 0x5d && buf[start + 4] === 0x20 && buf[start + 5] === 0x5b) {
      this.flush();
      this.hold(buf, start, end, lineNo, offset);
      return true;
    }
    const blank = blankness(buf, start, end);
    if (blank === BLANK) {
      this.flush();
      return true;
    }
    if (this.held === 0) return false;
    if (blank === MAYBE_BLANK || this.held >= MAX_BLOCK_LINES) {
      this.materialize();
      return false;
    }
    this.hold(buf, start, end, lineNo, offset);
    return true;
  }

  /** The chunk under the held lines may be reused: keep copies of their bytes. */
  chunkEnd(): void {
    for (let k = 0; k < this.held; k++) {
      const l = this.heldLines[k]!;
      l.buf = Buffer.from(l.buf.subarray(l.start, l.end));
      l.end -= l.start;
      l.start = 0;
    }
  }

  private hold(buf: Buffer, start: number, end: number, lineNo: number, offset: number): void {
    const l = this.heldLines[this.held];
    if (l === undefined) this.heldLines.push({ buf, start, end, lineNo, offset });
    else {
      l.buf = buf;
      l.start = start;
      l.end = end;
      l.lineNo = lineNo;
      l.offset = offset;
    }
    this.held++;
  }

  /** The held block as a text block, decoded as the line splitter would have (bad UTF-8 and all). */
  private materialize(): void {
    if (this.held === 0) return;
    const first = this.heldLines[0]!;
    const lines: string[] = [];
    for (let k = 0; k < this.held; k++) {
      const l = this.heldLines[k]!;
      lines.push(this.decode!(l.buf, l.start, l.end, l.lineNo, l.offset));
      l.buf = EMPTY;
    }
    this.held = 0;
    this.block = { lineNo: first.lineNo, offset: first.offset, lines };
  }

  line(text: string, lineNo: number, offset: number, unterminated: boolean): void {
    this.materialize();
    if (text.startsWith('[**] [')) {
      this.flush();
      this.block = { lineNo, offset, lines: [text] };
      if (unterminated) this.truncated();
      return;
    }
    if (text.trim() === '') {
      this.flush();
      return;
    }
    if (this.block === null) {
      this.ctx.warn({
        code: 'SNARF_TEXT_BAD_LINE',
        message: `line outside an alert_full block: "${excerpt(text)}"`,
        file: this.ctx.file, line: lineNo, offset,
      });
      return;
    }
    if (this.block.lines.length >= MAX_BLOCK_LINES) {
      this.ctx.warn({
        code: 'SNARF_TEXT_BAD_LINE',
        message: `alert_full block has more than ${MAX_BLOCK_LINES} lines; extra lines ignored`,
        file: this.ctx.file, line: lineNo, offset,
      });
      return;
    }
    this.block.lines.push(text);
    if (unterminated) this.truncated();
  }

  end(): void {
    this.flush();
  }

  /** A file that stops mid-block: keep what the block has if it is whole enough to be an alert. */
  private truncated(): void {
    const b = this.block;
    if (!b) return;
    this.ctx.warn({
      code: 'SNARF_TEXT_TRUNCATED',
      message: 'file ends inside an alert_full block',
      file: this.ctx.file, line: b.lineNo + b.lines.length - 1,
    });
  }

  private flush(): void {
    if (this.held > 0) {
      if (this.reader!.read(this.heldLines, this.held)) {
        for (let k = 0; k < this.held; k++) this.heldLines[k]!.buf = EMPTY;
        this.held = 0;
        this.stats.bytes++;
        this.ctx.emitRow!(this.reader!.row);
        return;
      }
      this.materialize();
    }
    const b = this.block;
    this.block = null;
    if (!b) return;
    this.stats.text++;
    const reason = this.parseBlock(b);
    if (reason !== null) {
      this.ctx.warn({
        code: 'SNARF_TEXT_BAD_LINE',
        message: `bad alert_full block: ${reason}`,
        file: this.ctx.file, line: b.lineNo, offset: b.offset,
      });
    }
  }

  private parseBlock(b: Block): string | null {
    const head = b.lines[0] ?? '';
    const sig = parseSigId(head, 5);
    if (!sig) return `no [gid:sid:rev] in "${excerpt(head)}"`;
    let msgEnd = head.length;
    if (head.endsWith(' [**]')) msgEnd -= 5;
    const message = head.slice(sig.end + 1, msgEnd).trim();

    let classification: string | null = null;
    let priority: number | null = null;
    let i = 1;
    const clsLine = b.lines[i];
    if (clsLine !== undefined && (clsLine.startsWith('[Classification: ') || clsLine.startsWith('[Priority: '))) {
      ({ classification, priority } = classLine(clsLine));
      i++;
    }

    // Timestamp line; with -e the addresses come on the next line after the MAC pair.
    const tsLine = b.lines[i];
    if (tsLine === undefined) return 'no timestamp line';
    const sp = tsLine.indexOf(' ');
    const wall = parseSnortTimestamp(sp === -1 ? tsLine : tsLine.slice(0, sp));
    if (!wall) return `bad timestamp line "${excerpt(tsLine)}"`;
    const timeUs = this.ctx.time.toEpochMicros(wall);
    if (timeUs === null) return 'timestamp out of range';
    let addrText = sp === -1 ? '' : tsLine.slice(sp + 1);
    i++;
    if (!addrText.includes(' -> ') || /type:0x/i.test(addrText)) {
      const next = b.lines[i];
      if (next !== undefined && next.includes(' -> ')) {
        addrText = next;
        i++;
      }
    }

    let protocol: number | null = null;
    const packet: PacketSummary = {};
    let references: Reference[] = NO_REFS;
    for (; i < b.lines.length; i++) {
      const l = b.lines[i] ?? '';
      if (l.startsWith('[Xref => ')) {
        references = references.length === 0 ? this.xrefs(l) : [...references, ...this.xrefs(l)];
      } else if (protocol === null && l.includes(' TTL:')) {
        protocol = protocolNumber(l.slice(0, l.indexOf(' ')));
        parseIpLine(l, packet);
      } else {
        parseTransportLine(l, packet);
      }
    }

    const pair = parseAddressPair(addrText, protocol);
    if (!pair) return `bad addresses "${excerpt(addrText)}"`;
    this.ctx.emit(makeAlert({
      sensor: this.ctx.sensor,
      timeUs,
      gid: sig.sig.gid, sid: sig.sig.sid, rev: sig.sig.rev,
      message, classification, priority, protocol,
      srcIp: pair.src.ip, srcPort: pair.src.port, dstIp: pair.dst.ip, dstPort: pair.dst.port,
      references,
      packet: Object.keys(packet).length > 0 ? packet : undefined,
      format: 'alert_full', file: this.ctx.file, offset: b.offset, line: b.lineNo,
    }));
    return null;
  }
}

/** `[Xref => A][Xref => B]`: several on one line with no separator; non-greedy, or only B survives. */
export function parseXrefs(line: string, into: Reference[]): void {
  const re = /\[Xref => (.*?)\](?=\[Xref => |\s*$)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    const url = m[1] ?? '';
    into.push({ system: 'url', id: url.replace(/^https?:\/\//, ''), url });
  }
}

function num(text: string | undefined, hex = false): number | undefined {
  if (text === undefined) return undefined;
  const n = hex ? parseInt(text, 16) : Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function parseIpLine(l: string, p: PacketSummary): void {
  const m = /TTL:(\d+) TOS:0x([0-9A-Fa-f]+) ID:(\d+) IpLen:(\d+) DgmLen:(\d+)/.exec(l);
  if (!m) return;
  p.ttl = num(m[1]);
  p.tos = num(m[2], true);
  p.ipId = num(m[3]);
  p.ipLen = num(m[4]);
  p.dgmLen = num(m[5]);
}

function parseTransportLine(l: string, p: PacketSummary): void {
  let m = /^([*A-Z12]{8}) Seq: 0x([0-9A-Fa-f]+)\s+Ack: 0x([0-9A-Fa-f]+)\s+Win: 0x([0-9A-Fa-f]+)\s+TcpLen: (\d+)/.exec(l);
  if (m) {
    p.tcpFlags = m[1];
    p.tcpSeq = num(m[2], true);
    p.tcpAck = num(m[3], true);
    p.tcpWin = num(m[4], true);
    p.tcpLen = num(m[5]);
    return;
  }
  m = /^Len: (\d+)/.exec(l);
  if (m) {
    p.udpLen = num(m[1]);
    return;
  }
  m = /^Type:(\d+)\s+Code:(\d+)(?:\s+ID:(\d+)\s+Seq:(\d+))?/.exec(l);
  if (m) {
    p.icmpType = num(m[1]);
    p.icmpCode = num(m[2]);
    if (m[3] !== undefined) p.icmpId = num(m[3]);
    if (m[4] !== undefined) p.icmpSeq = num(m[4]);
  }
}
