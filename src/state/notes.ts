/**
 * Triage state that operators write (SnortSnarf's annotations): notes on an address, a network
 * or a signature, and acknowledgements of an alert group. Kept in lowdb beside the database as
 * `<db>.notes.json` (its own file, so `snarf serve` never rewrites the sensor registry in
 * `<db>.state.json` while an import records a run there). Readable and editable by hand.
 *
 * The static report calls `readNotes(dbPath)` and the pure lookups below (`notesForIp`,
 * `notesForSig`, `ackFor`) to show notes at its next build.
 *
 * Writes are serialised within the process and re-read the file first, so a hand edit made
 * while the server runs is kept; lowdb's writer replaces the file atomically (temp + rename).
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { JSONFile } from 'lowdb/node';
import { Low } from 'lowdb';
import { canonicalIp, inCidr } from '../model/ip.js';
import { isPostgresUrl } from '../store/open.js';

export type NoteKind = 'ip' | 'net' | 'sig';

export interface Note {
  id: string;
  kind: NoteKind;
  /** Canonical target: address text, `network/prefix`, or `gid:sid`. */
  target: string;
  text: string;
  author: string;
  /** ISO time the note was written. */
  at: string;
}

/**
 * An acknowledged alert group: one signature, optionally narrowed to a source and/or a
 * destination, up to a time. Alerts of the group after `throughUs` are new again.
 */
export interface Ack {
  id: string;
  gid: number;
  sid: number;
  src?: string;
  dst?: string;
  throughUs: number;
  author: string;
  at: string;
  comment?: string;
}

export interface NotesState {
  version: 1;
  notes: Note[];
  acks: Ack[];
}

export const NOTE_MAX_TEXT = 2000;
/** A bound on the file, so a runaway script cannot grow it without limit. */
export const MAX_ENTRIES = 20_000;

export function notesPathFor(db: string): string {
  return isPostgresUrl(db) ? 'snarf-notes.json' : `${db}.notes.json`;
}

function empty(): NotesState {
  return { version: 1, notes: [], acks: [] };
}

function normalise(data: Partial<NotesState> | null | undefined): NotesState {
  return {
    version: 1,
    notes: Array.isArray(data?.notes) ? data.notes : [],
    acks: Array.isArray(data?.acks) ? data.acks : [],
  };
}

/** The notes and acks of a store (empty when none were ever written). Never creates the file. */
export async function readNotes(dbPath: string): Promise<NotesState> {
  const file = notesPathFor(dbPath);
  if (!fs.existsSync(file)) return empty();
  const low = new Low<NotesState>(new JSONFile<NotesState>(file), empty());
  await low.read();
  return normalise(low.data);
}

/** Canonical target text for a kind, or a RangeError saying what was expected. */
export function parseNoteTarget(kind: string, value: string): { kind: NoteKind; target: string } {
  const v = value.trim();
  if (kind === 'ip') {
    const ip = canonicalIp(v);
    if (ip === null) throw new RangeError(`"${value}" is not an address`);
    return { kind, target: ip };
  }
  if (kind === 'net') {
    try {
      const [addr, bits] = ipaddr.parseCIDR(v);
      const net = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(v) : ipaddr.IPv6.networkAddressFromCIDR(v);
      const canon = canonicalIp(net.toString());
      // An IPv4-mapped IPv6 network would print as IPv4 with an IPv6 prefix length: refused.
      if (canon === null || (addr.kind() === 'ipv6' && canon.includes('.'))) throw new Error('bad');
      return { kind, target: `${canon}/${bits}` };
    } catch {
      throw new RangeError(`"${value}" is not a network (e.g. 10.1.2.0/24, 2001:db8::/32)`);
    }
  }
  if (kind === 'sig') {
    const m = /^(?:(\d{1,10}):)?(\d{1,10})$/.exec(v);
    if (!m) throw new RangeError(`"${value}" is not a signature id (SID or GID:SID)`);
    return { kind, target: `${m[1] === undefined ? 1 : Number(m[1])}:${Number(m[2])}` };
  }
  throw new RangeError(`"${kind}" is not a note kind (ip, net, sig)`);
}

/** Note text as stored: trimmed, control characters (but newlines and tabs) dropped, bounded. */
export function cleanText(text: string, max = NOTE_MAX_TEXT): string {
  // eslint-disable-next-line no-control-regex
  const t = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  if (t.length === 0) throw new RangeError('the note is empty');
  if (t.length > max) throw new RangeError(`the note is longer than ${max} characters`);
  return t;
}

function inNet(ip: string, net: string): boolean {
  try {
    return inCidr(ip, net);
  } catch {
    return false; // a hand-edited target that is not a network matches nothing
  }
}

/** Notes on this address and on every noted network holding it, oldest first. */
export function notesForIp(state: NotesState, ip: string): Note[] {
  return state.notes.filter((n) => (n.kind === 'ip' && n.target === ip) || (n.kind === 'net' && inNet(ip, n.target)));
}

export function notesForSig(state: NotesState, gid: number, sid: number): Note[] {
  const t = `${gid}:${sid}`;
  return state.notes.filter((n) => n.kind === 'sig' && n.target === t);
}

/** Notes on a network target (kind net) exactly as written. */
export function notesForNet(state: NotesState, cidr: string): Note[] {
  return state.notes.filter((n) => n.kind === 'net' && n.target === cidr);
}

/** The acknowledgement covering an alert, if any. */
export function ackFor(state: NotesState, a: { gid: number; sid: number; src: string | null; dst: string | null; timeUs: number }): Ack | undefined {
  return state.acks.find((k) => k.gid === a.gid && k.sid === a.sid && a.timeUs <= k.throughUs
    && (k.src === undefined || k.src === a.src) && (k.dst === undefined || k.dst === a.dst));
}

export interface NewNote { kind: string; target: string; text: string; author: string }
export interface NewAck { gid: number; sid: number; src?: string; dst?: string; throughUs: number; author: string; comment?: string }

/** The writable side, used by the server. */
export class NotesStore {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly low: Low<NotesState>;

  constructor(readonly file: string) {
    this.low = new Low<NotesState>(new JSONFile<NotesState>(file), empty());
  }

  static forDb(dbPath: string): NotesStore {
    return new NotesStore(notesPathFor(dbPath));
  }

  async read(): Promise<NotesState> {
    await this.chain.catch(() => undefined);
    if (!fs.existsSync(this.file)) return empty();
    await this.low.read();
    return normalise(this.low.data);
  }

  /** Runs one read-modify-write at a time. */
  private update<T>(fn: (s: NotesState) => T): Promise<T> {
    const run = this.chain.catch(() => undefined).then(async () => {
      if (fs.existsSync(this.file)) await this.low.read();
      this.low.data = normalise(this.low.data);
      const out = fn(this.low.data);
      await this.low.write();
      return out;
    });
    this.chain = run;
    return run;
  }

  addNote(n: NewNote): Promise<Note> {
    const { kind, target } = parseNoteTarget(n.kind, n.target);
    const note: Note = { id: newId(), kind, target, text: cleanText(n.text), author: n.author, at: new Date().toISOString() };
    return this.update((s) => {
      if (s.notes.length + s.acks.length >= MAX_ENTRIES) throw new RangeError(`the notes file holds ${MAX_ENTRIES} entries already`);
      s.notes.push(note);
      return note;
    });
  }

  removeNote(id: string): Promise<boolean> {
    return this.update((s) => {
      const i = s.notes.findIndex((n) => n.id === id);
      if (i >= 0) s.notes.splice(i, 1);
      return i >= 0;
    });
  }

  addAck(a: NewAck): Promise<Ack> {
    const src = a.src ? parseNoteTarget('ip', a.src).target : undefined;
    const dst = a.dst ? parseNoteTarget('ip', a.dst).target : undefined;
    const ack: Ack = {
      id: newId(), gid: a.gid, sid: a.sid, ...(src ? { src } : {}), ...(dst ? { dst } : {}), throughUs: a.throughUs,
      author: a.author, at: new Date().toISOString(), ...(a.comment ? { comment: cleanText(a.comment, 500) } : {}),
    };
    return this.update((s) => {
      if (s.notes.length + s.acks.length >= MAX_ENTRIES) throw new RangeError(`the notes file holds ${MAX_ENTRIES} entries already`);
      s.acks.push(ack);
      return ack;
    });
  }

  removeAck(id: string): Promise<boolean> {
    return this.update((s) => {
      const i = s.acks.findIndex((k) => k.id === id);
      if (i >= 0) s.acks.splice(i, 1);
      return i >= 0;
    });
  }
}

function newId(): string {
  return crypto.randomBytes(8).toString('hex');
}
