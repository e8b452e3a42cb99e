/**
 * A worker-thread import into PostgreSQL, with two batches in flight at once, stores what the
 * same import stores in SQLite: the same alerts (by identity), packets and extra data, and the
 * same summary. Small batches make many transactions overlap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite } from '../helpers/store.js';
import { freshPgSchema, pgRows } from '../helpers/pg.js';
import { importFiles } from '../../src/import/import-files.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { loadCatalog } from '../../src/cli/catalog.js';
import type { Store } from '../../src/store/store.js';
import type { Warning } from '../../src/errors.js';

test('unified2 and alert_full through the parse workers: PostgreSQL holds what SQLite holds', async () => {
  const files = [
    corpusPath('unified2', 'synthetic', 'u2gen-mixed-seed1.u2'),
    corpusPath('snort', 'out', 'sensor-b', 'spool', 'alert.full'),
  ];
  const catalog = await loadCatalog([], true, () => undefined);
  const run = async (store: Store): Promise<{ inserted: number; warnings: Warning[]; summary: unknown }> => {
    const warnings: Warning[] = [];
    const r = await importFiles(store, files, {
      sensor: 's', tz: 'Asia/Tokyo', year: 2026, catalog, catalogSource: { paths: [], defaults: true },
      parallelBytes: 0, batchSize: 53, warn: (w) => warnings.push(w),
    });
    return { inserted: r.totals.inserted, warnings, summary: await store.summary() };
  };
  const { store: sqlite } = freshSqlite();
  const pg = await freshPgSchema('workers');
  const pgStore = await PostgresStore.open(pg.url);
  try {
    const a = await run(sqlite);
    const b = await run(pgStore);
    assert.ok(a.inserted > 600, `both files imported (${a.inserted})`);
    assert.equal(b.inserted, a.inserted);
    assert.deepEqual(b.summary, a.summary);
    assert.deepEqual(b.warnings, a.warnings);
    const ids = (rows: Array<{ ts: number; h: number }>): string[] => rows.map((r) => `${r.ts}:${r.h}`).sort();
    assert.deepEqual(ids(await pgRows(pg.schema, 'SELECT ts, h FROM alerts')), ids(sqlite.db.prepare('SELECT ts, h FROM alerts').all() as Array<{ ts: number; h: number }>));
    const [pp] = await pgRows<{ n: number }>(pg.schema, 'SELECT count(*)::int AS n FROM packets');
    const [px] = await pgRows<{ n: number }>(pg.schema, 'SELECT count(*)::int AS n FROM extra');
    const sp = sqlite.db.prepare('SELECT (SELECT count(*) FROM packets) AS p, (SELECT count(*) FROM extra) AS x').get() as { p: number; x: number };
    assert.ok(sp.p > 300 && sp.x > 50, 'the unified2 file brings packets and extra data');
    assert.deepEqual([pp!.n, px!.n], [sp.p, sp.x]);
    // Re-importing adds nothing, in flight or not.
    assert.equal((await run(pgStore)).inserted, 0);
  } finally {
    await pgStore.close();
    await sqlite.close();
    await pg.drop();
  }
});
