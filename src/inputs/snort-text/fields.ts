/**
 * Field parsers shared by the Snort text formats: `[g:s:r]`, `[Classification: ...]`,
 * `[Priority: n]`, `{PROTO}` and `src -> dst` with IPv6's last-colon port rule.
 */
import { canonicalIp } from '../../model/ip.js';
import { protocolNumber } from '../../model/alert.js';

export interface SigId {
  gid: number;
  sid: number;
  rev: number;
}

/** `[1:1000032:1]` at `start` (which must point at '['); returns the ids and the index after ']'. */
export function parseSigId(s: string, start: number): { sig: SigId; end: number } | null {
  if (s.charCodeAt(start) !== 0x5b) return null;
  const nums = [0, 0, 0];
  let k = 0;
  let digits = 0;
  for (let i = start + 1; i < s.length && i < start + 40; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      nums[k] = nums[k]! * 10 + (c - 48);
      if (++digits > 10) return null;
    } else if (c === 58 && digits > 0 && k < 2) {
      k++;
      digits = 0;
    } else if (c === 93 && digits > 0 && k === 2) {
      const [gid, sid, rev] = nums as [number, number, number];
      if (!isUint(gid) || !isUint(sid) || !isUint(rev)) return null;
      return { sig: { gid, sid, rev }, end: i + 1 };
    } else {
      return null;
    }
  }
  return null;
}

function isUint(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

export interface Endpoint {
  ip: string;
  port: number | null;
}

/**
 * One side of `src -> dst`. Ports are printed only for TCP/UDP; with IPv6 the port is the text
 * after the last colon, which alone is ambiguous, so the protocol decides whether there is one.
 */
export function parseEndpoint(text: string, protocol: number | null): Endpoint | null {
  const t = text.trim();
  const hasPorts = protocol === 6 || protocol === 17 || protocol === 132;
  if (hasPorts || protocol === null) {
    // Unknown protocol (alert_full without its IP line): a text valid as a whole address is
    // taken as one, since `2001:db8::1:80` could be either.
    if (protocol === null) {
      const whole = canonicalIp(t);
      if (whole !== null) return { ip: whole, port: null };
    }
    const withPort = splitPort(t);
    if (withPort) return withPort;
  }
  const whole = canonicalIp(t);
  return whole === null ? null : { ip: whole, port: null };
}

function splitPort(t: string): Endpoint | null {
  const colon = t.lastIndexOf(':');
  if (colon <= 0 || colon === t.length - 1 || t.length - colon > 6) return null;
  let port = 0;
  for (let i = colon + 1; i < t.length; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    port = port * 10 + c;
  }
  if (port > 65535) return null;
  const ip = canonicalIp(t.slice(0, colon));
  return ip === null ? null : { ip, port };
}

/** `src -> dst` */
export function parseAddressPair(text: string, protocol: number | null): { src: Endpoint; dst: Endpoint } | null {
  const arrow = text.indexOf(' -> ');
  if (arrow === -1) return null;
  const src = parseEndpoint(text.slice(0, arrow), protocol);
  const dst = parseEndpoint(text.slice(arrow + 4), protocol);
  if (!src || !dst) return null;
  return { src, dst };
}

export interface Tail {
  classification: string | null;
  priority: number | null;
  protocol: number | null;
  protocolText: string;
  addresses: string;
  /** Index where the message ends (start of the classification/priority/protocol tail). */
  messageEnd: number;
}

/**
 * Parses the right-hand tail of a fast/syslog body: `[Classification: c] [Priority: n] {P} a -> b`.
 * Done from the right so that a message containing brackets cannot confuse it.
 */
export function parseTail(s: string, from: number): Tail | null {
  const brace = s.lastIndexOf(' {');
  if (brace < from) return null;
  const closeBrace = s.indexOf('} ', brace);
  if (closeBrace === -1) return null;
  const protocolText = s.slice(brace + 2, closeBrace);
  const protocol = protocolNumber(protocolText);
  const addresses = s.slice(closeBrace + 2);
  let end = brace;
  let priority: number | null = null;
  let classification: string | null = null;
  const pri = s.lastIndexOf('[Priority: ', end);
  if (pri >= from && s.charCodeAt(end - 1) === 0x5d) {
    const n = Number(s.slice(pri + 11, end - 1));
    if (Number.isInteger(n)) {
      priority = n;
      end = pri > 0 && s.charCodeAt(pri - 1) === 0x20 ? pri - 1 : pri;
    }
  }
  const cls = s.lastIndexOf('[Classification: ', end);
  if (cls >= from && s.charCodeAt(end - 1) === 0x5d) {
    classification = s.slice(cls + 17, end - 1);
    end = cls > 0 && s.charCodeAt(cls - 1) === 0x20 ? cls - 1 : cls;
  }
  return { classification, priority, protocol, protocolText, addresses, messageEnd: end };
}
