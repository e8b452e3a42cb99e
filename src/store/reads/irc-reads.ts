/**
 * What `snarf clusters` reads (the analysis is src/analysis/irc-clusters.ts), and the alert and
 * packet rows it shares with `snarf anomalies`. SQLite: src/store/sqlite/irc-queries.ts;
 * PostgreSQL: src/store/postgres/irc-queries.ts.
 *
 * Rows come in identity order (time, then identity hash), the one order both stores share, so
 * that evidence lists and "first seen" ties come out the same whichever store answered. Packets
 * are pushed to a callback rather than returned: SQLite hands them over in one synchronous pass
 * (no statement left open for other queries to trip over), PostgreSQL a cursor batch at a time.
 */
import type { AlertFilter } from '../store.js';

/** One alert as the bot and anomaly analyses see it (addresses as canonical text). */
export interface AlertRow {
  /** The store's row id: unique within one store, not comparable across stores. */
  id: number;
  ts: number;
  gid: number;
  sid: number;
  message: string;
  classification: string | null;
  proto: number | null;
  src: string | null;
  sport: number | null;
  dst: string | null;
  dport: number | null;
}

/** One stored packet with the alert it belongs to. */
export interface PacketRow {
  alert: AlertRow;
  seq: number;
  ts: number;
  linktype: number;
  data: Uint8Array;
}

/** Flow totals between internal hosts and the given external addresses. */
export interface FlowContact {
  host: string;
  peer: string;
  flows: number;
  packets: number;
  bytes: number;
  firstUs: number;
  lastUs: number;
}

export interface IrcReads {
  /** Alerts of IRC signatures (the message names IRC, ASCII case-insensitively). */
  ircAlerts(filter: AlertFilter): Promise<AlertRow[]>;
  /**
   * Packets worth reading for IRC lines: those of IRC, bot/trojan and protocol-mismatch alerts,
   * and of any TCP alert on one of `ports`; at most `limit`, oldest first.
   */
  eachIrcPacket(filter: AlertFilter, ports: readonly number[], limit: number, each: (p: PacketRow) => void): Promise<void>;
  /** Flows between internal hosts and these peers, or null when the store keeps no flows. */
  flowContacts(peers: readonly string[], sinceUs?: number, untilUs?: number): Promise<FlowContact[] | null>;
}
