/**
 * Snort 3 `alert_json`: one object per line with a selectable field set (default:
 * timestamp pkt_num proto pkt_gen pkt_len dir src_ap dst_ap rule action). Prefers `seconds`
 * (epoch) over the zone-less text `timestamp`, and the split `src_addr`/`src_port` fields over
 * `src_ap` when present. Field reference: formats/snort-text.md section 8.
 */
import type { Alert, ExtraData } from '../../model/alert.js';
import { canonicalIp } from '../../model/ip.js';
import { protocolNumber } from '../../model/alert.js';
import { parseSnortTimestamp, type TimePlacer } from '../snort-text/time.js';
import { parseEndpoint } from '../snort-text/fields.js';
import { num, port, str, type Json } from './fields.js';

export interface Snort3Context {
  sensor: string;
  file: string;
  time: TimePlacer;
}

const KEEP = ['action', 'dir', 'service', 'pkt_gen', 'pkt_num', 'b64_data'] as const;

export function snort3Alert(o: Json, ctx: Snort3Context, offset: number, line: number): Alert | string {
  let gid = num(o, 'gid');
  let sid = num(o, 'sid');
  let rev = num(o, 'rev');
  const rule = str(o, 'rule');
  if (rule !== undefined) {
    const m = /^(\d+):(\d+):(\d+)$/.exec(rule);
    if (!m) return `bad rule "${rule.slice(0, 40)}"`;
    gid ??= Number(m[1]);
    sid ??= Number(m[2]);
    rev ??= Number(m[3]);
  }
  if (gid === undefined || sid === undefined) return 'no rule (gid:sid:rev)';
  let timeUs: number | null = null;
  const seconds = num(o, 'seconds');
  if (seconds !== undefined) {
    timeUs = Math.round(seconds * 1e6);
    const text = str(o, 'timestamp');
    const micro = text ? /\.(\d{6})/.exec(text) : null;
    if (micro && Number.isInteger(seconds)) timeUs += Number(micro[1]);
  } else {
    const wall = parseSnortTimestamp(str(o, 'timestamp') ?? '');
    timeUs = wall ? ctx.time.toEpochMicros(wall) : null;
  }
  if (timeUs === null) return 'missing or bad timestamp';
  const protoText = str(o, 'proto');
  const protocol = protoText ? protocolNumber(protoText === 'ICMP6' || protoText === 'IPv6-ICMP' ? 'IPV6-ICMP' : protoText) : null;
  const hasPorts = protocol === 6 || protocol === 17 || protocol === 132;
  const side = (addrKey: string, portKey: string, apKey: string): { ip: string; port: number | null } | null => {
    const addr = str(o, addrKey);
    if (addr !== undefined) {
      const ip = canonicalIp(addr);
      return ip === null ? null : { ip, port: hasPorts ? port(num(o, portKey)) : null };
    }
    const ap = str(o, apKey);
    if (ap === undefined) return null;
    // src_ap always carries a port (0 when there is none), so it is split whatever the protocol.
    const e = parseEndpoint(ap, 6);
    return e === null ? null : { ip: e.ip, port: hasPorts ? e.port : null };
  };
  const src = side('src_addr', 'src_port', 'src_ap');
  const dst = side('dst_addr', 'dst_port', 'dst_ap');
  if (!src || !dst) return 'missing or bad source/destination address';
  const cls = str(o, 'class');
  const extra: ExtraData[] = [];
  for (const k of KEEP) {
    const v = o[k];
    if (typeof v === 'string' || typeof v === 'number') extra.push({ type: 0, name: `snort3_${k}`, value: String(v) });
  }
  return {
    sensor: ctx.sensor,
    timeUs,
    gid, sid, rev: rev ?? 0,
    message: str(o, 'msg') ?? '',
    classification: cls === undefined || cls === 'none' ? null : cls,
    priority: num(o, 'priority') ?? null,
    protocol,
    srcIp: src.ip, srcPort: src.port, dstIp: dst.ip, dstPort: dst.port,
    eventId: null,
    eventSecond: null,
    references: [],
    packets: [],
    extra,
    origin: { format: 'snort3_json', file: ctx.file, offset, line },
  };
}
