/**
 * The issue 5 CLI as scripts use it: `snarf import --home-net` of an sFlow capture, then
 * `snarf p2p-report` printing the seed's report byte for byte, `snarf hosts --json`, and
 * clear one-line failures for bad options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/store.js';
import { corpusPath } from '../helpers/corpus.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const snarf = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const EXPECTED = fs.readFileSync(corpusPath('sflow', 'expected-report.tsv'), 'utf8');

test('import --home-net, p2p-report (text and --json), hosts --json', () => {
  const db = path.join(tempDir(), 'snarf.db');
  const imp = snarf('import', '--db', db, '--home-net', '192.0.2.0/24', '--home-net', '2001:db8:1::/48', '--json', corpusPath('sflow', 'sflow-day.pcap'));
  assert.equal(imp.status, 0, imp.stderr);
  assert.equal(JSON.parse(imp.stdout).files[0].format, 'sflow_pcap');
  const rep = snarf('p2p-report', '--db', db, '--date', '2005-12-08', '--tz', 'Asia/Tokyo');
  assert.equal(rep.status, 0, rep.stderr);
  assert.equal(rep.stdout, EXPECTED);
  const js = JSON.parse(snarf('p2p-report', '--db', db, '--date', '2005-12-08', '--tz', '+09:00', '--json').stdout);
  assert.deepEqual(js.exporters.map((e: Record<string, unknown>) => [e.agent, e.subAgentId, e.datagrams, e.lost]), [['192.0.2.1', 1402, 463, 0]]);
  assert.deepEqual(js.report.sections[1].rows[0], {
    dst_addr: '192.0.2.40', fqdn: '', first: '2005-12-07T15:20:39.914346Z', last: '2005-12-08T14:47:21.598141Z',
    first_local: '2005-12-08 00:20:39', last_local: '2005-12-08 23:47:21', flows: 125, total_bytes: 91366000, uniq_srcaddrs: 9,
  });
  const hosts = snarf('hosts', '--db', db, '--tz', '+09:00', '--json');
  assert.equal(hosts.status, 0, hosts.stderr);
  const h = JSON.parse(hosts.stdout).hosts as Array<{ host: string; level: string; reasons: Array<{ text: string }> }>;
  assert.deepEqual(h.map((x) => [x.host, x.level]), [
    ['192.0.2.10', 'likely'], ['192.0.2.20', 'likely'], ['192.0.2.40', 'likely'], ['2001:db8:1::10', 'likely'], ['192.0.2.50', 'watch'],
  ]);
  assert.match(h[0]!.reasons[0]!.text, /sFlow daily report 2005-12-08, down traffic on high ports from many sources: 561 flow samples, 374926000 bytes, 26 distinct sources/);
});

test('bad options fail with one clear line', () => {
  const db = path.join(tempDir(), 'snarf.db');
  const day = snarf('p2p-report', '--db', db, '--date', '12/08/2005');
  assert.notEqual(day.status, 0);
  assert.match(day.stderr, /is not a day \(YYYY-MM-DD\)/);
  const net = snarf('import', '--db', db, '--home-net', '192.0.2.300/24', corpusPath('sflow', 'sflow-day.pcap'));
  assert.notEqual(net.status, 0);
  assert.match(net.stderr, /is not a CIDR/);
  const missing = snarf('hosts', '--db', db);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no such database/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
});
