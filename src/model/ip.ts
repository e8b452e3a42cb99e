/**
 * IP addresses as the store keeps them: 16-byte keys (IPv4 as ::ffff:a.b.c.d) that sort
 * IPv4 and IPv6 together, plus canonical text (dotted quad, RFC 5952 for IPv6).
 * Parsing goes through ipaddr.js; a small cache keeps the hot path cheap because alert logs
 * repeat the same few thousand addresses millions of times.
 */
import ipaddr from 'ipaddr.js';

/** IPv6 only (IPv4 takes a fast path); small, because cached Buffers are costly to keep. */
const CACHE_LIMIT = 1 << 14;
const keyCache = new Map<string, Buffer>();
const textCache = new Map<string, string>();

/** Canonical text for an address written in any accepted notation, or null if it is not one. */
export function canonicalIp(text: string): string | null {
  if (isCanonicalIpv4(text)) return text;
  const cached = textCache.get(text);
  if (cached !== undefined) return cached;
  let canon: string;
  try {
    const addr = ipaddr.parse(text);
    if (addr.kind() === 'ipv6') {
      const v6 = addr as ipaddr.IPv6;
      canon = v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
    } else {
      if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
      canon = addr.toString();
    }
  } catch {
    return null;
  }
  if (textCache.size >= CACHE_LIMIT) textCache.clear();
  textCache.set(text, canon);
  return canon;
}

/**
 * True for a dotted quad already in canonical form (no leading zeros, each part ≤ 255): the
 * common case, checked without a parser or a cache lookup.
 */
function isCanonicalIpv4(t: string): boolean {
  const n = t.length;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 46 : t.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9) return false;
      if (digits > 0 && value === 0) return false;
      value = value * 10 + d;
      if (++digits > 3) return false;
    }
  }
  return parts === 4;
}

/** 16-byte sortable key for a canonical (or any valid) address text. Throws on invalid input. */
export function ipKey(text: string): Buffer {
  if (isCanonicalIpv4(text)) {
    const key = Buffer.allocUnsafe(16);
    writeV4Key(text, key, 0);
    return key;
  }
  const cached = keyCache.get(text);
  if (cached !== undefined) return cached;
  let key = text.includes('.') ? null : parseIpv6Plain(text);
  if (key === null) {
    const addr = ipaddr.parse(text);
    key = Buffer.from(addr.kind() === 'ipv4'
      ? (addr as ipaddr.IPv4).toIPv4MappedAddress().toByteArray()
      : addr.toByteArray());
  }
  if (keyCache.size >= CACHE_LIMIT) keyCache.clear();
  keyCache.set(text, key);
  return key;
}

/** Writes ipKey(text) into `dest` at `at`, without allocating for the common dotted quad. */
export function writeIpKey(text: string, dest: Uint8Array, at: number): void {
  if (isCanonicalIpv4(text)) writeV4Key(text, dest, at);
  else dest.set(ipKey(text), at);
}

/** The IPv4-mapped key of a canonical dotted quad. */
function writeV4Key(text: string, dest: Uint8Array, at: number): void {
  dest.fill(0, at, at + 10);
  dest[at + 10] = 0xff;
  dest[at + 11] = 0xff;
  let i = at + 12;
  let v = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 46) {
      dest[i++] = v;
      v = 0;
    } else {
      v = v * 10 + (c - 48);
    }
  }
  dest[i] = v;
}

/** Canonical text from a 16-byte key (IPv4-mapped keys print as IPv4). */
export function ipFromKey(key: Uint8Array): string {
  if (key.length === 4) return `${key[0]}.${key[1]}.${key[2]}.${key[3]}`;
  if (key.length !== 16) throw new RangeError(`IP key must be 4 or 16 bytes, got ${key.length}`);
  let mapped = key[10] === 0xff && key[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (key[i] !== 0) mapped = false;
  if (mapped) return `${key[12]}.${key[13]}.${key[14]}.${key[15]}`;
  return formatIpv6(key);
}

/**
 * RFC 5952 text for 16 bytes: lower-case hex without leading zeros, the longest run (first on
 * a tie) of two or more zero groups as `::`. By hand because unified2 and sFlow decode millions.
 */
export function formatIpv6(b: Uint8Array): string {
  const g = new Array<number>(8);
  for (let i = 0; i < 8; i++) g[i] = (b[2 * i]! << 8) | b[2 * i + 1]!;
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    out += g[i]!.toString(16);
    if (i < 7) out += ':';
  }
  return out;
}

/**
 * 16 bytes from IPv6 text in the plain hex-groups form (what Snort prints and what we store),
 * or null for anything else (embedded IPv4, zone ids), which takes the general parser.
 */
function parseIpv6Plain(t: string): Buffer | null {
  if (t.length < 2 || t.length > 39) return null;
  const dbl = t.indexOf('::');
  if (dbl !== -1 && t.indexOf('::', dbl + 1) !== -1) return null;
  const head = dbl === -1 ? t : t.slice(0, dbl);
  const tail = dbl === -1 ? '' : t.slice(dbl + 2);
  const hg = head === '' ? [] : head.split(':');
  const tg = tail === '' ? [] : tail.split(':');
  if (dbl === -1 ? hg.length !== 8 : hg.length + tg.length > 7) return null;
  const key = Buffer.alloc(16);
  const put = (groups: string[], at: number): boolean => {
    for (let i = 0; i < groups.length; i++) {
      const x = groups[i]!;
      if (x.length === 0 || x.length > 4) return false;
      let v = 0;
      for (let k = 0; k < x.length; k++) {
        const c = x.charCodeAt(k);
        const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
        if (d < 0) return false;
        v = (v << 4) | d;
      }
      key[2 * (at + i)] = v >> 8;
      key[2 * (at + i) + 1] = v & 0xff;
    }
    return true;
  };
  if (!put(hg, 0) || !put(tg, 8 - tg.length)) return null;
  return key;
}

/** Canonical text from raw network-order bytes as found in unified2 (4 or 16 bytes). */
export function ipFromBytes(bytes: Uint8Array): string {
  return ipFromKey(bytes);
}

/** True when text is an IPv6 address (used to pick `[addr]:port` style and file names). */
export function isIpv6(text: string): boolean {
  return text.includes(':');
}

/** A CIDR range as inclusive [low, high] 16-byte keys, for range queries on the store. */
export function cidrRange(cidr: string): { low: Buffer; high: Buffer } {
  const [addr, bits] = ipaddr.parseCIDR(cidr.includes('/') ? cidr : `${cidr}/${cidr.includes(':') ? 128 : 32}`);
  const bytes = addr.kind() === 'ipv4'
    ? (addr as ipaddr.IPv4).toIPv4MappedAddress().toByteArray()
    : addr.toByteArray();
  const prefix = addr.kind() === 'ipv4' ? bits + 96 : bits;
  const low = Buffer.from(bytes);
  const high = Buffer.from(bytes);
  for (let bit = prefix; bit < 128; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    low[byte] = (low[byte] ?? 0) & ~mask;
    high[byte] = (high[byte] ?? 0) | mask;
  }
  return { low, high };
}

/** True when the address text falls in the CIDR. */
export function inCidr(ip: string, cidr: string): boolean {
  const k = ipKey(ip);
  const { low, high } = cidrRange(cidr);
  return Buffer.compare(k, low) >= 0 && Buffer.compare(k, high) <= 0;
}
