/**
 * The policy file: the shipped example loads, shorthands expand, and every mistake is an error
 * naming its key path (a silently ignored typo could allow what the operator meant to ban).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadPolicy, validatePolicy } from '../../src/policy/policy-file.js';
import { ROOT } from '../helpers/corpus.js';

const reg = { host: '163.221.10.14', kinds: ['bittorrent'], owner: 'Lab', reason: 'research', expires: '2027-03-31' };
const ok = (doc: unknown) => validatePolicy(doc, 'p.yaml');
const bad = (doc: unknown, re: RegExp) => assert.throws(() => validatePolicy(doc, 'p.yaml'), (e: Error & { code?: string }) => {
  assert.equal(e.code, 'SNARF_CONFIG_INVALID');
  assert.match(e.message, re);
  return true;
});

test('the shipped example policy loads', () => {
  const p = loadPolicy(path.join(ROOT, 'rules/policy.example.yaml'));
  assert.equal(p.kinds.winny.rule, 'banned');
  assert.equal(p.kinds.skype.rule, 'allowed');
  assert.equal(p.kinds.bittorrent.rule, 'registration');
  assert.deepEqual(p.kinds['irc-bot'].respond, ['block-peer', 'block-host']);
  assert.equal(p.kinds['irc-bot'].autoApprove, true);
  assert.equal(p.kinds['irc-bot'].durationS, 14 * 86400);
  assert.equal(p.kinds['non-http'].rule, 'allowed', 'kinds not listed take default_rule');
  assert.equal(p.registrations[0]!.net, '163.221.10.14/32');
  assert.equal(p.registrations[0]!.expiresUs, Date.parse('2027-04-01T00:00:00Z') * 1000, 'a date expiry is valid through that day');
  assert.equal(p.registrations[1]!.net, '163.221.52.0/24');
  assert.equal(p.procedure.steps.length, 2);
  assert.match(p.procedure.steps[1]!.tasks.join(), /account suspension/);
});

test('defaults: everything allowed, the campus procedure, 30 days', () => {
  const p = ok({});
  assert.equal(p.kinds.winny.rule, 'allowed');
  assert.equal(p.kinds.winny.durationS, 30 * 86400);
  assert.equal(p.procedure.windowDays, 365);
  assert.match(p.procedure.steps[0]!.tasks.join(), /written pledge/);
});

test('addresses are canonical; IPv6 and IPv4-mapped hosts', () => {
  const p = ok({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, host: '2001:DB8:0:0::1' }, { ...reg, host: '::ffff:10.0.0.1' }, { ...reg, host: undefined, net: '2001:db8:a3dd::/48' }] });
  assert.deepEqual(p.registrations.map((r) => r.net), ['2001:db8::1/128', '10.0.0.1/32', '2001:db8:a3dd::/48']);
  assert.deepEqual(p.registrations.map((r) => r.id), ['reg-1', 'reg-2', 'reg-3']);
});

test('mistakes name their key path', () => {
  bad({ kinds: { winy: 'banned' } }, /kinds\.winy: unknown key/);
  bad({ kinds: { winny: 'forbidden' } }, /kinds\.winny: "forbidden" is not one of allowed, banned, registration/);
  bad({ kinds: { winny: { rule: 'banned', respond: ['nuke'] } } }, /kinds\.winny\.respond\[0\]/);
  bad({ kinds: { skype: { rule: 'allowed', respond: ['block-host'] } } }, /allowed kind is never a violation/);
  bad({ kinds: { winny: { rule: 'banned', duration: 30 } } }, /kinds\.winny\.duration: expected a duration/);
  bad({ kinds: { winny: { respond: ['block-host'] } } }, /kinds\.winny\.rule: required/);
  bad({ min_level: 'sure' }, /min_level/);
  bad({ version: 2 }, /version/);
  bad({ polcy: {} }, /polcy: unknown key/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, expires: undefined }] }, /registrations\[0\]\.expires: required/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, expires: '2026-02-30' }] }, /registrations\[0\]\.expires: expected a date/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, expires: '2026-03-01T10:00' }] }, /with zone/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, from: '2027-05-01' }] }, /expires: is not after from/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, host: '163.221.10' }] }, /registrations\[0\]\.host: .* is not an IP address/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, host: undefined, net: '163.221.52.7/24' }] }, /host bits set \(the network is 163\.221\.52\.0\/24\)/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, net: '163.221.52.0/24' }] }, /exactly one of host/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, kinds: [] }] }, /at least one kind/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, owner: 'Eve\n-A INPUT -j ACCEPT' }] }, /owner: control characters/);
  bad({ kinds: { winny: 'banned' }, registrations: [{ ...reg, kinds: ['winny'] }] }, /winny is banned by this policy; a registration cannot allow it/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, id: 'a b' }] }, /registrations\[0\]\.id/);
  bad({ kinds: { bittorrent: 'registration' }, registrations: [{ ...reg, id: 'x' }, { ...reg, id: 'x' }] }, /registrations\[1\]\.id: "x" is already the id of registrations\[0\]/);
  bad({ procedure: { steps: [{ offence: 2, tasks: [] }] } }, /procedure\.steps\[0\]\.offence: steps are listed in order/);
  bad({ home_nets: ['not-a-net'] }, /home_nets\[0\]/);
});

test('an unreadable or non-YAML file is an error naming the file', () => {
  assert.throws(() => loadPolicy('/nonexistent/policy.yaml'), /nonexistent\/policy\.yaml: cannot read the policy file/);
});
