/**
 * Options shared by the flow commands (p2p-report, hosts) and the flow options `snarf import`
 * gains for issue 5 (--home-net, --sflow-port, --flow-time), parsed before any file is read.
 */
import { Command, InvalidArgumentError } from 'commander';
import { cidrRange } from '../model/ip.js';
import { isValidZone } from '../inputs/sflow/zone.js';

export function parseCidr(v: string, prev: string[] = []): string[] {
  try {
    cidrRange(v);
  } catch {
    throw new InvalidArgumentError(`"${v}" is not a CIDR (e.g. 192.0.2.0/24, 2001:db8:1::/48)`);
  }
  return [...prev, v];
}

/** IANA names and fixed offsets (`+09:00`), as the daily report's zone functions take them. */
export function parseFlowZone(v: string): string {
  if (!isValidZone(v)) throw new InvalidArgumentError(`"${v}" is not a time zone (IANA name such as Asia/Tokyo, or an offset such as +09:00)`);
  return v;
}

export function parsePort(v: string, prev: number[] = []): number[] {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${v}" is not a port (1-65535)`);
  return [...prev, n];
}

export function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`"${v}" is not a non-negative number`);
  return n;
}

export function parsePortRange(v: string): [number, number] {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(v);
  if (!m || +m[1]! > +m[2]! || +m[2]! > 65535) throw new InvalidArgumentError(`"${v}" is not a port range LO-HI (e.g. 6881-6889)`);
  return [+m[1]!, +m[2]!];
}

export function parsePortList(v: string): number[] {
  const ports = v.split(',').map((x) => Number(x.trim()));
  if (ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) throw new InvalidArgumentError(`"${v}" is not a comma-separated port list`);
  return ports;
}

/** `2026-11-20` (start of that UTC day), an ISO 8601 time with zone, or epoch seconds; µs UTC. */
export function parseInstant(v: string): number {
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(/^\d{4}-\d\d-\d\d$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`"${v}" is not a time (YYYY-MM-DD, ISO 8601 or epoch seconds)`);
  return ms * 1000;
}

/** The flow options of `snarf import` (--home-net, --sflow-port, --flow-time). */
export function addFlowImportOptions(cmd: Command): Command {
  return cmd
    .option('--home-net <cidr>', 'internal network for sFlow and EVE flow inputs (repeatable); remembered by the store for later imports and reports', parseCidr)
    .option('--sflow-port <port>', 'UDP port that carries sFlow in captures (repeatable; default 6343)', parsePort)
    .option('--flow-time <iso>', 'time stamped on sflowtool -l lines, which carry none (default: the file modification time)', parseInstant);
}
