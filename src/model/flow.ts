/**
 * Flow-level records: sFlow samples (from datagrams, pcaps or sflowtool text), Winny monitor
 * events, and the per-host daily rollup the store keeps. Pure data; nothing here does I/O.
 *
 * Addresses are canonical text (IPv4 dotted, IPv6 RFC 5952, as `canonicalIp` prints them) so
 * that sFlow, Snort and Winny records join on the same key whatever notation the input used.
 */

/** Where an sFlow record came from: a file and the byte offset of its pcap record, or a socket label. */
export interface FlowOrigin {
  /** File path, or a label such as `udp:6343`. */
  file: string;
  /** Byte offset of the pcap record (binary inputs) — absent for text inputs. */
  offset?: number;
  /** 1-based line of the sample's first line (sflowtool text inputs). */
  line?: number;
}

/** One sFlow flow sample (compact 0:1 or expanded 0:3), flattened with its datagram's identity. */
export interface FlowSample {
  /** Exporter agent address from the datagram (not the UDP source), or null when type 0/unknown. */
  agent: string | null;
  subAgentId: number;
  /** Datagram sequence number (per agent + sub-agent). */
  datagramSeq: number;
  /** Receive time (or pcap record time), µs since the Unix epoch, UTC. sFlow carries no wall clock. */
  timeUs: number;
  /** Flow-sample sequence number (per source id). */
  sampleSeq: number;
  /** Source id class (0 ifIndex, 1 smonVlanDataSource, 2 entPhysicalEntry) and index. */
  sourceIdType: number;
  sourceIdIndex: number;
  /** Mean 1-in-N sampling rate (sflowtool `meanSkipCount`). */
  samplingRate: number;
  samplePool: number;
  drops: number;
  /** ifIndex values as sent (compact format: low 30 bits; 0x3FFFFFFF = no usable ifIndex). */
  inputIf: number;
  outputIf: number;
  /** Raw header protocol of the 0:1 record (1 Ethernet, 11 IPv4, 12 IPv6), null when absent. */
  headerProtocol: number | null;
  /** Original frame length as sent (for Ethernet it includes the 4-byte FCS). */
  frameLength: number;
  /** Octets the agent removed from the sampled header (e.g. the FCS). */
  stripped: number;
  /** MAC addresses as 48-bit integers (numbers, not strings, to keep the decoder allocation-free). */
  srcMac: number | null;
  dstMac: number | null;
  /** Innermost ethertype (after 802.1Q tags), null when not Ethernet. */
  etherType: number | null;
  /** Outer 802.1Q VLAN id from the header, else the extended-switch record's src VLAN; null when none. */
  vlan: number | null;
  ipVersion: 4 | 6 | null;
  /** IP protocol (IPv6: the upper-layer next header), null when no IP header was seen. */
  protocol: number | null;
  srcIp: string | null;
  dstIp: string | null;
  /** TCP/UDP ports; null for other protocols, non-first fragments, or headers cut too short. */
  srcPort: number | null;
  dstPort: number | null;
  /** TCP flags byte (FIN 0x01 ... CWR 0x80), null when not TCP. */
  tcpFlags: number | null;
  /** IPv4 TOS / IPv6 traffic class. */
  tos: number | null;
  /** IPv4 TTL / IPv6 hop limit. */
  ttl: number | null;
  /** IP packet length: IPv4 total length, IPv6 payload length + 40. */
  ipLength: number | null;
  /** Estimated packets: samplingRate (each sample stands for N packets). */
  packets: number;
  /** Estimated bytes: frameLength × samplingRate. Consumers wanting unscaled bytes use frameLength. */
  bytes: number;
  origin?: FlowOrigin;
}

/** sFlow generic interface counters (counter record 0:1). u64 counters are bigint: they exceed 2^53. */
export interface IfCounters {
  ifIndex: number;
  ifType: number;
  ifSpeed: bigint;
  ifDirection: number;
  ifStatus: number;
  ifInOctets: bigint;
  ifInUcastPkts: number;
  ifInMulticastPkts: number;
  ifInBroadcastPkts: number;
  ifInDiscards: number;
  ifInErrors: number;
  ifInUnknownProtos: number;
  ifOutOctets: bigint;
  ifOutUcastPkts: number;
  ifOutMulticastPkts: number;
  ifOutBroadcastPkts: number;
  ifOutDiscards: number;
  ifOutErrors: number;
  ifPromiscuousMode: number;
}

/**
 * One counters sample (0:2 or 0:4). Only the generic interface record is kept typed; the other
 * counter records (Ethernet, processor, host sFlow ...) are counted in `otherRecords` and skipped.
 */
export interface CounterSample {
  agent: string | null;
  subAgentId: number;
  datagramSeq: number;
  timeUs: number;
  sampleSeq: number;
  sourceIdType: number;
  sourceIdIndex: number;
  generic: IfCounters | null;
  otherRecords: number;
  origin?: FlowOrigin;
}

export type WinnyKind = 'winny' | 'share' | 'antinny' | 'unknown';
export type WinnyAction = 'detect' | 'reset' | 'block';

/** One event of an "eEye-like" Winny monitor log (shared/formats/winny.md section 3). */
export interface WinnyEvent {
  /** Detection time, µs since the Unix epoch, UTC. */
  timeUs: number;
  sensor: string;
  kind: WinnyKind;
  /** Campus (detected) side. */
  hostIp: string;
  hostPort: number | null;
  peerIp: string | null;
  peerPort: number | null;
  /** Who opened the TCP connection, seen from the campus. */
  direction: 'in' | 'out' | null;
  /** IP protocol number (6 TCP, 17 UDP), null when not given. */
  protocol: 6 | 17 | null;
  /** `node_info` key=value pairs (e.g. ver, speed, conn, dos-target), in file order. */
  nodeInfo: Record<string, string>;
  action: WinnyAction;
  bytes: number | null;
  /** Columns the format does not define, by header name (values other than `-`). */
  extra: Record<string, string>;
  origin: { file: string; line: number };
}

/**
 * Per internal host per local day, what the store's flow rollup keeps (the shape of
 * corpus/sflow/expected-hosts.tsv plus first/last sample times). "in" = host is the destination
 * and the peer is external; "out" = host is the source and the peer is external.
 */
export interface HostDayFlows {
  /** Local day in the report zone, `YYYY-MM-DD`. */
  day: string;
  host: string;
  inSamples: number;
  inBytesEst: number;
  inUniqSrc: number;
  outSamples: number;
  outBytesEst: number;
  outUniqDst: number;
  /** Distinct external destinations on SMTP ports (25, 465, 587 by default). */
  outSmtpUniqDst: number;
  firstUs: number;
  lastUs: number;
}
