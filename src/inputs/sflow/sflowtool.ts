/**
 * sflowtool text output → the same FlowSample / CounterSample records the binary decoder makes,
 * so a site that only keeps sflowtool logs gets the same reports (shared/formats/sflow.md 6).
 *
 * Two layouts, told apart line by line:
 * - default: `tag value` lines between startDatagram/endDatagram and startSample/endSample.
 *   Keyed on tags; unknown tags are ignored (sflowtool versions differ in what they print).
 *   Time: `pcapTimestamp` + `pcapTimestamp_uS` (with -r), else `unixSecondsUTC` + `_uS`.
 * - `-l`: `FLOW,...` (20 fields) and `CNTR,...` (21 fields). No time, no sequence numbers: the
 *   caller stamps them (`timeUs`), and datagramSeq/subAgentId read 0.
 */
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { canonicalIp } from '../../model/ip.js';
import type { CounterSample, FlowSample, IfCounters } from '../../model/flow.js';
import type { WarningSink } from './warnings.js';

export type SflowtoolRecord = { kind: 'flow'; sample: FlowSample } | { kind: 'counter'; sample: CounterSample };

export interface SflowtoolOptions {
  file?: string;
  /** Time for lines that carry none (`-l` mode, or unixSecondsUTC 0 without pcapTimestamp). */
  timeUs?: number | (() => number);
  onWarning?: WarningSink;
}

type Tags = Record<string, string>;

export class SflowtoolParser {
  private dgram: Tags | null = null;
  private sample: Tags | null = null;
  private sampleLine = 0;
  private warnedNoTime = false;

  constructor(private readonly opts: SflowtoolOptions = {}) {}

  /** Feeds one line (without its line end); returns a record when one completes. */
  line(text: string, lineNo: number): SflowtoolRecord | null {
    if (text.startsWith('FLOW,') || text.startsWith('CNTR,')) return this.csvLine(text, lineNo);
    const sp = text.indexOf(' ');
    const tag = sp < 0 ? text : text.slice(0, sp);
    const value = sp < 0 ? '' : text.slice(sp + 1).trim();
    switch (tag) {
      case 'startDatagram':
        this.dgram = {};
        this.sample = null;
        return null;
      case 'endDatagram':
        this.dgram = null;
        return null;
      case 'startSample':
        this.sample = {};
        this.sampleLine = lineNo;
        return null;
      case 'endSample': {
        const s = this.sample;
        this.sample = null;
        return s && this.dgram ? this.build(this.dgram, s, lineNo) : this.bad(lineNo, 'endSample outside a datagram/sample');
      }
      default:
        if (tag === '') return null;
        if (this.sample) this.sample[tag] = value;
        else if (this.dgram) this.dgram[tag] = value;
        return null;
    }
  }

  private bad(line: number, message: string): null {
    this.opts.onWarning?.({ code: 'SNARF_TEXT_BAD_LINE', message, file: this.opts.file, line });
    return null;
  }

  private stamp(line: number): number {
    const t = this.opts.timeUs;
    if (t === undefined && !this.warnedNoTime) {
      this.warnedNoTime = true;
      this.opts.onWarning?.({
        code: 'SNARF_TEXT_BAD_TIME', message: 'sflowtool line carries no time and no timeUs was given; stamped 0',
        file: this.opts.file, line,
      });
    }
    return typeof t === 'function' ? t() : t ?? 0;
  }

  private datagramTime(d: Tags, line: number): number {
    const pcap = d.pcapTimestamp && /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)([+-])(\d\d):?(\d\d)$/.exec(d.pcapTimestamp);
    if (pcap) {
      const off = (pcap[2] === '-' ? -1 : 1) * (Number(pcap[3]) * 60 + Number(pcap[4]));
      const ms = Date.parse(`${pcap[1]}Z`) - off * 60000;
      if (!Number.isNaN(ms)) return ms * 1000 + (Number(d.pcapTimestamp_uS) || 0);
    }
    const secs = Number(d.unixSecondsUTC);
    if (secs > 0) return secs * 1e6 + (Number(d.unixSecondsUTC_uS) || 0);
    return this.stamp(line);
  }

  private build(d: Tags, s: Tags, line: number): SflowtoolRecord | null {
    const type = s.sampleType ?? '';
    const num = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
    const agent = d.agent !== undefined ? canonicalIp(d.agent) : null;
    const [sidType, sidIndex] = (s.sourceId ?? '0:0').split(':').map(Number);
    const base = {
      agent, subAgentId: num(d.agentSubId) ?? 0, datagramSeq: num(d.packetSequenceNo) ?? 0,
      timeUs: this.datagramTime(d, this.sampleLine), sampleSeq: num(s.sampleSequenceNo) ?? 0,
      sourceIdType: sidType ?? 0, sourceIdIndex: sidIndex ?? 0,
    };
    if (type.endsWith('COUNTERSSAMPLE')) {
      const generic = s.ifIndex !== undefined ? genericFromTags(s) : null;
      return { kind: 'counter', sample: { ...base, generic, otherRecords: 0 } };
    }
    if (!type.endsWith('FLOWSAMPLE')) return null; // DISCARD and vendor samples: skipped, as the decoder does
    const rate = num(s.meanSkipCount);
    if (rate === null) return this.bad(this.sampleLine, `flow sample without a numeric meanSkipCount (ends at line ${line})`);
    const v6 = s.srcIP6 !== undefined;
    const srcIp = canonicalIpOrNull(v6 ? s.srcIP6 : s.srcIP);
    const dstIp = canonicalIpOrNull(v6 ? s.dstIP6 : s.dstIP);
    const protocol = num(s.IPProtocol);
    const tcp = s.TCPSrcPort !== undefined;
    const frameLength = num(s.sampledPacketSize) ?? num(s.IPSize) ?? 0;
    const payload6 = num(s.IPV6_payloadLen);
    const sample: FlowSample = {
      ...base, samplingRate: rate, samplePool: num(s.samplePool) ?? 0, drops: num(s.dropEvents) ?? 0,
      inputIf: num(s.inputPort) ?? 0, outputIf: num(s.outputPort) ?? 0,
      headerProtocol: num(s.headerProtocol), frameLength, stripped: num(s.strippedBytes) ?? 0,
      srcMac: macNum(s.srcMAC), dstMac: macNum(s.dstMAC), etherType: num(s.ethernet_type), vlan: num(s.in_vlan),
      ipVersion: srcIp === null ? null : v6 ? 6 : 4, protocol, srcIp, dstIp,
      srcPort: num(tcp ? s.TCPSrcPort : s.UDPSrcPort), dstPort: num(tcp ? s.TCPDstPort : s.UDPDstPort),
      tcpFlags: tcp ? num(s.TCPFlags) : null, tos: num(s.IPTOS), ttl: num(s.IPTTL),
      ipLength: v6 ? (payload6 === null ? null : payload6 + 40) : num(s['ip.tot_len']),
      packets: rate > 0 ? rate : 1, bytes: frameLength * (rate > 0 ? rate : 1),
    };
    if (this.opts.file) sample.origin = { file: this.opts.file, line: this.sampleLine };
    return { kind: 'flow', sample };
  }

  private csvLine(text: string, line: number): SflowtoolRecord | null {
    const f = text.split(',');
    const n = (i: number): number => (/^\d+$/.test(f[i] ?? '') ? Number(f[i]) : NaN);
    const hex = (i: number): number => (/^0x[0-9a-f]+$/i.test(f[i] ?? '') ? parseInt(f[i]!.slice(2), 16) : NaN);
    const agent = canonicalIp(f[1] ?? '');
    const base = { agent, subAgentId: 0, datagramSeq: 0, sampleSeq: 0, sourceIdType: 0 };
    if (f[0] === 'CNTR') {
      if (f.length !== 21) return this.bad(line, `CNTR line has ${f.length} fields, expected 21`);
      const v = f.slice(2).map((x) => (/^\d+$/.test(x) ? x : ''));
      if (v.includes('')) return this.bad(line, 'CNTR line with a non-numeric counter');
      const [ifIndex, ifType, ifSpeed, ifDirection, ifStatus, inOct, ...rest] = v as string[];
      const g: IfCounters = {
        ifIndex: Number(ifIndex), ifType: Number(ifType), ifSpeed: BigInt(ifSpeed!), ifDirection: Number(ifDirection),
        ifStatus: Number(ifStatus), ifInOctets: BigInt(inOct!), ifInUcastPkts: Number(rest[0]), ifInMulticastPkts: Number(rest[1]),
        ifInBroadcastPkts: Number(rest[2]), ifInDiscards: Number(rest[3]), ifInErrors: Number(rest[4]), ifInUnknownProtos: Number(rest[5]),
        ifOutOctets: BigInt(rest[6]!), ifOutUcastPkts: Number(rest[7]), ifOutMulticastPkts: Number(rest[8]),
        ifOutBroadcastPkts: Number(rest[9]), ifOutDiscards: Number(rest[10]), ifOutErrors: Number(rest[11]), ifPromiscuousMode: Number(rest[12]),
      };
      return { kind: 'counter', sample: { ...base, timeUs: this.stamp(line), sourceIdIndex: g.ifIndex, generic: g, otherRecords: 0 } };
    }
    if (f.length !== 20) return this.bad(line, `FLOW line has ${f.length} fields, expected 20`);
    const etherType = hex(6);
    const srcIp = canonicalIp(f[9]!);
    const dstIp = canonicalIp(f[10]!);
    const protocol = n(11);
    const rate = n(19);
    const frameLength = n(17);
    if (agent === null || srcIp === null || dstIp === null || [etherType, protocol, rate, frameLength, n(14), n(15)].some(Number.isNaN)) {
      return this.bad(line, 'FLOW line with a bad address or number');
    }
    const ports = protocol === 6 || protocol === 17;
    const v6 = etherType === 0x86dd;
    const scale = rate > 0 ? rate : 1;
    const sample: FlowSample = {
      ...base, timeUs: this.stamp(line), sourceIdIndex: 0, samplingRate: rate, samplePool: 0, drops: 0,
      inputIf: n(2), outputIf: n(3), headerProtocol: null, frameLength, stripped: 0,
      srcMac: macNum(f[4]), dstMac: macNum(f[5]), etherType, vlan: n(7),
      ipVersion: v6 ? 6 : 4, protocol, srcIp, dstIp,
      srcPort: ports ? n(14) : null, dstPort: ports ? n(15) : null, tcpFlags: protocol === 6 ? hex(16) : null,
      tos: hex(12), ttl: n(13),
      // sflowtool's IP_size for IPv6 still holds the Ethernet header (1258 → 1254): not an IP length.
      ipLength: v6 ? null : n(18),
      packets: scale, bytes: frameLength * scale,
    };
    if (this.opts.file) sample.origin = { file: this.opts.file, line };
    return { kind: 'flow', sample };
  }
}

function canonicalIpOrNull(text: string | undefined): string | null {
  return text === undefined ? null : canonicalIp(text);
}

function macNum(text: string | undefined): number | null {
  return text !== undefined && /^[0-9a-f]{12}$/i.test(text) ? parseInt(text, 16) : null;
}

function genericFromTags(s: Tags): IfCounters {
  const n = (k: string): number => Number(s[k] ?? 0) || 0;
  const b = (k: string): bigint => (/^\d+$/.test(s[k] ?? '') ? BigInt(s[k]!) : 0n);
  return {
    ifIndex: n('ifIndex'), ifType: n('networkType'), ifSpeed: b('ifSpeed'), ifDirection: n('ifDirection'), ifStatus: n('ifStatus'),
    ifInOctets: b('ifInOctets'), ifInUcastPkts: n('ifInUcastPkts'), ifInMulticastPkts: n('ifInMulticastPkts'),
    ifInBroadcastPkts: n('ifInBroadcastPkts'), ifInDiscards: n('ifInDiscards'), ifInErrors: n('ifInErrors'),
    ifInUnknownProtos: n('ifInUnknownProtos'), ifOutOctets: b('ifOutOctets'), ifOutUcastPkts: n('ifOutUcastPkts'),
    ifOutMulticastPkts: n('ifOutMulticastPkts'), ifOutBroadcastPkts: n('ifOutBroadcastPkts'), ifOutDiscards: n('ifOutDiscards'),
    ifOutErrors: n('ifOutErrors'), ifPromiscuousMode: n('ifPromiscuousMode'),
  };
}

/** Records of sflowtool text given as lines (either layout, even mixed). */
export function* parseSflowtoolLines(lines: Iterable<string>, opts: SflowtoolOptions = {}): Generator<SflowtoolRecord> {
  const p = new SflowtoolParser(opts);
  let n = 0;
  for (const l of lines) {
    const r = p.line(l.endsWith('\r') ? l.slice(0, -1) : l, ++n);
    if (r) yield r;
  }
}

/** Records of an sflowtool text file (gzip-compressed files are recognised by their magic). */
export async function* readSflowtoolFile(file: string, opts: Omit<SflowtoolOptions, 'file'> = {}): AsyncGenerator<SflowtoolRecord> {
  const p = new SflowtoolParser({ ...opts, file });
  const fd = await fs.promises.open(file, 'r');
  const magic = Buffer.alloc(2);
  await fd.read(magic, 0, 2, 0);
  await fd.close();
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let input: NodeJS.ReadableStream = raw;
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    const gunzip = zlib.createGunzip();
    raw.on('error', (e) => gunzip.destroy(e)); // pipe() does not forward errors; for-await must see them
    input = raw.pipe(gunzip);
  }
  const dec = new StringDecoder('utf8');
  let rest = '';
  let n = 0;
  for await (const chunk of input) {
    const parts = (rest + dec.write(chunk as Buffer)).split('\n');
    rest = parts.pop()!;
    for (const l of parts) {
      const r = p.line(l.endsWith('\r') ? l.slice(0, -1) : l, ++n);
      if (r) yield r;
    }
  }
  rest += dec.end();
  if (rest !== '') {
    const r = p.line(rest.endsWith('\r') ? rest.slice(0, -1) : rest, ++n);
    if (r) yield r;
  }
}
