/**
 * Writes the site's files with bounded concurrency and a manifest, so that a re-run rewrites
 * only what changed:
 * - every file's content hash is kept in `<out>/.snarf-manifest.json`; a page whose hash and
 *   size are unchanged (and whose file is still there) is not written again;
 * - host pages and network pages (units) also record a *key* (per host: alert count, first and
 *   last time, the link to the other side, its signatures; the manifest's salt covers
 *   templates, filter and limits): when the key is unchanged the unit's alerts cannot have
 *   changed (alerts are only ever added), so the page builder skips it without reading its
 *   alerts (keep());
 * - the host layout (which hosts have their own pages, which sit on later network parts) is
 *   kept too: when a side's layout moved, links into it changed and the other side's units are
 *   forgotten (forget());
 * - files from the previous run that were not produced this time are deleted (finish()).
 * The manifest is replaced atomically (write to a temp name, rename) after all pages are out.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { ReportMark } from '../store/reads/report-reads.js';

const MANIFEST = '.snarf-manifest.json';
const MANIFEST_VERSION = 2;

/** Store state at the time of a run (see buildSite and ReportReads.mark: captures added to old alerts). */
export type StoreMark = ReportMark;

interface Manifest {
  version: number;
  salt: string;
  mark?: StoreMark;
  files: Record<string, string>;
  hosts: Record<string, { key: string; files: string[] }>;
  layout?: Record<string, unknown>;
}

export interface WriteStats {
  files: number;
  written: number;
  unchanged: number;
  removed: number;
  bytes: number;
  bytesWritten: number;
  hostsSkipped: number;
}

export class SiteWriter {
  private readonly old: Manifest;
  private readonly next: Manifest;
  private readonly inflight = new Set<Promise<void>>();
  private readonly dirs = new Set<string>();
  private failure: Error | null = null;
  readonly stats: WriteStats = { files: 0, written: 0, unchanged: 0, removed: 0, bytes: 0, bytesWritten: 0, hostsSkipped: 0 };

  /** `invalidHosts`: no host may be skipped (something changed that host keys do not cover). */
  constructor(readonly outDir: string, salt: string, mark: StoreMark, invalidHosts: boolean, private readonly concurrency = 16) {
    fs.mkdirSync(outDir, { recursive: true });
    this.old = SiteWriter.readManifest(outDir, salt);
    if (invalidHosts) this.old.hosts = {};
    this.next = { version: MANIFEST_VERSION, salt, mark, files: {}, hosts: {} };
  }

  /** The store mark the previous run recorded in `outDir`, if any. */
  static previousMark(outDir: string): StoreMark | undefined {
    try {
      return (JSON.parse(fs.readFileSync(path.join(outDir, MANIFEST), 'utf8')) as Manifest).mark;
    } catch {
      return undefined;
    }
  }

  private static readManifest(outDir: string, salt: string): Manifest {
    const empty: Manifest = { version: MANIFEST_VERSION, salt, files: {}, hosts: {} };
    try {
      const m = JSON.parse(fs.readFileSync(path.join(outDir, MANIFEST), 'utf8')) as Manifest;
      if (m.version !== MANIFEST_VERSION) return empty;
      // Another salt (templates, filter or signature metadata changed): file hashes still save
      // writes, but no host may be skipped unread.
      if (m.salt !== salt) m.hosts = {};
      return m;
    } catch {
      return empty;
    }
  }

  /** What the previous run recorded with setLayout(), if anything. */
  previousLayout(): Record<string, unknown> | undefined {
    return this.old.layout;
  }

  setLayout(layout: Record<string, unknown>): void {
    this.next.layout = layout;
  }

  /** No unit whose id starts with `prefix` (e.g. `src/`) may be kept from the previous run. */
  forget(prefix: string): void {
    for (const id of Object.keys(this.old.hosts)) if (id.startsWith(prefix)) delete this.old.hosts[id];
  }

  /**
   * True when a unit (a host's pages, or a network page with `hosts` hosts) with this key was
   * written by the previous run: keeps its files.
   */
  keep(hostId: string, key: string, hosts = 1): boolean {
    const h = this.old.hosts[hostId];
    if (!h || h.key !== key) return false;
    for (const f of h.files) {
      const hash = this.old.files[f];
      if (hash === undefined || !fs.existsSync(path.join(this.outDir, f))) return false;
    }
    for (const f of h.files) {
      this.next.files[f] = this.old.files[f]!;
      this.stats.files++;
      this.stats.unchanged++;
      this.stats.bytes += Number(this.old.files[f]!.split(':')[1] ?? 0);
    }
    this.next.hosts[hostId] = h;
    this.stats.hostsSkipped += hosts;
    return true;
  }

  recordHost(hostId: string, key: string, files: string[]): void {
    this.next.hosts[hostId] = { key, files };
  }

  /** Queues one file; resolves once there is room for more (back-pressure for the builders). */
  async write(rel: string, content: string | Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const hash = `${crypto.createHash('sha1').update(buf).digest('base64url').slice(0, 22)}:${buf.length}`;
    this.next.files[rel] = hash;
    this.stats.files++;
    this.stats.bytes += buf.length;
    const file = path.join(this.outDir, rel);
    if (this.old.files[rel] === hash && fs.existsSync(file)) {
      this.stats.unchanged++;
      return;
    }
    this.stats.written++;
    this.stats.bytesWritten += buf.length;
    const dir = path.dirname(file);
    if (!this.dirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    const p = fs.promises.writeFile(file, buf).catch((e: Error) => { this.failure ??= e; })
      .finally(() => { this.inflight.delete(p); });
    this.inflight.add(p);
    while (this.inflight.size >= this.concurrency) await Promise.race(this.inflight);
  }

  /** Waits for every write, deletes files the previous run wrote and this one did not. */
  async finish(): Promise<WriteStats> {
    await Promise.all(this.inflight);
    if (this.failure) throw this.failure;
    for (const rel of Object.keys(this.old.files)) {
      if (this.next.files[rel] !== undefined) continue;
      fs.rmSync(path.join(this.outDir, rel), { force: true });
      this.stats.removed++;
    }
    const tmp = path.join(this.outDir, `${MANIFEST}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(this.next));
    fs.renameSync(tmp, path.join(this.outDir, MANIFEST));
    return this.stats;
  }
}
