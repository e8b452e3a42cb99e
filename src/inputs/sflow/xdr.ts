/**
 * A bounded XDR (RFC 4506) reader over one datagram. Every read checks the current limit and
 * throws XdrOverrun instead of reading further, so a lying length field can at worst end the
 * current sample: the datagram decoder catches it, keeps what it decoded and warns.
 *
 * Limits nest: `enter(len)` narrows the window to a sample or record body and returns a token that
 * `leave()` uses to jump to the body's end (skipping fields we did not read, which is how sFlow
 * extends records). No allocation per record: the hot path is integer arithmetic on one buffer.
 */

export class XdrOverrun extends Error {
  constructor(readonly offset: number, readonly wanted: number, readonly limit: number) {
    super(`read of ${wanted} bytes at offset ${offset} passes the end at ${limit}`);
    this.name = 'XdrOverrun';
  }
}

export class XdrReader {
  pos: number;
  /** Exclusive end of the readable window (the datagram, or the record being read). */
  end: number;

  constructor(readonly buf: Uint8Array, start = 0, end = buf.length) {
    this.pos = start;
    this.end = Math.min(end, buf.length);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new XdrOverrun(this.pos, n, this.end);
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    // `* 2**24` rather than `<< 24` keeps the value unsigned without a `>>> 0`.
    return (b[p]! * 0x1000000) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** unsigned hyper as a number: exact below 2^53, which covers byte and packet totals in practice. */
  u64n(): number {
    const hi = this.u32();
    const lo = this.u32();
    return hi * 0x100000000 + lo;
  }

  /** unsigned hyper, exact. */
  u64(): bigint {
    const hi = this.u32();
    const lo = this.u32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** Fixed-length opaque (no length prefix), padded to 4. Returns a view, not a copy. */
  fixed(n: number): Uint8Array {
    const padded = (n + 3) & ~3;
    this.need(padded);
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += padded;
    return view;
  }

  /** Variable-length opaque<>: u32 length + bytes + padding. `max` bounds the declared length. */
  opaque(max = Infinity): Uint8Array {
    const len = this.u32();
    if (len > max) throw new XdrOverrun(this.pos, len, this.pos + max);
    return this.fixed(len);
  }

  /** Narrow the window to the next `len` bytes; returns the outer end for `leave`. */
  enter(len: number): number {
    this.need(len);
    const outer = this.end;
    this.end = this.pos + len;
    return outer;
  }

  /** Jump to the end of the entered window (skipping unread trailing fields) and widen it again. */
  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }
}
