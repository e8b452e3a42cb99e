/**
 * Joins unified2 events with their packet and extra-data records into Alerts.
 *
 * Records belong together by (sensor_id, event_id, event_second), full 32 bits each (barnyard2
 * masks event_id to 16 bits; that merges events of different -G sensors). Packets and extra
 * data may arrive before or after their event, and Snort 2 writes SMTP/HTTP extra data a few
 * events later, so an event waits in a bounded cache. It leaves the cache, in arrival order, when
 *   - its timeout expires (an injected clock/timer: a lone event is not held until the next one),
 *   - more than maxPendingEvents events wait (batch imports run far faster than any timeout),
 *   - or flush() is called at the end of input.
 * Records with no event yet wait in a second bounded cache and are reported as orphans when they
 * expire. Payloads are copied out of the decoder's buffers and bounded per packet and per event.
 */
import type { Alert, ExtraData, PacketCapture, PacketSummary } from '../../model/alert.js';
import { ipFromBytes } from '../../model/ip.js';
import type { SignatureResolver } from '../../rules/types.js';
import {
  extraDataName, extraDataValue, type U2EventRecord, type U2ExtraRecord, type U2PacketRecord, type U2Record,
} from './records.js';

/** Time source and one-shot timer; tests inject a fake to make timeouts deterministic. */
export interface AssemblerClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: AssemblerClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref(); // a pending release must never keep the process alive
    return t;
  },
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A packet or extra-data record whose event never showed up (or had already been released). */
export interface OrphanRecord {
  kind: 'packet' | 'extra';
  sensorId: number;
  eventId: number;
  eventSecond: number;
  file: string;
  offset: number;
}

export interface AssemblerOptions {
  /** Sensor name for every Alert (unless sensorFor names it per event). */
  sensor: string;
  /**
   * Names the sensor of each event from its unified2 sensor_id and event_id (whose high 16
   * bits carry Snort's -G log id), for spools that mix sensors or were not named by config.
   */
  sensorFor?: (sensorId: number, eventId: number) => string;
  onAlert: (alert: Alert) => void;
  resolver?: SignatureResolver;
  onOrphan?: (orphan: OrphanRecord) => void;
  clock?: AssemblerClock;
  /** How long an event waits for packets and extra data. Default 2000 ms. */
  eventTimeoutMs?: number;
  /** Events held at most; the oldest is released beyond it. Default 256. */
  maxPendingEvents?: number;
  /** Packet/extra records held while their event is unknown. Default 1024. */
  maxOrphans?: number;
  maxPacketsPerEvent?: number;
  /** Bytes kept per packet payload. Default 64 KiB. */
  maxPacketBytes?: number;
  maxExtraPerEvent?: number;
  /** Bytes kept per extra-data blob. Default 64 KiB. */
  maxExtraBytes?: number;
}

export interface AssemblerStats {
  events: number;
  alerts: number;
  packets: number;
  extra: number;
  /** Packets beyond maxPacketsPerEvent, dropped. */
  droppedPackets: number;
  /** Packets whose payload was cut to maxPacketBytes. */
  truncatedPackets: number;
  droppedExtra: number;
  orphans: number;
  /** An event key seen again while the first was still waiting (the first is released). */
  duplicateEvents: number;
  /** Follow-up records matched by (sensor_id, event_id) only (sfportscan open ports). */
  looseMatches: number;
  appstat: number;
}

interface Pending { alert: Alert; deadline: number; id: Key }
interface OrphanItem { info: OrphanRecord; packet?: PacketCapture; extra?: ExtraData }
interface OrphanGroup { items: OrphanItem[]; deadline: number }

const TRANSPORT_WITH_PORTS = new Set([6, 17, 132]);
const ICMP_PROTOCOLS = new Set([1, 58]);
const PORTSCAN_GID = 122;
/** How far (seconds) a follow-up record may trail its event when matched by event id alone. */
const LOOSE_MATCH_SECONDS = 3600;

type Key = number | string;

/**
 * The correlation key. Snort 2 writes sensor_id 0 and event ids below 2^21 (-G in the high 16
 * bits, G < 32), so eventSecond * 2^21 + eventId is exact (< 2^53) and avoids building a string
 * per record; anything else falls back to a string, which can never equal a number key.
 */
function keyOf(sensorId: number, eventId: number, eventSecond: number): Key {
  return sensorId === 0 && eventId < 0x200000 ? eventSecond * 0x200000 + eventId : `${sensorId}:${eventId}:${eventSecond}`;
}

function idOf(sensorId: number, eventId: number): Key {
  return sensorId === 0 ? eventId : `${sensorId}:${eventId}`;
}

export class Unified2Assembler {
  readonly stats: AssemblerStats = {
    events: 0, alerts: 0, packets: 0, extra: 0, droppedPackets: 0, truncatedPackets: 0, droppedExtra: 0,
    orphans: 0, duplicateEvents: 0, looseMatches: 0, appstat: 0,
  };
  readonly #o: Required<Omit<AssemblerOptions, 'resolver' | 'onOrphan' | 'sensorFor'>> & Pick<AssemblerOptions, 'resolver' | 'onOrphan' | 'sensorFor'>;
  /** Insertion order = arrival order = deadline order. */
  readonly #pending = new Map<Key, Pending>();
  readonly #orphans = new Map<Key, OrphanGroup>();
  /** (sensor_id, event_id) -> key of the newest pending event with that id, for loose matches. */
  readonly #byId = new Map<Key, Key>();
  #orphanCount = 0;
  #timer: unknown = undefined;

  constructor(opts: AssemblerOptions) {
    this.#o = {
      clock: systemClock, eventTimeoutMs: 2000, maxPendingEvents: 256, maxOrphans: 1024, maxPacketsPerEvent: 32,
      maxPacketBytes: 65536, maxExtraPerEvent: 32, maxExtraBytes: 65536, ...opts,
    };
  }

  get pendingEvents(): number {
    return this.#pending.size;
  }

  get pendingOrphans(): number {
    return this.#orphanCount;
  }

  /** Feeds one decoded record; `file` is where it came from (origin of the alert). */
  push(rec: U2Record, file: string): void {
    switch (rec.kind) {
      case 'event': this.#event(rec, file); break;
      case 'packet': this.#attach(rec, file); break;
      case 'extra': this.#attach(rec, file); break;
      case 'appstat': this.stats.appstat++; break;
    }
    this.#arm();
  }

  /** Releases events and orphans whose timeout has passed (the timer calls this). */
  tick(): void {
    const now = this.#o.clock.now();
    for (const [key, p] of this.#pending) {
      if (p.deadline > now) break;
      this.#release(key, p);
    }
    for (const [key, g] of this.#orphans) {
      if (g.deadline > now) break;
      this.#dropOrphans(key, g);
    }
  }

  /** End of input: releases every waiting event and reports every orphan. */
  flush(): void {
    for (const [key, p] of this.#pending) this.#release(key, p);
    for (const [key, g] of this.#orphans) this.#dropOrphans(key, g);
    this.#disarm();
  }

  /** Stops the timer without releasing anything (the caller gives up on this input). */
  close(): void {
    this.#disarm();
  }

  #event(rec: U2EventRecord, file: string): void {
    this.stats.events++;
    const key = keyOf(rec.sensorId, rec.eventId, rec.eventSecond);
    const old = this.#pending.get(key);
    if (old !== undefined) {
      this.stats.duplicateEvents++;
      this.#release(key, old);
    }
    const alert = this.#toAlert(rec, file);
    const early = this.#orphans.get(key);
    if (early !== undefined) {
      this.#orphans.delete(key);
      this.#orphanCount -= early.items.length;
      for (const item of early.items) {
        if (item.packet) this.#addPacket(alert, item.packet);
        if (item.extra) this.#addExtra(alert, item.extra);
      }
    }
    const id = idOf(rec.sensorId, rec.eventId);
    this.#pending.set(key, { alert, deadline: this.#o.clock.now() + this.#o.eventTimeoutMs, id });
    this.#byId.set(id, key);
    if (this.#pending.size > this.#o.maxPendingEvents) {
      const [headKey, head] = this.#pending.entries().next().value as [Key, Pending];
      this.#release(headKey, head);
    }
  }

  #attach(rec: U2PacketRecord | U2ExtraRecord, file: string): void {
    const key = keyOf(rec.sensorId, rec.eventId, rec.eventSecond);
    const packet = rec.kind === 'packet' ? this.#capture(rec) : undefined;
    const extra = rec.kind === 'extra' ? this.#extra(rec) : undefined;
    const p = this.#pending.get(key) ?? this.#looseMatch(rec);
    if (p !== undefined) {
      if (packet) this.#addPacket(p.alert, packet);
      if (extra) this.#addExtra(p.alert, extra);
      return;
    }
    const info: OrphanRecord = {
      kind: rec.kind, sensorId: rec.sensorId, eventId: rec.eventId, eventSecond: rec.eventSecond, file, offset: rec.offset,
    };
    let g = this.#orphans.get(key);
    if (g === undefined) {
      g = { items: [], deadline: this.#o.clock.now() + this.#o.eventTimeoutMs };
      this.#orphans.set(key, g);
    }
    g.items.push({ info, packet, extra });
    this.#orphanCount++;
    while (this.#orphanCount > this.#o.maxOrphans) {
      const [headKey, head] = this.#orphans.entries().next().value as [Key, OrphanGroup];
      this.#dropOrphans(headKey, head);
    }
  }

  /**
   * sfportscan writes its "Open Port" follow-ups as packet records with the scan event's id but
   * their own time as event_second, so the exact key misses. Fall back to the newest pending
   * event with the same (sensor_id, event_id) when it is not newer than the record.
   */
  #looseMatch(rec: U2PacketRecord | U2ExtraRecord): Pending | undefined {
    const key = this.#byId.get(idOf(rec.sensorId, rec.eventId));
    const p = key === undefined ? undefined : this.#pending.get(key);
    if (p === undefined) return undefined;
    const lag = rec.eventSecond - p.alert.eventSecond!;
    if (lag < 0 || lag > LOOSE_MATCH_SECONDS) return undefined;
    this.stats.looseMatches++;
    return p;
  }

  #addPacket(alert: Alert, packet: PacketCapture): void {
    this.stats.packets++;
    if (alert.packets.length >= this.#o.maxPacketsPerEvent) this.stats.droppedPackets++;
    else alert.packets.push(packet);
  }

  #addExtra(alert: Alert, extra: ExtraData): void {
    this.stats.extra++;
    if (alert.extra.length >= this.#o.maxExtraPerEvent) this.stats.droppedExtra++;
    else alert.extra.push(extra);
  }

  /** Copies the payload out of the decoder's chunk (bounded), so chunks are not pinned. */
  #capture(rec: U2PacketRecord): PacketCapture {
    const max = this.#o.maxPacketBytes;
    if (rec.data.length > max) this.stats.truncatedPackets++;
    return {
      timeUs: rec.packetSecond * 1e6 + rec.packetMicrosecond,
      linktype: rec.linktype,
      length: rec.packetLength,
      // Buffer.from copies small payloads into the shared pool: far cheaper than one
      // ArrayBuffer per packet, and the copy no longer pins the decoder's chunk.
      data: Buffer.from(rec.data.subarray(0, max)),
    };
  }

  #extra(rec: U2ExtraRecord): ExtraData {
    const data = rec.data.length > this.#o.maxExtraBytes ? rec.data.subarray(0, this.#o.maxExtraBytes) : rec.data;
    return { type: rec.subtype, name: extraDataName(rec.subtype), value: extraDataValue(rec.subtype, data) };
  }

  #toAlert(rec: U2EventRecord, file: string): Alert {
    const { gid, sid, rev } = rec;
    // sfportscan events carry the scanned protocol, but their packet is a pseudo-packet of IP
    // protocol 255 with no ports, which is what every text output prints: keep alerts identical.
    const protocol = gid === PORTSCAN_GID ? 255 : rec.protocol;
    const resolver = this.#o.resolver;
    const info = resolver?.lookup(gid, sid, rev);
    const cls = rec.classificationId > 0 ? resolver?.classificationById(rec.classificationId) : undefined;
    const ports = TRANSPORT_WITH_PORTS.has(protocol);
    let packet: PacketSummary | undefined;
    if (ICMP_PROTOCOLS.has(protocol)) packet = { icmpType: rec.sportItype, icmpCode: rec.dportIcode };
    const alert: Alert = {
      sensor: this.#o.sensorFor ? this.#o.sensorFor(rec.sensorId, rec.eventId) : this.#o.sensor,
      timeUs: rec.eventSecond * 1e6 + rec.eventMicrosecond,
      gid, sid, rev,
      message: info?.message ?? `Snort Alert [${gid}:${sid}:${rev}]`,
      classification: cls?.description ?? null,
      priority: rec.priority > 0 ? rec.priority : (info?.priority ?? cls?.priority ?? null),
      protocol,
      srcIp: rec.srcIp.length > 0 ? ipFromBytes(rec.srcIp) : null,
      srcPort: ports ? rec.sportItype : null,
      dstIp: rec.dstIp.length > 0 ? ipFromBytes(rec.dstIp) : null,
      dstPort: ports ? rec.dportIcode : null,
      eventId: rec.eventId,
      eventSecond: rec.eventSecond,
      references: info?.references ? [...info.references] : [],
      packets: [],
      extra: [],
      origin: { format: 'unified2', file, offset: rec.offset },
    };
    if (packet) alert.packet = packet;
    return alert;
  }

  #release(key: Key, p: Pending): void {
    this.#pending.delete(key);
    if (this.#byId.get(p.id) === key) this.#byId.delete(p.id);
    this.stats.alerts++;
    this.#o.onAlert(p.alert);
  }

  #dropOrphans(key: Key, g: OrphanGroup): void {
    this.#orphans.delete(key);
    this.#orphanCount -= g.items.length;
    this.stats.orphans += g.items.length;
    const report = this.#o.onOrphan;
    if (report) for (const item of g.items) report(item.info);
  }

  /** One timer for the earliest deadline; deadlines only grow, so the armed one is the earliest. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    let next = Infinity;
    for (const p of this.#pending.values()) { next = p.deadline; break; }
    for (const g of this.#orphans.values()) { next = Math.min(next, g.deadline); break; }
    if (next === Infinity) return;
    const delay = Math.max(0, next - this.#o.clock.now());
    this.#timer = this.#o.clock.setTimer(() => {
      this.#timer = undefined;
      this.tick();
      this.#arm();
    }, delay);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#o.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}

/** Convenience for batch use: all Alerts of a record sequence (flushes at the end). */
export function assembleAll(records: Iterable<{ rec: U2Record; file: string }>, opts: Omit<AssemblerOptions, 'onAlert'>): Alert[] {
  const alerts: Alert[] = [];
  const asm = new Unified2Assembler({ ...opts, onAlert: (a) => alerts.push(a) });
  for (const { rec, file } of records) asm.push(rec, file);
  asm.flush();
  return alerts;
}
