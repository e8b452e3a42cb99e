/**
 * Sensors, signatures and inputs: small tables every alert points into. They are resolved before
 * the batch transaction, in short statements of their own (INSERT ... ON CONFLICT DO NOTHING,
 * then read back), so the long ingest transaction never holds locks on rows that every other
 * collector needs too. A dimension row left behind by a batch that later fails is harmless:
 * readers reach signatures and sensors through the rollups.
 */
import type pg from 'pg';
import type { Alert } from '../../model/alert.js';
import { F, FIELDS, type AlertRows } from '../alert-rows.js';

interface SigEntry {
  id: number;
  rev: number;
  message: string;
  hasClass: boolean;
  hasPriority: boolean;
}

/** A signature as the rows carry it (the first alert of the batch that names it), references as JSON. */
type SigRow = Pick<Alert, 'gid' | 'sid' | 'rev' | 'message' | 'classification' | 'priority'> & { refs: string | null };

/** Numeric map key of gid:sid (no string per alert); gids above 2^20 never occur but stay correct. */
function sigKey(gid: number, sid: number): number | string {
  return gid < 0x100000 ? gid * 4294967296 + sid : `${gid}:${sid}`;
}

function sigRowAt(v: unknown[], o: number): SigRow {
  return {
    gid: v[o + F.gid] as number, sid: v[o + F.sid] as number, rev: v[o + F.rev] as number, message: v[o + F.message] as string,
    classification: v[o + F.classification] as string | null, priority: v[o + F.priority] as number | null, refs: v[o + F.refs] as string | null,
  };
}

export class Dimensions {
  private readonly sensors = new Map<string, number>();
  private readonly sigs = new Map<number | string, SigEntry>();
  private readonly inputs = new Map<string, number>();

  constructor(private readonly pool: pg.Pool) {}

  clear(): void {
    this.sensors.clear();
    this.sigs.clear();
    this.inputs.clear();
  }

  sensorId(name: string): number {
    return this.sensors.get(name)!;
  }

  signature(gid: number, sid: number): SigEntry {
    return this.sigs.get(sigKey(gid, sid))!;
  }

  inputId(sensorId: number, format: string, file: string): number {
    return this.inputs.get(`${sensorId}|${format}|${file}`)!;
  }

  /** Makes sensorId/signature/inputId answer for every alert of the batches. */
  async resolve(batches: readonly AlertRows[]): Promise<void> {
    const newSensors = new Set<string>();
    for (const rows of batches) {
      for (let o = F.sensor; o < rows.v.length; o += FIELDS) {
        const name = rows.v[o] as string;
        if (!this.sensors.has(name)) newSensors.add(name);
      }
    }
    if (newSensors.size > 0) await this.loadSensors([...newSensors].sort());

    const newSigs = new Map<number | string, SigRow>();
    for (const rows of batches) {
      for (let o = 0; o < rows.v.length; o += FIELDS) {
        const key = sigKey(rows.v[o + F.gid] as number, rows.v[o + F.sid] as number);
        if (!this.sigs.has(key) && !newSigs.has(key)) newSigs.set(key, sigRowAt(rows.v, o));
      }
    }
    if (newSigs.size > 0) await this.loadSignatures([...newSigs.values()]);
    // Later alerts of a signature may carry a newer rev or a class the first one lacked; each
    // update is its own autocommit statement, so no lock outlives it.
    for (const rows of batches) {
      const v = rows.v;
      for (let o = 0; o < v.length; o += FIELDS) {
        const e = this.sigs.get(sigKey(v[o + F.gid] as number, v[o + F.sid] as number))!;
        if ((v[o + F.rev] as number) > e.rev || (!e.hasClass && v[o + F.classification] !== null) || (!e.hasPriority && v[o + F.priority] !== null)) {
          await this.upgradeSignature(e, sigRowAt(v, o));
        }
      }
    }

    for (const rows of batches) {
      let last = '';
      for (let o = F.sensor; o < rows.v.length; o += FIELDS) {
        const name = rows.v[o] as string;
        if (name === last) continue;
        last = name;
        const sid = this.sensors.get(name)!;
        const key = `${sid}|${rows.format}|${rows.file}`;
        if (!this.inputs.has(key)) this.inputs.set(key, await this.input(rows.file, rows.format, sid));
      }
    }
  }

  async sensorIdOf(name: string): Promise<number> {
    if (!this.sensors.has(name)) await this.loadSensors([name]);
    return this.sensors.get(name)!;
  }

  async input(path: string, format: string, sensorId: number): Promise<number> {
    await this.pool.query('INSERT INTO inputs (path, format, sensor_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [path, format, sensorId]);
    const r = await this.pool.query<{ id: number }>('SELECT id FROM inputs WHERE path = $1 AND format = $2 AND sensor_id = $3', [path, format, sensorId]);
    return r.rows[0]!.id;
  }

  private async loadSensors(names: string[]): Promise<void> {
    await this.pool.query('INSERT INTO sensors (name) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING', [names]);
    const r = await this.pool.query<{ id: number; name: string }>('SELECT id, name FROM sensors WHERE name = ANY($1::text[])', [names]);
    for (const row of r.rows) this.sensors.set(row.name, row.id);
  }

  private async loadSignatures(first: SigRow[]): Promise<void> {
    first.sort((a, b) => a.gid - b.gid || a.sid - b.sid);
    await this.pool.query(`
      INSERT INTO signatures (gid, sid, rev, message, classification, priority, refs)
      SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[])
      ON CONFLICT (gid, sid) DO NOTHING`, [
      first.map((a) => a.gid), first.map((a) => a.sid), first.map((a) => a.rev), first.map((a) => a.message.replace(/\0/g, '\uFFFD')),
      first.map((a) => a.classification), first.map((a) => a.priority), first.map((a) => a.refs),
    ]);
    const r = await this.pool.query<{ id: number; gid: number; sid: number; rev: number; message: string; classification: string | null; priority: number | null }>(`
      SELECT s.id, s.gid, s.sid, s.rev, s.message, s.classification, s.priority FROM signatures s
      JOIN unnest($1::bigint[], $2::bigint[]) AS k(gid, sid) ON s.gid = k.gid AND s.sid = k.sid`,
    [first.map((a) => a.gid), first.map((a) => a.sid)]);
    for (const row of r.rows) {
      this.sigs.set(sigKey(row.gid, row.sid), {
        id: row.id, rev: row.rev, message: row.message, hasClass: row.classification !== null, hasPriority: row.priority !== null,
      });
    }
  }

  private async upgradeSignature(e: SigEntry, a: SigRow): Promise<void> {
    await this.pool.query(`UPDATE signatures SET rev = greatest(rev, $1), classification = coalesce(classification, $2),
      priority = coalesce(priority, $3), refs = coalesce(refs, $4) WHERE id = $5`, [a.rev, a.classification, a.priority, a.refs, e.id]);
    e.rev = Math.max(e.rev, a.rev);
    e.hasClass ||= a.classification !== null;
    e.hasPriority ||= a.priority !== null;
  }
}
