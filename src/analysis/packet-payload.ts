/**
 * From a stored packet (unified2 packet record: pcap link type + bytes) to its L3/L4 addresses
 * and the application payload, and a small sniffer naming the protocol that payload speaks.
 *
 * Packet bytes come from sensors and from whoever sent the packet: no length field is trusted.
 * Every header length is checked against the captured bytes and the IP length; a packet cut
 * anywhere yields null or an empty payload, never an exception or a read past the buffer.
 * (src/inputs/sflow/packet.ts parses the same headers but fills flow fields and stops at the
 * ports, so it cannot say where the payload starts.)
 */
import { ipFromBytes } from '../model/ip.js';

export interface DecodedPacket {
  ipVersion: 4 | 6;
  /** IP protocol (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 255 sfportscan's pseudo-packet, ...). */
  protocol: number;
  src: string;
  dst: string;
  srcPort: number | null;
  dstPort: number | null;
  /** TCP flags byte, when TCP. */
  tcpFlags: number | null;
  /** The bytes after the transport header (a view into the input, not a copy). */
  payload: Uint8Array;
}

const DLT_NULL = 0;
const DLT_EN10MB = 1;
const DLT_RAW_OLD = 12;
const DLT_RAW_OPENBSD = 14;
const DLT_LOOP = 108;
const DLT_RAW = 101;
const DLT_LINUX_SLL = 113;
const DLT_IPV4 = 228;
const DLT_IPV6 = 229;

const EMPTY = new Uint8Array(0);

/** Decodes one stored packet; null when it is not IP or its headers are cut or impossible. */
export function decodePacket(linktype: number, b: Uint8Array): DecodedPacket | null {
  switch (linktype) {
    case DLT_EN10MB: return ethernet(b);
    case DLT_IPV4: case DLT_IPV6: case DLT_RAW: case DLT_RAW_OLD: case DLT_RAW_OPENBSD: return ip(b, 0);
    case DLT_LINUX_SLL: return b.length < 16 ? null : byEtherType(b, 16, (b[14]! << 8) | b[15]!);
    case DLT_NULL: case DLT_LOOP: return b.length < 4 ? null : ip(b, 4); // 4-byte family, any byte order
    default: return null;
  }
}

function ethernet(b: Uint8Array): DecodedPacket | null {
  if (b.length < 14) return null;
  let et = (b[12]! << 8) | b[13]!;
  let off = 14;
  // VLAN tags (802.1Q, 802.1ad, old QinQ): at most 4, so a hostile chain of tags stays bounded.
  for (let i = 0; i < 4 && (et === 0x8100 || et === 0x88a8 || et === 0x9100); i++) {
    if (off + 4 > b.length) return null;
    et = (b[off + 2]! << 8) | b[off + 3]!;
    off += 4;
  }
  return byEtherType(b, off, et);
}

function byEtherType(b: Uint8Array, off: number, et: number): DecodedPacket | null {
  if (et !== 0x0800 && et !== 0x86dd) return null;
  return ip(b, off);
}

function ip(b: Uint8Array, off: number): DecodedPacket | null {
  if (off >= b.length) return null;
  const v = b[off]! >> 4;
  return v === 4 ? ipv4(b, off) : v === 6 ? ipv6(b, off) : null;
}

function ipv4(b: Uint8Array, off: number): DecodedPacket | null {
  if (off + 20 > b.length) return null;
  const ihl = (b[off]! & 0x0f) * 4;
  const total = (b[off + 2]! << 8) | b[off + 3]!;
  if (ihl < 20 || off + ihl > b.length) return null;
  // The IP length bounds the payload (Ethernet pads short frames); a length larger than what was
  // captured means the capture was cut, so the captured bytes bound it instead. Snort's
  // reassembled pseudo-packets sometimes carry a total length of 0: treat that as "captured".
  const end = total >= ihl ? Math.min(b.length, off + total) : b.length;
  const frag = ((b[off + 6]! & 0x1f) << 8) | b[off + 7]!;
  const pkt: DecodedPacket = {
    ipVersion: 4, protocol: b[off + 9]!, src: ipFromBytes(b.subarray(off + 12, off + 16)), dst: ipFromBytes(b.subarray(off + 16, off + 20)),
    srcPort: null, dstPort: null, tcpFlags: null, payload: EMPTY,
  };
  // Later fragments have no transport header: their bytes are not a payload we can place.
  if (frag !== 0) return pkt;
  transport(b, off + ihl, end, pkt);
  return pkt;
}

function ipv6(b: Uint8Array, off: number): DecodedPacket | null {
  if (off + 40 > b.length) return null;
  const plen = (b[off + 4]! << 8) | b[off + 5]!;
  const end = plen > 0 ? Math.min(b.length, off + 40 + plen) : b.length; // 0: jumbogram or pseudo-packet
  const pkt: DecodedPacket = {
    ipVersion: 6, protocol: b[off + 6]!, src: ipFromBytes(b.subarray(off + 8, off + 24)), dst: ipFromBytes(b.subarray(off + 24, off + 40)),
    srcPort: null, dstPort: null, tcpFlags: null, payload: EMPTY,
  };
  let nh = pkt.protocol;
  let p = off + 40;
  // At most 8 extension headers: enough for real traffic, bounded for a hostile chain.
  for (let hops = 0; hops < 8; hops++) {
    if (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140) {
      if (p + 2 > end) return pkt;
      const next = b[p]!;
      p += (b[p + 1]! + 1) * 8;
      nh = next;
    } else if (nh === 51) {
      if (p + 2 > end) return pkt;
      const next = b[p]!;
      p += (b[p + 1]! + 2) * 4;
      nh = next;
    } else if (nh === 44) {
      if (p + 8 > end) return pkt;
      const fragOffset = ((b[p + 2]! << 8) | b[p + 3]!) >> 3;
      nh = b[p]!;
      p += 8;
      if (fragOffset !== 0) { pkt.protocol = nh; return pkt; }
    } else {
      break;
    }
  }
  pkt.protocol = nh;
  if (p <= end) transport(b, p, end, pkt);
  return pkt;
}

function transport(b: Uint8Array, p: number, end: number, pkt: DecodedPacket): void {
  const proto = pkt.protocol;
  if (proto === 6) {
    if (p + 20 > end) return;
    pkt.srcPort = (b[p]! << 8) | b[p + 1]!;
    pkt.dstPort = (b[p + 2]! << 8) | b[p + 3]!;
    pkt.tcpFlags = b[p + 13]!;
    const doff = (b[p + 12]! >> 4) * 4;
    if (doff < 20 || p + doff > end) return;
    pkt.payload = b.subarray(p + doff, end);
  } else if (proto === 17) {
    if (p + 8 > end) return;
    pkt.srcPort = (b[p]! << 8) | b[p + 1]!;
    pkt.dstPort = (b[p + 2]! << 8) | b[p + 3]!;
    pkt.payload = b.subarray(p + 8, end);
  } else if (proto === 1 || proto === 58) {
    if (p + 8 > end) return;
    pkt.payload = b.subarray(p + 8, end);
  } else if (p < end) {
    // sfportscan (255) writes its text right after the IP header; other protocols: raw bytes.
    pkt.payload = b.subarray(p, end);
  }
}

// ---------------------------------------------------------------------------------------------
// Protocol sniffing: positive identification only. A payload is named only when its first bytes
// say so; everything else is 'text' or 'binary', which the anomaly rules never count as "another
// protocol" (a POST body or a DATA section can hold anything).

export type Sniffed =
  | 'empty' | 'http-request' | 'http-response' | 'smtp-command' | 'smtp-reply' | 'irc' | 'ssh' | 'tls' | 'bittorrent'
  | 'text' | 'binary';

/** Latin-1 view of the first `max` bytes: one char per byte, so offsets and lengths agree. */
export function latin1(b: Uint8Array, max = 4096): string {
  const n = Math.min(b.length, max);
  let s = '';
  for (let i = 0; i < n; i += 1024) s += String.fromCharCode(...b.subarray(i, Math.min(n, i + 1024)));
  return s;
}

const HTTP_REQUEST = /^[A-Z][A-Z0-9_-]{1,19} [^\s]{1,2048} HTTP\/\d(\.\d)?\r?(\n|$)/;
const HTTP_09 = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|CONNECT|TRACE|PATCH|PROPFIND|PROPPATCH|MKCOL|COPY|MOVE|LOCK|UNLOCK|SEARCH|REPORT) \//;
const HTTP_RESPONSE = /^HTTP\/\d(\.\d)? \d{3}/;
const SMTP_COMMAND = /^(HELO|EHLO|MAIL FROM:|RCPT TO:|DATA|BDAT|RSET|NOOP|QUIT|VRFY|EXPN|HELP|STARTTLS|AUTH|ETRN|TURN|ATRN|XCLIENT|XFORWARD)(\s|\r|\n|$)/i;
const SMTP_REPLY = /^[2-5]\d\d[ -]/;
const IRC_FIRST = /^(:\S+ )?(NICK|USER|JOIN|PART|PRIVMSG|NOTICE|MODE|PING|PONG|TOPIC|KICK|WHO|WHOIS|USERHOST|ISON|PASS|QUIT|CAP|\d{3}) /;

/** Names the protocol of an application payload from its first bytes (see the note above). */
export function sniffProtocol(b: Uint8Array): Sniffed {
  if (b.length === 0) return 'empty';
  if (b[0] === 0x16 && b[1] === 0x03 && b.length >= 5 && (b[2] ?? 9) <= 4) return 'tls';
  if (b[0] === 19 && latin1(b.subarray(1, 20), 19) === 'BitTorrent protocol') return 'bittorrent';
  const head = latin1(b, 512);
  if (head.startsWith('SSH-')) return 'ssh';
  if (HTTP_RESPONSE.test(head)) return 'http-response';
  if (HTTP_REQUEST.test(head) || HTTP_09.test(head)) return 'http-request';
  if (!isText(b)) return 'binary';
  if (SMTP_COMMAND.test(head)) return 'smtp-command';
  // IRC before SMTP replies: numeric IRC lines start with ':server 001 ', never with digits.
  if (IRC_FIRST.test(head) && looksLikeIrcText(head)) return 'irc';
  if (SMTP_REPLY.test(head)) return 'smtp-reply';
  return 'text';
}

/** True when at most 2% of the first 512 bytes are control bytes other than TAB/CR/LF/ESC. */
function isText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 27) || c === 0x7f) bad++;
  }
  return bad * 50 <= n;
}

/** Every complete line an IRC line (prefix, command, parameters); guards against FTP/POP "USER x". */
function looksLikeIrcText(head: string): boolean {
  const lines = head.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);
  let irc = 0;
  let specific = 0;
  for (const l of lines) {
    const m = IRC_FIRST.exec(`${l} `);
    if (!m) continue;
    irc++;
    const cmd = m[2]!;
    // USER, PASS, QUIT also exist in FTP and POP3; IRC's USER has four parameters.
    if (cmd === 'USER' ? /^USER \S+ \S+ \S+ :?.+/.test(l) : cmd !== 'PASS' && cmd !== 'QUIT') specific++;
  }
  return specific > 0 && irc * 2 >= lines.length;
}

/**
 * Payload text safe to show anywhere: printable ASCII kept, every other byte as `\xNN`, at most
 * `max` characters. Channel names and nicks are chosen by whoever runs the botnet; this keeps
 * terminal escapes, bidi overrides and NULs out of every output. HTML pages must still escape
 * `<`, `>`, `&` and quotes (templates do, with `<%= %>`).
 */
export function safeText(s: string, max = 200): string {
  let out = '';
  let i = 0;
  for (; i < s.length && out.length < max; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else if (c > 0xff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return i < s.length ? `${out}...` : out;
}
