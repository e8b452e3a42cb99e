/** Anomaly rules on hand-made rows: windows, thresholds at their edges, payload evidence. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alwaysOn, DEFAULT_ANOMALY_OPTIONS, fanIn, maxDistinctInWindow, portscanDetails, scans, sweeps, type AnomalyOptions,
} from '../../src/analysis/anomalies.js';
import { protocolFindings } from '../../src/analysis/anomaly-protocols.js';
import { packetRow, row } from './irc-fixtures.js';

const O: AnomalyOptions = { ...DEFAULT_ANOMALY_OPTIONS, homeNets: ['163.221.0.0/16'] };
const T0 = 1_795_176_000_000_000;
const S = 1_000_000;

test('distinct keys in a sliding window', () => {
  const ev = [0, 1, 2, 10, 11].map((t, i) => ({ ts: t * S, key: i % 4 }));
  assert.deepEqual(maxDistinctInWindow(ev, 2 * S), { count: 3, startUs: 0, endUs: 2 * S });
  assert.equal(maxDistinctInWindow([], S).count, 0);
});

test('sweep: 25 hosts on one port within 5 minutes, not 24, not spread over an hour', () => {
  const mk = (n: number, step: number) => Array.from({ length: n }, (_, i) => row({ ts: T0 + i * step, src: '163.221.10.22', dst: `163.221.60.${i + 1}`, dport: 445 }));
  const [f] = sweeps(mk(25, S), O);
  assert.equal(f!.kind, 'sweep');
  assert.equal(f!.internal, true);
  assert.deepEqual([f!.detail.proto, f!.detail.port, f!.detail.hosts], ['tcp', 445, 25]);
  assert.equal(sweeps(mk(24, S), O).length, 0);
  assert.equal(sweeps(mk(30, 150 * S), O).length, 0, '30 hosts but at most 3 per 5 minutes');
  assert.equal(sweeps(mk(24, S), { ...O, sweepHosts: 20 }).length, 1, 'threshold is an option');
});

test('fan-in: many internal hosts to one external port', () => {
  const rows = Array.from({ length: 26 }, (_, i) => row({ ts: T0 + i * S, src: `163.221.1.${i + 1}`, dst: '192.0.2.99', dport: 80 }));
  const [f] = fanIn(rows, O);
  assert.equal(f!.host, '192.0.2.99');
  assert.equal(f!.detail.hosts, 26);
});

test('scans: sfportscan counts from the pseudo-packet text, SCAN signatures, ports seen in alerts', () => {
  assert.deepEqual(portscanDetails('Priority Count: 0\nIP Count: 7\nScanned IP Range: 163.221.60.1:163.221.60.7\nPort/Proto Range: 445:445\n'),
    { 'Priority Count': '0', 'IP Count': '7', 'Scanned IP Range': '163.221.60.1:163.221.60.7', 'Port/Proto Range': '445:445' });
  const ports = Array.from({ length: 15 }, (_, i) => row({ ts: T0 + i * S, src: '198.51.100.99', dst: '163.221.0.80', dport: i + 1 }));
  const probe = row({ src: '203.0.113.77', dst: '163.221.0.101', proto: 17, dport: 1434, message: 'SCAN MS-SQL ping probe' });
  const found = scans([{ alert: probe, packet: null }], ports, O);
  assert.deepEqual(found.map((f) => f.host).sort(), ['198.51.100.99', '203.0.113.77']);
  assert.match(found.find((f) => f.host === '198.51.100.99')!.summary, /15 ports of 163\.221\.0\.80/);
});

test('always-on: 22 of 24 hours of a UTC day, internal hosts only', () => {
  const day = 20_000 * 24;
  const hours = (ip: string, n: number) => Array.from({ length: n }, (_, h) => ({ ip, hour: day + h, source: 'alerts' as const }));
  const found = alwaysOn([...hours('163.221.10.16', 22), ...hours('163.221.10.11', 21), ...hours('192.0.2.10', 24)], O);
  assert.deepEqual(found.map((f) => [f.host, f.detail.activeHours]), [['163.221.10.16', 22]]);
});

test('non-HTTP on 80: IRC or SSH payload counts; an HTTP request with an odd method does not', () => {
  const irc = row({ src: '163.221.52.29', sport: 26252, dst: '198.51.100.23', dport: 80, message: 'CHAT IRC nick change' });
  const ssh = row({ src: '163.221.52.31', sport: 52559, dst: '192.0.2.222', dport: 80, message: 'POLICY non-HTTP traffic on port 80' });
  const brew = row({ src: '203.0.113.77', sport: 4000, dst: '163.221.0.80', dport: 80, gid: 119, sid: 31, message: '(http_inspect) UNKNOWN METHOD' });
  const get = row({ src: '163.221.52.22', sport: 4001, dst: '192.0.2.10', dport: 80, message: 'WEB-MISC robots.txt access' });
  const packets = [
    packetRow(irc, 'NICK [USA|XP|32610]\r\nUSER usax 0 0 :x\r\n'), packetRow(ssh, 'SSH-2.0-PuTTY_Release_0.60\r\n'),
    packetRow(brew, 'BREW /pot HTTP/1.1\r\n\r\n'), packetRow(get, 'GET /robots.txt HTTP/1.1\r\n\r\n'),
  ];
  const found = protocolFindings([irc, ssh, brew, get], packets, [], O).filter((f) => f.kind === 'non-http');
  assert.deepEqual(found.map((f) => [f.host, f.detail.protocols]), [['163.221.52.29', ['irc']], ['163.221.52.31', ['ssh']]]);
  // Without payloads (text imports) the signature alone still speaks.
  assert.deepEqual(protocolFindings([ssh], [], [], O).map((f) => f.host), ['163.221.52.31']);
  // A packet whose alert was not read (past the alerts' read limit) counts for nothing.
  assert.deepEqual(protocolFindings([get], [packetRow(irc, 'NICK x\r\n')], [], O), []);
  // Evidence follows the alerts' order, whether an alert was kept for its signature or for a packet.
  const later = row({ ts: irc.ts + 1, src: '163.221.52.29', sport: 26253, dst: '198.51.100.24', dport: 80, message: 'POLICY non-HTTP traffic on port 80' });
  const [f] = protocolFindings([irc, later], [packetRow(irc, 'NICK y\r\n')], [], O).filter((x) => x.kind === 'non-http');
  assert.deepEqual(f!.evidence.map((e) => e.alertId), [irc.id, later.id]);
});

test('mass SMTP: recipients or servers in a window, spam signatures; one mail and mail servers are not', () => {
  const to = (src: string, i: number, over = {}) => row({ ts: T0 + i * S, src, sport: 5000 + i, dst: `192.0.2.${25 + (i % 2)}`, dport: 25, message: 'POLICY SMTP session', ...over });
  const bot = Array.from({ length: 3 }, (_, i) => to('163.221.10.20', i));
  const rcpt = bot.map((a, i) => ({ alertId: a.id, value: Array.from({ length: 5 }, (_, k) => `<user${i * 5 + k}@example.org>`).join(',') }));
  const one = to('163.221.10.21', 9);
  const relay = Array.from({ length: 30 }, (_, i) => row({ ts: T0 + i * S, src: '163.221.0.25', dst: `198.51.100.${i}`, dport: 25 }));
  const spam = to('163.221.130.40', 4, { message: 'SPAM internal host sending many RCPT TO' });
  const found = protocolFindings([...bot, one, ...relay, spam], [], [...rcpt, { alertId: one.id, value: '<friend@example.com>' }],
    { ...O, mailServers: ['163.221.0.25/32'] }).filter((f) => f.kind === 'mass-smtp');
  assert.deepEqual(found.map((f) => f.host).sort(), ['163.221.10.20', '163.221.130.40']);
  assert.equal(found.find((f) => f.host === '163.221.10.20')!.detail.recipients, 15);
  const noExclusion = protocolFindings(relay, [], [], O).filter((f) => f.kind === 'mass-smtp');
  assert.deepEqual(noExclusion.map((f) => f.host), ['163.221.0.25'], '30 servers in a minute from a host not named a mail server');
});

test('RCPT TO lines in payloads count as recipients; hostile recipients are escaped', () => {
  const a = row({ src: '163.221.10.20', sport: 5000, dst: '192.0.2.25', dport: 25 });
  const lines = Array.from({ length: 10 }, (_, i) => `RCPT TO:<u${i}\x1b[2J@example.org>\r\n`).join('');
  const [f] = protocolFindings([a], [packetRow(a, lines)], [], O).filter((x) => x.kind === 'mass-smtp');
  assert.equal(f!.detail.recipients, 10);
  for (const r of f!.detail.recipientSample as string[]) assert.ok(/^[\x20-\x7e]+$/.test(r), r);
});
