/**
 * alert_full read straight from bytes: the fast path of FullParser for bulk imports.
 *
 * A million-alert file is six million lines. Decoding each into a string, matching it with a
 * regex, building an Alert and a PacketSummary and serialising that again as JSON is what made
 * the text parser the slowest thread of an import. This reader takes a block's lines as byte
 * ranges and produces the row the store writes (alert-rows.ts TextRow) directly: numbers are
 * read from the digits, IPv4 addresses from their octets, the header summary's JSON is written
 * as it is read, and the lines a signature repeats on every alert (classification, Xref) are
 * decoded once per signature and then only compared.
 *
 * It is exact or it declines: every block it accepts gives the same row as FullParser's text
 * path, and anything it does not recognise exactly (IPv6, `-e` MAC lines, unusual whitespace,
 * any byte that is not ASCII outside the decoded fields, a second transport line) makes read()
 * return false, and the text path reads the block, warnings and all. Tests hold the two paths
 * to the same rows on the corpus, generated files and random mutations.
 */
import { protocolNumber, type Reference } from '../../model/alert.js';
import { referencesJson, type TextRow } from '../../store/alert-rows.js';
import { parseAddressPair } from './fields.js';
import type { TimePlacer, WallTime } from './time.js';

/** A line of a held block: bytes of `buf` in [start, end), at `offset` in the file. */
export interface ByteLine {
  buf: Buffer;
  start: number;
  end: number;
  lineNo: number;
  offset: number;
}

/** A line a signature repeats, decoded once: its bytes and what they gave. */
interface RepeatedLine<T> {
  bytes: Buffer;
  value: T;
}

interface ClassLine {
  classification: string | null;
  priority: number | null;
}

const SP = 0x20;
const COLON = 0x3a;
const DOT = 0x2e;
const RBRACKET = 0x5d;

const HEAD = Buffer.from('[**] [');
const HEAD_END = Buffer.from(' [**]');
const CLASSIFICATION = Buffer.from('[Classification: ');
const PRIORITY = Buffer.from('[Priority: ');
const XREF = Buffer.from('[Xref => ');
const ARROW = Buffer.from(' -> ');
const TTL = Buffer.from(' TTL:');
const TOS = Buffer.from(' TOS:0x');
const ID = Buffer.from(' ID:');
const IP_LEN = Buffer.from(' IpLen:');
const DGM_LEN = Buffer.from(' DgmLen:');
const SEQ = Buffer.from(' Seq: 0x');
const ACK = Buffer.from('Ack: 0x');
const WIN = Buffer.from('Win: 0x');
const TCP_LEN = Buffer.from('TcpLen: ');
const UDP_LEN = Buffer.from('Len: ');
const TYPE = Buffer.from('Type:');
const CODE = Buffer.from('Code:');
const ICMP_ID = Buffer.from('ID:');
const ICMP_SEQ = Buffer.from('Seq:');

/** Digits a number may have and still be read exactly as Number()/parseInt() would read it. */
const MAX_DECIMAL_DIGITS = 15;
const MAX_HEX_DIGITS = 12;

/** Entries of the per-signature and per-address caches before they are cleared. */
const CACHE_LIMIT = 1 << 16;

/** Signatures above this gid are not cached (the key packs gid and sid into one number). */
const MAX_CACHED_GID = 1 << 20;

function startsWith(buf: Buffer, start: number, end: number, lit: Buffer): boolean {
  if (end - start < lit.length) return false;
  for (let k = 0; k < lit.length; k++) if (buf[start + k] !== lit[k]) return false;
  return true;
}

/** Index of `lit` in buf[from, end), or -1. Bounded, unlike Buffer#indexOf, by the line's end. */
function indexIn(buf: Buffer, from: number, end: number, lit: Buffer): number {
  const first = lit[0]!;
  for (let i = from; i + lit.length <= end; i++) {
    if (buf[i] === first && startsWith(buf, i, end, lit)) return i;
  }
  return -1;
}

/**
 * True when buf[from, end) holds only printable ASCII and spaces: nothing that decodes
 * differently from its bytes or that `\s` in the text path's patterns would match but a space
 * test here would not.
 */
function plainAscii(buf: Buffer, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** A TCP flag character as Snort prints them: `*`, `1`, `2` or an upper-case letter. */
function isFlag(c: number): boolean {
  return c === 0x2a || c === 0x31 || c === 0x32 || (c >= 0x41 && c <= 0x5a);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

export class FullBlockReader {
  /** The row of the last block read (valid until the next read()). */
  readonly row: TextRow = {
    sensor: '', timeUs: 0, gid: 0, sid: 0, rev: 0, message: '', classification: null, priority: null, protocol: null,
    srcIp: null, srcPort: null, dstIp: null, dstPort: null, refs: null, details: null, offset: 0, line: 0, srcV4: -1, dstV4: -1,
  };

  /** Per signature (gid and sid in one number, -1: not cached): its message, class and Xref lines. */
  private readonly messages = new Map<number, RepeatedLine<string>>();
  private readonly classLines = new Map<number, RepeatedLine<ClassLine>>();
  private readonly xrefLines = new Map<number, RepeatedLine<Reference[]>>();
  private readonly flagTexts = new Map<number, string>();
  private readonly wall: WallTime = { year: undefined, month: 0, day: 0, hour: 0, minute: 0, second: 0, micro: 0 };

  /** Index just past the last token read by a read*() helper. */
  private at = 0;
  /** The signature key of the block being read. */
  private sigKey = -1;
  /** The message's bytes as a line, for the per-signature cache. */
  private readonly messageRange: ByteLine = { buf: EMPTY, start: 0, end: 0, lineNo: 0, offset: 0 };

  constructor(
    private readonly sensor: string,
    private readonly time: TimePlacer,
    /** FullParser's own Xref parsing (its results are shared, frozen arrays). */
    private readonly xrefs: (line: string) => Reference[],
  ) {}

  /** Reads the block of `n` lines; true with this.row filled, false when the text path must. */
  read(lines: readonly ByteLine[], n: number): boolean {
    const head = lines[0];
    if (head === undefined || n < 2) return false;
    const row = this.row;
    if (!this.readHead(head)) return false;
    const sigKey = this.sigKey;

    let i = 1;
    row.classification = null;
    row.priority = null;
    const cls = lines[i]!;
    if (startsWith(cls.buf, cls.start, cls.end, CLASSIFICATION) || startsWith(cls.buf, cls.start, cls.end, PRIORITY)) {
      const c = this.repeated(this.classLines, sigKey, cls, classLine);
      if (c === null) return false;
      row.classification = c.classification;
      row.priority = c.priority;
      i++;
    }

    const tsLine = lines[i];
    if (tsLine === undefined || i >= n) return false;
    // Placing a time is repeatable (year inference gives the same answer twice), so a block
    // declined after this point is placed again by the text path without drifting.
    const timeUs = this.readTime(tsLine);
    if (timeUs === null) return false;
    row.timeUs = timeUs;
    i++;
    // IPv4 pairs are read here from their octets; anything else waits for the protocol and goes
    // through the text path's address parser, as it would have.
    let addrText: string | null = null;
    const v4 = this.readV4Pair(tsLine.buf, this.at, tsLine.end);
    if (!v4) {
      addrText = tsLine.buf.toString('utf8', this.at, tsLine.end);
      if (addrText.includes('\ufffd') || !addrText.includes(' -> ') || /type:0x/i.test(addrText)) return false;
    }

    let protocol: number | null = null;
    let ip = '';
    let transport = '';
    let transportSeen = false;
    let references: Reference[] | null = null;
    for (; i < n; i++) {
      const l = lines[i]!;
      const { buf, start, end } = l;
      if (startsWith(buf, start, end, XREF)) {
        const refs = this.repeated(this.xrefLines, sigKey, l, this.xrefs);
        if (refs === null) return false;
        references = references === null || references.length === 0 ? refs : [...references, ...refs];
      } else if (protocol === null && indexIn(buf, start, end, TTL) !== -1) {
        if (transportSeen) return false;
        protocol = this.readIpLine(buf, start, end);
        if (protocol === null) return false;
        ip = this.ipJson;
      } else {
        const t = this.readTransport(buf, start, end);
        if (t === false) return false;
        if (t !== null) {
          if (transportSeen) return false;
          transportSeen = true;
          transport = t;
        }
      }
    }

    if (v4) {
      // A port printed for a protocol that has none is a bad address in the text path.
      const ports = protocol === null || protocol === 6 || protocol === 17 || protocol === 132;
      if (!ports && (this.srcPort !== null || this.dstPort !== null)) return false;
      // The bytes of a canonical dotted quad are its canonical text (a flat string, cheap to
      // hash, copy and post, where one built from the octets would be a concatenation).
      row.srcIp = tsLine.buf.toString('latin1', this.srcText, this.srcText + this.srcLength);
      row.srcPort = this.srcPort;
      row.dstIp = tsLine.buf.toString('latin1', this.dstText, this.dstText + this.dstLength);
      row.dstPort = this.dstPort;
      row.srcV4 = this.srcV4;
      row.dstV4 = this.dstV4;
    } else {
      const pair = parseAddressPair(addrText!, protocol);
      if (!pair) return false;
      row.srcIp = pair.src.ip;
      row.srcPort = pair.src.port;
      row.dstIp = pair.dst.ip;
      row.dstPort = pair.dst.port;
      row.srcV4 = -1;
      row.dstV4 = -1;
    }
    row.protocol = protocol;
    row.refs = references !== null && references.length > 0 ? referencesJson(references) : null;
    const details = ip + transport;
    row.details = details === '' ? null : `{${details.slice(1)}}`;
    row.sensor = this.sensor;
    row.offset = head.offset;
    row.line = head.lineNo;
    return true;
  }

  /** `[**] [g:s:r] message [**]`: the ids as parseSigId reads them, the message decoded. */
  private readHead(l: ByteLine): boolean {
    const { buf, start, end } = l;
    if (!startsWith(buf, start, end, HEAD)) return false;
    const open = start + HEAD.length - 1;
    const nums = [0, 0, 0];
    let k = 0;
    let digits = 0;
    let sigEnd = -1;
    for (let i = open + 1; i < end && i < open + 40; i++) {
      const c = buf[i]!;
      if (c >= 0x30 && c <= 0x39) {
        nums[k] = nums[k]! * 10 + (c - 0x30);
        if (++digits > 10) return false;
      } else if (c === COLON && digits > 0 && k < 2) {
        k++;
        digits = 0;
      } else if (c === RBRACKET && digits > 0 && k === 2) {
        sigEnd = i + 1;
        break;
      } else {
        return false;
      }
    }
    if (sigEnd === -1) return false;
    const [gid, sid, rev] = nums as [number, number, number];
    if (gid > 0xffffffff || sid > 0xffffffff || rev > 0xffffffff) return false;
    // The text path skips one character after `]`; a multi-byte one would shift the message.
    if (sigEnd < end && buf[sigEnd]! >= 0x80) return false;
    let msgEnd = end;
    if (end - start >= HEAD_END.length && startsWith(buf, end - HEAD_END.length, end, HEAD_END)) msgEnd -= HEAD_END.length;
    const sigKey = gid < MAX_CACHED_GID ? gid * 2 ** 32 + sid : -1;
    const m = this.messageRange;
    m.buf = buf;
    m.start = sigEnd + 1;
    m.end = msgEnd;
    const message = this.repeated(this.messages, sigKey, m, trim);
    m.buf = EMPTY;
    if (message === null) return false;
    const row = this.row;
    row.gid = gid;
    row.sid = sid;
    row.rev = rev;
    row.message = message;
    this.sigKey = sigKey;
    return true;
  }

  /**
   * The value of a line this signature printed before, compared byte for byte; otherwise the
   * line decoded and parsed. Null when the line does not decode cleanly (the text path warns).
   */
  private repeated<T>(cache: Map<number, RepeatedLine<T>>, key: number, l: ByteLine, parse: (text: string) => T): T | null {
    const seen = key === -1 ? undefined : cache.get(key);
    if (seen !== undefined && seen.bytes.length === l.end - l.start && l.buf.compare(seen.bytes, 0, seen.bytes.length, l.start, l.end) === 0) {
      return seen.value;
    }
    const text = l.buf.toString('utf8', l.start, l.end);
    if (text.includes('\ufffd')) return null;
    const value = parse(text);
    if (key !== -1) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, { bytes: Buffer.from(l.buf.subarray(l.start, l.end)), value });
    }
    return value;
  }

  /** Two decimal digits at i, or -1. */
  private static d2(buf: Buffer, i: number): number {
    const a = buf[i]! - 0x30;
    const b = buf[i + 1]! - 0x30;
    return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
  }

  /**
   * `MM/DD[/YY]-hh:mm:ss[.u{0,6}]` and the space after it, as parseSnortTimestamp reads it;
   * this.at is left on the address text.
   */
  private readTime(l: ByteLine): number | null {
    const { buf, start, end } = l;
    const w = this.wall;
    if (end - start < 15 || buf[start + 2] !== 0x2f) return null;
    const month = FullBlockReader.d2(buf, start);
    const day = FullBlockReader.d2(buf, start + 3);
    let i = start + 5;
    w.year = undefined;
    if (buf[i] === 0x2f) {
      const yy = FullBlockReader.d2(buf, i + 1);
      if (yy < 0) return null;
      w.year = 2000 + yy;
      i += 3;
    }
    if (i + 9 > end || buf[i] !== 0x2d || buf[i + 3] !== COLON || buf[i + 6] !== COLON) return null;
    const hour = FullBlockReader.d2(buf, i + 1);
    const minute = FullBlockReader.d2(buf, i + 4);
    const second = FullBlockReader.d2(buf, i + 7);
    if (month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
    let j = i + 9;
    let micro = 0;
    if (buf[j] === DOT) {
      j++;
      let digits = 0;
      for (; j < end && digits < 6; j++, digits++) {
        const c = buf[j]! - 0x30;
        if (c < 0 || c > 9) break;
        micro = micro * 10 + c;
      }
      for (; digits < 6; digits++) micro *= 10;
    }
    if (j >= end || buf[j] !== SP) return null;
    w.month = month;
    w.day = day;
    w.hour = hour;
    w.minute = minute;
    w.second = second;
    w.micro = micro;
    this.at = j + 1;
    return this.time.toEpochMicros(w);
  }

  private srcV4 = 0;
  private dstV4 = 0;
  /** Where the dotted quads are in the line, and their lengths. */
  private srcText = 0;
  private srcLength = 0;
  private dstText = 0;
  private dstLength = 0;
  private srcPort: number | null = null;
  private dstPort: number | null = null;

  /** `a.b.c.d[:port] -> e.f.g.h[:port]` to the end of the line, canonical dotted quads only. */
  private readV4Pair(buf: Buffer, from: number, end: number): boolean {
    const src = this.readV4(buf, from, end);
    if (src < 0) return false;
    this.srcV4 = src;
    this.srcText = from;
    this.srcLength = this.at - from;
    this.srcPort = this.readPort(buf, end);
    if (this.srcPort === -1 || !startsWith(buf, this.at, end, ARROW)) return false;
    this.dstText = this.at + ARROW.length;
    const dst = this.readV4(buf, this.dstText, end);
    if (dst < 0) return false;
    this.dstV4 = dst;
    this.dstLength = this.at - this.dstText;
    this.dstPort = this.readPort(buf, end);
    return this.dstPort !== -1 && this.at === end;
  }

  /** A canonical dotted quad (no leading zeros, parts ≤ 255) as a number, or -1. */
  private readV4(buf: Buffer, from: number, end: number): number {
    let value = 0;
    let i = from;
    for (let part = 0; part < 4; part++) {
      if (part > 0) {
        if (buf[i] !== DOT) return -1;
        i++;
      }
      let v = 0;
      let digits = 0;
      for (; i < end && digits < 4; i++, digits++) {
        const c = buf[i]! - 0x30;
        if (c < 0 || c > 9) break;
        if (digits > 0 && v === 0) return -1;
        v = v * 10 + c;
      }
      if (digits === 0 || digits > 3 || v > 255) return -1;
      value = value * 256 + v;
    }
    this.at = i;
    return value;
  }

  /** `:port` (1 to 5 digits, ≤ 65535, as splitPort reads it) at this.at; null if none, -1 if bad. */
  private readPort(buf: Buffer, end: number): number | null {
    if (buf[this.at] !== COLON) return null;
    const from = ++this.at;
    const port = this.decimal(buf, end);
    return port < 0 || this.at - from > 5 || port > 65535 ? -1 : port;
  }

  /** A decimal number at this.at: -1 without a digit, -2 with too many to read exactly. */
  private decimal(buf: Buffer, end: number): number {
    let i = this.at;
    let v = 0;
    const from = i;
    for (; i < end; i++) {
      const c = buf[i]! - 0x30;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
    }
    if (i === from) return -1;
    if (i - from > MAX_DECIMAL_DIGITS) return -2;
    this.at = i;
    return v;
  }

  private hex(buf: Buffer, end: number): number {
    let i = this.at;
    let v = 0;
    const from = i;
    for (; i < end; i++) {
      const d = hexValue(buf[i]!);
      if (d < 0) break;
      v = v * 16 + d;
    }
    if (i === from || i - from > MAX_HEX_DIGITS) return -1;
    this.at = i;
    return v;
  }

  /** Skips `lit` at this.at; false if it is not there. */
  private expect(buf: Buffer, end: number, lit: Buffer): boolean {
    if (!startsWith(buf, this.at, end, lit)) return false;
    this.at += lit.length;
    return true;
  }

  /** One or more spaces at this.at (what `\s+` matches in the text path, given plain ASCII). */
  private spaces(buf: Buffer, end: number): boolean {
    const from = this.at;
    while (this.at < end && buf[this.at] === SP) this.at++;
    return this.at > from;
  }

  /** JSON members of the IP line read last (with a leading comma). */
  private ipJson = '';

  /** `PROTO TTL:n TOS:0xh ID:n IpLen:n DgmLen:n ...`: the protocol number, or null to decline. */
  private readIpLine(buf: Buffer, start: number, end: number): number | null {
    if (!plainAscii(buf, start, end)) return null;
    let sp = start;
    while (sp < end && buf[sp] !== SP) {
      const c = buf[sp]!;
      // A token of letters, digits and '-' cannot hide a "TTL:" of its own.
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d)) return null;
      sp++;
    }
    const token = buf.toString('latin1', start, sp);
    const protocol = token === 'TCP' ? 6 : token === 'UDP' ? 17 : token === 'ICMP' ? 1 : protocolNumber(token);
    this.at = sp;
    if (!this.expect(buf, end, TTL)) return null;
    const ttl = this.decimal(buf, end);
    if (ttl < 0 || !this.expect(buf, end, TOS)) return null;
    const tos = this.hex(buf, end);
    if (tos < 0 || !this.expect(buf, end, ID)) return null;
    const id = this.decimal(buf, end);
    if (id < 0 || !this.expect(buf, end, IP_LEN)) return null;
    const ipLen = this.decimal(buf, end);
    if (ipLen < 0 || !this.expect(buf, end, DGM_LEN)) return null;
    const dgmLen = this.decimal(buf, end);
    if (dgmLen < 0) return null;
    // The text path turns an unknown protocol into null and would then read a later TTL line.
    if (protocol === null) return null;
    this.ipJson = `,"ttl":${ttl},"tos":${tos},"ipId":${id},"ipLen":${ipLen},"dgmLen":${dgmLen}`;
    return protocol;
  }

  /**
   * A TCP, UDP or ICMP header line: its JSON members (leading comma); null for a line the text
   * path ignores too; false to decline the block.
   */
  private readTransport(buf: Buffer, start: number, end: number): string | null | false {
    if (!plainAscii(buf, start, end)) return false;
    this.at = start;
    if (end - start >= 8) {
      let flags = true;
      for (let k = 0; k < 8 && flags; k++) flags = isFlag(buf[start + k]!);
      if (flags) return this.readTcp(buf, start, end);
    }
    if (startsWith(buf, start, end, UDP_LEN)) {
      this.at = start + UDP_LEN.length;
      const len = this.decimal(buf, end);
      return len < 0 ? false : `,"udpLen":${len}`;
    }
    if (startsWith(buf, start, end, TYPE)) return this.readIcmp(buf, start, end);
    return null;
  }

  private readTcp(buf: Buffer, start: number, end: number): string | false {
    this.at = start + 8;
    if (!this.expect(buf, end, SEQ)) return false;
    const seq = this.hex(buf, end);
    if (seq < 0 || !this.spaces(buf, end) || !this.expect(buf, end, ACK)) return false;
    const ack = this.hex(buf, end);
    if (ack < 0 || !this.spaces(buf, end) || !this.expect(buf, end, WIN)) return false;
    const win = this.hex(buf, end);
    if (win < 0 || !this.spaces(buf, end) || !this.expect(buf, end, TCP_LEN)) return false;
    const len = this.decimal(buf, end);
    if (len < 0) return false;
    return `,"tcpFlags":"${this.flags(buf, start)}","tcpSeq":${seq},"tcpAck":${ack},"tcpWin":${win},"tcpLen":${len}`;
  }

  private flags(buf: Buffer, start: number): string {
    // Eight characters of a 40-letter alphabet: a number that fits a double exactly.
    let key = 0;
    for (let k = 0; k < 8; k++) key = key * 91 + buf[start + k]!;
    let t = this.flagTexts.get(key);
    if (t === undefined) {
      t = buf.toString('latin1', start, start + 8);
      if (this.flagTexts.size >= CACHE_LIMIT) this.flagTexts.clear();
      this.flagTexts.set(key, t);
    }
    return t;
  }

  /** `Type:n  Code:n[  ID:n   Seq:n]...`; the ID/Seq pair is all or nothing, as in the text path. */
  private readIcmp(buf: Buffer, start: number, end: number): string | false {
    this.at = start + TYPE.length;
    const type = this.decimal(buf, end);
    if (type < 0 || !this.spaces(buf, end) || !this.expect(buf, end, CODE)) return false;
    const code = this.decimal(buf, end);
    if (code < 0) return false;
    let json = `,"icmpType":${type},"icmpCode":${code}`;
    if (this.spaces(buf, end) && this.expect(buf, end, ICMP_ID)) {
      const id = this.decimal(buf, end);
      if (id === -2) return false;
      if (id >= 0 && this.spaces(buf, end) && this.expect(buf, end, ICMP_SEQ)) {
        const seq = this.decimal(buf, end);
        if (seq === -2) return false;
        if (seq >= 0) json += `,"icmpId":${id},"icmpSeq":${seq}`;
      }
    }
    return json;
  }
}

/** What a released line points at (it must not keep a read chunk alive). */
export const EMPTY = Buffer.alloc(0);

const trim = (text: string): string => text.trim();

/** `[Classification: c] [Priority: n]` (either may be missing), as the text path reads it. */
export function classLine(text: string): ClassLine {
  const c = /\[Classification: ([^\]]*)\]/.exec(text);
  const p = /\[Priority: (\d+)\]/.exec(text);
  return { classification: c ? (c[1] ?? null) : null, priority: p ? Number(p[1]) : null };
}
