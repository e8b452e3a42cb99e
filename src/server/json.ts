/**
 * JSON shapes of the API (documented in docs/server.md and the README). Times are ISO 8601
 * with microseconds, UTC (as every `--json` output of the CLI); `timeUs` keeps the number.
 * The live pages render the same objects, so the API and the pages never disagree.
 */
import { isoMicros } from '../cli/options.js';
import { protocolName } from '../model/alert.js';
import { extraText, hexDump, payloadOffset } from '../report/hex-dump.js';
import { ackFor, notesForIp, notesForSig, type Ack, type Note, type NotesState } from '../state/notes.js';
import type { AlertDetail, AlertRow } from '../store/reads/server-reads.js';

export interface AlertJson {
  id: number; time: string | null; timeUs: number; sensor: string; gid: number; sid: number; rev: number; message: string;
  classification: string | null; priority: number | null; protocol: string; src: string | null; sport: number | null;
  dst: string | null; dport: number | null; ack: string | null;
}

export function alertJson(r: AlertRow, notes: NotesState): AlertJson {
  const ack = ackFor(notes, { gid: r.gid, sid: r.sid, src: r.src, dst: r.dst, timeUs: r.timeUs });
  return {
    id: r.id, time: isoMicros(r.timeUs), timeUs: r.timeUs, sensor: r.sensor, gid: r.gid, sid: r.sid, rev: r.rev, message: r.message,
    classification: r.classification, priority: r.priority, protocol: protocolName(r.protocol), src: r.src, sport: r.sport,
    dst: r.dst, dport: r.dport, ack: ack?.id ?? null,
  };
}

export interface PacketJson {
  seq: number; time: string | null; linktype: number; length: number; captured: number; payloadOffset: number;
  /** The captured bytes, base64. */
  data: string;
  /** Classic hex + ASCII dump of the payload (or of the whole packet when headers cannot be walked). */
  dump: string;
}

export interface AlertDetailJson extends AlertJson {
  eventId: number | null;
  details: Record<string, unknown> | null;
  references: unknown;
  input: AlertDetail['input'];
  extra: Array<{ seq: number; type: number; name: string; text: string }>;
  packets: PacketJson[];
  notes: { src: Note[]; dst: Note[]; sig: Note[] };
  ackDetail: Ack | null;
}

export function alertDetailJson(d: AlertDetail, notes: NotesState): AlertDetailJson {
  let references: unknown = null;
  try {
    references = d.refs === null ? null : JSON.parse(d.refs);
  } catch {
    references = null;
  }
  const base = alertJson(d, notes);
  return {
    ...base,
    eventId: d.eventId, details: d.details, references, input: d.input,
    extra: d.extra.map((x) => ({ seq: x.seq, type: x.type, name: x.name, text: extraText(x.value) })),
    packets: d.packets.map((p) => {
      const off = payloadOffset(p.linktype, p.data);
      return {
        seq: p.seq, time: isoMicros(p.timeUs), linktype: p.linktype, length: p.length, captured: p.data.length, payloadOffset: off,
        data: p.data.toString('base64'), dump: hexDump(p.data.subarray(off), 4096),
      };
    }),
    notes: {
      src: d.src === null ? [] : notesForIp(notes, d.src),
      dst: d.dst === null ? [] : notesForIp(notes, d.dst),
      sig: notesForSig(notes, d.gid, d.sid),
    },
    ackDetail: notes.acks.find((k) => k.id === base.ack) ?? null,
  };
}

/** `1.2.3.4:80`, `[2001:db8::1]:80`, or the address alone. */
export function endpointText(ip: string | null, port: number | null): string {
  if (ip === null) return '';
  if (port === null) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
