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

interface Block {
  lineNo: number;
  offset: number;
  lines: string[];
}

/** Upper bound on lines kept for one block: a missing blank line must not swallow a file. */
const MAX_BLOCK_LINES = 64;

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

  constructor(private readonly ctx: ParseContext) {}

  line(text: string, lineNo: number, offset: number, unterminated: boolean): void {
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
    const b = this.block;
    this.block = null;
    if (!b) return;
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
      const c = /\[Classification: ([^\]]*)\]/.exec(clsLine);
      if (c) classification = c[1] ?? null;
      const p = /\[Priority: (\d+)\]/.exec(clsLine);
      if (p) priority = Number(p[1]);
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
