/**
 * Evidence rows for per-host P2P verdicts, read from the SQLite store: P2P-signature alerts per
 * internal host (either side), Winny monitor events, the daily sFlow sections computed from the
 * flow rollup, and rows of imported daily reports. Aggregation happens here; judging happens in
 * src/analysis/verdicts.ts (pure).
 */
import type Database from 'better-sqlite3';
import { ipFromKey } from '../../model/ip.js';
import type { AlertEvidence, Evidence, FlowEvidence, FlowSection, WinnyEvidence } from '../../model/verdict.js';
import { internalMatcher, type P2pReportOptions } from '../../analysis/p2p-report.js';
import type { DailyP2pReport } from '../../inputs/sflow/daily-report.js';
import { localDay } from '../../inputs/sflow/zone.js';
import { HOUR_US } from '../../analysis/flow-rollup.js';
import { alertEvidence as sharedAlertEvidence, p2pSignatures, type SignatureRow } from '../../analysis/alert-evidence.js';
import type { EvidenceQuery } from '../flow-types.js';

type Db = Database.Database;
const MAX_US = 8.64e18;

export function queryEvidence(db: Db, q: EvidenceQuery, report: (o: P2pReportOptions) => DailyP2pReport): Evidence[] {
  const isHome = internalMatcher(q.homeNets);
  const since = q.sinceUs ?? 0;
  const until = q.untilUs ?? MAX_US;
  return [
    ...alertEvidence(db, q, isHome, since, until),
    ...winnyEvidence(db, isHome, since, until),
    ...flowEvidence(db, q, isHome, since, until, report),
    ...reportEvidence(db, isHome, since, until),
  ];
}

function alertEvidence(db: Db, q: EvidenceQuery, isHome: (ip: string) => boolean, since: number, until: number): AlertEvidence[] {
  const p2p = p2pSignatures(db.prepare('SELECT id, gid, sid, message, classification FROM signatures').all() as SignatureRow[], q.match);
  if (p2p.size === 0) return [];
  const sensors = new Map((db.prepare('SELECT id, name FROM sensors').all() as Array<{ id: number; name: string }>).map((r) => [r.id, r.name]));
  const ids = [...p2p.keys()];
  const rows = db.prepare(`SELECT sig_id, sensor_id, src, dst, count(*) AS n, min(ts) AS first, max(ts) AS last FROM alerts
    WHERE sig_id IN (${ids.map(() => '?').join(',')}) AND ts >= ? AND ts < ? GROUP BY sig_id, sensor_id, src, dst`)
    .all(...ids, since, until) as Array<{ sig_id: number; sensor_id: number; src: Buffer | null; dst: Buffer | null; n: number; first: number; last: number }>;
  return sharedAlertEvidence(rows.map((r) => ({
    sigId: r.sig_id, sensor: sensors.get(r.sensor_id) ?? String(r.sensor_id),
    src: r.src === null ? null : ipFromKey(r.src), dst: r.dst === null ? null : ipFromKey(r.dst), n: r.n, firstUs: r.first, lastUs: r.last,
  })), p2p, isHome);
}

function winnyEvidence(db: Db, isHome: (ip: string) => boolean, since: number, until: number): WinnyEvidence[] {
  // host_ip is the campus side by the format's definition; the home-net test only narrows the view.
  const rows = db.prepare(`SELECT host, kind, count(*) AS n, sum(action = 'reset') AS resets, sum(action = 'block') AS blocks,
    count(DISTINCT peer) AS peers, coalesce(sum(bytes), 0) AS bytes, group_concat(DISTINCT sensor) AS sensors,
    min(ts) AS first, max(ts) AS last FROM winny_events WHERE ts >= ? AND ts < ? GROUP BY host, kind`).all(since, until) as
    Array<{ host: Buffer; kind: WinnyEvidence['kind']; n: number; resets: number; blocks: number; peers: number; bytes: number; sensors: string; first: number; last: number }>;
  const out: WinnyEvidence[] = [];
  for (const r of rows) {
    const host = ipFromKey(r.host);
    if (!isHome(host)) continue;
    out.push({
      source: 'winny', host, kind: r.kind, events: r.n, resets: r.resets, blocks: r.blocks, peers: r.peers, bytes: r.bytes,
      sensors: r.sensors.split(',').sort(), firstUs: r.first, lastUs: r.last,
    });
  }
  return out;
}

const SECTIONS: FlowSection[] = ['high-ports', 'bittorrent', 'mass-download'];

function flowEvidence(db: Db, q: EvidenceQuery, isHome: (ip: string) => boolean, since: number, until: number,
  report: (o: P2pReportOptions) => DailyP2pReport): FlowEvidence[] {
  const span = db.prepare('SELECT min(hour) AS h0, max(hour) AS h1 FROM flow_peers WHERE hour >= ? AND hour < ?')
    .get(Math.floor(since / HOUR_US), Math.ceil(until / HOUR_US)) as { h0: number | null; h1: number | null };
  if (span.h0 === null || span.h1 === null) return [];
  const tz = q.timeZone ?? 'UTC';
  const out: FlowEvidence[] = [];
  // One report per local day that holds flows.
  const days = new Set<string>();
  for (let h = span.h0; h <= span.h1; h++) days.add(localDay(h * HOUR_US, tz));
  for (const day of days) {
    const r = report({
      day, timeZone: tz, internalNetworks: q.homeNets, minUniqueSources: q.minUniqueSources, massDownloadGb: q.massDownloadGb,
      gigabyte: q.gigabyte, scaleBySamplingRate: q.scaleBySamplingRate,
    });
    r.sections.forEach((s, i) => {
      for (const row of s.rows) {
        if (!isHome(row.dstAddr) || row.lastUs < since || row.firstUs >= until) continue;
        out.push({
          source: 'sflow', host: row.dstAddr, day, section: SECTIONS[i]!, flows: row.flows, bytes: row.totalBytes,
          uniqPeers: row.uniqSrcs, firstUs: row.firstUs, lastUs: row.lastUs,
        });
      }
    });
  }
  return out;
}

/** Section of an imported report by its title (sites reword them; the seed's order is the fallback). */
function sectionOf(title: string, index: number): FlowSection {
  if (/bittorrent/i.test(title)) return 'bittorrent';
  if (/mass|download/i.test(title)) return 'mass-download';
  if (/uniq|high|except/i.test(title)) return 'high-ports';
  return SECTIONS[index] ?? 'high-ports';
}

function reportEvidence(db: Db, isHome: (ip: string) => boolean, since: number, until: number): FlowEvidence[] {
  const rows = db.prepare(`SELECT r.day, r.source, x.section, x.title, x.host, x.first, x.last, x.flows, x.bytes, x.uniq
    FROM p2p_report_rows x JOIN p2p_reports r ON r.id = x.report_id WHERE r.end > ? AND r.start < ? ORDER BY r.start, x.section`)
    .all(since, until) as Array<{ day: string; source: string; section: number; title: string; host: Buffer; first: number; last: number; flows: number; bytes: number; uniq: number }>;
  const out: FlowEvidence[] = [];
  for (const r of rows) {
    const host = ipFromKey(r.host);
    if (!isHome(host)) continue;
    out.push({
      source: 'report', host, day: r.day, section: sectionOf(r.title, r.section), flows: r.flows, bytes: r.bytes,
      uniqPeers: r.uniq, firstUs: r.first, lastUs: r.last, from: r.source,
    });
  }
  return out;
}
