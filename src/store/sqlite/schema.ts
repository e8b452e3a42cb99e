/**
 * SQLite schema, as an ordered list of migrations (PRAGMA user_version counts those applied).
 * Addresses are 16-byte blobs (IPv4 as ::ffff:a.b.c.d) so IPv4 and IPv6 share columns, indexes
 * and CIDR range scans. Times are integer microseconds since the epoch, UTC.
 * Rollup tables (r_*) are maintained at insert time so that no report counts raw rows.
 *
 * Write cost decides the shape (a legacy import writes millions of rows):
 * - identity is (ts, h), h a 64-bit digest of the rest of the identity; the unique index on it
 *   doubles as the time index and grows at its right edge because logs are in time order;
 * - per host totals are sums over r_sig_src / r_sig_dst (a host has few signatures), so there
 *   are no separate per-host rollups to update;
 * - raw alerts are indexed only by time and by address (host pages); signature pages read
 *   rollups;
 * - rollups cover exactly the alerts with id <= meta.rollup_watermark. A normal ingest adds the
 *   rows above the watermark to the rollups and raises it in the same transaction; a bulk import
 *   defers that (and the address indexes) to its end, and any interruption is caught up the next
 *   time the store is opened, so rollups never disagree with the rows they summarise.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );
  INSERT INTO meta (key, value) VALUES ('rollup_watermark', 0);
  CREATE TABLE sensors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    gid INTEGER NOT NULL,
    sid INTEGER NOT NULL,
    rev INTEGER NOT NULL,
    message TEXT NOT NULL,
    classification TEXT,
    priority INTEGER,
    refs TEXT,
    UNIQUE (gid, sid)
  );
  CREATE TABLE inputs (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    sensor_id INTEGER NOT NULL,
    UNIQUE (path, format, sensor_id)
  );
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    h INTEGER NOT NULL,
    sensor_id INTEGER NOT NULL,
    sig_id INTEGER NOT NULL,
    rev INTEGER NOT NULL,
    priority INTEGER,
    proto INTEGER,
    src BLOB,
    sport INTEGER,
    dst BLOB,
    dport INTEGER,
    event_id INTEGER,
    msg TEXT,
    details TEXT,
    input_id INTEGER,
    offset INTEGER,
    line INTEGER
  );
  CREATE UNIQUE INDEX alerts_identity ON alerts (ts, h);
  CREATE INDEX IF NOT EXISTS alerts_src ON alerts (src, ts);
  CREATE INDEX IF NOT EXISTS alerts_dst ON alerts (dst, ts);
  CREATE TABLE packets (
    alert_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    linktype INTEGER NOT NULL,
    length INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (alert_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE extra (
    alert_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    type INTEGER NOT NULL,
    name TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (alert_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE r_hour (
    hour INTEGER NOT NULL, sensor_id INTEGER NOT NULL, sig_id INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (hour, sensor_id, sig_id)
  ) WITHOUT ROWID;
  CREATE TABLE r_sig (
    sig_id INTEGER NOT NULL, sensor_id INTEGER NOT NULL, n INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
    PRIMARY KEY (sig_id, sensor_id)
  ) WITHOUT ROWID;
  CREATE TABLE r_sig_src (
    sig_id INTEGER NOT NULL, ip BLOB NOT NULL, sensor_id INTEGER NOT NULL, n INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
    PRIMARY KEY (sig_id, ip, sensor_id)
  ) WITHOUT ROWID;
  CREATE TABLE r_sig_dst (
    sig_id INTEGER NOT NULL, ip BLOB NOT NULL, sensor_id INTEGER NOT NULL, n INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
    PRIMARY KEY (sig_id, ip, sensor_id)
  ) WITHOUT ROWID;
  CREATE TABLE r_sensor (
    sensor_id INTEGER PRIMARY KEY, n INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL
  );
  CREATE TABLE r_dport (
    sensor_id INTEGER NOT NULL, proto INTEGER NOT NULL, port INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (sensor_id, proto, port)
  ) WITHOUT ROWID;
  CREATE TABLE bookmarks (
    input TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    dev INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    size INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    records INTEGER NOT NULL,
    last_event INTEGER,
    warnings INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    updated INTEGER NOT NULL
  );
  `,
  // 2: flows, Winny monitor events and imported daily p2p reports (issue 5; src/store/sqlite/flow-store.ts).
  // flow_peers is the flow rollup: per UTC hour (so any whole-hour zone's local day is a union of
  // hours), internal host, external peer, direction (1 in = host is the destination, 2 out) and
  // port class bits (1 both ports high, 2 BitTorrent port, 4 a well-known port); distinct peers
  // per host and day are counted from it at query time. flow_datagrams makes re-imports idempotent.
  `
  CREATE TABLE flow_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE flow_exporters (
    id INTEGER PRIMARY KEY, agent TEXT NOT NULL, sub_agent INTEGER NOT NULL,
    datagrams INTEGER NOT NULL DEFAULT 0, samples INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0,
    restarts INTEGER NOT NULL DEFAULT 0, last_seq INTEGER, last_uptime INTEGER, first INTEGER, last INTEGER,
    UNIQUE (agent, sub_agent)
  );
  CREATE TABLE flow_datagrams (
    exporter_id INTEGER NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL,
    PRIMARY KEY (exporter_id, seq, ts)
  ) WITHOUT ROWID;
  CREATE TABLE flow_peers (
    hour INTEGER NOT NULL, host BLOB NOT NULL, dir INTEGER NOT NULL, cls INTEGER NOT NULL, peer BLOB NOT NULL,
    flows INTEGER NOT NULL, packets INTEGER NOT NULL, bytes INTEGER NOT NULL, raw_bytes INTEGER NOT NULL,
    first INTEGER NOT NULL, last INTEGER NOT NULL,
    PRIMARY KEY (hour, host, dir, cls, peer)
  ) WITHOUT ROWID;
  CREATE INDEX flow_peers_host ON flow_peers (host, hour);
  CREATE TABLE winny_events (
    id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, sensor TEXT NOT NULL, kind TEXT NOT NULL, host BLOB NOT NULL,
    host_port INTEGER, peer BLOB, peer_port INTEGER, direction TEXT, proto INTEGER, node_info TEXT,
    action TEXT NOT NULL, bytes INTEGER, extra TEXT, file TEXT, line INTEGER,
    ident TEXT NOT NULL UNIQUE
  );
  CREATE INDEX winny_events_host ON winny_events (host, ts);
  CREATE TABLE p2p_reports (
    id INTEGER PRIMARY KEY, day TEXT NOT NULL, tz TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    source TEXT NOT NULL, UNIQUE (start, end, source)
  );
  CREATE TABLE p2p_report_rows (
    report_id INTEGER NOT NULL, section INTEGER NOT NULL, title TEXT NOT NULL, host BLOB NOT NULL, fqdn TEXT NOT NULL,
    first INTEGER NOT NULL, last INTEGER NOT NULL, flows INTEGER NOT NULL, bytes INTEGER NOT NULL, uniq INTEGER NOT NULL,
    PRIMARY KEY (report_id, section, host)
  ) WITHOUT ROWID;
  CREATE INDEX p2p_report_rows_host ON p2p_report_rows (host);
  `,
  // 3: campus policy responses (issue 12; src/store/sqlite/response-store.ts). Proposals carry
  // their evidence and a dedupe key (action|target|kind) so re-running the policy updates rather
  // than repeats them; every decision (who, when) is its own row, never an overwrite. Incidents
  // number a host's offences for the procedure; incident_events is the host's history (findings,
  // proposals, decisions, notes, procedure steps), findings deduped per incident by key.
  `
  CREATE TABLE response_proposals (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL, action TEXT NOT NULL, target BLOB NOT NULL, host BLOB NOT NULL,
    kind TEXT NOT NULL, level TEXT NOT NULL, state TEXT NOT NULL, evidence TEXT NOT NULL,
    first INTEGER NOT NULL, last INTEGER NOT NULL, duration INTEGER NOT NULL, created INTEGER NOT NULL,
    decided INTEGER, decided_by TEXT, expires INTEGER, comment TEXT, incident_id INTEGER
  );
  CREATE INDEX response_proposals_key ON response_proposals (key, id);
  CREATE INDEX response_proposals_host ON response_proposals (host, id);
  CREATE INDEX response_proposals_state ON response_proposals (state, expires);
  CREATE TABLE response_decisions (
    id INTEGER PRIMARY KEY, proposal_id INTEGER NOT NULL, decision TEXT NOT NULL, actor TEXT NOT NULL,
    at INTEGER NOT NULL, comment TEXT
  );
  CREATE INDEX response_decisions_proposal ON response_decisions (proposal_id, id);
  CREATE TABLE incidents (
    id INTEGER PRIMARY KEY, host BLOB NOT NULL, opened INTEGER NOT NULL, closed INTEGER, offence INTEGER NOT NULL,
    kinds TEXT NOT NULL, step_title TEXT NOT NULL, step_tasks TEXT NOT NULL
  );
  CREATE INDEX incidents_host ON incidents (host, opened);
  CREATE TABLE incident_events (
    id INTEGER PRIMARY KEY, incident_id INTEGER, host BLOB NOT NULL, at INTEGER NOT NULL, type TEXT NOT NULL,
    actor TEXT NOT NULL, text TEXT NOT NULL, ref INTEGER, key TEXT
  );
  CREATE INDEX incident_events_host ON incident_events (host, at);
  CREATE UNIQUE INDEX incident_events_key ON incident_events (incident_id, key) WHERE key IS NOT NULL;
  `,
  // 4: the address indexes carry the columns of the per-address rollups (and the id, so host
  // pages keep their (address, ts, id) order from the index alone). A bulk import then builds
  // r_sig_src / r_sig_dst by one scan of each index in address order, which upserts each
  // signature's keys in ascending order instead of at random (half the CPU, a tenth of the WAL).
  `
  DROP INDEX IF EXISTS alerts_src;
  DROP INDEX IF EXISTS alerts_dst;
  CREATE INDEX alerts_src ON alerts (src, ts, id, sig_id, sensor_id);
  CREATE INDEX alerts_dst ON alerts (dst, ts, id, sig_id, sensor_id);
  `,
];

/** Secondary indexes a bulk import drops and rebuilds (sorting once beats a million inserts). */
export const ADDRESS_INDEXES: ReadonlyArray<[string, string]> = [
  ['alerts_src', 'CREATE INDEX IF NOT EXISTS alerts_src ON alerts (src, ts, id, sig_id, sensor_id)'],
  ['alerts_dst', 'CREATE INDEX IF NOT EXISTS alerts_dst ON alerts (dst, ts, id, sig_id, sensor_id)'],
];
