/**
 * File names of the static site. Everything here is built from numbers and canonical address
 * text, never from wire data, so the names are safe on every file system and in a URL:
 * - IPv4 keeps its dots: `src/163.221.10.11.html`;
 * - IPv6 (RFC 5952 text: lower-case hex and colons) has each `:` replaced by `-`:
 *   `2001:db8::1` → `src/2001-db8--1.html`. Colons are not allowed on Windows (NTFS, SMB shares)
 *   and mean something in URLs; `-` never occurs in canonical IPv6 text, so the mapping is
 *   reversible, and lower case avoids clashes on case-insensitive file systems.
 * - Host alert pages after the first: `src/<name>/2.html`, `src/<name>/3.html`, ...
 */
import type { Side } from '../store/sqlite/report-queries.js';

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
