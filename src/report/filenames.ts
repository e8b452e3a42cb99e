/**
 * File names of the static site. Everything here is built from numbers and canonical address
 * text, never from wire data, so the names are safe on every file system and in a URL:
 * - IPv4 keeps its dots: `src/163.221.10.11.html`;
 * - IPv6 (RFC 5952 text: lower-case hex and colons) has each `:` replaced by `-`:
 *   `2001:db8::1` → `src/2001-db8--1.html`. Colons are not allowed on Windows (NTFS, SMB shares)
 *   and mean something in URLs; `-` never occurs in canonical IPv6 text, so the mapping is
 *   reversible, and lower case avoids clashes on case-insensitive file systems.
 * - Host alert pages after the first: `src/<name>/2.html`, `src/<name>/3.html`, ...
 * - Network pages (hosts with few alerts, grouped): `dst/net/198.51.40.0-24.html` (IPv4 /24),
 *   `dst/net/2001-db8-beef---64.html` (IPv6 /64: the network's file base, `-`, the length; the
 *   last `-` always separates the length), parts after the first `dst/net/<name>/2.html`. A host
 *   on such a page is the anchor `#h248` / `#h1a`: `h` and the host's part of the address (see
 *   sectionAnchor). The analysis pages, which list addresses of any network, keep the whole
 *   address in theirs (`#h-198-51-40-248`, hostAnchor).
 */
import type { Side } from '../store/reads/report-reads.js';
import { formatIpv6 as formatIpv6Net } from '../model/ip.js';

/** `163.221.10.11` or `2001-db8--1` for canonical address text. */
export function hostFileBase(ip: string): string {
  if (!/^[0-9a-f.:]+$/.test(ip)) throw new RangeError(`not a canonical address: ${JSON.stringify(ip)}`);
  return ip.replace(/:/g, '-');
}

/** Back from a file base to the address text (for tools reading the site). */
export function ipFromFileBase(base: string): string {
  return base.includes('-') ? base.replace(/-/g, ':') : base;
}

/** Site-relative path of page `page` (1-based) of a host's pages on one side. */
export function hostPagePath(side: Side, ip: string, page = 1): string {
  const base = hostFileBase(ip);
  return page <= 1 ? `${side}/${base}.html` : `${side}/${base}/${page}.html`;
}

export function sigPagePath(gid: number, sid: number): string {
  return `sig/${Math.trunc(gid)}-${Math.trunc(sid)}.html`;
}

/** The relative prefix from a page at `relPath` back to the site root (`''`, `../`, `../../`). */
export function rootPrefix(relPath: string): string {
  const depth = relPath.split('/').length - 1;
  return '../'.repeat(depth);
}

/** `h-198-51-40-248`: the id of a host's section on its network page. */
export function hostAnchor(ip: string): string {
  return `h-${hostFileBase(ip).replace(/\./g, '-')}`;
}

/**
 * The id of a host's section on its network page: `h` and what the address adds to the
 * network's (the page's /24 or /64), so `198.51.40.248` → `h248`, `2001:db8:beef::1a` → `h1a`,
 * `2001:db8:beef:0:1::1a` → `h1-0-0-1a` (the interface identifier's four groups in hex, leading
 * zero groups left out). Unique on the page, and short: every alert row on the other side
 * links to it.
 */
export function sectionAnchor(key: Uint8Array): string {
  if (key.length !== 16) throw new RangeError(`IP key must be 16 bytes, got ${key.length}`);
  if (isV4Key(key)) return `h${key[15]}`;
  const groups: string[] = [];
  for (let i = 8; i < 16; i += 2) {
    const g = (key[i]! << 8) | key[i + 1]!;
    if (groups.length > 0 || g !== 0 || i === 14) groups.push(g.toString(16));
  }
  return `h${groups.join('-')}`;
}

/** Site-relative path of part `part` (1-based) of a network page (`base` from netOfKey). */
export function netPagePath(side: Side, base: string, part = 1): string {
  return part <= 1 ? `${side}/net/${base}.html` : `${side}/net/${base}/${part}.html`;
}

export interface NetRef {
  /** The network's bytes (first 15 of an IPv4-mapped key, first 8 of an IPv6 key) as a string: a Map key. */
  id: string;
  /** `198.51.40.0/24`, `2001:db8:beef::/64`. */
  label: string;
  /** `198.51.40.0-24`, `2001-db8-beef---64`: the file name without `.html`. */
  base: string;
}

/** True for the 16-byte key of an IPv4(-mapped) address. */
function isV4Key(k: Uint8Array): boolean {
  if (k[10] !== 0xff || k[11] !== 0xff) return false;
  for (let i = 0; i < 10; i++) if (k[i] !== 0) return false;
  return true;
}

/** The grouping network of a 16-byte address key: IPv4 /24, IPv6 /64. */
export function netOfKey(k: Uint8Array): NetRef {
  if (k.length === 16 && isV4Key(k)) {
    const net = `${k[12]}.${k[13]}.${k[14]}.0`;
    return { id: `4:${net}`, label: `${net}/24`, base: `${net}-24` };
  }
  if (k.length !== 16) throw new RangeError(`IP key must be 16 bytes, got ${k.length}`);
  const b = new Uint8Array(16);
  b.set(k.subarray(0, 8));
  const net = formatIpv6Net(b);
  return { id: `6:${net}`, label: `${net}/64`, base: `${hostFileBase(net)}-64` };
}

/** Same key prefix (same network) without building strings: the hot path compares keys. */
export function sameNet(a: Uint8Array, b: Uint8Array): boolean {
  const v4 = isV4Key(a);
  if (v4 !== isV4Key(b)) return false;
  const n = v4 ? 15 : 8;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
