/**
 * Suricata EVE `flow` events as flow records for the same per-host rollups sFlow feeds. An EVE
 * flow is a whole, unsampled connection: it becomes one FlowSample (sampling rate 1) carrying
 * the packets and bytes of both directions, so the daily sections (distinct peers, BitTorrent
 * ports, bytes per host) read it as they read a sampled flow.
 */
import type { FlowSample } from '../../model/flow.js';
import { canonicalIp } from '../../model/ip.js';
import { protocolNumber } from '../../model/alert.js';
import { num, obj, port, str, type Json } from './fields.js';
import { eveTimeMicros } from './eve.js';

export function eveFlowSample(o: Json, file: string, line: number): FlowSample | string {
  const f = obj(o, 'flow');
  if (!f) return 'flow event without a "flow" object';
  const timeUs = eveTimeMicros(str(f, 'start') ?? str(o, 'timestamp') ?? '');
  if (timeUs === null) return 'missing or bad flow start/timestamp';
  const srcIp = canonicalIp(str(o, 'src_ip') ?? '');
  const dstIp = canonicalIp(str(o, 'dest_ip') ?? '');
  if (srcIp === null || dstIp === null) return 'missing or bad src_ip/dest_ip';
  const protoText = str(o, 'proto');
  const protocol = protoText === undefined ? null : protocolNumber(protoText === 'IPv6-ICMP' ? 'IPV6-ICMP' : protoText);
  const ports = protocol === 6 || protocol === 17;
  const packets = (num(f, 'pkts_toserver') ?? 0) + (num(f, 'pkts_toclient') ?? 0);
  const bytes = (num(f, 'bytes_toserver') ?? 0) + (num(f, 'bytes_toclient') ?? 0);
  return {
    agent: null, subAgentId: 0, datagramSeq: line, timeUs, sampleSeq: line, sourceIdType: 0, sourceIdIndex: 0,
    samplingRate: 1, samplePool: 0, drops: 0, inputIf: 0, outputIf: 0, headerProtocol: null,
    frameLength: bytes, stripped: 0, srcMac: null, dstMac: null, etherType: null, vlan: null,
    ipVersion: srcIp.includes(':') ? 6 : 4, protocol,
    srcIp, dstIp, srcPort: ports ? port(num(o, 'src_port')) : null, dstPort: ports ? port(num(o, 'dest_port')) : null,
    tcpFlags: null, tos: null, ttl: null, ipLength: null,
    packets: Math.max(1, packets), bytes,
    origin: { file, line },
  };
}
