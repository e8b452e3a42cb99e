/**
 * `snarf sensors` and `--compare` on PostgreSQL: the queries of src/store/sqlite/sensor-queries.ts
 * over the same rollups, with the same orders (names and paths bytewise, COLLATE "C"; NULL-free
 * keys), so both stores print the same report for the same alerts.
 */
import type pg from 'pg';
import type { Fingerprint, HourCount, InputInfo, SigCount } from '../../analysis/sensor-compare.js';
import {
  fingerprintKey, hostsOnlyOne, hourRange, sensorStatsOf, type HostsOnlyOne, type SensorReads, type SensorStats, type TimeWindow,
} from '../reads/sensor-reads.js';
import { queryRows } from './read-query.js';

interface FingerprintRow {
  ts: number; gid: number; sid: number; proto: number | null; src: Buffer | null; sport: number | null;
  dst: Buffer | null; dport: number | null; input_id: number;
}

export function pgSensorReads(pool: pg.Pool): SensorReads {
  const sensorStats = async (): Promise<SensorStats[]> => {
    const rows = await queryRows<{ id: number; name: string; n: number; first: number | null; last: number | null; hours: number }>(pool,
      `SELECT s.id, s.name, coalesce(r.n, 0) AS n, r.first, r.last,
          (SELECT count(DISTINCT hour) FROM r_hour h WHERE h.sensor_id = s.id) AS hours
        FROM sensors s LEFT JOIN r_sensor r ON r.sensor_id = s.id ORDER BY s.name COLLATE "C"`);
    // One query for every sensor's inputs rather than one per sensor: the server may be far.
    const inputs = await queryRows<InputInfo & { sensor_id: number }>(pool,
      'SELECT id, path, format, sensor_id FROM inputs ORDER BY path COLLATE "C", format COLLATE "C"');
    const bySensor = new Map<number, InputInfo[]>();
    for (const i of inputs) {
      const list = bySensor.get(i.sensor_id) ?? [];
      list.push({ id: i.id, path: i.path, format: i.format });
      bySensor.set(i.sensor_id, list);
    }
    return rows.map((r) => sensorStatsOf(r, bySensor.get(r.id) ?? []));
  };

  const sensorId = async (name: string): Promise<number | undefined> =>
    (await queryRows<{ id: number }>(pool, 'SELECT id FROM sensors WHERE name = $1', [name]))[0]?.id;

  const signatureCounts = async (a: number, b: number, w: TimeWindow): Promise<SigCount[]> => {
    const { lo, hi } = hourRange(w);
    return queryRows<SigCount>(pool, `SELECT g.gid, g.sid, g.rev, g.message,
        sum(CASE WHEN h.sensor_id = $1 THEN h.n ELSE 0 END) AS a, sum(CASE WHEN h.sensor_id = $2 THEN h.n ELSE 0 END) AS b
      FROM r_hour h JOIN signatures g ON g.id = h.sig_id
      WHERE h.sensor_id IN ($1, $2) AND h.hour BETWEEN $3 AND $4 GROUP BY g.id ORDER BY g.gid, g.sid`, [a, b, lo, hi]);
  };

  const hourlyCounts = async (a: number, b: number, w: TimeWindow): Promise<HourCount[]> => {
    const { lo, hi } = hourRange(w);
    return queryRows<HourCount>(pool, `SELECT hour, sum(CASE WHEN sensor_id = $1 THEN n ELSE 0 END) AS a,
        sum(CASE WHEN sensor_id = $2 THEN n ELSE 0 END) AS b
      FROM r_hour WHERE sensor_id IN ($1, $2) AND hour BETWEEN $3 AND $4 GROUP BY hour ORDER BY hour`, [a, b, lo, hi]);
  };

  const hostsSeen = async (a: number, b: number, top = 25): Promise<HostsOnlyOne> => {
    const rows = await queryRows<{ ip: Buffer; a: number; b: number }>(pool, `SELECT ip,
        sum(CASE WHEN sensor_id = $1 THEN n ELSE 0 END) AS a, sum(CASE WHEN sensor_id = $2 THEN n ELSE 0 END) AS b
      FROM (SELECT ip, sensor_id, n FROM r_sig_src WHERE sensor_id IN ($1, $2)
            UNION ALL SELECT ip, sensor_id, n FROM r_sig_dst WHERE sensor_id IN ($1, $2)) x
      GROUP BY ip ORDER BY ip`, [a, b]);
    return hostsOnlyOne(rows, top);
  };

  const fingerprints = async (sensor: number, w: TimeWindow, limit = 200_000): Promise<Fingerprint[]> => {
    // Time bounds only when given: they are what prunes day partitions.
    const params: unknown[] = [sensor, limit];
    let time = '';
    if (w.sinceUs !== undefined) { params.push(w.sinceUs); time += ` AND a.ts >= $${params.length}`; }
    if (w.untilUs !== undefined) { params.push(w.untilUs); time += ` AND a.ts < $${params.length}`; }
    const rows = await queryRows<FingerprintRow>(pool, `SELECT a.ts, g.gid, g.sid, a.proto, a.src, a.sport, a.dst, a.dport, a.input_id
      FROM alerts a JOIN signatures g ON g.id = a.sig_id
      WHERE a.sensor_id = $1${time} ORDER BY a.ts, a.h LIMIT $2`, params);
    return rows.map((r) => ({ key: fingerprintKey(r), timeUs: r.ts, input: r.input_id }));
  };

  const inputsById = async (): Promise<Map<number, InputInfo>> => {
    const rows = await queryRows<InputInfo>(pool, 'SELECT id, path, format FROM inputs');
    return new Map(rows.map((r) => [r.id, r]));
  };

  return { sensorStats, sensorId, signatureCounts, hourlyCounts, hostsSeen, fingerprints, inputsById };
}
