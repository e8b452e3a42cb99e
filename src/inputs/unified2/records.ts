/**
 * unified2 record layouts (shared/formats/unified2.md, section 2): type constants, per-type
 * length bounds, and decoders from a body inside a buffer to plain record objects.
 *
 * The layout is chosen by (type, length), never by type alone: a 104 of 124 bytes is a Snort 3
 * legacy event with an app name, a 104 of 60 bytes is Snort 2. A known type with an unexpected
 * length is decoded with the largest layout that fits and flagged; `length` alone frames.
 *
 * Byte fields (addresses, packet data, extra data) are views into the input buffer, not copies:
 * decoding stays allocation-light, and whoever keeps bytes longer than a record (the assembler)
 * copies what it keeps.
 */
import { isUtf8 } from 'node:buffer';
import { ipFromBytes } from '../../model/ip.js';

export const U2_PACKET = 2;
export const U2_BUFFER = 3;
export const U2_EVENT = 7;
export const U2_EVENT_IPV6 = 72;
export const U2_EVENT_V2 = 104;
export const U2_EVENT_V2_IPV6 = 105;
export const U2_EXTRA_DATA = 110;
export const U2_EVENT_APPID = 111;
export const U2_EVENT_APPID_IPV6 = 112;
export const U2_APPSTAT = 113;
export const U2_EVENT3 = 114;

/** Size of the record header (type + length) in front of every body. */
export const U2_HEADER_SIZE = 8;

/** Packets: 28-byte packet header + at most an IP datagram plus link header and a margin. */
export const PACKET_MAX_LENGTH = 28 + 65535 + 4096;
/** Extra data: a few MB (decompressed HTTP bodies, normalized JavaScript). */
export const EXTRA_MAX_LENGTH = 4 * 1024 * 1024;
/** Events are fixed size; anything far beyond the largest layout (1032) is not an event. */
export const EVENT_MAX_LENGTH = 4096;
/** Unknown types are skipped by length only while the length is sane. */
export const UNKNOWN_MAX_LENGTH = 1024 * 1024;

/** Record flags: why a record was decoded with reservations. */
export const FLAG_ODD_LENGTH = 1;
export const FLAG_BAD_INNER_LENGTH = 2;

interface Bounds { min: number; max: number; exact?: readonly number[] }

const BOUNDS = new Map<number, Bounds>([
  [U2_PACKET, { min: 28, max: PACKET_MAX_LENGTH }],
  [U2_BUFFER, { min: 28, max: PACKET_MAX_LENGTH }],
  [U2_EVENT, { min: 52, max: EVENT_MAX_LENGTH, exact: [52] }],
  [U2_EVENT_IPV6, { min: 76, max: EVENT_MAX_LENGTH, exact: [76] }],
  [U2_EVENT_V2, { min: 52, max: EVENT_MAX_LENGTH, exact: [60, 124] }],
  [U2_EVENT_V2_IPV6, { min: 76, max: EVENT_MAX_LENGTH, exact: [84, 148] }],
  [U2_EVENT_APPID, { min: 52, max: EVENT_MAX_LENGTH, exact: [76] }],
  [U2_EVENT_APPID_IPV6, { min: 76, max: EVENT_MAX_LENGTH, exact: [100] }],
  // 96 bytes reach the action byte: the least that still identifies an alert.
  [U2_EVENT3, { min: 96, max: EVENT_MAX_LENGTH, exact: [1032] }],
  [U2_EXTRA_DATA, { min: 32, max: EXTRA_MAX_LENGTH }],
  [U2_APPSTAT, { min: 8, max: EXTRA_MAX_LENGTH }],
]);

export function isKnownType(type: number): boolean {
  return BOUNDS.has(type);
}

export function isEventType(type: number): boolean {
  return type === U2_EVENT || type === U2_EVENT_IPV6 || type === U2_EVENT_V2 || type === U2_EVENT_V2_IPV6
    || type === U2_EVENT_APPID || type === U2_EVENT_APPID_IPV6 || type === U2_EVENT3;
}

/** What to do with a header: decode it, skip it by its length (and warn), or treat it as corrupt. */
export const Framing = { Decode: 0, Skip: 1, Corrupt: 2 } as const;
export type Framing = (typeof Framing)[keyof typeof Framing];

/** Classifies a header. `cap` is a global bound on top of the per-type ones. */
export function classifyHeader(type: number, length: number, cap: number): Framing {
  if (length > cap) return Framing.Corrupt;
  const b = BOUNDS.get(type);
  if (b === undefined) return length <= UNKNOWN_MAX_LENGTH ? Framing.Skip : Framing.Corrupt;
  if (length > b.max) return Framing.Corrupt;
  return length < b.min ? Framing.Skip : Framing.Decode;
}

/**
 * Whether the bytes at `p` look like a real record header, for resynchronising after corrupt
 * bytes: stricter than classifyHeader (exact event lengths, inner lengths that agree).
 * Returns 1 yes, 0 no, -1 not enough bytes to tell yet.
 */
export function plausibleHeader(b: Uint8Array, p: number, end: number): 1 | 0 | -1 {
  if (end - p < 8) return -1;
  const type = u32(b, p);
  const len = u32(b, p + 4);
  const bounds = BOUNDS.get(type);
  if (bounds === undefined || len < bounds.min || len > bounds.max) return 0;
  if (bounds.exact !== undefined) return bounds.exact.includes(len) ? 1 : 0;
  const body = p + 8;
  if (type === U2_PACKET || type === U2_BUFFER) {
    if (end - body < 28) return -1;
    return u32(b, body + 24) === len - 28 ? 1 : 0;
  }
  if (type === U2_EXTRA_DATA) {
    if (end - body < 32) return -1;
    return u32(b, body + 4) === len && u32(b, body + 28) === len - 24 && u32(b, body + 24) === 1 ? 1 : 0;
  }
  if (end - body < 8) return -1; // appstat
  return (len - 8) % 24 === 0 && u32(b, body + 4) === (len - 8) / 24 ? 1 : 0;
}

export function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

/** NUL-terminated fixed-size text field (app names, HTTP fields), latin1 so any byte survives. */
export function cString(b: Uint8Array, p: number, size: number): string {
  let e = p;
  const stop = p + size;
  while (e < stop && b[e] !== 0) e++;
  return e === p ? '' : Buffer.from(b.buffer, b.byteOffset + p, e - p).toString('latin1');
}

interface RecordBase {
  /** Record type as in the file. */
  type: number;
  /** Byte offset of the record header in the file. */
  offset: number;
  /** Header + body bytes; the next record starts at offset + size. */
  size: number;
  /** FLAG_ODD_LENGTH / FLAG_BAD_INNER_LENGTH. */
  flags: number;
}

/** Snort 3 event v3 (type 114) fields beyond the common event. */
export interface Event3Fields {
  policyIdContext: number;
  policyIdInspect: number;
  policyIdDetect: number;
  /** 0 allow, 1 can't, 2 would, 3 force. */
  status: number;
  /** 0 trust ... 5 drop, 6 block, 7 reset. */
  action: number;
  httpRequestSize: number;
  httpResponseSize: number;
  httpMethod: string;
  httpVersion: string;
  httpUserAgent: string;
  httpReferer: string;
  messageDetail: string;
}

export interface U2EventRecord extends RecordBase {
  kind: 'event';
  /** 0 in Snort 2; Snort 3 snort_id. */
  sensorId: number;
  eventId: number;
  eventSecond: number;
  eventMicrosecond: number;
  gid: number;
  sid: number;
  rev: number;
  classificationId: number;
  priority: number;
  /** High nibble source, low nibble destination IP version (0x44, 0x66; 0 = none), as in type 114. */
  ipVersion: number;
  /** Raw network-order bytes: 4 or 16, or empty when the event has no address. */
  srcIp: Uint8Array;
  dstIp: Uint8Array;
  /** Source port, or ICMP type. */
  sportItype: number;
  /** Destination port, or ICMP code. */
  dportIcode: number;
  protocol: number;
  impactFlag: number;
  impact: number;
  blocked: number;
  mplsLabel: number;
  vlanId: number;
  /** pad2 of the v2 events (policy id). */
  policyId: number;
  /** OpenAppID / Snort 3 app name, '' when the layout has none. */
  appName: string;
  v3: Event3Fields | undefined;
}

export interface U2PacketRecord extends RecordBase {
  kind: 'packet';
  sensorId: number;
  eventId: number;
  eventSecond: number;
  packetSecond: number;
  packetMicrosecond: number;
  linktype: number;
  /** packet_length as written (may disagree with the data kept: see flags). */
  packetLength: number;
  data: Uint8Array;
}

export interface U2ExtraRecord extends RecordBase {
  kind: 'extra';
  eventType: number;
  eventLength: number;
  sensorId: number;
  eventId: number;
  eventSecond: number;
  /** 1 XFF_IPV4 ... 13 JSNORM_DATA. */
  subtype: number;
  dataType: number;
  /** As written: 8 + n. */
  blobLength: number;
  data: Uint8Array;
}

export interface AppStatEntry { appName: string; txBytes: number; rxBytes: number }

export interface U2AppStatRecord extends RecordBase {
  kind: 'appstat';
  statTime: number;
  /** count as written (entries holds what the length really carries). */
  count: number;
  entries: AppStatEntry[];
}

export type U2Record = U2EventRecord | U2PacketRecord | U2ExtraRecord | U2AppStatRecord;

const NO_ADDR = new Uint8Array(0);

/** Decodes a known record whose body [p, p + len) is fully in `b` and `len` is within bounds. */
export function decodeRecord(type: number, b: Uint8Array, p: number, len: number, offset: number): U2Record {
  switch (type) {
    case U2_PACKET:
    case U2_BUFFER: return decodePacket(type, b, p, len, offset);
    case U2_EXTRA_DATA: return decodeExtra(b, p, len, offset);
    case U2_APPSTAT: return decodeAppStat(b, p, len, offset);
    case U2_EVENT3: return decodeEvent3(b, p, len, offset);
    default: return decodeEvent(type, b, p, len, offset);
  }
}

function view(b: Uint8Array, p: number, n: number): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset + p, n);
}

function oddFlag(type: number, len: number): number {
  const exact = BOUNDS.get(type)?.exact;
  return exact !== undefined && !exact.includes(len) ? FLAG_ODD_LENGTH : 0;
}

/** Types 7, 72, 104, 105, 111, 112: the legacy layout, then v2 fields and app names if they fit. */
function decodeEvent(type: number, b: Uint8Array, p: number, len: number, offset: number): U2EventRecord {
  const v6 = type === U2_EVENT_IPV6 || type === U2_EVENT_V2_IPV6 || type === U2_EVENT_APPID_IPV6;
  const a = v6 ? 16 : 4;
  const base = 36 + 2 * a + 8; // 52 or 76: end of the legacy layout
  const q = p + 36 + 2 * a;
  const v2 = type !== U2_EVENT && type !== U2_EVENT_IPV6 && len >= base + 8;
  let appName = '';
  if (type === U2_EVENT_V2 || type === U2_EVENT_V2_IPV6) {
    if (len >= base + 8 + 64) appName = cString(b, p + base + 8, 64);
  } else if (type === U2_EVENT_APPID || type === U2_EVENT_APPID_IPV6) {
    if (len >= base + 8 + 16) appName = cString(b, p + base + 8, 16);
  }
  return {
    kind: 'event', type, offset, size: len + 8, flags: oddFlag(type, len),
    sensorId: u32(b, p), eventId: u32(b, p + 4), eventSecond: u32(b, p + 8), eventMicrosecond: u32(b, p + 12),
    sid: u32(b, p + 16), gid: u32(b, p + 20), rev: u32(b, p + 24),
    classificationId: u32(b, p + 28), priority: u32(b, p + 32),
    ipVersion: v6 ? 0x66 : 0x44,
    srcIp: view(b, p + 36, a), dstIp: view(b, p + 36 + a, a),
    sportItype: u16(b, q), dportIcode: u16(b, q + 2),
    protocol: b[q + 4]!, impactFlag: b[q + 5]!, impact: b[q + 6]!, blocked: b[q + 7]!,
    mplsLabel: v2 ? u32(b, p + base) : 0,
    vlanId: v2 ? u16(b, p + base + 4) : 0,
    policyId: v2 ? u16(b, p + base + 6) : 0,
    appName, v3: undefined,
  };
}

/** 16-byte v3 address: IPv4 is stored IPv4-mapped, so version 4 takes the last 4 bytes. */
function v3Addr(b: Uint8Array, p: number, version: number): Uint8Array {
  if (version === 4) return view(b, p + 12, 4);
  if (version === 6) return view(b, p, 16);
  return NO_ADDR;
}

/** Type 114: gid and sid swapped against the older events, 16-byte addresses. */
function decodeEvent3(b: Uint8Array, p: number, len: number, offset: number): U2EventRecord {
  const ipVersion = b[p + 92]!;
  const has = (end: number): boolean => len >= end;
  const v3: Event3Fields = {
    policyIdContext: u32(b, p + 36), policyIdInspect: u32(b, p + 40), policyIdDetect: u32(b, p + 44),
    status: b[p + 94]!, action: b[p + 95]!,
    httpRequestSize: has(164) ? u32(b, p + 160) : 0,
    httpResponseSize: has(168) ? u32(b, p + 164) : 0,
    httpMethod: has(248) ? cString(b, p + 168, 80) : '',
    httpVersion: has(264) ? cString(b, p + 248, 16) : '',
    httpUserAgent: has(520) ? cString(b, p + 264, 256) : '',
    httpReferer: has(776) ? cString(b, p + 520, 256) : '',
    messageDetail: has(1032) ? cString(b, p + 776, 256) : '',
  };
  return {
    kind: 'event', type: U2_EVENT3, offset, size: len + 8, flags: oddFlag(U2_EVENT3, len),
    sensorId: u32(b, p), eventId: u32(b, p + 4), eventSecond: u32(b, p + 8), eventMicrosecond: u32(b, p + 12),
    gid: u32(b, p + 16), sid: u32(b, p + 20), rev: u32(b, p + 24),
    classificationId: u32(b, p + 28), priority: u32(b, p + 32),
    ipVersion,
    srcIp: v3Addr(b, p + 48, ipVersion >> 4), dstIp: v3Addr(b, p + 64, ipVersion & 15),
    sportItype: u16(b, p + 84), dportIcode: u16(b, p + 86),
    protocol: b[p + 93]!, impactFlag: 0, impact: 0, blocked: 0,
    mplsLabel: u32(b, p + 80), vlanId: u16(b, p + 88), policyId: 0,
    appName: has(160) ? cString(b, p + 96, 64) : '',
    v3,
  };
}

/** Types 2 and 3. Data is min(packet_length, length - 28): framing trusts the record length. */
function decodePacket(type: number, b: Uint8Array, p: number, len: number, offset: number): U2PacketRecord {
  const packetLength = u32(b, p + 24);
  const avail = len - 28;
  return {
    kind: 'packet', type, offset, size: len + 8,
    flags: packetLength === avail ? 0 : FLAG_BAD_INNER_LENGTH,
    sensorId: u32(b, p), eventId: u32(b, p + 4), eventSecond: u32(b, p + 8),
    packetSecond: u32(b, p + 12), packetMicrosecond: u32(b, p + 16),
    linktype: u32(b, p + 20), packetLength,
    data: view(b, p + 28, packetLength < avail ? packetLength : avail),
  };
}

/** Type 110. blob_length counts itself and data_type (8 + n); event_length is the record length. */
function decodeExtra(b: Uint8Array, p: number, len: number, offset: number): U2ExtraRecord {
  const eventLength = u32(b, p + 4);
  const blobLength = u32(b, p + 28);
  const avail = len - 32;
  const declared = blobLength >= 8 ? blobLength - 8 : 0;
  const consistent = blobLength === len - 24 && eventLength === len;
  return {
    kind: 'extra', type: U2_EXTRA_DATA, offset, size: len + 8,
    flags: consistent ? 0 : FLAG_BAD_INNER_LENGTH,
    eventType: u32(b, p), eventLength,
    sensorId: u32(b, p + 8), eventId: u32(b, p + 12), eventSecond: u32(b, p + 16),
    subtype: u32(b, p + 20), dataType: u32(b, p + 24), blobLength,
    data: view(b, p + 32, declared < avail ? declared : avail),
  };
}

/** Type 113: statistics without an event id; decoded so it can be skipped cleanly or shown. */
function decodeAppStat(b: Uint8Array, p: number, len: number, offset: number): U2AppStatRecord {
  const count = u32(b, p + 4);
  const fits = Math.floor((len - 8) / 24);
  const n = Math.min(count, fits);
  const entries: AppStatEntry[] = [];
  for (let i = 0, q = p + 8; i < n; i++, q += 24) {
    entries.push({ appName: cString(b, q, 16), txBytes: u32(b, q + 16), rxBytes: u32(b, q + 20) });
  }
  return {
    kind: 'appstat', type: U2_APPSTAT, offset, size: len + 8,
    flags: count === fits && (len - 8) % 24 === 0 ? 0 : FLAG_BAD_INNER_LENGTH,
    statTime: u32(b, p), count, entries,
  };
}

/** Stable names of the extra-data subtypes (index = subtype). */
export const EXTRA_DATA_NAMES: Readonly<Record<number, string>> = {
  1: 'xff',
  2: 'xff',
  3: 'reviewed_by',
  4: 'gzip_data',
  5: 'smtp_filename',
  6: 'smtp_mailfrom',
  7: 'smtp_rcptto',
  8: 'smtp_email_hdrs',
  9: 'http_uri',
  10: 'http_hostname',
  11: 'ipv6_src',
  12: 'ipv6_dst',
  13: 'jsnorm_data',
};

export function extraDataName(subtype: number): string {
  return EXTRA_DATA_NAMES[subtype] ?? `extra_${subtype}`;
}

/**
 * Attacker-controlled bytes as text that never throws and never loses a byte: valid UTF-8 as
 * UTF-8, anything else as latin1 (one char per byte). Escaping for display is the reader's job.
 */
export function safeText(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return isUtf8(buf) ? buf.toString('utf8') : buf.toString('latin1');
}

/**
 * The value of an extra-data blob: addresses (1, 2, 11, 12) as canonical IP text when the size
 * is right, gzip_data as raw bytes (it may be binary), every other subtype as text.
 */
export function extraDataValue(subtype: number, data: Uint8Array): string | Uint8Array {
  switch (subtype) {
    case 1:
      return data.length === 4 ? ipFromBytes(data) : Uint8Array.from(data);
    case 2: case 11: case 12:
      return data.length === 16 ? ipFromBytes(data) : Uint8Array.from(data);
    case 4:
      return Uint8Array.from(data);
    default:
      return subtype >= 3 && subtype <= 13 ? safeText(data) : Uint8Array.from(data);
  }
}
