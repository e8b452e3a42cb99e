/**
 * Shared fixtures for the sFlow tests: the corpus datagrams read once, and a tiny XDR writer to
 * craft datagrams the corpus does not have (expanded samples, sampled_ipv4, VLAN tags, ...).
 */
import { corpusPath } from '../../helpers/corpus.js';
import { readCaptureDatagrams, type CapturedDatagram } from '../../../src/inputs/sflow/pcap.js';
import { readSflowPcap } from '../../../src/inputs/sflow/pcap.js';
import type { CounterSample, FlowSample } from '../../../src/model/flow.js';

export const SFLOW_DAY = corpusPath('sflow', 'sflow-day.pcap');
export const INTERNAL = ['192.0.2.0/24', '2001:db8:1::/48'];

let cached: CapturedDatagram[] | null = null;

/** The 463 corpus datagrams (payload copies, so tests may mutate them). */
export async function corpusDatagrams(): Promise<CapturedDatagram[]> {
  if (cached === null) {
    const all: CapturedDatagram[] = [];
    for await (const d of readCaptureDatagrams(SFLOW_DAY)) all.push({ ...d, data: Uint8Array.from(d.data) });
    cached = all;
  }
  return cached.map((d) => ({ ...d, data: Uint8Array.from(d.data) }));
}

export async function corpusSamples(file = SFLOW_DAY): Promise<{ flows: FlowSample[]; counters: CounterSample[] }> {
  const flows: FlowSample[] = [];
  const counters: CounterSample[] = [];
  for await (const { decoded } of readSflowPcap(file)) {
    flows.push(...decoded.flows);
    counters.push(...decoded.counters);
  }
  return { flows, counters };
}

/** Minimal XDR writer for crafting datagrams. */
export class Xdr {
  private parts: number[] = [];
  u32(v: number): this {
    this.parts.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
    return this;
  }
  bytes(b: Uint8Array | number[], pad = true): this {
    for (const x of b) this.parts.push(x);
    if (pad) while (this.parts.length % 4 !== 0) this.parts.push(0);
    return this;
  }
  opaque(b: Uint8Array | number[]): this {
    return this.u32(b.length).bytes(b);
  }
  /** tag + length + body, as samples and records are framed. */
  framed(tag: number, body: Xdr): this {
    const b = body.build();
    return this.u32(tag).u32(b.length).bytes(b);
  }
  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** A v5 datagram header from agent 192.0.2.1 / sub-agent 7 carrying the given framed samples. */
export function datagram(seq: number, samples: Xdr[], agent = [192, 0, 2, 1]): Uint8Array {
  const x = new Xdr().u32(5).u32(1).bytes(agent).u32(7).u32(seq).u32(1000).u32(samples.length);
  for (const s of samples) x.bytes(s.build());
  return x.build();
}

/** A framed compact flow sample (0:1) with the given framed records. */
export function flowSample(seq: number, records: Xdr[], rate = 100): Xdr {
  const body = new Xdr().u32(seq).u32(3).u32(rate).u32(seq * rate).u32(0).u32(3).u32(4).u32(records.length);
  for (const r of records) body.bytes(r.build());
  return new Xdr().framed(1, body);
}

/** A framed raw-header record (0:1) around `header` bytes. */
export function headerRecord(header: number[], frameLength: number, protocol = 1): Xdr {
  return new Xdr().framed(1, new Xdr().u32(protocol).u32(frameLength).u32(4).opaque(header));
}

const MAC_A = [0x00, 0x00, 0x5e, 0x00, 0x53, 0x01];
const MAC_B = [0x00, 0x00, 0x5e, 0x00, 0x53, 0x10];

/** Ethernet (optionally 802.1Q tagged) + IPv4 + TCP header bytes. */
export function ipv4TcpFrame(opts: { vlan?: number; src?: number[]; dst?: number[]; sport?: number; dport?: number; flags?: number; fragOffset?: number } = {}): number[] {
  const eth = [...MAC_B, ...MAC_A];
  if (opts.vlan !== undefined) eth.push(0x81, 0x00, (opts.vlan >> 8) & 0x0f, opts.vlan & 255);
  eth.push(0x08, 0x00);
  const frag = opts.fragOffset ?? 0;
  const ip = [0x45, 0, 0, 40, 0, 1, (frag >> 8) & 0x1f, frag & 255, 64, 6, 0, 0, ...(opts.src ?? [198, 51, 100, 1]), ...(opts.dst ?? [192, 0, 2, 10])];
  const sp = opts.sport ?? 40000;
  const dp = opts.dport ?? 6881;
  const tcp = [sp >> 8, sp & 255, dp >> 8, dp & 255, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, opts.flags ?? 0x02, 0x20, 0, 0, 0, 0, 0];
  return [...eth, ...ip, ...tcp];
}

/** Ethernet + IPv6 (+ optional extension headers) + UDP. */
export function ipv6UdpFrame(ext: number[][] = [], sport = 50000, dport = 6346): number[] {
  const src = [0x20, 0x01, 0x0d, 0xb8, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5];
  const dst = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
  const firstNh = ext.length > 0 ? 0 : 17; // chain: hop-by-hop headers, then UDP
  const chain: number[] = [];
  ext.forEach((h, i) => chain.push(i + 1 < ext.length ? 0 : 17, (h.length + 2) / 8 - 1, ...h));
  const udp = [sport >> 8, sport & 255, dport >> 8, dport & 255, 0, 16, 0, 0];
  const payloadLen = chain.length + udp.length + 8;
  const ip6 = [0x60, 0, 0, 0, payloadLen >> 8, payloadLen & 255, firstNh, 55, ...src, ...dst];
  return [...MAC_B, ...MAC_A, 0x86, 0xdd, ...ip6, ...chain, ...udp];
}
