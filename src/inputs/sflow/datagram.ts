/**
 * sFlow v5 datagram decoder (shared/formats/sflow.md sections 2-5). Pure: bytes + receive time in,
 * typed samples + warnings out. One bad datagram never costs another: every problem becomes a
 * warning, and a datagram cut short keeps the samples decoded before the cut.
 *
 * Kept: flow samples (0:1 compact, 0:3 expanded) with the raw-header (0:1), Ethernet (0:2),
 * IPv4 (0:3), IPv6 (0:4) and extended-switch (0:1001) records; counter samples (0:2, 0:4) with a
 * typed generic-interface record (0:1), since their ifInUcastPkts lets a collector check sample
 * loss. Everything else (discard samples 0:5, vendor formats, other records) is skipped by length
 * and counted in `skipped`: sFlow is extended by adding formats, so unknown is normal, not an error.
 */
import { ipFromBytes } from '../../model/ip.js';
import type { CounterSample, FlowSample, IfCounters } from '../../model/flow.js';
import { XdrOverrun, XdrReader } from './xdr.js';
import { parseSampledHeader } from './packet.js';
import type { SflowWarning } from './warnings.js';

export interface DatagramHeader {
  version: number;
  agent: string | null;
  subAgentId: number;
  seq: number;
  uptimeMs: number;
  /** Number of samples the header announces (a truncated datagram holds fewer). */
  sampleCount: number;
}

export interface DecodedDatagram {
  /** Null when the datagram is not v5 or too short for a header. */
  header: DatagramHeader | null;
  flows: FlowSample[];
  counters: CounterSample[];
  /** Samples of formats we do not decode, skipped by their length. */
  skipped: number;
  warnings: SflowWarning[];
}

export interface DatagramContext {
  /** Receive time (pcap record time), µs since the epoch, UTC. */
  timeUs: number;
  /** For warnings and `origin`: the file (or `udp:6343`) and the byte offset of the pcap record. */
  file?: string;
  offset?: number;
  /** Attach `origin` to every sample (costs one object per sample; off for the hot path). */
  withOrigin?: boolean;
}

// Sample and record tags: enterprise (top 20 bits) and format (low 12) in one u32; enterprise 0.
const FLOW_SAMPLE = 1;
const COUNTERS_SAMPLE = 2;
const FLOW_SAMPLE_EXPANDED = 3;
const COUNTERS_SAMPLE_EXPANDED = 4;
const REC_RAW_HEADER = 1;
const REC_ETHERNET = 2;
const REC_IPV4 = 3;
const REC_IPV6 = 4;
const REC_SWITCH = 1001;
const CTR_GENERIC = 1;
/** A sampled header longer than this is a lie (agents send ~128 bytes; jumbo frames 9 KB). */
const MAX_HEADER = 65535;

export function decodeDatagram(data: Uint8Array, ctx: DatagramContext): DecodedDatagram {
  const out: DecodedDatagram = { header: null, flows: [], counters: [], skipped: 0, warnings: [] };
  const warn = (code: SflowWarning['code'], message: string): void => {
    out.warnings.push({ code, message, file: ctx.file, offset: ctx.offset });
  };
  const r = new XdrReader(data);
  let header: DatagramHeader;
  try {
    const version = r.u32();
    if (version !== 5) {
      const why = version === 2 || version === 4
        ? `sFlow version ${version} (RFC 3176) datagram is not decoded`
        : `not an sFlow v5 datagram (version field ${version})`;
      warn('SNARF_SFLOW_BAD_VERSION', `${why}; ${data.length} bytes skipped`);
      return out;
    }
    const agent = readAddress(r);
    if (agent === undefined) {
      warn('SNARF_SFLOW_BAD_ADDRESS', `agent address type is not 0, 1 or 2; datagram (${data.length} bytes) skipped`);
      return out;
    }
    header = { version, agent, subAgentId: r.u32(), seq: r.u32(), uptimeMs: r.u32(), sampleCount: r.u32() };
  } catch (e) {
    if (!(e instanceof XdrOverrun)) throw e;
    warn('SNARF_SFLOW_TRUNCATED', `datagram of ${data.length} bytes is shorter than an sFlow v5 header`);
    return out;
  }
  out.header = header;

  for (let i = 0; i < header.sampleCount; i++) {
    if (r.remaining < 8) {
      warn('SNARF_SFLOW_TRUNCATED', `datagram seq ${header.seq} announces ${header.sampleCount} samples but ends after ${i}`);
      return out;
    }
    const tag = r.u32();
    const len = r.u32();
    if (len > r.remaining) {
      warn('SNARF_SFLOW_TRUNCATED',
        `datagram seq ${header.seq}: sample ${i + 1} (${tagText(tag)}) claims ${len} bytes, ${r.remaining} remain; ` +
        `${i} of ${header.sampleCount} samples kept`);
      return out;
    }
    const outer = r.enter(len);
    try {
      if (tag === FLOW_SAMPLE || tag === FLOW_SAMPLE_EXPANDED) {
        out.flows.push(readFlowSample(r, tag === FLOW_SAMPLE_EXPANDED, header, ctx));
      } else if (tag === COUNTERS_SAMPLE || tag === COUNTERS_SAMPLE_EXPANDED) {
        out.counters.push(readCounterSample(r, tag === COUNTERS_SAMPLE_EXPANDED, header, ctx));
      } else {
        out.skipped++;
      }
    } catch (e) {
      if (!(e instanceof XdrOverrun)) throw e;
      // The overrun is inside this sample's window (enter() checked the window fits): the sample's
      // own fields disagree with its length. Skip just this sample; the next one is still aligned.
      warn('SNARF_SFLOW_BAD_LENGTH',
        `datagram seq ${header.seq}: sample ${i + 1} (${tagText(tag)}, ${len} bytes) is shorter than its fields; skipped`);
    }
    r.leave(outer);
  }
  if (r.remaining > 0) {
    warn('SNARF_SFLOW_BAD_LENGTH', `datagram seq ${header.seq}: ${r.remaining} bytes after the last sample ignored`);
  }
  return out;
}

/** address union: 0 unknown (no bytes), 1 IPv4, 2 IPv6. `undefined` = impossible type. */
function readAddress(r: XdrReader): string | null | undefined {
  const type = r.u32();
  if (type === 0) return null;
  if (type === 1) return ip4(r.fixed(4), 0);
  if (type === 2) return ipFromBytes(r.fixed(16));
  return undefined;
}

function tagText(tag: number): string {
  return `${tag >>> 12}:${tag & 0xfff}`;
}

export function ip4(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** The sample's source id: two words in expanded samples, type and index packed in compact ones. */
function readSourceId(r: XdrReader, expanded: boolean): [number, number] {
  if (expanded) return [r.u32(), r.u32()];
  const sid = r.u32();
  return [sid >>> 24, sid & 0xffffff];
}

function readFlowSample(r: XdrReader, expanded: boolean, h: DatagramHeader, ctx: DatagramContext): FlowSample {
  const sampleSeq = r.u32();
  const [sourceIdType, sourceIdIndex] = readSourceId(r, expanded);
  const samplingRate = r.u32();
  const samplePool = r.u32();
  const drops = r.u32();
  let inputIf: number;
  let outputIf: number;
  if (expanded) {
    r.u32(); // input format: 0 = ifIndex; kept implicit (the value is what tools print)
    inputIf = r.u32();
    r.u32();
    outputIf = r.u32();
  } else {
    inputIf = r.u32();
    outputIf = r.u32();
  }
  const s: FlowSample = {
    agent: h.agent, subAgentId: h.subAgentId, datagramSeq: h.seq, timeUs: ctx.timeUs,
    sampleSeq, sourceIdType, sourceIdIndex, samplingRate, samplePool, drops, inputIf, outputIf,
    headerProtocol: null, frameLength: 0, stripped: 0, srcMac: null, dstMac: null, etherType: null,
    vlan: null, ipVersion: null, protocol: null, srcIp: null, dstIp: null, srcPort: null, dstPort: null,
    tcpFlags: null, tos: null, ttl: null, ipLength: null, packets: 0, bytes: 0,
  };
  let switchVlan: number | null = null;
  let ethLength: number | null = null;
  let fallbackIp = -1; // position of a 0:3/0:4 record body, used only if the raw header had no IP
  let fallbackTag = 0;
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const tag = r.u32();
    const len = r.u32();
    const outer = r.enter(len);
    switch (tag) {
      case REC_RAW_HEADER: {
        s.headerProtocol = r.u32();
        s.frameLength = r.u32();
        s.stripped = r.u32();
        parseSampledHeader(s.headerProtocol, r.opaque(MAX_HEADER), s);
        break;
      }
      case REC_ETHERNET: {
        ethLength = r.u32();
        const src = r.fixed(6);
        const dst = r.fixed(6);
        if (s.srcMac === null) s.srcMac = mac(src);
        if (s.dstMac === null) s.dstMac = mac(dst);
        const type = r.u32();
        if (s.etherType === null) s.etherType = type;
        break;
      }
      case REC_IPV4:
      case REC_IPV6:
        fallbackIp = r.pos;
        fallbackTag = tag;
        break;
      case REC_SWITCH:
        switchVlan = r.u32();
        break;
      default:
        break; // other extended records: skipped by length
    }
    r.leave(outer);
  }
  if (s.ipVersion === null && fallbackIp >= 0) readIpRecord(new XdrReader(r.buf, fallbackIp, r.end), fallbackTag, s);
  if (s.vlan === null) s.vlan = switchVlan;
  if (s.frameLength === 0) s.frameLength = ethLength ?? s.ipLength ?? 0;
  // Scaling: a rate of 0 is nonsense from the agent; count the sample as itself rather than as nothing.
  const rate = samplingRate > 0 ? samplingRate : 1;
  s.packets = rate;
  s.bytes = s.frameLength * rate;
  if (ctx.withOrigin) s.origin = { file: ctx.file ?? '', offset: ctx.offset };
  return s;
}

/** sampled_ipv4 / sampled_ipv6 records: the fallback when an agent sends no raw header. */
function readIpRecord(r: XdrReader, tag: number, s: FlowSample): void {
  const length = r.u32();
  const protocol = r.u32();
  const v6 = tag === REC_IPV6;
  const src = r.fixed(v6 ? 16 : 4);
  const dst = r.fixed(v6 ? 16 : 4);
  const srcPort = r.u32();
  const dstPort = r.u32();
  const flags = r.u32();
  const tos = r.u32();
  s.ipVersion = v6 ? 6 : 4;
  s.ipLength = length;
  s.protocol = protocol;
  s.srcIp = v6 ? ipFromBytes(src) : ip4(src, 0);
  s.dstIp = v6 ? ipFromBytes(dst) : ip4(dst, 0);
  if (protocol === 6 || protocol === 17) {
    s.srcPort = srcPort & 0xffff;
    s.dstPort = dstPort & 0xffff;
  }
  if (protocol === 6) s.tcpFlags = flags & 0xff;
  s.tos = tos & 0xff;
}

function mac(b: Uint8Array): number {
  return b[0]! * 0x10000000000 + b[1]! * 0x100000000 + ((b[2]! << 24) >>> 0) + ((b[3]! << 16) | (b[4]! << 8) | b[5]!);
}

function readCounterSample(r: XdrReader, expanded: boolean, h: DatagramHeader, ctx: DatagramContext): CounterSample {
  const sampleSeq = r.u32();
  const [sourceIdType, sourceIdIndex] = readSourceId(r, expanded);
  const c: CounterSample = {
    agent: h.agent, subAgentId: h.subAgentId, datagramSeq: h.seq, timeUs: ctx.timeUs,
    sampleSeq, sourceIdType, sourceIdIndex, generic: null, otherRecords: 0,
  };
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const tag = r.u32();
    const len = r.u32();
    const outer = r.enter(len);
    if (tag === CTR_GENERIC) c.generic = readGeneric(r);
    else c.otherRecords++;
    r.leave(outer);
  }
  if (ctx.withOrigin) c.origin = { file: ctx.file ?? '', offset: ctx.offset };
  return c;
}

function readGeneric(r: XdrReader): IfCounters {
  return {
    ifIndex: r.u32(), ifType: r.u32(), ifSpeed: r.u64(), ifDirection: r.u32(), ifStatus: r.u32(),
    ifInOctets: r.u64(), ifInUcastPkts: r.u32(), ifInMulticastPkts: r.u32(), ifInBroadcastPkts: r.u32(),
    ifInDiscards: r.u32(), ifInErrors: r.u32(), ifInUnknownProtos: r.u32(),
    ifOutOctets: r.u64(), ifOutUcastPkts: r.u32(), ifOutMulticastPkts: r.u32(), ifOutBroadcastPkts: r.u32(),
    ifOutDiscards: r.u32(), ifOutErrors: r.u32(), ifPromiscuousMode: r.u32(),
  };
}
