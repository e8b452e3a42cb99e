/**
 * The "eEye-like" Winny monitor log (shared/formats/winny.md section 3): one event per line,
 * TAB (or comma) separated, an optional header naming the columns in any order.
 *
 * A line with a bad required field is a warning naming file:line and the reason, and is skipped;
 * a bad optional field is a warning too but the event is kept without that field (the format
 * says only required fields cost the line). A header that lacks a required column, or repeats
 * one, makes the whole file unreadable: that is a SnarfError, not one warning per line.
 */
import fs from 'node:fs';
import { SnarfError, type Warning } from '../../errors.js';
import { canonicalIp } from '../../model/ip.js';
import type { WinnyAction, WinnyEvent, WinnyKind } from '../../model/flow.js';
import { localToUtcUs, validWall } from '../sflow/zone.js';

export const DEFAULT_COLUMNS = [
  'timestamp', 'sensor', 'kind', 'host_ip', 'host_port', 'peer_ip', 'peer_port',
  'direction', 'proto', 'node_info', 'action', 'bytes',
] as const;
const REQUIRED = ['timestamp', 'sensor', 'kind', 'host_ip', 'action'] as const;
const KNOWN = new Set<string>(DEFAULT_COLUMNS);
const KINDS = new Set<string>(['winny', 'share', 'antinny', 'unknown']);
const ACTIONS = new Set<string>(['detect', 'reset', 'block']);
const FORMAT_LINE = '#format eeye-like-winny/1';

export interface WinnyLogOptions {
  file?: string;
  /** Zone of `YYYY/MM/DD HH:MM:SS` timestamps (no default: such lines are rejected without one). */
  timeZone?: string;
  onWarning?: (w: Warning) => void;
  /** Lines longer than this many bytes are skipped unread (default 65536). */
  maxLineBytes?: number;
}

const isoRe = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|([+-])(\d\d):?(\d\d))$/;
const localRe = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)$/;

/** µs UTC of a log timestamp, or a reason it is not one. */
export function parseWinnyTime(text: string, timeZone?: string): number | string {
  let m = isoRe.exec(text);
  if (m) {
    const w = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]! };
    if (!validWall(w)) return `timestamp "${text}" is not a valid date/time`;
    const off = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (+m[10]! * 60 + +m[11]!);
    const frac = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1e6) : 0;
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) * 1000 - off * 60e6 + frac;
  }
  m = localRe.exec(text);
  if (m) {
    const w = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]! };
    if (!validWall(w)) return `timestamp "${text}" is not a valid date/time`;
    if (timeZone === undefined) return `local timestamp "${text}" needs a configured time zone`;
    return localToUtcUs(w, timeZone);
  }
  return `timestamp "${text}" is neither ISO 8601 with an offset nor YYYY/MM/DD HH:MM:SS`;
}

export class WinnyLogParser {
  private columns: string[] | null = null;
  private sep: '\t' | ',' | null = null;

  constructor(private readonly opts: WinnyLogOptions = {}) {}

  private warn(line: number, message: string, code: Warning['code'] = 'SNARF_TEXT_BAD_LINE'): null {
    this.opts.onWarning?.({ code, message, file: this.opts.file, line });
    return null;
  }

  /** One line (no line end); returns the event it holds, or null (comment, header, blank, bad). */
  line(text: string, n: number): WinnyEvent | null {
    if (text.trim() === '') return null;
    if (text.startsWith('#')) {
      if (text.startsWith('#format ') && text.trim() !== FORMAT_LINE) {
        this.warn(n, `unknown format line "${text.trim()}"; reading as ${FORMAT_LINE.slice(8)}`);
      }
      return null;
    }
    if (this.columns === null) {
      this.sep = text.includes('\t') ? '\t' : ',';
      const names = text.split(this.sep).map((f) => f.trim().toLowerCase());
      if (names.includes('timestamp')) {
        this.setHeader(names, n);
        return null;
      }
      this.columns = [...DEFAULT_COLUMNS];
    }
    return this.event(text, n);
  }

  private setHeader(names: string[], n: number): void {
    const where = { file: this.opts.file, line: n };
    const dup = names.find((c, i) => names.indexOf(c) !== i);
    if (dup !== undefined) throw new SnarfError('SNARF_UNKNOWN_FORMAT', `Winny log header names column "${dup}" twice`, where);
    const missing = REQUIRED.filter((c) => !names.includes(c));
    if (missing.length > 0) {
      throw new SnarfError('SNARF_UNKNOWN_FORMAT', `Winny log header lacks required column(s): ${missing.join(', ')}`, where);
    }
    this.columns = names;
  }

  private event(text: string, n: number): WinnyEvent | null {
    const cols = this.columns!;
    const f = text.split(this.sep!).map((x) => x.trim());
    if (f.length !== cols.length) return this.warn(n, `${f.length} fields, the header names ${cols.length}`);
    const v: Record<string, string> = {};
    const extra: Record<string, string> = {};
    cols.forEach((c, i) => {
      if (KNOWN.has(c)) v[c] = f[i]!;
      else if (f[i] !== '-' && f[i] !== '') extra[c] = f[i]!;
    });
    const get = (c: string): string | null => {
      const x = v[c];
      return x === undefined || x === '-' || x === '' ? null : x;
    };
    // Required fields: any problem costs the line.
    const ts = get('timestamp');
    if (ts === null) return this.warn(n, 'timestamp is missing');
    const timeUs = parseWinnyTime(ts, this.opts.timeZone);
    if (typeof timeUs === 'string') return this.warn(n, timeUs, 'SNARF_TEXT_BAD_TIME');
    const sensor = get('sensor');
    if (sensor === null) return this.warn(n, 'sensor is missing');
    const kind = get('kind')?.toLowerCase();
    if (kind === undefined || !KINDS.has(kind)) return this.warn(n, `kind "${v.kind ?? ''}" is not Winny, Share, Antinny or Unknown`);
    const hostIp = canonicalIp(get('host_ip') ?? '');
    if (hostIp === null) return this.warn(n, `host_ip "${v.host_ip ?? ''}" is not an IP address`);
    const action = get('action')?.toLowerCase();
    if (action === undefined || !ACTIONS.has(action)) return this.warn(n, `action "${v.action ?? ''}" is not detect, reset or block`);
    // Optional fields: a bad value is reported and dropped, the event stays.
    const opt = <T>(c: string, parse: (s: string) => T | null, what: string): T | null => {
      const x = get(c);
      if (x === null) return null;
      const r = parse(x);
      if (r === null) this.warn(n, `${c} "${x}" is not ${what}; field ignored`);
      return r;
    };
    const port = (s: string): number | null => (/^\d{1,5}$/.test(s) && +s <= 65535 ? +s : null);
    const proto = opt('proto', (s) => ({ tcp: 6, udp: 17 } as const)[s.toLowerCase() as 'tcp' | 'udp'] ?? null, 'tcp or udp');
    const direction = opt('direction', (s) => (s.toLowerCase() === 'in' ? 'in' : s.toLowerCase() === 'out' ? 'out' : null), 'in or out');
    return {
      timeUs, sensor, kind: kind as WinnyKind, hostIp,
      hostPort: opt('host_port', port, 'a port (0-65535)'),
      peerIp: opt('peer_ip', canonicalIp, 'an IP address'),
      peerPort: opt('peer_port', port, 'a port (0-65535)'),
      direction: direction as 'in' | 'out' | null, protocol: proto,
      nodeInfo: parseNodeInfo(get('node_info')),
      action: action as WinnyAction,
      bytes: opt('bytes', (s) => (/^\d{1,15}$/.test(s) ? +s : null), 'a byte count'),
      extra,
      origin: { file: this.opts.file ?? '', line: n },
    };
  }
}

/** `ver=2.0b1;speed=120.0;conn=search` → pairs; a bare word becomes a key with value ''. */
export function parseNodeInfo(text: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === null) return out;
  for (const part of text.split(';')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) out[p] = '';
    else out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}

/** Events of log lines already in memory (LF or CRLF stripped here). */
export function* parseWinnyLines(lines: Iterable<string>, opts: WinnyLogOptions = {}): Generator<WinnyEvent> {
  const p = new WinnyLogParser(opts);
  let n = 0;
  for (const l of lines) {
    const e = p.line(l.endsWith('\r') ? l.slice(0, -1) : l, ++n);
    if (e) yield e;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lossy = new TextDecoder('utf-8');

/**
 * Events of a log file, read as bytes so that invalid UTF-8 and overlong lines are reported per
 * line (and an overlong line is never held in memory whole).
 */
export async function* readWinnyLog(file: string, opts: Omit<WinnyLogOptions, 'file'> = {}): AsyncGenerator<WinnyEvent> {
  const o = { ...opts, file };
  const p = new WinnyLogParser(o);
  const max = opts.maxLineBytes ?? 65536;
  let parts: Buffer[] = [];
  let size = 0;
  let overlong = false;
  let n = 0;
  const finish = (): WinnyEvent | null => {
    n++;
    if (overlong) {
      overlong = false;
      o.onWarning?.({ code: 'SNARF_TEXT_LONG_LINE', message: `line longer than ${max} bytes skipped`, file, line: n });
      return null;
    }
    let bytes = Buffer.concat(parts, size);
    parts = [];
    size = 0;
    if (n === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (bytes.at(-1) === 0x0d) bytes = bytes.subarray(0, -1);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      o.onWarning?.({ code: 'SNARF_TEXT_BAD_UTF8', message: 'invalid UTF-8, replaced with U+FFFD', file, line: n });
      text = utf8Lossy.decode(bytes);
    }
    return p.line(text, n);
  };
  const take = (b: Buffer): void => {
    if (overlong) return;
    if (size + b.length > max) {
      overlong = true;
      parts = [];
      size = 0;
      return;
    }
    parts.push(b);
    size += b.length;
  };
  let stream: fs.ReadStream;
  try {
    stream = fs.createReadStream(file, { highWaterMark: 1 << 16 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
        take(chunk.subarray(start, nl));
        start = nl + 1;
        const e = finish();
        if (e) yield e;
      }
      take(chunk.subarray(start));
    }
  } catch (e) {
    if (e instanceof SnarfError) throw e;
    throw new SnarfError('SNARF_IO', `cannot read Winny log: ${(e as Error).message}`, { file });
  }
  if (size > 0 || overlong) {
    const e = finish();
    if (e) yield e;
  }
}
