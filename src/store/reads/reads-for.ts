/**
 * Picks each read interface's implementation from the store's kind. Commands ask for the reads
 * they need (sensorReadsFor(store), ...) instead of reaching into a store's connection, so one
 * analysis runs over either store.
 */
import type { Store } from '../store.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { PostgresStore } from '../postgres/pg-store.js';
import { SnarfError } from '../../errors.js';
import type { SensorReads } from './sensor-reads.js';
import type { ExportReads } from './export-reads.js';
import type { IrcReads } from './irc-reads.js';
import type { AnomalyReads } from './anomaly-reads.js';
import type { MailReads } from './mail-reads.js';
import type { ReportReads } from './report-reads.js';
import type { AlertFilter } from '../store.js';
import { sqliteSensorReads } from '../sqlite/sensor-queries.js';
import { sqliteExportReads } from '../sqlite/export-query.js';
import { sqliteIrcReads } from '../sqlite/irc-queries.js';
import { sqliteAnomalyReads } from '../sqlite/anomaly-queries.js';
import { sqliteMailReads } from '../sqlite/mail-queries.js';
import { sqliteReportReads } from '../sqlite/report-queries.js';
import { pgSensorReads } from '../postgres/sensor-queries.js';
import { pgExportReads } from '../postgres/export-query.js';
import { pgIrcReads } from '../postgres/irc-queries.js';
import { pgAnomalyReads } from '../postgres/anomaly-queries.js';
import { pgMailReads } from '../postgres/mail-queries.js';
import { pgReportReads } from '../postgres/report-queries.js';

function pick<T>(store: Store, what: string, sqlite: (s: SqliteStore) => T, postgres: (s: PostgresStore) => T): T {
  if (store instanceof SqliteStore) return sqlite(store);
  if (store instanceof PostgresStore) return postgres(store);
  throw new SnarfError('SNARF_CONFIG_INVALID', `${what} cannot read the ${store.kind} store at ${store.location}`);
}

export function sensorReadsFor(store: Store): SensorReads {
  return pick(store, 'sensor reports', (s) => sqliteSensorReads(s.db), (s) => pgSensorReads(s.pool));
}

export function exportReadsFor(store: Store): ExportReads {
  return pick(store, 'export', (s) => sqliteExportReads(s.db), (s) => pgExportReads(s.pool));
}

export function ircReadsFor(store: Store): IrcReads {
  return pick(store, 'bot clusters', (s) => sqliteIrcReads(s.db), (s) => pgIrcReads(s.pool));
}

export function anomalyReadsFor(store: Store): AnomalyReads {
  return pick(store, 'anomalies', (s) => sqliteAnomalyReads(s.db), (s) => pgAnomalyReads(s.pool));
}

export function mailReadsFor(store: Store): MailReads {
  return pick(store, 'the nightly mail', (s) => sqliteMailReads(s.db), (s) => pgMailReads(s.pool));
}

/** The static site's reads for one filter (prepare() before use, close() after). */
export function reportReadsFor(store: Store, filter: AlertFilter): ReportReads {
  return pick(store, 'snarf report', (s) => sqliteReportReads(s.db, filter), (s) => pgReportReads(s.pool, filter));
}
