/**
 * The domain model every input produces and every store, report and analysis consumes.
 * Inputs stay pure: they turn bytes into these records; nothing here does I/O.
 */

/** Where a record came from, precisely enough for an operator to find it again. */
export interface Origin {
  /** Input format that produced the record. */
  format: InputFormat;
  /** Path of the file (or a label such as "udp:6343" for sockets). */
  file: string;
  /** Byte offset of the record's first byte in the (decompressed) stream. */
  offset: number;
  /** 1-based line number for text formats. */
  line?: number;
}

export type InputFormat =
  | 'alert_fast'
  | 'alert_full'
  | 'alert_csv'
  | 'syslog'
  | 'unified2'
  | 'snort3_json'
  | 'eve';

/** A rule reference, as `system,id` (e.g. `cve,2002-0649`); URLs come from reference.config. */
export interface Reference {
  system: string;
  id: string;
  /** Expanded URL when the source printed one (alert_full `[Xref => url]` carries only the URL). */
  url?: string;
}

/** One packet captured with an event (unified2 type 2/3). Payload bytes are bounded by the decoder. */
export interface PacketCapture {
  /** Packet time, microseconds since the Unix epoch (UTC). */
  timeUs: number;
  /** pcap DLT linktype (1 Ethernet, 228 raw IPv4, 229 raw IPv6, ...). */
  linktype: number;
  /** Length of the packet on the wire as the sensor recorded it. */
  length: number;
  /** The bytes kept (possibly truncated to a bound). */
  data: Uint8Array;
}

/** Extra data attached to an event (unified2 type 110 and JSON metadata). */
export interface ExtraData {
  /** unified2 extra-data subtype (1 XFF_IPV4 ... 13 JSNORM_DATA), or 0 for JSON metadata. */
  type: number;
  /** Stable lower-case name, e.g. `http_uri`, `http_hostname`, `smtp_rcptto`, `xff`. */
  name: string;
  /** Text for textual subtypes and addresses; raw bytes otherwise. Always attacker-controlled. */
  value: string | Uint8Array;
}

/** Fields of the IP and transport headers that alert_full / csv / unified2 packets show. */
export interface PacketSummary {
  ttl?: number;
  tos?: number;
  ipId?: number;
  ipLen?: number;
  dgmLen?: number;
  tcpFlags?: string;
  tcpSeq?: number;
  tcpAck?: number;
  tcpWin?: number;
  tcpLen?: number;
  udpLen?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  icmpSeq?: number;
}

/**
 * One IDS alert. Identity fields (sensor, timeUs, gid, sid, rev, protocol, addresses, ports)
 * come out the same whichever Snort output format the alert was read from.
 */
export interface Alert {
  /** Sensor name (from --sensor, config, syslog host, or derived). */
  sensor: string;
  /** Packet time, microseconds since the Unix epoch (UTC). */
  timeUs: number;
  gid: number;
  sid: number;
  rev: number;
  /** Message as printed (preprocessors may append dynamic text to the map message). */
  message: string;
  /** Classification description (e.g. "Attempted Information Leak"), or null when none. */
  classification: string | null;
  /** Priority, 1 = most severe; null when unknown. */
  priority: number | null;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 255 sfportscan pseudo-protocol); null when unknown. */
  protocol: number | null;
  /** Canonical text form of the source address (IPv4 dotted, IPv6 RFC 5952), or null. */
  srcIp: string | null;
  srcPort: number | null;
  dstIp: string | null;
  dstPort: number | null;
  /** unified2 event id (with the -G generator in its high 16 bits), when known. */
  eventId: number | null;
  /** unified2 event_second, when known (part of the unified2 identity). */
  eventSecond: number | null;
  references: Reference[];
  packet?: PacketSummary;
  packets: PacketCapture[];
  extra: ExtraData[];
  origin: Origin;
}

/** IP protocol numbers by the names Snort prints in `{PROTO}`. */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  ICMP: 1,
  IGMP: 2,
  TCP: 6,
  UDP: 17,
  GRE: 47,
  ESP: 50,
  AH: 51,
  'IPV6-ICMP': 58,
  ICMPV6: 58,
  SCTP: 132,
};

export function protocolNumber(name: string): number | null {
  const upper = name.toUpperCase();
  const known = PROTOCOL_NUMBERS[upper];
  if (known !== undefined) return known;
  const m = /^(?:PROTO:?)?(\d{1,3})$/.exec(upper);
  if (m) return Number(m[1]);
  return null;
}

export function protocolName(n: number | null): string {
  switch (n) {
    case null: return '';
    case 1: return 'ICMP';
    case 2: return 'IGMP';
    case 6: return 'TCP';
    case 17: return 'UDP';
    case 47: return 'GRE';
    case 58: return 'IPV6-ICMP';
    case 132: return 'SCTP';
    default: return `PROTO:${String(n).padStart(3, '0')}`;
  }
}
