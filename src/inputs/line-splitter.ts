/**
 * Splits a byte stream into lines without ever buffering more than one bounded line.
 * Push-based with a callback (no per-line promise or object) because legacy imports run to
 * tens of millions of lines. Reports byte offsets so every warning can name file:line@offset.
 */

export interface LineSink {
  /** A line (without its LF and any trailing CR); `unterminated` for a last line with no LF. */
  line(text: string, lineNo: number, offset: number, unterminated: boolean): void;
  /** A line longer than the bound: skipped, never held whole. */
  tooLong(lineNo: number, offset: number, bytes: number): void;
  /** A line whose bytes are not valid UTF-8 (the text carries U+FFFD in their place). */
  badUtf8?(lineNo: number, offset: number): void;
  /**
   * A terminated line's bytes (without LF or trailing CR), offered before any decoding: a sink
   * that reads them itself returns true and line() is not called. `buf` is only valid until
   * chunkEnd(); `decode` gives a held line's text later, reporting bad UTF-8 as line() would have.
   */
  lineBytes?(buf: Buffer, start: number, end: number, lineNo: number, offset: number, decode: LineDecoder): boolean;
  /** The chunk passed to push() may be reused from now on: copy any bytes still held. */
  chunkEnd?(): void;
}

/** The text of a line given as bytes, with bad UTF-8 reported as for any other line. */
export type LineDecoder = (buf: Buffer, start: number, end: number, lineNo: number, offset: number) => string;

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lineStart = 0;
  private lineNo = 1;
  private skippingLong = false;
  private longBytes = 0;
  /** Bytes consumed through the last complete line: where a follower may safely resume. */
  private consumed = 0;
  /** Absolute offset of the next byte to arrive, and of the current chunk's first byte. */
  private streamPos = 0;
  private chunkBase = 0;

  private readonly decoder: LineDecoder = (buf, start, end, lineNo, offset) => this.decode(buf, start, end, lineNo, offset);

  constructor(private readonly sink: LineSink, private readonly maxLineBytes = 1 << 20, startOffset = 0, startLine = 1) {
    this.lineStart = startOffset;
    this.consumed = startOffset;
    this.streamPos = startOffset;
    this.lineNo = startLine;
  }

  /** Offset just past the last complete line (a safe bookmark). */
  get safeOffset(): number {
    return this.consumed;
  }

  /** Line number of the next line to be read. */
  get nextLine(): number {
    return this.lineNo;
  }

  /** Bytes of an unfinished trailing line held so far. */
  get partialBytes(): number {
    return this.skippingLong ? this.longBytes : this.pendingBytes;
  }

  push(chunk: Buffer): void {
    this.chunkBase = this.streamPos;
    this.streamPos += chunk.length;
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      const nl = chunk.indexOf(LF, pos);
      if (nl === -1) {
        this.holdPartial(chunk, pos, len);
        break;
      }
      if (this.skippingLong) {
        this.longBytes += nl - pos;
        this.sink.tooLong(this.lineNo, this.lineStart, this.longBytes);
        this.skippingLong = false;
        this.longBytes = 0;
      } else if (this.pendingBytes > 0) {
        if (this.pendingBytes + (nl - pos) > this.maxLineBytes) {
          this.sink.tooLong(this.lineNo, this.lineStart, this.pendingBytes + (nl - pos));
        } else {
          this.pending.push(chunk.subarray(pos, nl));
          this.emit(Buffer.concat(this.pending), 0, this.pendingBytes + (nl - pos), false);
        }
        this.pending = [];
        this.pendingBytes = 0;
      } else if (nl - pos > this.maxLineBytes) {
        this.sink.tooLong(this.lineNo, this.lineStart, nl - pos);
      } else {
        this.emit(chunk, pos, nl, false);
      }
      this.lineStart = this.chunkBase + nl + 1;
      this.consumed = this.lineStart;
      this.lineNo++;
      pos = nl + 1;
    }
    this.sink.chunkEnd?.();
  }

  /**
   * End of input. A final line without LF is delivered only when `final` (a finished file);
   * a follower passes false and waits for the rest of the line.
   */
  end(final: boolean): void {
    if (!final) return;
    if (this.skippingLong) {
      this.sink.tooLong(this.lineNo, this.lineStart, this.longBytes);
    } else if (this.pendingBytes > 0) {
      const buf = Buffer.concat(this.pending);
      this.emit(buf, 0, buf.length, true);
    } else {
      return;
    }
    this.lineStart = this.streamPos;
    this.consumed = this.lineStart;
    this.pending = [];
    this.pendingBytes = 0;
    this.skippingLong = false;
    this.longBytes = 0;
    this.lineNo++;
  }

  private holdPartial(chunk: Buffer, pos: number, len: number): void {
    const n = len - pos;
    if (this.skippingLong) {
      this.longBytes += n;
      return;
    }
    if (this.pendingBytes + n > this.maxLineBytes) {
      this.skippingLong = true;
      this.longBytes = this.pendingBytes + n;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    // Copy: the caller may reuse its chunk buffer.
    this.pending.push(Buffer.from(chunk.subarray(pos, len)));
    this.pendingBytes += n;
  }

  private emit(buf: Buffer, start: number, end: number, unterminated: boolean): void {
    let e = end;
    if (e > start && buf[e - 1] === CR) e--;
    if (!unterminated && this.sink.lineBytes?.(buf, start, e, this.lineNo, this.lineStart, this.decoder)) return;
    this.sink.line(this.decode(buf, start, e, this.lineNo, this.lineStart), this.lineNo, this.lineStart, unterminated);
  }

  private decode(buf: Buffer, start: number, end: number, lineNo: number, offset: number): string {
    const text = buf.toString('utf8', start, end);
    if (this.sink.badUtf8 && text.includes('\ufffd') && !hasLiteralReplacementChar(buf, start, end)) {
      this.sink.badUtf8(lineNo, offset);
    }
    return text;
  }
}

/** U+FFFD written literally in the input (EF BF BD) is valid UTF-8, not a decoding error. */
function hasLiteralReplacementChar(buf: Buffer, start: number, end: number): boolean {
  const i = buf.indexOf(Buffer.from([0xef, 0xbf, 0xbd]), start);
  return i !== -1 && i < end;
}
