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
];

/** Secondary indexes a bulk import drops and rebuilds (sorting once beats a million inserts). */
export const ADDRESS_INDEXES: ReadonlyArray<[string, string]> = [
  ['alerts_src', 'CREATE INDEX IF NOT EXISTS alerts_src ON alerts (src, ts)'],
  ['alerts_dst', 'CREATE INDEX IF NOT EXISTS alerts_dst ON alerts (dst, ts)'],
];
