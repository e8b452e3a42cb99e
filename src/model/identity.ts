/**
 * Alert identity: what makes two records the same alert, so re-imports, restarts and the same
 * alert read from several Snort outputs never count twice.
 *
 * - unified2: (sensor, event_second, event_microsecond, event_id), as Snort assigns them.
 * - text: (sensor, packet time in µs, gid:sid:rev, protocol, addresses, ports, n), where n is
 *   the occurrence of that tuple within the file. alert_fast, alert_full and alert_csv of one
 *   run print the same alerts in the same order, so they produce the same keys and merge;
 *   syslog carries the logging time rather than the packet time, so it never merges with them.
 */
import { createHash } from 'node:crypto';
import type { Alert } from './alert.js';

/** The tuple part of a text identity; the occurrence number completes it. */
export function textTuple(a: Alert): string {
  return `t|${a.sensor}|${a.timeUs}|${a.gid}:${a.sid}:${a.rev}|${a.protocol ?? ''}|${a.srcIp ?? ''}|${a.srcPort ?? ''}|${a.dstIp ?? ''}|${a.dstPort ?? ''}`;
}

export function textIdentity(tuple: string, occurrence: number): string {
  return `${tuple}|${occurrence}`;
}

export function unified2Identity(a: Alert): string {
  const usec = a.timeUs % 1_000_000;
  return `u|${a.sensor}|${a.eventSecond ?? Math.floor(a.timeUs / 1_000_000)}|${usec}|${a.eventId ?? ''}`;
}

/** 16-byte digest of an identity: a fixed-size unique key however long the addresses are. */
export function identityDigest(identity: string): Buffer {
  return createHash('sha1').update(identity).digest().subarray(0, 16);
}

/**
 * Numbers repeated identical tuples within one file. The window is bounded (two generations)
 * so memory stays flat on huge files; identical tuples are adjacent in practice because the
 * tuple includes the microsecond timestamp.
 */
export class OccurrenceCounter {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();

  constructor(private readonly generation = 50_000) {}

  next(tuple: string): number {
    let n = this.current.get(tuple);
    if (n === undefined) n = this.previous.get(tuple);
    const occ = n === undefined ? 0 : n + 1;
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(tuple, occ);
    return occ;
  }
}
