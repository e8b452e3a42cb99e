/**
 * The nightly mail says, for each suspected P2P host, where it stands under the campus policy:
 * a registered BitTorrent research host as registered, an unregistered one as a violation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import { collectDay } from '../../src/mail/collect-day.js';
import { textPart } from '../../src/mail/text-part.js';

test('P2P hosts carry their policy state into the mail', async () => {
  const { store, dir } = freshSqlite();
  try {
    await importFiles(store, [corpusPath('snort', 'out', 'sensor-a', 'p2p', 'alert.fast')], { sensor: 'a', year: 2026, warn: () => undefined });
    await store.setFlowSettings!({ homeNets: ['163.221.0.0/16'] });
    const policyFile = path.join(dir, 'snarf.db.policy.yaml');
    const example = fs.readFileSync(path.resolve('rules/policy.example.yaml'), 'utf8');
    // Only our own registration: the research host 163.221.10.14 may run BitTorrent.
    const head = example.slice(0, example.search(/^registrations:/m));
    fs.writeFileSync(policyFile, `${head}registrations:\n  - host: 163.221.10.14\n    kinds: [bittorrent]\n    owner: lab\n    reason: research\n    expires: 2099-01-01\n`);
    const s = await collectDay(store, { day: '2026-11-20', timeZone: 'UTC', top: 10, baseUrl: null, nowUs: Date.UTC(2026, 10, 21) * 1000, policyFile });
    const byHost = new Map(s.p2pHosts.map((h) => [h.host, h.policy]));
    assert.equal(byHost.get('163.221.10.14'), 'registered');
    assert.equal(byHost.get('163.221.130.34'), 'violation', 'the other mass downloader is not registered');
    const text = textPart(s);
    assert.match(text, /163\.221\.10\.14.*policy: REGISTERED/);
    const without = await collectDay(store, { day: '2026-11-20', timeZone: 'UTC', top: 10, baseUrl: null, nowUs: Date.UTC(2026, 10, 21) * 1000 });
    assert.equal(without.p2pHosts[0]!.policy, undefined, 'no policy file: no policy column');
  } finally {
    await store.close();
  }
});
