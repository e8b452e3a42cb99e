/**
 * What `snarf anomalies` reads (the analysis is src/analysis/anomalies.ts and
 * anomaly-protocols.ts). SQLite: src/store/sqlite/anomaly-queries.ts; PostgreSQL:
 * src/store/postgres/anomaly-queries.ts. Same orders as IrcReads (identity order; groups by
 * their key), and the same push callbacks for what can be big.
 */
import type { AlertFilter } from '../store.js';
import type { AlertRow, PacketRow } from './irc-reads.js';

export interface HostHour {
  ip: string;
  hour: number;
  source: 'alerts' | 'flows';
}

export interface AnomalyReads {
  /** Alerts of (source, protocol, port) groups that reach at least `min` distinct hosts. */
  fanOutRows(filter: AlertFilter, min: number): Promise<AlertRow[]>;
  /** Alerts of (destination, protocol, port) groups reached from at least `min` distinct hosts. */
  fanInRows(filter: AlertFilter, min: number): Promise<AlertRow[]>;
  /** Alerts of (source, destination) pairs with TCP/UDP alerts on at least `min` distinct ports. */
  portScanRows(filter: AlertFilter, min: number): Promise<AlertRow[]>;
  /** sfportscan alerts (gid 122) and `SCAN ...` signatures, each with its first stored packet. */
  scanAlerts(filter: AlertFilter): Promise<Array<{ alert: AlertRow; packet: PacketRow | null }>>;
  /** TCP alerts to or from these ports, at most `limit`, streamed (there can be many). */
  eachPortAlert(filter: AlertFilter, ports: readonly number[], limit: number, each: (a: AlertRow) => void): Promise<void>;
  /** The stored packets of eachPortAlert()'s alerts, at most `limit`. */
  eachPortPacket(filter: AlertFilter, ports: readonly number[], limit: number, each: (p: PacketRow) => void): Promise<void>;
  /** SMTP RCPT TO lists (unified2 extra data type 7) of alerts to these ports. */
  rcptExtra(filter: AlertFilter, ports: readonly number[]): Promise<Array<{ alertId: number; value: string }>>;
  /** (host, UTC hour) pairs in which a host appears in alerts (either end) and, where kept, in flows. */
  eachHostHour(filter: AlertFilter, each: (h: HostHour) => void): Promise<void>;
}
