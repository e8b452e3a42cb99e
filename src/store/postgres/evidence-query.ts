/**
 * P2P evidence for `snarf hosts` on PostgreSQL: Snort alerts of P2P signatures, grouped here
 * and judged by the same code as on SQLite (src/analysis/alert-evidence.ts). The central store
 * keeps no flows, Winny monitor events or imported daily reports (those inputs are imported into
 * SQLite), so its verdicts rest on IDS alerts alone.
 */
import type pg from 'pg';
import { ipFromKey } from '../../model/ip.js';
import type { Evidence } from '../../model/verdict.js';
import { internalMatcher } from '../../analysis/p2p-report.js';
import { alertEvidence, p2pSignatures, type SignatureRow } from '../../analysis/alert-evidence.js';
import type { EvidenceQuery } from '../flow-types.js';
import { queryRows } from './read-query.js';

const MAX_US = 8.64e18;

export async function queryEvidence(pool: pg.Pool, q: EvidenceQuery): Promise<Evidence[]> {
  const p2p = p2pSignatures(await queryRows<SignatureRow>(pool, 'SELECT id, gid, sid, message, classification FROM signatures'), q.match);
  if (p2p.size === 0) return [];
  const sensors = new Map((await queryRows<{ id: number; name: string }>(pool, 'SELECT id, name FROM sensors')).map((r) => [r.id, r.name]));
  const rows = await queryRows<{ sig_id: number; sensor_id: number; src: Buffer | null; dst: Buffer | null; n: number; first: number; last: number }>(
    pool,
    `SELECT sig_id, sensor_id, src, dst, count(*) AS n, min(ts) AS first, max(ts) AS last FROM alerts
      WHERE sig_id = ANY($1::int[]) AND ts >= $2 AND ts < $3 GROUP BY sig_id, sensor_id, src, dst`,
    [[...p2p.keys()], q.sinceUs ?? 0, q.untilUs ?? MAX_US],
  );
  return alertEvidence(rows.map((r) => ({
    sigId: r.sig_id, sensor: sensors.get(r.sensor_id) ?? String(r.sensor_id),
    src: r.src === null ? null : ipFromKey(r.src), dst: r.dst === null ? null : ipFromKey(r.dst), n: r.n, firstUs: r.first, lastUs: r.last,
  })), p2p, internalMatcher(q.homeNets));
}
