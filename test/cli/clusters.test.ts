/**
 * `snarf clusters` on the real corpus (sensor-a, which sees every host): the corpus README's
 * botnets come out as one cluster per C&C server, ordinary IRC users in none; new members are
 * flagged against the state file; hostile nicks and channels are escaped in every output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusPath } from '../helpers/corpus.js';
import { tempDir } from '../helpers/store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storedAlert } from '../analysis/irc-fixtures.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
function snarf(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: process.cwd() });
  assert.equal(r.status, 0, `snarf ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const run = (scenario: string): string => corpusPath('snort', 'out', 'sensor-a', scenario);
const u2 = (scenario: string): string[] => fs.readdirSync(run(scenario)).filter((n) => n.startsWith('snort.u2.')).map((n) => path.join(run(scenario), n));
const HOME = ['163.221.0.0/16', '2001:db8:a3dd::/48', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].flatMap((c) => ['--home-net', c]);

function importU2(...scenarios: string[]): string {
  const db = path.join(tempDir(), 'snarf.db');
  snarf('import', '-q', '--db', db, '--rules', corpusPath('snort', 'rules'), ...scenarios.flatMap(u2));
  return db;
}

const BOTNET_A = ['163.221.10.17', '163.221.10.18', '163.221.52.27', '163.221.130.37', '163.221.200.47', '163.221.52.28', '163.221.200.48'];
const ORDINARY = ['163.221.52.30', '163.221.200.50', '163.221.10.19'];

test('irc and ipv6 runs (unified2): one cluster per C&C, every port, IPv6 too; ordinary users in none', () => {
  const db = importU2('irc', 'ipv6');
  const r = JSON.parse(snarf('clusters', '--db', db, ...HOME, '--json', '--no-remember')) as any;
  assert.equal(r.homeNetsFrom, 'option');
  assert.deepEqual(r.clusters.map((c: any) => c.server), ['203.0.113.66', '198.51.100.23', '2001:db8:bad:c0::66']);
  const [a, b, v6] = r.clusters;
  assert.deepEqual(a.ports, [6667, 31337]);
  assert.deepEqual(a.members.map((m: any) => m.host).sort(), [...BOTNET_A].sort());
  assert.equal(a.level, 'confirmed');
  assert.deepEqual(a.channels, [{ name: '#x0x', keys: ['s3cr3t'] }]);
  assert.deepEqual(a.nickPatterns.map((p: any) => p.pattern), ['[JPN|XP|nnnnnn]', '[JPN|2K|nnnnnn]']);
  assert.deepEqual([...new Set(a.commands.map((c: any) => c.verb))], ['!scan', '!ddos.syn']);
  assert.deepEqual(a.senders, ['h4x0r!boss@cc.example']);
  assert.ok(a.members.every((m: any) => m.nicks.length === 1 && m.via.includes('payload')));
  assert.deepEqual(b.ports, [80]);
  assert.deepEqual(b.members.map((m: any) => m.host).sort(), ['163.221.130.39', '163.221.52.29']);
  assert.deepEqual(b.commands.map((c: any) => c.verb), ['!download', '!scan']);
  assert.ok(b.reasons.some((x: string) => /IRC on port 80/.test(x)));
  assert.equal(v6.family, 6);
  assert.deepEqual(v6.ports, [6667]);
  assert.deepEqual(v6.members.map((m: any) => m.host), ['2001:db8:a3dd:10::14', '2001:db8:a3dd:10::15']);
  const inBot = new Set(r.clusters.flatMap((c: any) => c.members.map((m: any) => m.host)));
  for (const h of [...ORDINARY, '163.221.52.31']) assert.ok(!inBot.has(h), `${h} is in no bot cluster`);
  const chat = r.chatServers.find((c: any) => c.server === '192.0.2.6');
  assert.deepEqual(chat.members.map((m: any) => m.host).sort(), [...ORDINARY].sort());
  assert.equal(chat.level, 'chat');
  // Links from host pages: each bot host names its server.
  assert.deepEqual(r.hosts.find((h: any) => h.host === '163.221.52.29').servers, [{ server: '198.51.100.23', level: 'confirmed', new: false }]);
});

test('alert_fast only (no payloads): the same clusters stand on the IRC alerts', () => {
  const db = path.join(tempDir(), 'snarf.db');
  snarf('import', '-q', '--db', db, '--year', '2026', path.join(run('irc'), 'alert.fast'));
  const r = JSON.parse(snarf('clusters', '--db', db, ...HOME, '--json', '--no-remember')) as any;
  assert.deepEqual(r.clusters.map((c: any) => [c.server, c.ports, c.members.length, c.level]),
    [['203.0.113.66', [6667, 31337], 7, 'confirmed'], ['198.51.100.23', [80], 2, 'confirmed']]);
  assert.deepEqual(r.clusters[0].channels, []);
  assert.deepEqual(r.chatServers.map((c: any) => c.server), ['192.0.2.6']);
});

test('a host newly joining a known server is flagged, from the state file', () => {
  const db = importU2('irc');
  snarf('clusters', '--db', db, ...HOME, '--until', '2026-11-20T10:00:20Z');
  const state = JSON.parse(fs.readFileSync(`${db}.state.json`, 'utf8'));
  assert.deepEqual(Object.keys(state.ircClusters['203.0.113.66'].members).sort(), ['163.221.10.17', '163.221.10.18', '163.221.52.27']);
  const r = JSON.parse(snarf('clusters', '--db', db, ...HOME, '--json')) as any;
  const a = r.clusters.find((c: any) => c.server === '203.0.113.66');
  assert.equal(a.known, true);
  assert.deepEqual(a.newMembers.sort(), ['163.221.130.37', '163.221.200.47', '163.221.200.48', '163.221.52.28']);
  assert.equal(r.clusters.find((c: any) => c.server === '198.51.100.23').known, false);
  const text = snarf('clusters', '--db', db, ...HOME, '--no-remember');
  assert.match(text, /7 members, 4 new/);
  assert.match(text, /NEW 163\.221\.52\.28/);
});

test('hostile nicks and channels are escaped in JSON and text output', async () => {
  const db = path.join(tempDir(), 'snarf.db');
  const store = new SqliteStore(db);
  const nasty = Buffer.from('NICK [\x1b]0;pwned\x07|\u202eXP|123456]\r\nUSER x 0 0 :y\r\nJOIN #<script>alert(1)</script> k\x1b[2J\r\n', 'utf8');
  await store.ingest([
    { alert: storedAlert(1, {}, nasty), identity: 'hostile|1' },
    { alert: storedAlert(2, { srcIp: '203.0.113.66', srcPort: 6667, dstIp: '163.221.10.17', dstPort: 42211, sid: 1000033, message: 'BOT IRC bot command !scan from C&C' },
      Buffer.from(':evil!\x1b[31m@x PRIVMSG #<script>alert(1)</script> :!scan \x1b[2J\u202e now\r\n', 'utf8')), identity: 'hostile|2' },
  ]);
  await store.close();
  const json = snarf('clusters', '--db', db, '--home-net', '163.221.0.0/16', '--json', '--no-remember');
  const text = snarf('clusters', '--db', db, '--home-net', '163.221.0.0/16', '--no-remember');
  for (const out of [json, text]) {
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f\u202e]/.test(out), 'no control or bidi characters reach the output');
  }
  const c = JSON.parse(json).clusters[0];
  assert.equal(c.nicks[0], '[\\x1b]0;pwned\\x07|\\xe2\\x80\\xaeXP|123456]');
  assert.equal(c.channels[0].name, '#<script>alert(1)</script>', 'printable text kept; the HTML page escapes < and >');
  assert.equal(c.channels[0].keys[0], 'k\\x1b[2J');
  assert.equal(c.commands[0].text, '!scan \\x1b[2J\\xe2\\x80\\xae now');
});
