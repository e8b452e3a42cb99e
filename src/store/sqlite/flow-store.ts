/**
 * The SQLite side of issue 5: the flow rollup (flow_peers), exporter statistics, Winny events
 * and imported daily reports (schema migration 2). Attached to SqliteStore by attachFlowStore()
 * so that the alert store file stays about alerts. Every write is one transaction: a datagram's
 * dedupe row, its rollup deltas and its exporter's counters commit together.
 */
import type Database from 'better-sqlite3';
import { SnarfError } from '../../errors.js';
import { ipFromKey, ipKey } from '../../model/ip.js';
import type { WinnyEvent } from '../../model/flow.js';
import type { Evidence } from '../../model/verdict.js';
import { DEFAULT_CLASSING, DIR_IN, FlowRollup, CLS_BT, CLS_HIGH, HOUR_US, type FlowClassing } from '../../analysis/flow-rollup.js';
import { internalMatcher, sectionTitles, type P2pReportOptions } from '../../analysis/p2p-report.js';
import { emptyReport, type DailyP2pReport, type P2pReportRow } from '../../inputs/sflow/daily-report.js';
import { SequenceTracker, exporterKey, type SequenceEvent } from '../../inputs/sflow/sequence.js';
import type { IngestResult } from '../store.js';
import type { EvidenceQuery, ExporterStats, FlowBatch, FlowIngestResult, FlowSettings } from '../flow-types.js';
import { queryEvidence } from './evidence-query.js';

type Db = Database.Database;
type Stmt = Database.Statement;

const stmtCache = new WeakMap<Db, Map<string, Stmt>>();

/** Statements prepared once per connection (the tables exist only after migration 2). */
export function stmt(db: Db, sql: string): Stmt {
  let m = stmtCache.get(db);
  if (m === undefined) stmtCache.set(db, (m = new Map()));
  let s = m.get(sql);
  if (s === undefined) m.set(sql, (s = db.prepare(sql)));
  return s;
}

export function getFlowSettings(db: Db): FlowSettings {
  const rows = stmt(db, 'SELECT key, value FROM flow_settings').all() as Array<{ key: string; value: string }>;
  const v = new Map(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
  return { homeNets: (v.get('home_nets') as string[] | undefined) ?? null, classing: (v.get('classing') as FlowClassing | undefined) ?? null };
}

export function setFlowSettings(db: Db, s: Partial<FlowSettings>): void {
  const put = stmt(db, 'INSERT INTO flow_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  if (s.homeNets) put.run('home_nets', JSON.stringify(s.homeNets));
  if (s.classing) put.run('classing', JSON.stringify(s.classing));
}

function sameClassing(a: FlowClassing, b: FlowClassing): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

interface ExporterRow { id: number; last_seq: number | null; last_uptime: number | null }

export function ingestFlows(db: Db, batch: FlowBatch): FlowIngestResult {
  return db.transaction(() => {
    const settings = getFlowSettings(db);
    if (settings.classing && !sameClassing(settings.classing, batch.classing)) {
      throw new SnarfError('SNARF_CONFIG_INVALID',
        `this store classes flow ports as ${JSON.stringify(settings.classing)}; an import with other port classes would mix definitions`);
    }
    if (!settings.classing) setFlowSettings(db, { classing: batch.classing });
    const rollup = new FlowRollup(batch.homeNets, batch.classing);
    const tracker = new SequenceTracker();
    const exporters = new Map<string, { id: number; datagrams: number; samples: number; first: number; last: number; lastSeq: number | null; lastUp: number | null }>();
    const sequence: SequenceEvent[] = [];
    let datagrams = 0;
    let duplicates = 0;
    for (const d of batch.datagrams) {
      const agent = d.agent ?? '-';
      const key = exporterKey(d.agent, d.subAgentId);
      let e = exporters.get(key);
      if (e === undefined) {
        stmt(db, 'INSERT OR IGNORE INTO flow_exporters (agent, sub_agent) VALUES (?, ?)').run(agent, d.subAgentId);
        const row = stmt(db, 'SELECT id, last_seq, last_uptime FROM flow_exporters WHERE agent = ? AND sub_agent = ?').get(agent, d.subAgentId) as ExporterRow;
        // Seed the tracker with where the previous import stopped, so a gap between files counts.
        if (row.last_seq !== null) tracker.observe(key, row.last_seq, row.last_uptime ?? 0);
        e = { id: row.id, datagrams: 0, samples: 0, first: d.timeUs, last: d.timeUs, lastSeq: row.last_seq, lastUp: row.last_uptime };
        exporters.set(key, e);
      }
      {
        const ins = stmt(db, 'INSERT OR IGNORE INTO flow_datagrams (exporter_id, seq, ts) VALUES (?, ?, ?)').run(e.id, d.seq, d.timeUs);
        if (ins.changes === 0) {
          duplicates++;
          continue;
        }
      }
      if (d.sequenced) {
        const ev = tracker.observe(key, d.seq, d.uptimeMs ?? 0);
        if (ev && (ev.kind === 'gap' || ev.kind === 'restart')) sequence.push(ev);
        e.lastSeq = d.seq;
        e.lastUp = d.uptimeMs ?? 0;
      }
      datagrams++;
      e.datagrams++;
      e.samples += d.samples.length;
      e.first = Math.min(e.first, d.timeUs);
      e.last = Math.max(e.last, d.timeUs);
      for (const s of d.samples) rollup.add(s);
    }
    const up = stmt(db, `INSERT INTO flow_peers (hour, host, dir, cls, peer, flows, packets, bytes, raw_bytes, first, last)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET flows = flows + excluded.flows,
      packets = packets + excluded.packets, bytes = bytes + excluded.bytes, raw_bytes = raw_bytes + excluded.raw_bytes,
      first = min(first, excluded.first), last = max(last, excluded.last)`);
    for (const p of rollup.take()) {
      up.run(p.hour, ipKey(p.host), p.dir, p.cls, ipKey(p.peer), p.flows, p.packets, p.bytes, p.rawBytes, p.firstUs, p.lastUs);
    }
    const states = new Map(tracker.all().map((s) => [s.key, s]));
    const upd = stmt(db, `UPDATE flow_exporters SET datagrams = datagrams + ?, samples = samples + ?, lost = lost + ?,
      restarts = restarts + ?, last_seq = ?, last_uptime = ?, first = min(coalesce(first, ?), ?), last = max(coalesce(last, ?), ?) WHERE id = ?`);
    for (const [key, e] of exporters) {
      const st = states.get(key);
      upd.run(e.datagrams, e.samples, st?.lost ?? 0, st?.restarts ?? 0, e.lastSeq, e.lastUp, e.first, e.first, e.last, e.last, e.id);
    }
    return { datagrams, duplicates, samples: rollup.samples, ignored: rollup.ignored, sequence };
  })();
}

export function flowExporters(db: Db): ExporterStats[] {
  const rows = stmt(db, 'SELECT * FROM flow_exporters ORDER BY agent, sub_agent').all() as Array<Record<string, number | string | null>>;
  return rows.map((r) => ({
    agent: String(r.agent), subAgentId: Number(r.sub_agent), datagrams: Number(r.datagrams), samples: Number(r.samples),
    lost: Number(r.lost), restarts: Number(r.restarts), firstUs: r.first === null ? null : Number(r.first), lastUs: r.last === null ? null : Number(r.last),
  }));
}

/** Identity of a Winny event: its content, so the same log (or a rotated copy) adds nothing twice. */
function winnyIdent(e: WinnyEvent): string {
  return [e.timeUs, e.sensor, e.kind, e.hostIp, e.hostPort, e.peerIp, e.peerPort, e.direction, e.protocol, e.action, e.bytes].join('|');
}

export function ingestWinny(db: Db, events: WinnyEvent[]): IngestResult {
  return db.transaction(() => {
    const ins = stmt(db, `INSERT OR IGNORE INTO winny_events (ts, sensor, kind, host, host_port, peer, peer_port, direction, proto,
      node_info, action, bytes, extra, file, line, ident) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    let inserted = 0;
    for (const e of events) {
      const info = ins.run(e.timeUs, e.sensor, e.kind, ipKey(e.hostIp), e.hostPort, e.peerIp === null ? null : ipKey(e.peerIp), e.peerPort,
        e.direction, e.protocol, Object.keys(e.nodeInfo).length ? JSON.stringify(e.nodeInfo) : null, e.action, e.bytes,
        Object.keys(e.extra).length ? JSON.stringify(e.extra) : null, e.origin.file, e.origin.line, winnyIdent(e));
      inserted += info.changes;
    }
    return { inserted, duplicates: events.length - inserted };
  })();
}

export function saveP2pReport(db: Db, report: DailyP2pReport, source: string): IngestResult {
  return db.transaction(() => {
    const rows = report.sections.reduce((n, s) => n + s.rows.length, 0);
    const ins = stmt(db, 'INSERT OR IGNORE INTO p2p_reports (day, tz, start, end, source) VALUES (?, ?, ?, ?, ?)')
      .run(report.day, report.timeZone, report.startUs, report.endUs, source);
    if (ins.changes === 0) return { inserted: 0, duplicates: rows };
    const id = Number(ins.lastInsertRowid);
    const row = stmt(db, `INSERT OR IGNORE INTO p2p_report_rows (report_id, section, title, host, fqdn, first, last, flows, bytes, uniq)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    let inserted = 0;
    report.sections.forEach((s, i) => {
      for (const r of s.rows) inserted += row.run(id, i, s.title, ipKey(r.dstAddr), r.fqdn, r.firstUs, r.lastUs, r.flows, r.totalBytes, r.uniqSrcs).changes;
    });
    return { inserted, duplicates: rows - inserted };
  })();
}

/** Refuses report options the rollup cannot answer (port classes are fixed at import). */
function checkClassing(db: Db, opts: P2pReportOptions): void {
  const stored = getFlowSettings(db).classing ?? DEFAULT_CLASSING;
  const asked: FlowClassing = {
    wellKnownBelow: opts.wellKnownBelow ?? 1024,
    wellKnownPorts: opts.wellKnownPorts ? [...opts.wellKnownPorts].sort((a, b) => a - b) : null,
    bittorrentPorts: opts.bittorrentPorts ? [opts.bittorrentPorts[0], opts.bittorrentPorts[1]] : [6881, 6889],
  };
  if (!sameClassing(stored, asked)) {
    throw new SnarfError('SNARF_CONFIG_INVALID',
      `the flows in this store were classed with ${JSON.stringify(stored)} at import; port-class options must match ` +
      '(thresholds, GB size and scaling are free). Re-import into a new store to use other port classes.');
  }
}

interface SectionRow { host: Buffer; flows: number; bytes: number; raw: number; first: number; last: number; uniq: number }

/** The seed's daily report from the rollup: the same rows computeP2pReport makes from the samples. */
export function p2pReport(db: Db, opts: P2pReportOptions): DailyP2pReport {
  checkClassing(db, opts);
  const tz = opts.timeZone ?? 'UTC';
  const report = emptyReport(opts.day, tz, sectionTitles(opts));
  if (report.startUs % HOUR_US !== 0 || report.endUs % HOUR_US !== 0) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `zone ${tz} does not start days on a whole UTC hour; the flow rollup is hourly`);
  }
  const h0 = report.startUs / HOUR_US;
  const h1 = report.endUs / HOUR_US;
  const inHome = opts.internalNetworks.length ? internalMatcher(opts.internalNetworks) : () => true;
  const scale = opts.scaleBySamplingRate ?? true;
  const gbBytes = opts.gigabyte === 'binary' ? 2 ** 30 : 1e9;
  const massBytes = (opts.massDownloadGb ?? 1) * gbBytes;
  const minSrcs = opts.minUniqueSources ?? 10;
  const q = stmt(db, `SELECT host, sum(flows) AS flows, sum(bytes) AS bytes, sum(raw_bytes) AS raw, min(first) AS first,
    max(last) AS last, count(DISTINCT peer) AS uniq FROM flow_peers
    WHERE hour >= ? AND hour < ? AND dir = ? AND (cls & ?) = ? AND (cls & ?) = 0 GROUP BY host`);
  // Section 1 may leave BitTorrent-port samples out (excludeBittorrentFromSection1).
  const sections: Array<[number, number, (bytes: number, uniq: number) => boolean]> = [
    [CLS_HIGH, opts.excludeBittorrentFromSection1 ? CLS_BT : 0, (_b, u) => u > minSrcs],
    [CLS_BT, 0, () => true],
    [0, 0, (b) => b > massBytes],
  ];
  sections.forEach(([mask, without, keep], i) => {
    const out: P2pReportRow[] = [];
    for (const r of q.all(h0, h1, DIR_IN, mask, mask, without) as SectionRow[]) {
      const host = ipFromKey(r.host);
      const bytes = scale ? r.bytes : r.raw;
      if (!inHome(host) || !keep(bytes, r.uniq)) continue;
      out.push({ dstAddr: host, fqdn: '', firstUs: r.first, lastUs: r.last, flows: r.flows, totalBytes: bytes, uniqSrcs: r.uniq });
    }
    out.sort((x, y) => y.totalBytes - x.totalBytes || Buffer.compare(ipKey(x.dstAddr), ipKey(y.dstAddr)));
    report.sections[i]!.rows = out;
  });
  return report;
}

/** Methods SqliteStore gains (declared on the Store interface as optional). */
export interface FlowStoreMethods {
  flowSettings(): Promise<FlowSettings>;
  setFlowSettings(s: Partial<FlowSettings>): Promise<void>;
  ingestFlows(batch: FlowBatch): Promise<FlowIngestResult>;
  ingestWinny(events: WinnyEvent[]): Promise<IngestResult>;
  saveP2pReport(report: DailyP2pReport, source: string): Promise<IngestResult>;
  p2pReport(opts: P2pReportOptions): Promise<DailyP2pReport>;
  flowExporters(): Promise<ExporterStats[]>;
  p2pEvidence(q: EvidenceQuery): Promise<Evidence[]>;
}

/** Adds the flow methods to a store class whose instances have a better-sqlite3 `db`. */
export function attachFlowStore(cls: { prototype: object }): void {
  const methods: FlowStoreMethods & ThisType<{ db: Db }> = {
    async flowSettings() { return getFlowSettings(this.db); },
    async setFlowSettings(s) { setFlowSettings(this.db, s); },
    async ingestFlows(batch) { return ingestFlows(this.db, batch); },
    async ingestWinny(events) { return ingestWinny(this.db, events); },
    async saveP2pReport(report, source) { return saveP2pReport(this.db, report, source); },
    async p2pReport(opts) { return p2pReport(this.db, opts); },
    async flowExporters() { return flowExporters(this.db); },
    async p2pEvidence(q) { return queryEvidence(this.db, q, (o) => p2pReport(this.db, o)); },
  };
  Object.assign(cls.prototype, methods);
}
