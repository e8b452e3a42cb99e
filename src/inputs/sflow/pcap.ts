/**
 * sFlow datagrams out of a pcap/pcapng capture: link layer (Ethernet + 802.1Q, BSD loopback,
 * raw IP, Linux cooked v1/v2) → IPv4/IPv6 → UDP to the collector port(s) (6343 by default).
 * The pcap record time is the receive time, since sFlow has no wall clock of its own.
 *
 * `extractUdp` is pure; `readCaptureDatagrams` and `readSflowPcap` are the only I/O (a streamed
 * file read), so memory stays bounded whatever the capture size.
 */
import fs from 'node:fs';
import { ipFromBytes } from '../../model/ip.js';
import { CaptureSplitter, type PcapRecord } from './capture.js';
import { decodeDatagram, ip4, type DecodedDatagram } from './datagram.js';
import { SequenceTracker, exporterKey, sequenceWarning } from './sequence.js';
import type { SflowWarning, WarningSink } from './warnings.js';

export interface CapturedDatagram {
  /** pcap record time, µs since the epoch, UTC. */
  timeUs: number;
  /** UDP payload: one sFlow datagram (possibly cut by the capture's snaplen). */
  data: Uint8Array;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** Byte offset of the pcap record in the file, and its 1-based packet number. */
  offset: number;
  index: number;
}

export interface CaptureOptions {
  /** UDP destination ports that carry sFlow (default [6343]). */
  ports?: readonly number[];
  onWarning?: WarningSink;
}

const DLT_NULL = 0;
const DLT_EN10MB = 1;
const DLT_RAW = 101;
const DLT_LOOP = 108;
const DLT_LINUX_SLL = 113;
const DLT_IPV4 = 228;
const DLT_IPV6 = 229;
const DLT_LINUX_SLL2 = 276;

/** The UDP datagram inside one captured packet, or null (other traffic, or a warning pushed). */
export function extractUdp(rec: PcapRecord, ports: ReadonlySet<number>, warnings: SflowWarning[], file?: string): CapturedDatagram | null {
  const b = rec.data;
  const warn = (code: SflowWarning['code'], message: string): null => {
    warnings.push({ code, message: `packet ${rec.index}: ${message}`, file, offset: rec.offset });
    return null;
  };
  let off: number;
  let et: number; // ethertype, or 4/6 for "IP version decides"
  switch (rec.linktype) {
    case DLT_EN10MB: {
      if (b.length < 14) return null;
      et = (b[12]! << 8) | b[13]!;
      off = 14;
      while ((et === 0x8100 || et === 0x88a8 || et === 0x9100) && off + 4 <= b.length) {
        et = (b[off + 2]! << 8) | b[off + 3]!;
        off += 4;
      }
      break;
    }
    case DLT_NULL:
    case DLT_LOOP: {
      if (b.length < 4) return null;
      // The family is in the writer's byte order (DLT_NULL) or network order (DLT_LOOP): take whichever is small.
      const le = b[0]! | (b[1]! << 8);
      const fam = le !== 0 ? le : (b[2]! << 8) | b[3]!;
      et = fam === 2 ? 0x0800 : fam === 24 || fam === 28 || fam === 30 ? 0x86dd : -1;
      off = 4;
      break;
    }
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case 12:
    case 14:
      off = 0;
      et = b.length > 0 && b[0]! >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    case DLT_LINUX_SLL:
      if (b.length < 16) return null;
      et = (b[14]! << 8) | b[15]!;
      off = 16;
      break;
    case DLT_LINUX_SLL2:
      if (b.length < 20) return null;
      et = (b[0]! << 8) | b[1]!;
      off = 20;
      break;
    default:
      return warn('SNARF_PCAP_UNSUPPORTED', `link type ${rec.linktype} is not supported`);
  }
  let udp: number;
  let end: number;
  let srcIp: string;
  let dstIp: string;
  if (et === 0x0800) {
    if (off + 20 > b.length || b[off]! >> 4 !== 4) return null;
    const ihl = (b[off]! & 0x0f) * 4;
    if (b[off + 9] !== 17 || ihl < 20) return null;
    const frag = ((b[off + 6]! << 8) | b[off + 7]!) & 0x3fff; // MF flag + offset
    srcIp = ip4(b, off + 12);
    dstIp = ip4(b, off + 16);
    udp = off + ihl;
    end = Math.min(b.length, off + ((b[off + 2]! << 8) | b[off + 3]!));
    if (frag !== 0) {
      // Only a first fragment shows the port; later fragments of anything are skipped silently.
      return (frag & 0x1fff) === 0 && udpPort(b, udp, ports)
        ? warn('SNARF_PCAP_UNSUPPORTED', `fragmented IPv4 datagram ${srcIp} → ${dstIp} skipped (no reassembly)`)
        : null;
    }
  } else if (et === 0x86dd) {
    if (off + 40 > b.length || b[off]! >> 4 !== 6) return null;
    let nh = b[off + 6]!;
    srcIp = ipFromBytes(b.subarray(off + 8, off + 24));
    dstIp = ipFromBytes(b.subarray(off + 24, off + 40));
    end = Math.min(b.length, off + 40 + ((b[off + 4]! << 8) | b[off + 5]!));
    udp = off + 40;
    for (let hops = 0; hops < 8 && (nh === 0 || nh === 43 || nh === 60) && udp + 2 <= b.length; hops++) {
      nh = b[udp]!;
      udp += (b[udp + 1]! + 1) * 8;
    }
    if (nh === 44) return warn('SNARF_PCAP_UNSUPPORTED', `IPv6 fragment ${srcIp} → ${dstIp} skipped (no reassembly)`);
    if (nh !== 17) return null;
  } else {
    return null;
  }
  if (udp + 8 > b.length) return null;
  const dstPort = udpPort(b, udp, ports);
  if (!dstPort) return null;
  const udpLen = (b[udp + 4]! << 8) | b[udp + 5]!;
  const stop = Math.min(end, udp + udpLen);
  if (udp + udpLen > b.length) {
    warn('SNARF_PCAP_TRUNCATED', `UDP datagram of ${udpLen - 8} bytes captured as ${Math.max(0, stop - udp - 8)} (snaplen)`);
  }
  return {
    timeUs: rec.timeUs, data: b.subarray(udp + 8, Math.max(udp + 8, stop)),
    srcIp, srcPort: (b[udp]! << 8) | b[udp + 1]!, dstIp, dstPort, offset: rec.offset, index: rec.index,
  };
}

/** The destination port if it is one of ours, else 0. */
function udpPort(b: Uint8Array, udp: number, ports: ReadonlySet<number>): number {
  if (udp + 4 > b.length) return 0;
  const p = (b[udp + 2]! << 8) | b[udp + 3]!;
  return ports.has(p) ? p : 0;
}

/** Every sFlow-port UDP datagram of a capture file, in file order. */
export async function* readCaptureDatagrams(file: string, opts: CaptureOptions = {}): AsyncGenerator<CapturedDatagram> {
  const ports = new Set(opts.ports ?? [6343]);
  const splitter = new CaptureSplitter(file);
  const warnings: SflowWarning[] = [];
  const flush = (): void => {
    for (const w of splitter.warnings.splice(0)) opts.onWarning?.(w);
    for (const w of warnings.splice(0)) opts.onWarning?.(w);
  };
  let stream: fs.ReadStream;
  try {
    stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    for await (const chunk of stream) {
      for (const rec of splitter.push(chunk as Buffer)) {
        const d = extractUdp(rec, ports, warnings, file);
        flush();
        if (d) yield d;
      }
      flush();
    }
  } catch (e) {
    opts.onWarning?.({ code: 'SNARF_IO', message: `cannot read capture: ${(e as Error).message}`, file });
    return;
  }
  splitter.end();
  flush();
}

export interface SflowPcapOptions extends CaptureOptions {
  /** Track datagram sequences per exporter and warn on gaps/restarts (default true). */
  trackSequence?: boolean;
  /** Attach origin {file, offset} to each sample (default false: it costs an object per sample). */
  withOrigin?: boolean;
}

export interface SflowPcapItem {
  datagram: CapturedDatagram;
  decoded: DecodedDatagram;
}

/** Decoded sFlow datagrams of a capture file; every problem goes to `onWarning`, nothing throws. */
export async function* readSflowPcap(file: string, opts: SflowPcapOptions = {}): AsyncGenerator<SflowPcapItem> {
  const tracker = opts.trackSequence === false ? null : new SequenceTracker();
  for await (const datagram of readCaptureDatagrams(file, opts)) {
    const decoded = decodeDatagram(datagram.data, {
      timeUs: datagram.timeUs, file, offset: datagram.offset, withOrigin: opts.withOrigin,
    });
    for (const w of decoded.warnings) opts.onWarning?.(w);
    const h = decoded.header;
    if (tracker && h) {
      const ev = tracker.observe(exporterKey(h.agent, h.subAgentId), h.seq, h.uptimeMs);
      const w = ev && sequenceWarning(ev, { file, offset: datagram.offset });
      if (w) opts.onWarning?.(w);
    }
    yield { datagram, decoded };
  }
}
