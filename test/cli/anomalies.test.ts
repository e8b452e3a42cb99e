/**
 * `snarf anomalies` on the real corpus (sensor-a): the sweeps, scans, spam bots and protocol
 * mismatches the corpus README names are reported, and its benign hosts are not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusPath } from '../helpers/corpus.js';
import { tempDir } from '../helpers/store.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
function snarf(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `snarf ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const run = (scenario: string): string => corpusPath('snort', 'out', 'sensor-a', scenario);
const u2 = (scenario: string): string[] => fs.readdirSync(run(scenario)).filter((n) => n.startsWith('snort.u2.')).map((n) => path.join(run(scenario), n));
const HOME = ['163.221.0.0/16', '2001:db8:a3dd::/48', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].flatMap((c) => ['--home-net', c]);

const db = path.join(tempDir(), 'snarf.db');
snarf('import', '-q', '--db', db, '--rules', corpusPath('snort', 'rules'), ...['recon', 'mail', 'irc', 'web', 'p2p', 'ipv6'].flatMap(u2));
const report = JSON.parse(snarf('anomalies', '--db', db, ...HOME, '--json')) as any;
const hostsOf = (kind: string): string[] => report.findings.filter((f: any) => f.kind === kind).map((f: any) => f.host).sort();

test('recon: sweeps and scans of the corpus README', () => {
  assert.deepEqual(hostsOf('scan'), ['163.221.10.22', '163.221.52.32', '198.51.100.99', '203.0.113.77']);
  const sweep = report.findings.filter((f: any) => f.kind === 'sweep').map((f: any) => [f.host, f.detail.proto, f.detail.hosts]);
  assert.deepEqual(sweep, [['163.221.52.32', 'icmp', 80], ['198.51.100.99', 'icmp', 60]]);
  const s445 = report.findings.find((f: any) => f.kind === 'scan' && f.host === '163.221.10.22');
  assert.equal(s445.internal, true);
  assert.equal(s445.detail.events[0].details['Port/Proto Range'], '445:445');
  const x = report.findings.find((f: any) => f.kind === 'scan' && f.host === '198.51.100.99');
  assert.deepEqual(x.detail.events.map((e: any) => `${e.gid}:${e.sid}`).sort(), ['122:1', '122:26', '1:1000060']);
  assert.match(report.findings.find((f: any) => f.kind === 'scan' && f.host === '203.0.113.77').summary, /MS-SQL ping probe \(20 hosts\)/);
});

test('mail: the two spam bots, not the one-mail host or the relay', () => {
  assert.deepEqual(hostsOf('mass-smtp'), ['163.221.10.20', '163.221.130.40']);
  const bot = report.findings.find((f: any) => f.kind === 'mass-smtp' && f.host === '163.221.10.20');
  assert.ok(bot.detail.recipients >= 15);
  assert.deepEqual(hostsOf('non-smtp'), ['163.221.10.20'], 'XSPAM: smtp 124:5 unknown command');
});

test('irc: port 80 not speaking HTTP (IRC bots, SSH tunnel); BREW and tracker announces over 80 are HTTP', () => {
  const nonHttp = report.findings.filter((f: any) => f.kind === 'non-http').map((f: any) => [f.host, f.detail.protocols]);
  assert.deepEqual(nonHttp.sort(), [['163.221.130.39', ['irc']], ['163.221.52.29', ['irc']], ['163.221.52.31', ['ssh']]]);
});

test('benign hosts are not reported', () => {
  const reported = new Set(report.hosts.map((h: any) => h.host));
  for (const h of ['163.221.10.21', '163.221.0.25', '163.221.0.80', '203.0.113.200', '163.221.52.22', '163.221.10.12', '163.221.10.11', ...['52.30', '200.50', '10.19'].map((x) => `163.221.${x}`)]) {
    assert.ok(!reported.has(h), `${h} is not reported`);
  }
  assert.equal(report.counts['always-on'], 0, 'no corpus host talks all day');
  assert.equal(report.counts['fan-in'], 0);
});

test('thresholds are options; --kind narrows; text output is one line per finding', () => {
  const r = JSON.parse(snarf('anomalies', '--db', db, ...HOME, '--json', '--kind', 'sweep', '--sweep-hosts', '61')) as any;
  assert.deepEqual(r.findings.map((f: any) => f.host), ['163.221.52.32']);
  assert.equal(r.thresholds.sweepHosts, 61);
  const r2 = JSON.parse(snarf('anomalies', '--db', db, ...HOME, '--json', '--kind', 'mass-smtp', '--smtp-recipients', '100')) as any;
  assert.deepEqual(r2.findings.map((f: any) => f.host).sort(), ['163.221.10.20', '163.221.130.40'], 'still named by the spam signature');
  assert.match(r2.findings[0].summary, /spam signature/);
  assert.doesNotMatch(r2.findings[0].summary, /recipients within/);
  const text = snarf('anomalies', '--db', db, ...HOME);
  assert.equal(text.trim().split('\n').length, 1 + report.findings.length);
  const bad = spawnSync(process.execPath, [CLI, 'anomalies', '--db', db, '--sweep-hosts', 'many'], { encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /not a whole number/);
});
