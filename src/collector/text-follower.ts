/**
 * Follows one Snort text alert file (alert_fast, alert_full, alert_csv, syslog) by polling,
 * with the same guarantees as the spool follower: the bookmark is the byte offset after the last
 * complete line (for alert_full: the start of the block still being written, since a block is
 * one alert), committed with the rows; an unterminated last line is never consumed while the
 * file may grow; a new inode at the path (logrotate) means: drain the old file through the open
 * handle, then read the new one from 0; a shrink (copytruncate) means: read it again from 0.
 *
 * Why not the `tail-file` package: it delivers decoded lines without their byte offsets, starts
 * from a character position, pushes lines as fast as it reads (no waiting for our transaction),
 * and watches with fs.watch. The bookmark needs exact byte offsets of line ends and reads paced
 * by commits, so this polls with positioned reads like the spool follower.
 *
 * As there, a resumed file is parsed again from byte 0 to rebuild the per-file occurrence
 * numbering of the content identity (and the New Year rollover of year-less timestamps);
 * alerts before the bookmark are counted, not stored.
 */
import fs from 'node:fs';
import { OccurrenceCounter } from '../model/identity.js';
import type { Warning } from '../errors.js';
import type { TextInputConfig } from './config.js';
import { winnySink, type WinnySink } from '../import/flow-sink.js';
import { sniffFlowText } from '../import/flow-import.js';
import { LineSplitter } from '../inputs/line-splitter.js';
import { TimePlacer } from '../inputs/snort-text/time.js';
import { detectTextFormat } from '../inputs/snort-text/detect.js';
import type { ParseContext, TextParser } from '../inputs/snort-text/parser.js';
import { createTextParser, type SnortTextFormat } from '../import/text-import.js';
import { enrichAlert } from '../import/enrich.js';
import type { SignatureResolver } from '../rules/types.js';
import {
  EMPTY_PRINT, extendPrint, FollowerBase, printMatches, readAt, sameFile, statOrNull,
  type Follower, type FollowerDeps, type OpenFile, type Position,
} from './follower.js';

export interface TextFollowerOptions extends FollowerDeps {
  input: TextInputConfig;
  key: string;
  catalog?: SignatureResolver;
  chunkBytes?: number;
  maxLineBytes?: number;
}

interface Current extends OpenFile {
  /** The file read: the configured path, or its rotated sibling while draining it after a restart. */
  path: string;
  format: SnortTextFormat | null;
  splitter: LineSplitter | null;
  parser: TextParser | null;
  counter: OccurrenceCounter;
  /** alert_full: offset of the block being read (not yet an alert), null between blocks. */
  openBlockAt: number | null;
  /** Offset of the line being parsed, to mute warnings about lines before the resume point. */
  lineAt: number;
  /** Format not recognised or not supported: read nothing until the file is replaced. */
  bad: boolean;
  /** Winny monitor logs: events go to the Winny table, flushed before each bookmark. */
  winny: WinnySink | null;
}

const HEAD_BYTES = 64 * 1024;

export class TextFollower extends FollowerBase implements Follower {
  #cur: Current | null = null;
  #resumed = false;
  readonly #o: TextFollowerOptions;

  constructor(o: TextFollowerOptions) {
    super(o.key, o.input.name, o);
    this.#o = o;
  }

  async step(): Promise<boolean> {
    if (this.#cur === null && !(await this.#openFirst())) return false;
    const cur = this.#cur!;
    if (await this.#readAvailable(cur)) return true;
    const watched = this.#o.input.path;
    const now = await statOrNull(watched);
    const moved = cur.path !== watched || (now !== null && (now.ino !== cur.ino || now.dev !== cur.dev));
    if (!moved) {
      await this.commit(this.#position(cur));
      return false; // same file (or the path is gone and nothing replaced it yet): wait
    }
    // Rotated: whatever the writer added before the new file appeared is in the old one.
    if (await this.#readAvailable(cur)) return true;
    await this.#finishFile(cur, true);
    if (now !== null) await this.#open(watched, 0);
    return true;
  }

  async finish(): Promise<void> {
    if (this.#cur) await this.commit(this.#position(this.#cur));
  }

  async close(): Promise<void> {
    const cur = this.#cur;
    this.#cur = null;
    if (cur) await cur.fh.close().catch(() => undefined);
  }

  /**
   * Resumes from the bookmark: the bookmarked file by inode at its old name, the configured
   * path, or the logrotate sibling `<path>.1` (rotated while we were down: drain it first).
   */
  async #openFirst(): Promise<boolean> {
    const watched = this.#o.input.path;
    const bm = this.#resumed ? undefined : this.stored;
    this.#resumed = true;
    if (bm !== undefined) {
      for (const p of [...new Set([bm.file, watched, `${watched}.1`, `${watched}.0`])]) {
        const st = await statOrNull(p);
        if (st && sameFile(st, bm)) {
          if (st.size >= bm.offset) return this.#open(p, bm.offset);
          this.warn({
            code: 'SNARF_FILE_REPLACED', file: p, offset: bm.offset,
            message: `file shrank from ${bm.offset} to ${st.size} bytes (copytruncate?); reading it from the start`,
          });
          return this.#open(p, 0);
        }
      }
      this.warn({
        code: 'SNARF_FILE_REPLACED', file: bm.file, offset: bm.offset,
        message: `the bookmarked file (inode ${bm.inode}) is gone; alerts written to it after offset ${bm.offset} cannot be read; starting ${watched} from 0`,
      });
    }
    return this.#open(watched, 0);
  }

  async #open(p: string, resumeAt: number): Promise<boolean> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(p, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    const st = await fh.stat();
    this.#cur = {
      path: p, fh, dev: st.dev, ino: st.ino, size: st.size, readPos: 0, print: EMPTY_PRINT, skipBelow: resumeAt, format: null,
      splitter: null, parser: null, counter: new OccurrenceCounter(), openBlockAt: null, lineAt: 0, bad: false, winny: null,
    };
    this.info(resumeAt > 0 ? 'resuming text file' : 'reading text file', { file: p, offset: resumeAt, size: st.size });
    return true;
  }

  /** Sniffs the format from the first complete lines (waits until there is one). */
  async #setup(cur: Current): Promise<boolean> {
    let format = this.#o.input.format;
    if (format === 'auto') {
      const head = await readAt(cur.fh, 0, HEAD_BYTES);
      const end = head.lastIndexOf(0x0a);
      if (end === -1) return false;
      const headLines = head.toString('utf8', 0, end).split('\n');
      const detected = detectTextFormat(headLines) ?? (sniffFlowText(headLines) === 'winny_log' ? 'winny_log' : null);
      if (detected === null && end < HEAD_BYTES / 2 && head.toString('utf8', 0, end).trim() === '') return false;
      if (detected === null || detected === 'portscan_log') {
        this.error(`not a supported Snort text alert format (${detected ?? 'unrecognised'}); waiting for the file to be replaced`,
          { code: 'SNARF_UNKNOWN_FORMAT', file: cur.path });
        cur.bad = true;
        return false;
      }
      format = detected;
    }
    const i = this.#o.input;
    if (format === 'winny_log') return this.#setupWinny(cur, i);
    const fmt = format as SnortTextFormat;
    const ctx: ParseContext = {
      file: cur.path,
      sensor: i.sensor ?? 'default',
      sensorExplicit: i.sensor !== undefined,
      time: new TimePlacer({ tz: i.tz, year: i.year }),
      emit: (alert) => {
        if (this.#o.catalog) enrichAlert(alert, this.#o.catalog);
        this.accept(alert, cur.counter, cur.skipBelow);
      },
      warn: (w) => this.#parserWarning(w, cur),
    };
    const parser = createTextParser(fmt, ctx);
    const full = fmt === 'alert_full';
    cur.format = fmt;
    cur.parser = parser;
    cur.splitter = new LineSplitter({
      line: (text, lineNo, offset, unterminated) => {
        cur.lineAt = offset;
        parser.line(text, lineNo, offset, unterminated);
        // After the parser: a header line first flushes the previous block, then opens its own.
        if (full) {
          if (text.startsWith('[**] [')) cur.openBlockAt = offset;
          else if (text.trim() === '') cur.openBlockAt = null;
        }
      },
      tooLong: (lineNo, offset, bytes) => this.#parserWarning({
        code: 'SNARF_TEXT_LONG_LINE', message: `line of ${bytes} bytes is longer than the bound; skipped`, file: cur.path, line: lineNo, offset,
      }, cur),
      badUtf8: (lineNo, offset) => this.#parserWarning({
        code: 'SNARF_TEXT_BAD_UTF8', message: 'invalid UTF-8 replaced with U+FFFD', file: cur.path, line: lineNo, offset,
      }, cur),
    }, this.#o.maxLineBytes ?? 1 << 20);
    return true;
  }

  /**
   * A Winny monitor log: lines go to the Winny store (deduplicated on content), flushed before
   * every bookmark, so a restart re-reads at most what was not yet covered and adds nothing twice.
   * Lines before the bookmark are fed too: the header line names the columns of the rest.
   */
  #setupWinny(cur: Current, i: TextInputConfig): boolean {
    const sink = winnySink(this.deps.store, { file: cur.path, timeZone: i.tz, onWarning: (w) => this.#parserWarning(w, cur) });
    cur.winny = sink;
    cur.format = null;
    cur.parser = { format: 'alert_fast', line: () => undefined, end: () => undefined };
    cur.splitter = new LineSplitter({
      line: (text, lineNo, offset) => {
        cur.lineAt = offset;
        sink.line(text, lineNo);
      },
      tooLong: (lineNo, offset, bytes) => this.#parserWarning({
        code: 'SNARF_TEXT_LONG_LINE', message: `line of ${bytes} bytes is longer than the bound; skipped`, file: cur.path, line: lineNo, offset,
      }, cur),
    }, this.#o.maxLineBytes ?? 1 << 20);
    return true;
  }

  protected override async commit(pos: Position | null): Promise<boolean> {
    const winny = this.#cur?.winny;
    if (winny) await winny.flush();
    return super.commit(pos);
  }

  async #readAvailable(cur: Current): Promise<boolean> {
    if (cur.bad) return false;
    const st = await cur.fh.stat();
    const rewritten = st.size >= cur.readPos && !(await printMatches(cur.fh, cur.readPos, cur.print));
    if (st.size < cur.readPos || rewritten) {
      this.warn({
        code: 'SNARF_FILE_REPLACED', file: cur.path, offset: cur.readPos,
        message: `file ${rewritten ? 'was rewritten' : 'shrank'} (read ${cur.readPos} bytes, now ${st.size}; copytruncate?); reading it from the start`,
      });
      await this.#finishFile(cur, false);
      await this.#open(cur.path, 0);
      return true;
    }
    cur.size = st.size;
    if (st.size === cur.readPos) return false;
    if (cur.parser === null && !(await this.#setup(cur))) return false;
    const chunkBytes = this.#o.chunkBytes ?? 1 << 20;
    for (let i = 0; i < 8 && cur.readPos < st.size; i++) {
      const chunk = await readAt(cur.fh, cur.readPos, Math.min(chunkBytes, st.size - cur.readPos));
      if (chunk.length === 0) break;
      cur.readPos += chunk.length;
      cur.print = extendPrint(cur.print, chunk);
      cur.splitter!.push(chunk);
      if (this.batchFull) await this.commit(this.#position(cur));
    }
    await this.commit(this.#position(cur));
    return true;
  }

  #parserWarning(w: Warning, cur: Current): void {
    if ((w.offset ?? cur.lineAt) < cur.skipBelow) return; // reported before the restart
    this.warn(w);
  }

  /** Bookmark: after the last complete line, but never inside an alert_full block. */
  #position(cur: Current): Position {
    let offset = cur.splitter?.safeOffset ?? 0;
    if (cur.openBlockAt !== null && cur.openBlockAt < offset) offset = cur.openBlockAt;
    offset = Math.max(offset, cur.skipBelow);
    return { file: cur.path, dev: cur.dev, inode: cur.ino, size: cur.size, offset, records: cur.splitter ? cur.splitter.nextLine - 1 : 0 };
  }

  /** The file will not grow any more: its last line and block count even without their end. */
  async #finishFile(cur: Current, final: boolean): Promise<void> {
    if (cur.winny) {
      if (final) cur.splitter?.end(true);
      await cur.winny.flush();
    }
    if (final && cur.splitter && cur.parser) {
      cur.splitter.end(true);
      cur.parser.end();
      cur.openBlockAt = null;
    }
    const pos = this.#position(cur);
    pos.offset = Math.max(pos.offset, final ? cur.readPos : pos.offset);
    this.#cur = null;
    await cur.fh.close().catch(() => undefined);
    await this.commit(pos);
  }
}
