/** Triage notes left in `snarf serve` show in the static site at the next report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import { buildSite } from '../../src/report/build-site.js';
import { decodeEntities, hostSection } from './site-check.js';

test('notes on a signature, an address and a network appear on their pages, escaped', async () => {
  const { store, path: db } = freshSqlite();
  const out = tempDir('snarf-notes-');
  try {
    await importFiles(store, [corpusPath('snort', 'out', 'sensor-a', 'irc', 'alert.fast')], { sensor: 'a', year: 2026, warn: () => undefined });
    const note = (id: string, kind: string, target: string, text: string): Record<string, string> => ({ id, kind, target, text, author: 'alice', at: '2026-11-21T08:00:00.000Z' });
    fs.writeFileSync(`${db}.notes.json`, JSON.stringify({
      version: 1,
      notes: [
        note('n1', 'sig', '1:1000032', 'known botnet <script>alert(1)</script>'),
        note('n2', 'ip', '163.221.10.17', 'PC of the dorm room 214, pledge signed'),
        note('n3', 'net', '163.221.52.0/24', 'lab network, ask Prof. K'),
      ],
      acks: [],
    }));
    await buildSite(store, { outDir: out, dbPath: db, homeNets: ['163.221.0.0/16'] });
    const sig = fs.readFileSync(path.join(out, 'sig', '1-1000032.html'), 'utf8');
    assert.ok(sig.includes('known botnet &lt;script&gt;alert(1)&lt;/script&gt;'), 'signature note, escaped');
    assert.doesNotMatch(sig, /<script>alert/);
    assert.ok(decodeEntities(hostSection(out, 'src', '163.221.10.17')).includes('PC of the dorm room 214, pledge signed'));
    assert.ok(decodeEntities(hostSection(out, 'src', '163.221.52.27')).includes('lab network, ask Prof. K'), 'a network note on its hosts');
  } finally {
    await store.close();
  }
});
