/**
 * The nightly mail's reads on PostgreSQL: src/store/sqlite/mail-queries.ts over the same rollups,
 * with the same orders (names bytewise, COLLATE "C"), so both stores build the same summary.
 */
import type pg from 'pg';
import { HOUR_US, hourAligned, type MailReads, type SensorSigCount, type Window } from '../reads/mail-reads.js';
import { queryRows } from './read-query.js';

/** The grouped counts of a window: from r_hour when it cuts whole hours, else from the alerts. */
function counts(w: Window, by: string): { sql: string; params: number[] } {
  return hourAligned(w)
    ? { sql: `SELECT ${by}, sum(n) AS n FROM r_hour WHERE hour >= $1 AND hour < $2 GROUP BY ${by}`, params: [w.startUs / HOUR_US, w.endUs / HOUR_US] }
    : { sql: `SELECT ${by}, count(*) AS n FROM alerts WHERE ts >= $1 AND ts < $2 GROUP BY ${by}`, params: [w.startUs, w.endUs] };
}

export function pgMailReads(pool: pg.Pool): MailReads {
  return {
    async countsBySensorSig(w) {
      const c = counts(w, 'sensor_id, sig_id');
      return queryRows<SensorSigCount>(pool, `SELECT s.name AS sensor, g.gid, g.sid, g.rev, g.message, g.classification, g.priority, c.n
        FROM (${c.sql}) c JOIN sensors s ON s.id = c.sensor_id JOIN signatures g ON g.id = c.sig_id
        ORDER BY c.n DESC, g.gid, g.sid, s.name COLLATE "C"`, c.params);
    },
    async countsBySig(w) {
      const c = counts(w, 'sig_id');
      const rows = await queryRows<{ gid: number; sid: number; n: number }>(pool,
        `SELECT g.gid, g.sid, c.n FROM (${c.sql}) c JOIN signatures g ON g.id = c.sig_id`, c.params);
      return new Map(rows.map((r) => [`${r.gid}:${r.sid}`, r.n]));
    },
    async countsBySensor(w) {
      const c = counts(w, 'sensor_id');
      const rows = await queryRows<{ name: string; n: number }>(pool,
        `SELECT s.name, c.n FROM (${c.sql}) c JOIN sensors s ON s.id = c.sensor_id`, c.params);
      return new Map(rows.map((r) => [r.name, r.n]));
    },
    async firstSeenIn(w) {
      return queryRows(pool, `SELECT g.gid, g.sid, f.first AS "firstUs"
        FROM (SELECT sig_id, min(first) AS first FROM r_sig GROUP BY sig_id) f JOIN signatures g ON g.id = f.sig_id
        WHERE f.first >= $1 AND f.first < $2 ORDER BY f.first, g.gid, g.sid`, [w.startUs, w.endUs]);
    },
    async distinctHosts(w) {
      const rows = await queryRows<{ sources: number; destinations: number }>(pool,
        'SELECT count(DISTINCT src) AS sources, count(DISTINCT dst) AS destinations FROM alerts WHERE ts >= $1 AND ts < $2',
        [w.startUs, w.endUs]);
      return rows[0]!;
    },
    async sensorsLast() {
      return queryRows(pool, `SELECT s.name, r.last AS "lastUs" FROM sensors s LEFT JOIN r_sensor r ON r.sensor_id = s.id
        ORDER BY s.name COLLATE "C"`);
    },
  };
}
