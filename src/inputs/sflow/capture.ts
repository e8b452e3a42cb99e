/**
 * Splitting a capture file into packet records: classic pcap (both byte orders, µs and ns
 * magics) and pcapng (SHB/IDB/EPB, per-interface link type and timestamp resolution). Pure and
 * chunk-safe: `push()` takes bytes as they come off disk and keeps only the incomplete tail, so a
 * multi-gigabyte capture is read in bounded memory (the node-tar move).
 */
import type { SflowWarning } from './warnings.js';

export interface PcapRecord {
  /** pcap DLT link type of the packet's interface. */
  linktype: number;
  /** Record time, µs since the epoch, UTC. */
  timeUs: number;
  /** Captured bytes (a view into the chunk, not a copy). */
  data: Uint8Array;
  /** Length on the wire. */
  origLen: number;
  /** Byte offset of the record (pcap record header / pcapng block) in the file. */
  offset: number;
  /** 1-based packet number, as tshark counts. */
  index: number;
}

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** No sane record is larger: 256 KiB is tcpdump's snaplen maximum; leave room for jumbo captures. */
const MAX_RECORD = 16 * 1024 * 1024;

interface Iface {
  linktype: number;
  /** Timestamp units per second as a power: 10^-exp10 or 2^-exp2. */
  exp10: number | null;
  exp2: number | null;
}

export class CaptureSplitter {
  private pending: Uint8Array = new Uint8Array(0);
  /** File offset of pending[0]. */
  private base = 0;
  private kind: 'unknown' | 'pcap' | 'pcapng' | 'dead' = 'unknown';
  private le = true;
  private nanos = false;
  private linktype = 1;
  private ifaces: Iface[] = [];
  private index = 0;
  readonly warnings: SflowWarning[] = [];

  constructor(private readonly file?: string) {}

  /** Feeds the next chunk; returns the records it completed. */
  push(chunk: Uint8Array): PcapRecord[] {
    if (this.kind === 'dead') return [];
    if (this.pending.length === 0) {
      this.pending = chunk;
    } else {
      const joined = new Uint8Array(this.pending.length + chunk.length);
      joined.set(this.pending, 0);
      joined.set(chunk, this.pending.length);
      this.pending = joined;
    }
    const out: PcapRecord[] = [];
    let pos = 0;
    const b = this.pending;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (this.kind === 'unknown') {
      if (b.length < 24) return out;
      pos = this.readFileHeader(dv);
      if ((this.kind as string) === 'dead') return out; // readFileHeader may have failed
    }
    for (;;) {
      const used = this.kind === 'pcap' ? this.pcapRecord(b, dv, pos, out) : this.pcapngBlock(b, dv, pos, out);
      if (used <= 0) break;
      pos += used;
    }
    this.base += pos;
    this.pending = b.subarray(pos);
    return out;
  }

  /** Call at end of input: reports a record cut short by the end of the file. */
  end(): void {
    if (this.kind !== 'dead' && this.pending.length > 0) {
      this.warn('SNARF_PCAP_TRUNCATED', `capture ends inside a record (${this.pending.length} bytes left over)`, this.base);
    } else if (this.kind === 'unknown') {
      this.warn('SNARF_PCAP_BAD_FILE', 'file is empty or shorter than a capture header', 0);
    }
  }

  private warn(code: SflowWarning['code'], message: string, offset: number): void {
    this.warnings.push({ code, message, file: this.file, offset });
  }

  private fail(message: string, offset: number): number {
    this.warn('SNARF_PCAP_BAD_FILE', message, offset);
    this.kind = 'dead';
    return 0;
  }

  private readFileHeader(dv: DataView): number {
    const be = dv.getUint32(0, false);
    const le = dv.getUint32(0, true);
    if (be === PCAPNG_SHB) {
      this.kind = 'pcapng';
      return 0;
    }
    for (const [magic, nanos] of [[PCAP_US, false], [PCAP_NS, true]] as const) {
      if (le === magic || be === magic) {
        this.kind = 'pcap';
        this.le = le === magic;
        this.nanos = nanos;
        this.linktype = dv.getUint32(20, this.le) & 0xffff; // upper bits carry FCS info
        return 24;
      }
    }
    this.fail(`not a pcap or pcapng file (magic 0x${be.toString(16).padStart(8, '0')})`, 0);
    return 0;
  }

  private pcapRecord(b: Uint8Array, dv: DataView, pos: number, out: PcapRecord[]): number {
    if (pos + 16 > b.length) return 0;
    const sec = dv.getUint32(pos, this.le);
    const frac = dv.getUint32(pos + 4, this.le);
    const incl = dv.getUint32(pos + 8, this.le);
    const orig = dv.getUint32(pos + 12, this.le);
    if (incl > MAX_RECORD) return this.fail(`record length ${incl} is impossible; the rest of the file is unreadable`, this.base + pos);
    if (pos + 16 + incl > b.length) return 0;
    out.push({
      linktype: this.linktype,
      timeUs: sec * 1e6 + (this.nanos ? Math.floor(frac / 1000) : frac),
      data: b.subarray(pos + 16, pos + 16 + incl),
      origLen: orig,
      offset: this.base + pos,
      index: ++this.index,
    });
    return 16 + incl;
  }

  private pcapngBlock(b: Uint8Array, dv: DataView, pos: number, out: PcapRecord[]): number {
    if (pos + 12 > b.length) return 0;
    let type = dv.getUint32(pos, this.le);
    if (dv.getUint32(pos, false) === PCAPNG_SHB) {
      // A section header sets the byte order of everything after it, its own length included.
      const bom = dv.getUint32(pos + 8, false);
      if (bom === PCAPNG_BOM) this.le = false;
      else if (dv.getUint32(pos + 8, true) === PCAPNG_BOM) this.le = true;
      else return this.fail('pcapng section header with a bad byte-order magic', this.base + pos);
      type = PCAPNG_SHB;
      this.ifaces = [];
    }
    const len = dv.getUint32(pos + 4, this.le);
    if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) {
      return this.fail(`pcapng block length ${len} is impossible; the rest of the file is unreadable`, this.base + pos);
    }
    if (pos + len > b.length) return 0;
    if (type === 1 && len >= 20) {
      this.ifaces.push(readIdb(b, dv, pos, len, this.le));
    } else if (type === 6 && len >= 32) {
      const ifId = dv.getUint32(pos + 8, this.le);
      const hi = dv.getUint32(pos + 12, this.le);
      const lo = dv.getUint32(pos + 16, this.le);
      const cap = dv.getUint32(pos + 20, this.le);
      const orig = dv.getUint32(pos + 24, this.le);
      const iface = this.ifaces[ifId];
      if (iface === undefined || 28 + cap > len - 4) {
        this.warn('SNARF_PCAP_BAD_FILE', `enhanced packet block for unknown interface ${ifId} or with bad length; skipped`, this.base + pos);
      } else {
        out.push({
          linktype: iface.linktype, timeUs: ngTime(hi, lo, iface), data: b.subarray(pos + 28, pos + 28 + cap),
          origLen: orig, offset: this.base + pos, index: ++this.index,
        });
      }
    } else if (type === 3) {
      // Simple packet blocks carry no timestamp, and a receive time is all sFlow has.
      this.index++;
      this.warn('SNARF_PCAP_UNSUPPORTED', 'simple packet block (no timestamp) skipped', this.base + pos);
    }
    return len;
  }
}

function readIdb(b: Uint8Array, dv: DataView, pos: number, len: number, le: boolean): Iface {
  const iface: Iface = { linktype: dv.getUint16(pos + 8, le), exp10: 6, exp2: null };
  let p = pos + 16;
  const end = pos + len - 4;
  while (p + 4 <= end) {
    const code = dv.getUint16(p, le);
    const olen = dv.getUint16(p + 2, le);
    if (code === 0) break;
    if (code === 9 && olen >= 1 && p + 5 <= end) {
      const v = b[p + 4]!;
      if (v & 0x80) {
        iface.exp10 = null;
        iface.exp2 = v & 0x7f;
      } else {
        iface.exp10 = v;
      }
    }
    p += 4 + ((olen + 3) & ~3);
  }
  return iface;
}

function ngTime(hi: number, lo: number, iface: Iface): number {
  if (iface.exp10 === 6) return hi * 0x100000000 + lo;
  // Other resolutions overflow 2^53 in units (ns since 1970 ≈ 1.7e18): convert exactly.
  const units = (BigInt(hi) << 32n) | BigInt(lo);
  if (iface.exp10 !== null) {
    return iface.exp10 > 6
      ? Number(units / 10n ** BigInt(iface.exp10 - 6))
      : Number(units * 10n ** BigInt(6 - iface.exp10));
  }
  return Number((units * 1_000_000n) >> BigInt(iface.exp2 ?? 0));
}
