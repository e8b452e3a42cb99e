/**
 * Suricata EVE JSON (`eve.json`): one object per line, many event types in one file. Alert
 * events become alerts, with their http / dns / tls / smtp / app-layer metadata kept as extra
 * data; other event types are not alerts (flow events are counted for the flow rollups by the
 * caller). Field reference: formats/snort-text.md section 9.
 */
import type { Alert, ExtraData } from '../../model/alert.js';
import { canonicalIp } from '../../model/ip.js';
import { protocolNumber } from '../../model/alert.js';
import { num, obj, port, str, type Json } from './fields.js';

export interface EveContext {
  sensor: string;
  /** The operator named the sensor; otherwise the record's `host` field (if any) names it. */
  sensorExplicit: boolean;
  file: string;
}

/** ISO 8601 with offset and up to microseconds (`2017-04-07T22:24:37.251547+0100`) to µs. */
export function eveTimeMicros(ts: string): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)?$/.exec(ts);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return null;
  if (zone && zone !== 'Z') {
    const z = zone.replace(':', '');
    const off = (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000;
    ms -= z[0] === '+' ? off : -off;
  }
  const micro = frac ? Number(frac.slice(0, 6).padEnd(6, '0')) : 0;
  return ms * 1000 + micro;
}

/** App-layer metadata worth keeping with an alert, flattened to named extra data. */
const KEEP: ReadonlyArray<[string, string, string]> = [
  ['http', 'hostname', 'http_hostname'],
  ['http', 'url', 'http_uri'],
  ['http', 'http_user_agent', 'http_user_agent'],
  ['http', 'http_method', 'http_method'],
  ['http', 'status', 'http_status'],
  ['http', 'xff', 'xff'],
  ['dns', 'rrname', 'dns_rrname'],
  ['dns', 'rrtype', 'dns_rrtype'],
  ['tls', 'sni', 'tls_sni'],
  ['tls', 'subject', 'tls_subject'],
  ['tls', 'ja3', 'tls_ja3'],
  ['smtp', 'mail_from', 'smtp_mailfrom'],
  ['smtp', 'helo', 'smtp_helo'],
];

/** Extra-data names Snarf writes back out as EVE (the reverse of KEEP for the export). */
export const EVE_EXTRA_FIELDS = KEEP;

function extraFrom(o: Json): ExtraData[] {
  const out: ExtraData[] = [];
  for (const [section, field, name] of KEEP) {
    const s = obj(o, section);
    const v = s?.[field];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' || typeof v === 'number') out.push({ type: 0, name, value: String(v) });
    else if (field === 'ja3' && typeof v === 'object' && typeof (v as Json).hash === 'string') out.push({ type: 0, name, value: (v as Json).hash as string });
  }
  const rcpt = obj(o, 'smtp')?.rcpt_to;
  if (Array.isArray(rcpt)) out.push({ type: 0, name: 'smtp_rcptto', value: rcpt.filter((x) => typeof x === 'string').join(', ') });
  const app = str(o, 'app_proto');
  if (app) out.push({ type: 0, name: 'app_proto', value: app });
  const flowId = o.flow_id;
  if (typeof flowId === 'number' || typeof flowId === 'string') out.push({ type: 0, name: 'flow_id', value: String(flowId) });
  const payload = str(o, 'payload');
  if (payload && payload.length <= 1 << 20) out.push({ type: 0, name: 'payload', value: Buffer.from(payload, 'base64') });
  return out;
}

/**
 * The alert in an EVE record, null for records of other event types, or the reason the record
 * is not a usable alert.
 */
export function eveAlert(o: Json, ctx: EveContext, offset: number, line: number): Alert | null | string {
  const type = str(o, 'event_type');
  if (type === undefined) return 'no event_type';
  if (type !== 'alert') return null;
  const a = obj(o, 'alert');
  if (!a) return 'alert event without an "alert" object';
  const timeUs = eveTimeMicros(str(o, 'timestamp') ?? '');
  if (timeUs === null) return 'missing or bad timestamp';
  const sid = num(a, 'signature_id');
  if (sid === undefined) return 'no alert.signature_id';
  const srcIp = canonicalIp(str(o, 'src_ip') ?? '');
  const dstIp = canonicalIp(str(o, 'dest_ip') ?? '');
  if (srcIp === null || dstIp === null) return 'missing or bad src_ip/dest_ip';
  const protoText = str(o, 'proto');
  const protocol = protoText === undefined ? null : protocolNumber(protoText === 'IPv6-ICMP' ? 'IPV6-ICMP' : protoText) ?? num(o, 'proto') ?? null;
  const ports = protocol === 6 || protocol === 17 || protocol === 132;
  const host = str(o, 'host');
  const extra = extraFrom(o);
  const action = str(a, 'action');
  if (action) extra.push({ type: 0, name: 'action', value: action });
  return {
    sensor: ctx.sensorExplicit || !host ? ctx.sensor : host,
    timeUs,
    gid: num(a, 'gid') ?? 1,
    sid,
    rev: num(a, 'rev') ?? 0,
    message: str(a, 'signature') ?? '',
    classification: str(a, 'category') ?? null,
    priority: num(a, 'severity') ?? null,
    protocol,
    srcIp, srcPort: ports ? port(num(o, 'src_port')) : null,
    dstIp, dstPort: ports ? port(num(o, 'dest_port')) : null,
    eventId: null,
    eventSecond: null,
    references: [],
    packets: [],
    extra,
    origin: { format: 'eve', file: ctx.file, offset, line },
  };
}
