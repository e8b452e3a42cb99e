/**
 * Small JSON state that people read and edit: the sensor registry (names, descriptions) and
 * the record of import runs. Kept in lowdb beside the database. Bookmarks never live here:
 * they commit in the store's own transactions.
 */
import { JSONFilePreset } from 'lowdb/node';
import type { Low } from 'lowdb';
import { isPostgresUrl } from '../store/open.js';
import type { MailState } from '../mail/mail-state.js';

export interface SensorEntry {
  name: string;
  description?: string;
  /** Snort `-G` log id: unified2 event ids carry it in their high 16 bits. */
  logId?: number;
  /** unified2 sensor_id written by this sensor (Snort 2 always writes 0). */
  unified2SensorId?: number;
  firstSeen: string;
}

/**
 * Names the sensor of a unified2 event that no config or --sensor named: the registry entry
 * whose unified2 sensor_id or -G log id matches, else `sensor-id-N` / `snort-GN`, else
 * `default` (Snort 2 without -G: nothing in the file tells sensors apart).
 */
export function unified2SensorName(sensors: Record<string, SensorEntry>, sensorId: number, eventId: number): string {
  const entries = Object.values(sensors);
  if (sensorId !== 0) {
    return entries.find((e) => e.unified2SensorId === sensorId)?.name ?? `sensor-id-${sensorId}`;
  }
  const logId = eventId >>> 16;
  if (logId === 0) return 'default';
  return entries.find((e) => e.logId === logId)?.name ?? `snort-G${logId}`;
}

export interface ImportRun {
  at: string;
  args: string[];
  sensor?: string;
  files: number;
  imported: number;
  skipped: number;
  alerts: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  seconds: number;
}

export interface SnarfState {
  sensors: Record<string, SensorEntry>;
  imports: ImportRun[];
  /**
   * IRC-bot C&C servers recorded by `snarf clusters` (src/analysis/irc-clusters.ts): server
   * address → when first recorded and each member host → when first recorded (ISO). Append-only;
   * a host joining a recorded server later is reported as a new member.
   */
  ircClusters?: Record<string, { since: string; members: Record<string, string> }>;
  /** The nightly summary mail (src/mail/mail-state.ts): last run, last sent, recent failures. */
  mail?: MailState;
}

const KEEP_RUNS = 200;

/** State file for a store: `<db>.state.json` for SQLite, `./snarf-state.json` for PostgreSQL. */
export function statePathFor(db: string): string {
  return isPostgresUrl(db) ? 'snarf-state.json' : `${db}.state.json`;
}

export async function openState(file: string): Promise<Low<SnarfState>> {
  const low = await JSONFilePreset<SnarfState>(file, { sensors: {}, imports: [] });
  low.data.sensors ??= {};
  low.data.imports ??= [];
  return low;
}

export async function recordImport(file: string, run: ImportRun, sensors: string[]): Promise<void> {
  const low = await openState(file);
  for (const name of sensors) {
    low.data.sensors[name] ??= { name, firstSeen: run.at };
  }
  low.data.imports.push(run);
  if (low.data.imports.length > KEEP_RUNS) low.data.imports.splice(0, low.data.imports.length - KEEP_RUNS);
  await low.write();
}
