/**
 * Alert identity: what makes two records the same alert, so re-imports, restarts and the same
 * alert read from several Snort outputs never count twice.
 *
 * The identity is (sensor, packet time in µs, gid:sid:rev, protocol, addresses, ports, n), where
 * n is the occurrence of that tuple within the file. unified2, alert_fast, alert_full and
 * alert_csv of one run carry the same alerts in the same order with the same packet times (once
 * the text formats are given the sensor's zone), so they produce the same keys and merge into one
 * alert each. syslog carries the logging time rather than the packet time, so it never merges.
 * unified2 event ids are not used: text outputs do not print them, and Snort restarts them on
 * every start, so they would not be unique anyway.
 */
import type { Alert } from './alert.js';

/** The tuple part of a text identity; the occurrence number completes it. */
export function textTuple(a: Alert): string {
  return tupleOf(a.sensor, a.timeUs, a.gid, a.sid, a.rev, a.protocol, a.srcIp, a.srcPort, a.dstIp, a.dstPort);
}

/** textTuple from the fields themselves (row batches carry no Alert objects). */
export function tupleOf(
  sensor: string, timeUs: number, gid: number, sid: number, rev: number, protocol: number | null,
  srcIp: string | null, srcPort: number | null, dstIp: string | null, dstPort: number | null,
): string {
  return `t|${sensor}|${timeUs}|${gid}:${sid}:${rev}|${protocol ?? ''}|${srcIp ?? ''}|${srcPort ?? ''}|${dstIp ?? ''}|${dstPort ?? ''}`;
}

export function textIdentity(tuple: string, occurrence: number): string {
  return `${tuple}|${occurrence}`;
}

/**
 * 53-bit digest of an identity (two multiplicative 32-bit lanes, cyrb53-style), stored beside
 * the timestamp: two alerts collide only if they share the microsecond and 53 bits of digest.
 * Not cryptographic on purpose: hashing runs once per alert on multi-million-alert imports,
 * and an attacker would have to know another alert's exact microsecond to aim a collision.
 */
export function identityHash(identity: string): number {
  return hashChars(identity, '', -1);
}

/**
 * identityHash(textIdentity(tuple, occurrence)) without building the identity string: the
 * parse workers hash a million of them, and each would be garbage the moment it was hashed.
 */
export function identityHashOf(tuple: string, occurrence: number): number {
  return hashChars(tuple, '|', occurrence);
}

/** cyrb53 over `text`, then (when occurrence >= 0) over sep and the decimal digits of occurrence. */
function hashChars(text: string, sep: string, occurrence: number): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  if (occurrence >= 0) {
    const tail = sep + String(occurrence);
    for (let i = 0; i < tail.length; i++) {
      const c = tail.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Numbers repeated identical tuples within one file. Identical tuples share a timestamp, so
 * they are grouped by it (cheap numeric keys); the window is bounded (two generations) so
 * memory stays flat on huge files, which is safe because such repeats sit close together.
 */
export class OccurrenceCounter {
  private current = new Map<number, string | string[]>();
  private previous = new Map<number, string | string[]>();

  constructor(private readonly generation = 4096) {}

  next(timeUs: number, tuple: string): number {
    // The low 32 bits: a small integer to V8's Map, where the whole time is a heap number and
    // hashes slowly. Times that share them share a list; the tuples (which hold the whole
    // time) still tell them apart.
    const key = timeUs | 0;
    const seen = this.current.get(key) ?? this.previous.get(key);
    let occ = 0;
    let list: string | string[];
    if (seen === undefined) {
      list = tuple;
    } else {
      const arr = typeof seen === 'string' ? [seen] : seen;
      for (const t of arr) if (t === tuple) occ++;
      arr.push(tuple);
      list = arr;
    }
    if (this.current.size >= this.generation && !this.current.has(key)) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, list);
    return occ;
  }
}
