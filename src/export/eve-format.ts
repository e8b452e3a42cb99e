/**
 * One alert as a Suricata EVE `alert` record, with Suricata's field names so EveBox and the
 * Elastic Suricata module read it: timestamp with offset, src_ip/src_port/dest_ip/dest_port,
 * proto, alert{action, gid, signature_id, rev, signature, category, severity}, app-layer
 * sections from the extra data, payload and packet in base64. `host` carries the sensor name.
 */
import type { ExportRow } from '../store/reads/export-reads.js';
import { EVE_EXTRA_FIELDS } from '../inputs/json/eve.js';

const PROTO_NAMES: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'IPv6-ICMP', 132: 'SCTP' };

/** `2026-11-20T10:00:00.088806+0000`: Suricata's format, always UTC here. */
export function eveTimestamp(us: number): string {
  const ms = Math.floor(us / 1000);
  const micro = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${micro}+0000`;
}

const text = (v: string | Buffer): string => (typeof v === 'string' ? v : v.toString('latin1'));

export function eveRecord(r: ExportRow): Record<string, unknown> {
  const rec: Record<string, unknown> = {
    timestamp: eveTimestamp(r.timeUs),
    event_type: 'alert',
    host: r.sensor,
    src_ip: r.srcIp ?? undefined,
    src_port: r.srcPort ?? undefined,
    dest_ip: r.dstIp ?? undefined,
    dest_port: r.dstPort ?? undefined,
    proto: r.protocol === null ? undefined : PROTO_NAMES[r.protocol] ?? String(r.protocol),
  };
  const byName = new Map<string, string | Buffer>();
  for (const x of r.extra) if (!byName.has(x.name)) byName.set(x.name, x.value);
  const action = byName.get('action');
  rec.alert = {
    action: action === undefined ? 'allowed' : text(action),
    gid: r.gid,
    signature_id: r.sid,
    rev: r.rev,
    signature: r.message,
    category: r.classification ?? '',
    severity: r.priority ?? 3,
  };
  const flowId = byName.get('flow_id');
  if (flowId !== undefined && /^\d+$/.test(text(flowId))) rec.flow_id = Number(text(flowId));
  const app = byName.get('app_proto');
  if (app !== undefined) rec.app_proto = text(app);
  for (const [section, field, name] of EVE_EXTRA_FIELDS) {
    const v = byName.get(name);
    if (v === undefined) continue;
    const s = (rec[section] ??= {}) as Record<string, unknown>;
    s[field] = field === 'status' && /^\d+$/.test(text(v)) ? Number(text(v)) : text(v);
  }
  // unified2 names its URI and host fields the same way EVE's http section does.
  const rcpt = byName.get('smtp_rcptto');
  if (rcpt !== undefined) ((rec.smtp ??= {}) as Record<string, unknown>).rcpt_to = text(rcpt).split(/,\s*/);
  const payload = byName.get('payload');
  if (payload !== undefined) rec.payload = (typeof payload === 'string' ? Buffer.from(payload) : payload).toString('base64');
  if (r.packet) {
    rec.packet = r.packet.data.toString('base64');
    rec.packet_info = { linktype: r.packet.linktype };
  }
  return rec;
}
