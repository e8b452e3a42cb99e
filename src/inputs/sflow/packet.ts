/**
 * Decoding of a sampled packet header (flow record 0:1): Ethernet → 802.1Q/QinQ tags →
 * IPv4/IPv6 (extension headers walked) → TCP/UDP ports and TCP flags. The header is the first
 * ~128 bytes of the frame, so every step checks the bytes it needs and stops quietly when they
 * are not there: a cut header yields the fields it holds, never an error.
 */
import { ipFromBytes } from '../../model/ip.js';
import type { FlowSample } from '../../model/flow.js';

const HP_ETHERNET = 1;
const HP_IPV4 = 11;
const HP_IPV6 = 12;
const ET_IPV4 = 0x0800;
const ET_IPV6 = 0x86dd;

/** Fills the header-derived fields of `s` from `b` (header protocol `hp`). */
export function parseSampledHeader(hp: number, b: Uint8Array, s: FlowSample): void {
  if (hp === HP_ETHERNET) parseEthernet(b, s);
  else if (hp === HP_IPV4) parseIpv4(b, 0, s);
  else if (hp === HP_IPV6) parseIpv6(b, 0, s);
}

function parseEthernet(b: Uint8Array, s: FlowSample): void {
  if (b.length < 14) return;
  s.dstMac = b[0]! * 0x10000000000 + b[1]! * 0x100000000 + (((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0);
  s.srcMac = b[6]! * 0x10000000000 + b[7]! * 0x100000000 + (((b[8]! << 24) | (b[9]! << 16) | (b[10]! << 8) | b[11]!) >>> 0);
  let et = (b[12]! << 8) | b[13]!;
  let off = 14;
  // 802.1Q (0x8100), 802.1ad (0x88a8) and the old QinQ 0x9100; the outer tag is the VLAN we report.
  while ((et === 0x8100 || et === 0x88a8 || et === 0x9100) && off + 4 <= b.length) {
    if (s.vlan === null) s.vlan = ((b[off]! << 8) | b[off + 1]!) & 0x0fff;
    et = (b[off + 2]! << 8) | b[off + 3]!;
    off += 4;
  }
  s.etherType = et;
  if (et === ET_IPV4) parseIpv4(b, off, s);
  else if (et === ET_IPV6) parseIpv6(b, off, s);
}

function parseIpv4(b: Uint8Array, off: number, s: FlowSample): void {
  if (off + 20 > b.length || b[off]! >> 4 !== 4) return;
  const ihl = (b[off]! & 0x0f) * 4;
  if (ihl < 20) return;
  s.ipVersion = 4;
  s.tos = b[off + 1]!;
  s.ipLength = (b[off + 2]! << 8) | b[off + 3]!;
  const fragOffset = ((b[off + 6]! & 0x1f) << 8) | b[off + 7]!;
  s.ttl = b[off + 8]!;
  s.protocol = b[off + 9]!;
  s.srcIp = `${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  s.dstIp = `${b[off + 16]}.${b[off + 17]}.${b[off + 18]}.${b[off + 19]}`;
  // Only the first fragment carries the transport header.
  if (fragOffset === 0) parseTransport(b, off + ihl, s.protocol, s);
}

/** Extension headers that share the (next header, length in 8-octet units - 1) layout. */
function isGenericExt(nh: number): boolean {
  return nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140;
}

function parseIpv6(b: Uint8Array, off: number, s: FlowSample): void {
  if (off + 40 > b.length || b[off]! >> 4 !== 6) return;
  s.ipVersion = 6;
  s.tos = ((b[off]! & 0x0f) << 4) | (b[off + 1]! >> 4);
  s.ipLength = ((b[off + 4]! << 8) | b[off + 5]!) + 40;
  s.ttl = b[off + 7]!;
  s.srcIp = ipFromBytes(b.subarray(off + 8, off + 24));
  s.dstIp = ipFromBytes(b.subarray(off + 24, off + 40));
  let nh = b[off + 6]!;
  let p = off + 40;
  // Walk at most 8 extension headers: enough for any real packet, bounded for a hostile one.
  for (let hops = 0; hops < 8; hops++) {
    if (isGenericExt(nh)) {
      if (p + 2 > b.length) break;
      const next = b[p]!;
      p += (b[p + 1]! + 1) * 8;
      nh = next;
    } else if (nh === 51) { // AH: length in 4-octet units - 2
      if (p + 2 > b.length) break;
      const next = b[p]!;
      p += (b[p + 1]! + 2) * 4;
      nh = next;
    } else if (nh === 44) { // fragment header: ports only in the first fragment
      if (p + 8 > b.length) break;
      const fragOffset = ((b[p + 2]! << 8) | b[p + 3]!) >> 3;
      nh = b[p]!;
      p += 8;
      if (fragOffset !== 0) {
        s.protocol = nh;
        return;
      }
    } else {
      break;
    }
  }
  // If the chain ran out of captured bytes, `nh` is the header we could not pass: still the best
  // protocol guess we have, and ports stay null (the doc's "ext headers push ports out" case).
  s.protocol = nh;
  parseTransport(b, p, nh, s);
}

function parseTransport(b: Uint8Array, p: number, proto: number, s: FlowSample): void {
  if (proto !== 6 && proto !== 17) return;
  if (p + 4 > b.length) return;
  s.srcPort = (b[p]! << 8) | b[p + 1]!;
  s.dstPort = (b[p + 2]! << 8) | b[p + 3]!;
  if (proto === 6 && p + 14 <= b.length) s.tcpFlags = b[p + 13]!;
}
