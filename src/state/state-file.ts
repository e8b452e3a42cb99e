/**
 * Small JSON state that people read and edit: the sensor registry (names, descriptions) and
 * the record of import runs. Kept in lowdb beside the database. Bookmarks never live here:
 * they commit in the store's own transactions.
 */
import { JSONFilePreset } from 'lowdb/node';
import type { Low } from 'lowdb';
import { isPostgresUrl } from '../store/open.js';

export interface SensorEntry {
  name: string;
  description?: string;
  firstSeen: string;
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
