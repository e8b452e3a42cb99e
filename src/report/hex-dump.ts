/**
 * Packet bytes for host pages: where the payload starts (past the link, IP and transport
 * headers, when Snarf can tell) and a classic hex + ASCII dump. The dump is plain text; the
 * template escapes it like any other wire data (a payload may well contain `<script>`).
 */

/** DLT numbers for the link types Snort writes into unified2. */
const DLT_EN10MB = 1;
const DLT_RAW = 101;
const DLT_IPV4 = 228;
const DLT_IPV6 = 229;

/**
 * Offset of the transport payload in a captured packet, or 0 when the headers cannot be
 * walked (unknown link type, fragment, truncated capture): then the whole packet is shown.
 */
export function payloadOffset(linktype: number, p: Uint8Array): number {
  let off = 0;
  if (linktype === DLT_EN10MB) {
    if (p.length < 14) return 0;
    let type = (p[12]! << 8) | p[13]!;
    off = 14;
    while (type === 0x8100 || type === 0x88a8) { // VLAN tags
      if (p.length < off + 4) return 0;
      type = (p[off + 2]! << 8) | p[off + 3]!;
      off += 4;
    }
    if (type !== 0x0800 && type !== 0x86dd) return 0;
  } else if (linktype !== DLT_RAW && linktype !== DLT_IPV4 && linktype !== DLT_IPV6) {
    return 0;
  }
  if (p.length < off + 1) return 0;
  const version = p[off]! >> 4;
  let proto: number;
  if (version === 4) {
    const ihl = (p[off]! & 0x0f) * 4;
    if (ihl < 20 || p.length < off + ihl) return 0;
    if (((p[off + 6]! & 0x1f) << 8 | p[off + 7]!) !== 0) return 0; // non-first fragment
    proto = p[off + 9]!;
    off += ihl;
  } else if (version === 6) {
    if (p.length < off + 40) return 0;
    proto = p[off + 6]!;
    off += 40;
  } else {
    return 0;
  }
  switch (proto) {
    case 6: {
      if (p.length < off + 20) return 0;
      const len = (p[off + 12]! >> 4) * 4;
      return len >= 20 && p.length >= off + len ? off + len : 0;
    }
    case 17:
    case 1:
    case 58:
      return p.length >= off + 8 ? off + 8 : 0;
    default:
      return off <= p.length ? off : 0;
  }
}

/**
 * `0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  GET / HTTP/1.1..` lines for at most
 * `max` bytes; printable ASCII is shown as itself, everything else as `.`.
 */
export function hexDump(bytes: Uint8Array, max = 1024): string {
  const n = Math.min(bytes.length, max);
  const lines: string[] = [];
  for (let i = 0; i < n; i += 16) {
    let hex = '';
    let text = '';
    for (let k = 0; k < 16; k++) {
      if (k === 8) hex += ' ';
      if (i + k < n) {
        const b = bytes[i + k]!;
        hex += `${b.toString(16).padStart(2, '0')} `;
        text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else {
        hex += '   ';
      }
    }
    lines.push(`${i.toString(16).padStart(4, '0')}  ${hex} ${text}`);
  }
  if (bytes.length > n) lines.push(`... ${bytes.length - n} more bytes`);
  return lines.join('\n');
}

/** Text of an extra-data value: strings as they are, bytes as UTF-8 with controls made visible. */
export function extraText(value: Uint8Array | string, max = 2048): string {
  const s = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
  // eslint-disable-next-line no-control-regex
  const shown = s.slice(0, max).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return s.length > max ? `${shown}… (${s.length - max} more characters)` : shown;
}
