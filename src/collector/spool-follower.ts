/**
 * Follows one unified2 spool directory (`<base>.<unix-seconds>` files, or one fixed `<base>`)
 * by polling: reads appended bytes from the bookmark with positioned reads (never a whole
 * file), drains a file to EOF before moving to the next newer one, waits at a cut record while
 * the file is the newest, and restarts a name at 0 when it shrank or got a new inode.
 *
 * Bookmark and assembler. An event waits in the assembler for its packets, so "bytes read" is
 * not "alerts stored". The bookmark offset is therefore the start of the EARLIEST record whose
 * alert is not committed yet: min(first waiting event, first waiting packet/extra record with no
 * event yet, decoder offset). Rows and bookmark commit in one transaction, so after a crash the
 * follower re-reads from that record; events of the re-read stretch that were already stored
 * (released later events committed ahead of an earlier waiting one) come back with the same
 * content identity and the store drops them. The alternative, flushing the assembler before
 * every commit, would cut events from packets that are written just after them.
 *
 * Restart cost. The identity numbers repeated identical tuples within a file (as `snarf import`
 * does), so a resumed file is decoded again from byte 0 to rebuild that numbering; alerts that
 * start before the bookmark are only counted, not stored. Without this, an alert repeated on
 * both sides of the bookmark would get occurrence 0 twice and the second would be lost.
 *
 * One assembler per file, as in `snarf import`: packets of an event that a rotation pushed into
 * the next file are orphans (reported); the alert itself is stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OccurrenceCounter } from '../model/identity.js';
import { SnarfError, type Warning } from '../errors.js';
import type { SignatureResolver } from '../rules/types.js';
import type { Unified2InputConfig } from './config.js';
import { Unified2Decoder } from '../inputs/unified2/decoder.js';
import { Unified2Assembler, type AssemblerClock, type OrphanRecord } from '../inputs/unified2/assemble.js';
import type { U2Record } from '../inputs/unified2/records.js';
import {
  EMPTY_PRINT, extendPrint, FollowerBase, printMatches, readAt, sameFile, statOrNull,
  type Follower, type FollowerDeps, type OpenFile, type Position,
} from './follower.js';

export interface SpoolFile {
  name: string;
  path: string;
  /** Numeric suffix; -1 for the fixed file named `<base>`. */
  suffix: number;
}

/** `<base>.<digits>` sorted by number (not as strings), plus a fixed `<base>` first. */
export async function listSpool(dir: string, base: string): Promise<SpoolFile[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: SpoolFile[] = [];
  for (const name of names) {
    if (name === base) out.push({ name, path: path.join(dir, name), suffix: -1 });
    else if (name.startsWith(`${base}.`) && /^\d{1,15}$/.test(name.slice(base.length + 1))) {
      out.push({ name, path: path.join(dir, name), suffix: Number(name.slice(base.length + 1)) });
    }
  }
  return out.sort((a, b) => a.suffix - b.suffix);
}

export function suffixOf(name: string, base: string): number {
  if (name === base) return -1;
  const s = name.slice(base.length + 1);
  return name.startsWith(`${base}.`) && /^\d{1,15}$/.test(s) ? Number(s) : -1;
}

export interface SpoolFollowerOptions extends FollowerDeps {
  input: Unified2InputConfig;
  key: string;
  catalog?: SignatureResolver;
  eventTimeoutMs: number;
  /** Bytes per read; bytes per step are bounded at 8 reads so one busy input cannot starve others. */
  chunkBytes?: number;
}

/** Everything about the file being read; replaced whole when the follower moves on. */
interface Current extends OpenFile {
  file: SpoolFile;
  decoder: Unified2Decoder;
  assembler: Unified2Assembler;
  counter: OccurrenceCounter;
  /** Offsets of events in the assembler, in file order (Map keeps insertion order). */
  events: Map<number, true>;
  /** Offsets of packet/extra records waiting for their event, and the same grouped by key. */
  orphanAt: Map<number, string>;
  orphanKeys: Map<string, number[]>;
  /** Not unified2 (a pcap dropped in the spool): read nothing more from it. */
  bad: boolean;
}

/** The assembler's timeouts are driven by our poll loop (tick at EOF), not by its own timers. */
const POLLED_CLOCK: AssemblerClock = { now: () => Date.now(), setTimer: () => undefined, clearTimer: () => undefined };

export class SpoolFollower extends FollowerBase implements Follower {
  #cur: Current | null = null;
  /** The file finished last, so the next pick is newer than it (or the same name re-created). */
  #last: { suffix: number; name: string; dev: number; ino: number } | null = null;
  #resumed = false;
  readonly #o: SpoolFollowerOptions;
  readonly #chunk: number;
  #evicted = 0;

  constructor(o: SpoolFollowerOptions) {
    super(o.key, o.input.name, o);
    this.#o = o;
    this.#chunk = o.chunkBytes ?? 1 << 20;
  }

  async step(): Promise<boolean> {
    if (this.#cur === null && !(await this.#openNext())) return false;
    const cur = this.#cur!;
    if (await this.#readAvailable(cur)) return true;
    // At EOF: let events whose wait is over go, then look for a newer file.
    cur.assembler.tick();
    const files = await listSpool(this.#o.input.directory, this.#o.input.base);
    const now = await statOrNull(cur.file.path);
    const replaced = now === null || now.ino !== cur.ino || now.dev !== cur.dev;
    const newer = files.find((f) => f.suffix > cur.file.suffix);
    if (newer === undefined && (now === null || !replaced)) {
      await this.commit(this.#position(cur));
      return false; // newest file: wait, even at a cut record
    }
    // A newer file exists (or the name now holds another file): drain what is left, then move on.
    if (await this.#readAvailable(cur)) return true;
    await this.#finishFile(cur, true);
    return true;
  }

  async finish(): Promise<void> {
    const cur = this.#cur;
    if (cur === null) return;
    cur.assembler.flush();
    await this.commit(this.#position(cur));
  }

  async close(): Promise<void> {
    const cur = this.#cur;
    this.#cur = null;
    if (cur) {
      cur.assembler.close();
      await cur.fh.close().catch(() => undefined);
    }
  }

  /** Picks and opens the file to read: the bookmark's on the first call, then the next newer. */
  async #openNext(): Promise<boolean> {
    const files = await listSpool(this.#o.input.directory, this.#o.input.base);
    if (!this.#resumed) {
      this.#resumed = true;
      const bm = this.stored;
      if (bm !== undefined) {
        const name = path.basename(bm.file);
        const f = files.find((x) => x.name === name);
        const st = f ? await statOrNull(f.path) : null;
        if (f && st && sameFile(st, bm) && st.size >= bm.offset) {
          const newer = files.some((x) => x.suffix > f.suffix);
          if (!(bm.offset === st.size && newer)) return this.#open(f, bm.offset);
          // Finished file: go straight to the next one without decoding it again.
          this.#last = { suffix: f.suffix, name, dev: st.dev, ino: st.ino };
        } else if (f && st) {
          this.warn({
            code: 'SNARF_FILE_REPLACED', file: f.path, offset: bm.offset,
            message: `the bookmarked file was ${st.size < bm.offset ? 'truncated' : 're-created'} (inode ${bm.inode} -> ${st.ino}, size ${st.size}); reading it from the start`,
          });
          return this.#open(f, 0);
        } else {
          this.info('bookmarked spool file is gone; continuing with the next newer file', { file: bm.file, offset: bm.offset });
          this.#last = { suffix: suffixOf(name, this.#o.input.base), name, dev: bm.dev, ino: bm.inode };
        }
      }
    }
    const last = this.#last;
    for (const f of files) {
      if (last !== null && f.suffix < last.suffix) continue;
      if (last !== null && f.suffix === last.suffix) {
        // The same name again is only new if it is another file (Snort's `wb` within one second).
        const st = await statOrNull(f.path);
        if (st === null || (st.dev === last.dev && st.ino === last.ino)) continue;
      }
      if (await this.#open(f, 0)) return true;
    }
    return false;
  }

  async #open(f: SpoolFile, resumeAt: number): Promise<boolean> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(f.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // deleted since listed
      throw err;
    }
    const st = await fh.stat();
    const file = f.path;
    const cur: Current = {
      file: f, fh, dev: st.dev, ino: st.ino, size: st.size, readPos: 0, print: EMPTY_PRINT, skipBelow: resumeAt,
      counter: new OccurrenceCounter(), events: new Map(), orphanAt: new Map(), orphanKeys: new Map(), bad: false,
      decoder: new Unified2Decoder({ file, onWarning: (w) => this.#decoderWarning(w, cur) }),
      assembler: new Unified2Assembler({
        sensor: this.#o.input.sensor, resolver: this.#o.catalog, clock: POLLED_CLOCK, eventTimeoutMs: this.#o.eventTimeoutMs,
        onAlert: (alert) => {
          cur.events.delete(alert.origin.offset);
          this.accept(alert, cur.counter, cur.skipBelow);
        },
        onOrphan: (o) => this.#orphanDropped(o, cur),
      }),
    };
    this.#cur = cur;
    this.info(resumeAt > 0 ? 'resuming spool file' : 'reading spool file', { file, offset: resumeAt, size: st.size });
    return true;
  }

  /** Reads up to 8 chunks of appended bytes; false when already at EOF. */
  async #readAvailable(cur: Current): Promise<boolean> {
    if (cur.bad) return false;
    const st = await cur.fh.stat();
    const rewritten = st.size >= cur.readPos && !(await printMatches(cur.fh, cur.readPos, cur.print));
    if (st.size < cur.readPos || rewritten) {
      // Shrunk in place: Snort re-opened the name with `wb`. What was read stays stored.
      this.warn({
        code: 'SNARF_FILE_REPLACED', file: cur.file.path, offset: cur.readPos,
        message: `file ${rewritten ? 'was rewritten' : 'shrank'} (read ${cur.readPos} bytes, now ${st.size}; re-created by the writer); reading it from the start`,
      });
      await this.#finishFile(cur, false);
      await this.#open(cur.file, 0);
      return true;
    }
    cur.size = st.size;
    if (st.size === cur.readPos) return false;
    for (let i = 0; i < 8 && cur.readPos < st.size; i++) {
      const chunk = await readAt(cur.fh, cur.readPos, Math.min(this.#chunk, st.size - cur.readPos));
      if (chunk.length === 0) break;
      cur.readPos += chunk.length;
      cur.print = extendPrint(cur.print, chunk);
      let records: U2Record[];
      try {
        records = cur.decoder.push(chunk);
      } catch (err) {
        if (!(err instanceof SnarfError)) throw err;
        this.error(err.message, { code: err.code, file: cur.file.path, offset: 0 });
        cur.bad = true;
        break;
      }
      for (const rec of records) this.#feed(rec, cur);
      if (this.batchFull) await this.commit(this.#position(cur));
    }
    await this.commit(this.#position(cur));
    return true;
  }

  /** Feeds one record to the assembler, tracking which records still wait for a commit. */
  #feed(rec: U2Record, cur: Current): void {
    const asm = cur.assembler;
    const before = asm.pendingOrphans;
    this.#evicted = 0;
    if (rec.kind === 'event') {
      if (rec.offset >= cur.skipBelow) cur.events.set(rec.offset, true);
      asm.push(rec, cur.file.path);
      if (asm.pendingOrphans < before) {
        // Records that arrived ahead of this event joined it.
        const key = `${rec.sensorId}:${rec.eventId}:${rec.eventSecond}`;
        for (const off of cur.orphanKeys.get(key) ?? []) cur.orphanAt.delete(off);
        cur.orphanKeys.delete(key);
      }
      return;
    }
    asm.push(rec, cur.file.path);
    if ((rec.kind === 'packet' || rec.kind === 'extra') && asm.pendingOrphans + this.#evicted > before) {
      const key = `${rec.sensorId}:${rec.eventId}:${rec.eventSecond}`;
      cur.orphanAt.set(rec.offset, key);
      const list = cur.orphanKeys.get(key);
      if (list) list.push(rec.offset);
      else cur.orphanKeys.set(key, [rec.offset]);
    }
  }

  #orphanDropped(o: OrphanRecord, cur: Current): void {
    this.#evicted++;
    cur.orphanAt.delete(o.offset);
    const key = `${o.sensorId}:${o.eventId}:${o.eventSecond}`;
    const list = cur.orphanKeys.get(key)?.filter((x) => x !== o.offset);
    if (list && list.length > 0) cur.orphanKeys.set(key, list);
    else cur.orphanKeys.delete(key);
    if (o.offset < cur.skipBelow) return; // reported before the restart
    this.warn({
      code: 'SNARF_U2_BAD_INNER_LENGTH', file: o.file, offset: o.offset,
      message: `${o.kind} record for event ${o.eventId} (second ${o.eventSecond}) whose event never appeared (or was cut off by a rotation)`,
    });
  }

  #decoderWarning(w: Warning, cur: Current): void {
    if (w.offset !== undefined && w.offset < cur.skipBelow) return; // already counted before the restart
    this.warn(w);
  }

  /** The bookmark: the earliest record not yet covered by a commit (see the header comment). */
  #position(cur: Current): Position {
    let offset = cur.decoder.offset;
    const ev = cur.events.keys().next();
    if (!ev.done && ev.value < offset) offset = ev.value;
    const orphan = cur.orphanAt.keys().next();
    if (!orphan.done && orphan.value < offset) offset = orphan.value;
    // Before skipBelow everything is stored already (the run before the restart said so).
    offset = Math.max(offset, cur.skipBelow);
    return { file: cur.file.path, dev: cur.dev, inode: cur.ino, size: cur.size, offset, records: cur.decoder.stats.records };
  }

  /**
   * Ends a file: a cut record at its end is reported with file and offset and skipped, waiting
   * events are released, and the bookmark is set past the file's last byte so that a restart
   * goes straight to the next file.
   */
  async #finishFile(cur: Current, final: boolean): Promise<void> {
    if (!cur.bad) {
      try {
        cur.decoder.end(final);
      } catch (err) {
        if (!(err instanceof SnarfError)) throw err;
        this.error(err.message, { code: err.code, file: cur.file.path, offset: 0 });
      }
    }
    cur.assembler.flush();
    cur.assembler.close();
    const pos = this.#position(cur);
    pos.offset = Math.max(pos.offset, cur.bad ? cur.size : cur.readPos);
    this.#cur = null;
    this.#last = { suffix: cur.file.suffix, name: cur.file.name, dev: cur.dev, ino: cur.ino };
    await cur.fh.close().catch(() => undefined);
    // Committed even if it fails: the retry rides on the next file's first commit (same batch).
    await this.commit(pos);
  }
}
