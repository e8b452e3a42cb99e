/**
 * What a file really is, from its first bytes. Operators point importers at whole log
 * directories, so a pcap, a unified2 spool or a gzip must be named as such instead of being
 * parsed as text and reported as a million bad lines.
 */

export type ContentKind = 'empty' | 'gzip' | 'pcap' | 'pcapng' | 'unified2' | 'text' | 'binary';

/** unified2 record types with the body lengths a plausible first record may have. */
const U2_FIRST_RECORD: ReadonlyMap<number, (len: number) => boolean> = new Map([
  [2, (l: number) => l >= 28 && l <= 28 + 65_535 + 1024],
  [3, (l: number) => l >= 28 && l <= 28 + 65_535 + 1024],
  [7, (l: number) => l >= 52 && l <= 64],
  [72, (l: number) => l >= 76 && l <= 88],
  [104, (l: number) => l >= 60 && l <= 128],
  [105, (l: number) => l >= 84 && l <= 152],
  [110, (l: number) => l >= 32 && l <= 16 << 20],
  [111, (l: number) => l === 76],
  [112, (l: number) => l === 100],
  [113, (l: number) => l >= 8],
  [114, (l: number) => l === 1032],
]);

export function sniffBytes(head: Uint8Array): ContentKind {
  if (head.length === 0) return 'empty';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4) {
    const m = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
    if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return 'pcap';
    if (m === 0x0a0d0d0a) return 'pcapng';
  }
  if (head.length >= 8) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const type = view.getUint32(0);
    const len = view.getUint32(4);
    const plausible = U2_FIRST_RECORD.get(type);
    if (plausible && plausible(len)) return 'unified2';
  }
  return looksLikeText(head) ? 'text' : 'binary';
}

/** Text if it has no NUL and few control bytes (UTF-8 and Latin-1 high bytes are fine). */
function looksLikeText(head: Uint8Array): boolean {
  const n = Math.min(head.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b === 0) return false;
    if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) control++;
  }
  return control <= n / 100;
}

export function describeKind(kind: ContentKind): string {
  switch (kind) {
    case 'pcap': return 'a pcap capture';
    case 'pcapng': return 'a pcapng capture';
    case 'unified2': return 'a unified2 spool file';
    case 'gzip': return 'a gzip file';
    case 'binary': return 'binary data';
    case 'empty': return 'an empty file';
    case 'text': return 'text';
  }
}
