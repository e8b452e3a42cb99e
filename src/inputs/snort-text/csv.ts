/**
 * alert_csv with Snort's `default` field list (27 columns, no header line):
 * timestamp, sig_generator, sig_id, sig_rev, msg, proto, src, srcport, dst, dstport, ethsrc,
 * ethdst, ethlen, tcpflags, tcpseq, tcpack, tcpln, tcpwindow, ttl, tos, id, dgmlen, iplen,
 * icmptype, icmpcode, icmpid, icmpseq.
 * Quirks handled: a space before the first comma, `proto` empty for ICMPv6 and portscan,
 * `iplen` garbage (dgmlen is used), msg double-quoted.
 */
import { parseSnortTimestamp } from './time.js';
import { makeAlert, rejectLine, type ParseContext, type TextParser } from './parser.js';
import { canonicalIp } from '../../model/ip.js';
import { protocolNumber, type InputFormat, type PacketSummary } from '../../model/alert.js';

export const DEFAULT_CSV_FIELDS = [
  'timestamp', 'sig_generator', 'sig_id', 'sig_rev', 'msg', 'proto', 'src', 'srcport', 'dst', 'dstport',
  'ethsrc', 'ethdst', 'ethlen', 'tcpflags', 'tcpseq', 'tcpack', 'tcpln', 'tcpwindow', 'ttl', 'tos', 'id',
  'dgmlen', 'iplen', 'icmptype', 'icmpcode', 'icmpid', 'icmpseq',
] as const;

/** Splits one CSV line honouring double quotes ("" inside quotes is a literal quote). */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line.charCodeAt(i) === 0x22) {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) {
          value += line.slice(i);
          i = n;
          break;
        }
        value += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 0x22) {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // Anything between the closing quote and the comma is kept, as Snort never writes it.
      const comma = line.indexOf(',', i);
      if (comma === -1) {
        out.push(value + line.slice(i));
        break;
      }
      out.push(value + line.slice(i, comma));
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma === -1) {
        out.push(line.slice(i));
        break;
      }
      out.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
  return out;
}

const int = (s: string | undefined): number | undefined => {
  if (s === undefined || s === '') return undefined;
  const n = s.startsWith('0x') || s.startsWith('0X') ? parseInt(s.slice(2), 16) : Number(s);
  return Number.isFinite(n) ? n : undefined;
};

export class CsvParser implements TextParser {
  readonly format: InputFormat = 'alert_csv';

  constructor(private readonly ctx: ParseContext) {}

  line(text: string, lineNo: number, offset: number, unterminated: boolean): void {
    if (text.trim() === '') return;
    const reason = this.parse(text, lineNo, offset);
    if (reason !== null) rejectLine(this.ctx, 'an alert_csv', reason, text, lineNo, offset, unterminated);
  }

  private parse(text: string, lineNo: number, offset: number): string | null {
    const f = splitCsv(text);
    if (f.length !== DEFAULT_CSV_FIELDS.length) {
      return `${f.length} fields, the default alert_csv layout has ${DEFAULT_CSV_FIELDS.length}`;
    }
    const wall = parseSnortTimestamp(f[0] ?? '');
    if (!wall) return 'bad timestamp';
    const timeUs = this.ctx.time.toEpochMicros(wall);
    if (timeUs === null) return 'timestamp out of range';
    const gid = int(f[1]);
    const sid = int(f[2]);
    const rev = int(f[3]);
    if (gid === undefined || sid === undefined || rev === undefined) return 'bad gid/sid/rev';
    const srcIp = canonicalIp(f[6] ?? '');
    const dstIp = canonicalIp(f[8] ?? '');
    if (srcIp === null || dstIp === null) return 'bad address';
    const icmpType = int(f[23]);
    let protocol = f[5] ? protocolNumber(f[5]) : null;
    // Snort leaves proto empty for ICMPv6 and for sfportscan's pseudo-packets; fast/full print
    // IPV6-ICMP and PROTO:255 there, and the identity must agree across formats.
    if (protocol === null) {
      if (gid === 122) protocol = 255;
      else if (icmpType !== undefined && srcIp.includes(':')) protocol = 58;
    }
    const hasPorts = protocol === 6 || protocol === 17 || protocol === 132;
    const packet: PacketSummary = {};
    const set = (k: keyof PacketSummary, v: number | undefined): void => {
      if (v !== undefined) (packet as Record<string, number>)[k] = v;
    };
    if (f[13]) packet.tcpFlags = f[13];
    set('tcpSeq', int(f[14]));
    set('tcpAck', int(f[15]));
    set('tcpWin', int(f[17]));
    set('ttl', int(f[18]));
    set('tos', int(f[19]));
    set('ipId', int(f[20]));
    set('dgmLen', int(f[21]));
    set('icmpType', icmpType);
    set('icmpCode', int(f[24]));
    set('icmpId', int(f[25]));
    set('icmpSeq', int(f[26]));
    this.ctx.emit(makeAlert({
      sensor: this.ctx.sensor,
      timeUs, gid, sid, rev,
      message: f[4] ?? '',
      classification: null,
      priority: null,
      protocol,
      srcIp, srcPort: hasPorts ? int(f[7]) ?? null : null,
      dstIp, dstPort: hasPorts ? int(f[9]) ?? null : null,
      packet,
      format: 'alert_csv', file: this.ctx.file, offset, line: lineNo,
    }));
    return null;
  }

  end(): void {}
}
