/**
 * AlertRows: a batch of alerts in columns rather than objects, the shape the stores ingest.
 *
 * Parse workers build these and post them to the thread that writes the store: a flat array of
 * primitives and one packet buffer clone (or transfer) far more cheaply than a million Alert
 * objects, and the writer binds the values straight into its INSERT without building objects
 * of its own. Ingest of ordinary Alert objects (the collector, small imports) converts them
 * with appendAlert(), so every store has one write path.
 *
 * Layout: FIELDS values per alert, in the order of the F constants. Packets are described by
 * PACKET_FIELDS numbers each (alert index, time, linktype, original length, start, end) into one
 * byte buffer; extra data by EXTRA_FIELDS values each (alert index, type, name, value).
 * Packets and extra data appear in alert order, each alert's in its own order.
 */
import type { Alert, InputFormat, PacketCapture, Reference } from '../model/alert.js';
import { identityHash, identityHashOf, tupleOf, type OccurrenceCounter } from '../model/identity.js';
import { writeIpKey } from '../model/ip.js';

export const F = {
  sensor: 0, timeUs: 1, gid: 2, sid: 3, rev: 4, message: 5, classification: 6, priority: 7, protocol: 8,
  srcIp: 9, srcPort: 10, dstIp: 11, dstPort: 12, refs: 13, details: 14, offset: 15, line: 16, hash: 17, eventId: 18,
} as const;
export const FIELDS = 19;
export const PACKET_FIELDS = 6;
export const EXTRA_FIELDS = 4;

export interface AlertRows {
  format: InputFormat;
  /** Every alert of a batch comes from this file. */
  file: string;
  count: number;
  v: unknown[];
  packets: number[];
  packetBytes: Uint8Array | null;
  extra: unknown[];
  /**
   * Optional 16-byte address keys, KEY_BYTES per alert (source, then destination; meaningless
   * where the address is null), computed by a worker with time to spare so that the writing
   * thread need not parse addresses again.
   */
  keys?: Uint8Array | null;
  /**
   * Strings this batch adds to its producer's string table (StringInterner). Where present,
   * a number in an INTERNED column is an index into that table, and the consumer must give the
   * batches of one producer, in order, to one StringTable before reading them.
   */
  strings?: string[];
}

/** Columns whose values repeat from alert to alert (sensor, message, class, references). */
const INTERNED = [F.sensor, F.message, F.classification, F.refs] as const;

/** Table entries at most: past it new strings are sent as they are. */
const INTERN_LIMIT = 1 << 16;

/**
 * Producer side of string interning between threads: a signature's message, class and
 * references are the same strings on every one of its alerts, and posting each copy costs a
 * serialisation here, an allocation and a collection on the writing thread.
 */
export class StringInterner {
  private readonly ids = new Map<string, number>();

  /** Replaces the batch's repeated strings by table indexes (before it is posted). */
  apply(rows: AlertRows): void {
    const v = rows.v;
    const added: string[] = [];
    for (let o = 0; o < v.length; o += FIELDS) {
      for (const c of INTERNED) {
        const s = v[o + c];
        if (typeof s !== 'string') continue;
        let id = this.ids.get(s);
        if (id === undefined) {
          if (this.ids.size >= INTERN_LIMIT) continue;
          id = this.ids.size;
          this.ids.set(s, id);
          added.push(s);
        }
        v[o + c] = id;
      }
    }
    rows.strings = added;
  }
}

/** Consumer side: puts the strings back, batch by batch in the order they were interned. */
export class StringTable {
  private readonly table: string[] = [];

  resolve(rows: AlertRows): void {
    if (rows.strings === undefined) return;
    for (const s of rows.strings) this.table.push(s);
    const v = rows.v;
    for (let o = 0; o < v.length; o += FIELDS) {
      for (const c of INTERNED) {
        const id = v[o + c];
        if (typeof id === 'number') v[o + c] = this.table[id];
      }
    }
    rows.strings = undefined;
  }
}

export const KEY_BYTES = 32;

/**
 * Fills rows.keys from the address texts (in the worker, before the batch is posted), or from
 * `v4` where the parser read IPv4 addresses as numbers: two per alert, -1 where it did not.
 */
export function sealKeys(rows: AlertRows, v4?: readonly number[]): void {
  const keys = new Uint8Array(rows.count * KEY_BYTES);
  for (let i = 0, o = 0; i < rows.count; i++, o += FIELDS) {
    const at = i * KEY_BYTES;
    const src = rows.v[o + F.srcIp] as string | null;
    const dst = rows.v[o + F.dstIp] as string | null;
    const s4 = v4?.[2 * i] ?? -1;
    const d4 = v4?.[2 * i + 1] ?? -1;
    if (s4 >= 0) writeV4Key(s4, keys, at);
    else if (src !== null) writeIpKey(src, keys, at);
    if (d4 >= 0) writeV4Key(d4, keys, at + 16);
    else if (dst !== null) writeIpKey(dst, keys, at + 16);
  }
  rows.keys = keys;
}

/** The IPv4-mapped key of a 32-bit address (the bytes before it are already zero). */
function writeV4Key(v: number, keys: Uint8Array, at: number): void {
  keys[at + 10] = 0xff;
  keys[at + 11] = 0xff;
  keys[at + 12] = v >>> 24;
  keys[at + 13] = (v >>> 16) & 255;
  keys[at + 14] = (v >>> 8) & 255;
  keys[at + 15] = v & 255;
}

export function emptyRows(format: InputFormat, file: string): AlertRows {
  return { format, file, count: 0, v: [], packets: [], packetBytes: null, extra: [] };
}

/**
 * Appends one alert. `hash` is its identity digest (null: assignIdentities() adds it later);
 * `details` the JSON of its header summary when the caller has it already. Its packets go to
 * `pending`, whose bytes sealPackets() then copies into the batch's one buffer.
 */
export function appendAlert(rows: AlertRows, a: Alert, hash: number | null, details?: string | null, pending?: PacketCapture[]): void {
  const index = rows.count++;
  rows.v.push(
    a.sensor, a.timeUs, a.gid, a.sid, a.rev, a.message, a.classification, a.priority, a.protocol,
    a.srcIp, a.srcPort, a.dstIp, a.dstPort,
    a.references.length > 0 ? referencesJson(a.references) : null,
    details !== undefined ? details : a.packet === undefined ? null : JSON.stringify(a.packet),
    a.origin.offset, a.origin.line ?? null, hash, a.eventId,
  );
  for (const p of a.packets) {
    rows.packets.push(index, p.timeUs, p.linktype, p.length, 0, p.data.length);
    pending?.push(p);
  }
  for (const x of a.extra) rows.extra.push(index, x.type, x.name, x.value);
}

/**
 * A text alert's row as a parser reads it straight from bytes (alert_full's fast path), with
 * its references and header summary already as the JSON appendAlert() would have written.
 */
export type TextRow = Pick<Alert,
  'sensor' | 'timeUs' | 'gid' | 'sid' | 'rev' | 'message' | 'classification' | 'priority' | 'protocol'
  | 'srcIp' | 'srcPort' | 'dstIp' | 'dstPort'> & {
  /** References and header summary as JSON, or null. */
  refs: string | null;
  details: string | null;
  offset: number;
  line: number;
  /** The addresses as 32-bit numbers when they are IPv4 (-1 otherwise), for sealKeys(). */
  srcV4: number;
  dstV4: number;
};

/** Appends a text row: the values appendAlert() gives the same alert (no packets, no event id). */
export function appendTextRow(rows: AlertRows, r: TextRow): void {
  rows.count++;
  rows.v.push(
    r.sensor, r.timeUs, r.gid, r.sid, r.rev, r.message, r.classification, r.priority, r.protocol,
    r.srcIp, r.srcPort, r.dstIp, r.dstPort, r.refs, r.details, r.offset, r.line, null, null,
  );
}

/** JSON of shared (frozen) reference arrays, kept while the array lives. */
const refsJson = new WeakMap<readonly Reference[], string>();

export function referencesJson(refs: Reference[]): string {
  if (!Object.isFrozen(refs)) return JSON.stringify(refs);
  let json = refsJson.get(refs);
  if (json === undefined) {
    json = JSON.stringify(refs);
    refsJson.set(refs, json);
  }
  return json;
}

/** Copies the packets appended with `pending` into one buffer and fixes their start/end. */
export function sealPackets(rows: AlertRows, pending: PacketCapture[]): void {
  if (pending.length === 0) return;
  let total = 0;
  for (const p of pending) total += p.data.length;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (let i = 0, j = 0; i < pending.length; i++, j += PACKET_FIELDS) {
    const d = pending[i]!.data;
    bytes.set(d, at);
    rows.packets[j + 4] = at;
    at += d.length;
    rows.packets[j + 5] = at;
  }
  rows.packetBytes = bytes;
}

/** AlertRows from IngestItem-style alerts, for stores and callers that hold objects. */
export function rowsFromAlerts(
  format: InputFormat, file: string,
  items: ReadonlyArray<{ alert: Alert; identity: string; hash?: number; details?: string | null }>,
): AlertRows {
  const rows = emptyRows(format, file);
  const pending: PacketCapture[] = [];
  for (const it of items) appendAlert(rows, it.alert, it.hash ?? identityHash(it.identity), it.details, pending);
  sealPackets(rows, pending);
  return rows;
}

/** Latest event time in a batch (lag and status reports). */
export function lastEventUs(rows: AlertRows): number | null {
  let last: number | null = null;
  for (let o = F.timeUs; o < rows.v.length; o += FIELDS) {
    const t = rows.v[o] as number;
    if (last === null || t > last) last = t;
  }
  return last;
}

/** Items as row batches, one per run of consecutive items from the same file and format. */
export function groupRows(items: ReadonlyArray<{ alert: Alert; identity: string; hash?: number; details?: string | null }>): AlertRows[] {
  const out: AlertRows[] = [];
  let from = 0;
  for (let i = 1; i <= items.length; i++) {
    const prev = items[i - 1]!.alert.origin;
    const next = items[i]?.alert.origin;
    if (next === undefined || next.file !== prev.file || next.format !== prev.format) {
      out.push(rowsFromAlerts(prev.format, prev.file, items.slice(from, i)));
      from = i;
    }
  }
  return out;
}

/**
 * Fills in the identity digests of a batch whose producer left them out (F.hash null): the text
 * parse worker is the busier thread, so the writing thread does this part. `counter` must see
 * the batches of one file in order, as the producer would have.
 */
export function assignIdentities(rows: AlertRows, counter: OccurrenceCounter): void {
  const v = rows.v;
  for (let o = 0; o < v.length; o += FIELDS) {
    if (v[o + F.hash] !== null) continue;
    const ts = v[o + F.timeUs] as number;
    const tuple = tupleOf(
      v[o + F.sensor] as string, ts, v[o + F.gid] as number, v[o + F.sid] as number, v[o + F.rev] as number,
      v[o + F.protocol] as number | null, v[o + F.srcIp] as string | null, v[o + F.srcPort] as number | null,
      v[o + F.dstIp] as string | null, v[o + F.dstPort] as number | null,
    );
    v[o + F.hash] = identityHashOf(tuple, counter.next(ts, tuple));
  }
}
