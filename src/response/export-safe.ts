/**
 * The only way data reaches an exported firewall file. Nothing stored is interpolated as-is:
 * addresses are parsed again and printed canonically (ipaddr.js), comments are reduced to a
 * small alphabet that is inert in every target syntax (no quotes, semicolons, braces, `#`,
 * `!`, backslashes or line breaks) and bounded to the target's limit, and the names that
 * options give (table, set, chain, ACL) must be plain identifiers.
 */
import ipaddr from 'ipaddr.js';
import { SnarfError } from '../errors.js';
import type { ResponseAction } from '../policy/types.js';

export interface SafeAddress {
  family: 4 | 6;
  /** Canonical text: dotted quad, or RFC 5952. */
  text: string;
}

/**
 * Canonical address or null. IPv4-mapped IPv6 becomes IPv4; shorthand IPv4 (`10.1`), zone ids,
 * CIDRs and the unspecified / loopback / broadcast addresses are refused: blocking them would
 * be a mistake, not a response.
 */
export function safeAddress(text: string): SafeAddress | null {
  if (typeof text !== 'string' || text.length > 45 || text.includes('%') || text.includes('/')) return null;
  let a: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    a = ipaddr.parse(text);
  } catch {
    return null;
  }
  if (a.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  const range = a.range();
  if (range === 'unspecified' || range === 'loopback' || range === 'broadcast') return null;
  return a.kind() === 'ipv4' ? { family: 4, text: a.toString() } : { family: 6, text: (a as ipaddr.IPv6).toRFC5952String() };
}

/** Free text for a comment or remark: letters, digits, space and `._:@+=,-` only, bounded. */
export function safeComment(text: string, max: number): string {
  const s = text.normalize('NFKD').replace(/[^A-Za-z0-9 ._:@+=,-]+/g, '_').replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max).trimEnd() : s;
}

/** A table, set, chain or ACL name from an option: refused (not cleaned) when not plain. */
export function safeName(what: string, name: string, max = 28): string {
  if (!new RegExp(`^[A-Za-z][A-Za-z0-9_-]{0,${max - 1}}$`).test(name)) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `${what} "${safeComment(name, 40)}" must start with a letter and hold only letters, digits, _ and - (at most ${max})`);
  }
  return name;
}

/** One approved action as the exporters see it (src/response/service.ts builds them from proposals). */
export interface ExportAction {
  id: number;
  action: ResponseAction;
  target: string;
  kind: string;
  expiresUs: number;
  decidedBy: string;
}

/** An action ready to print: address re-parsed; actions that fail are dropped and counted. */
export interface SafeAction extends ExportAction {
  addr: SafeAddress;
}

export function safeActions(actions: readonly ExportAction[], nowUs: number): { actions: SafeAction[]; dropped: number[] } {
  const out: SafeAction[] = [];
  const dropped: number[] = [];
  for (const a of actions) {
    const addr = safeAddress(a.target);
    // Expired actions never print, whatever the caller passed: the export is the last gate.
    if (!addr || !Number.isFinite(a.expiresUs) || a.expiresUs <= nowUs || !Number.isSafeInteger(a.id)) {
      dropped.push(a.id);
      continue;
    }
    out.push({ ...a, addr });
  }
  out.sort((x, y) => x.addr.family - y.addr.family || x.addr.text.localeCompare(y.addr.text) || x.id - y.id);
  return { actions: out, dropped };
}

export function isoSeconds(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The comment text every format carries for an action (then cut to the format's limit). */
export function actionComment(a: ExportAction, max: number): string {
  // The decider's name is bounded first so that the expiry is never the part cut off.
  return safeComment(`snarf P${a.id} ${a.action} ${safeComment(a.kind, 16)} by ${safeComment(a.decidedBy, 24) || 'unknown'} until ${isoSeconds(a.expiresUs)}`, max);
}
