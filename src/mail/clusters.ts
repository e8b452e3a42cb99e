/**
 * The IRC-bot section's view of a cluster, kept small on purpose: the mail needs the server,
 * its ports, the members and which of them are new, not the evidence. The default source is
 * `clusterReport()` of `snarf clusters` (src/cli/clusters.ts) with the servers and members
 * earlier runs recorded in the state file; tests and other stores can pass their own source.
 */
import type { Store } from '../store/store.js';
import { clusterReport, loadKnownClusters, saveKnownClusters } from '../cli/clusters.js';
import type { IrcCluster } from '../analysis/irc-clusters.js';

export interface MailCluster {
  server: string;
  ports: number[];
  level: 'confirmed' | 'suspected';
  /** First recorded by an earlier run: false when the server itself is new. */
  known: boolean;
  members: string[];
  /** Members not recorded with this server before (a subset of members). */
  newMembers: string[];
  reasons: string[];
}

export interface ClusterWindow {
  sinceUs: number;
  untilUs: number;
}

/** Where the mail gets its clusters; `remember` records them once the mail has gone out. */
export interface ClusterSource {
  clusters(w: ClusterWindow): Promise<MailCluster[]>;
  remember?(): Promise<void>;
}

export function toMailCluster(c: IrcCluster): MailCluster {
  return {
    server: c.server, ports: [...c.ports], level: c.level === 'confirmed' ? 'confirmed' : 'suspected', known: c.known,
    members: c.members.map((m) => m.host), newMembers: [...c.newMembers], reasons: [...c.reasons],
  };
}

/** Clusters of the day from the store, "new" against `<db>.state.json`; remember() records them. */
export function storeClusterSource(store: Store, db: string): ClusterSource {
  let found: IrcCluster[] = [];
  return {
    async clusters(w) {
      const known = await loadKnownClusters(db);
      const r = await clusterReport(store, { sinceUs: w.sinceUs, untilUs: w.untilUs, known });
      found = r.clusters;
      return r.clusters.filter((c) => c.level !== 'chat').map(toMailCluster);
    },
    async remember() {
      if (found.length) await saveKnownClusters(db, found);
    },
  };
}
