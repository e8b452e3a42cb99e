/**
 * `snarf policy` and `snarf response` as scripts use them: check --json lists violations (a
 * registered host is not one), propose records, list/approve/reject decide with a name, export
 * writes a checked file, history shows the procedure; bad input is one line and a failure code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/store.js';
import { parseList, parseNft } from './export-grammar.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const snarf = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, SNARF_USER: 'ops' } });

const POLICY = `
kinds:
  bittorrent: { rule: registration, respond: [block-host], respond_level: likely }
  irc-bot: { rule: banned, respond: [block-peer] }
  skype: allowed
registrations:
  - { id: bt-lab, host: 163.221.10.14, kinds: [bittorrent], owner: Lab, reason: research, expires: 2099-12-31 }
`;
const now = new Date();
const iso = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
const FINDINGS = {
  clusters: [{ server: '203.0.113.66', level: 'confirmed', reasons: ['!scan'], first: iso(5), last: iso(4), members: [{ host: '163.221.10.17' }, { host: '163.221.10.18' }] }],
  findings: [
    { kind: 'bittorrent', host: '163.221.10.14', level: 'likely', first: iso(5), last: iso(4) },
    { kind: 'bittorrent', host: '163.221.130.34', level: 'likely', first: iso(5), last: iso(4) },
    { kind: 'skype', host: '163.221.130.35', level: 'confirmed', first: iso(5), last: iso(4) },
  ],
};

test('policy check, response propose, list, approve, reject, export, history', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'snarf.db');
  await new SqliteStore(db).close();
  const missing = snarf('policy', 'check', '--db', db, '--no-verdicts', '--no-bots');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^snarf: SNARF_CONFIG_INVALID: no policy file: write .*snarf\.db\.policy\.yaml/);
  fs.writeFileSync(`${db}.policy.yaml`, POLICY);
  const findings = path.join(dir, 'findings.json');
  fs.writeFileSync(findings, JSON.stringify(FINDINGS));
  const common = ['--db', db, '--no-verdicts', '--no-bots', '--findings', findings];

  const check = snarf('policy', 'check', ...common, '--json');
  assert.equal(check.status, 0, check.stderr);
  const c = JSON.parse(check.stdout) as { counts: Record<string, number>; violations: Array<{ host: string; kind: string; status: string }> };
  assert.deepEqual(c.counts, { violation: 3, registered: 1, 'below-threshold': 0, allowed: 1 });
  assert.deepEqual(c.violations.map((v) => `${v.host} ${v.kind}`).sort(), ['163.221.10.17 irc-bot', '163.221.10.18 irc-bot', '163.221.130.34 bittorrent']);
  const status = JSON.parse(snarf('policy', 'status', '163.221.10.14', ...common, '--json').stdout) as { state: string; registrations: Array<{ id: string; active: boolean }> };
  assert.equal(status.state, 'registered');
  assert.deepEqual(status.registrations.map((r) => [r.id, r.active]), [['bt-lab', true]]);

  const prop = JSON.parse(snarf('response', 'propose', ...common, '--json').stdout) as { proposalsCreated: number };
  assert.equal(prop.proposalsCreated, 2, 'block-peer for the C&C (shared by both bots) and block-host for the unregistered BitTorrent host');
  assert.equal((JSON.parse(snarf('response', 'propose', ...common, '--json').stdout) as { proposalsCreated: number }).proposalsCreated, 0);
  const list = JSON.parse(snarf('response', 'list', '--db', db, '--json').stdout) as { proposals: Array<{ id: number; action: string; target: string; status: string }> };
  const cnc = list.proposals.find((p) => p.target === '203.0.113.66')!;
  const bt = list.proposals.find((p) => p.target === '163.221.130.34')!;
  assert.equal(cnc.status, 'pending');

  const nothing = snarf('response', 'export', '--db', db, '--format', 'list');
  assert.deepEqual(parseList(nothing.stdout).list, [], 'nothing is exported without approval');
  const ok = snarf('response', 'approve', String(cnc.id), '--db', db, '--for', '7d', '--comment', 'C&C confirmed', '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { decidedBy: string }).decidedBy, 'ops', 'who: $SNARF_USER');
  assert.match(snarf('response', 'reject', String(bt.id), '--db', db, '--by', 'alice').stdout, /rejected by alice/);
  const twice = snarf('response', 'approve', String(bt.id), '--db', db);
  assert.equal(twice.status, 1);
  assert.match(twice.stderr, /is rejected; only a pending proposal can be approved/);

  const out = path.join(dir, 'snarf.nft');
  assert.equal(snarf('response', 'export', '--db', db, '--format', 'nftables', '-o', out).status, 0);
  assert.deepEqual(parseNft(fs.readFileSync(out, 'utf8')).block_v4!.map((e) => e.addr), ['203.0.113.66']);
  const show = JSON.parse(snarf('response', 'show', String(cnc.id), '--db', db, '--json').stdout) as { decisions: Array<{ decision: string; actor: string }> };
  assert.deepEqual(show.decisions.map((d) => `${d.decision}:${d.actor}`), ['propose:snarf', 'approve:ops']);

  assert.match(snarf('response', 'note', '163.221.10.17', 'called the lab', '--db', db).stdout, /note \d+ added to 163\.221\.10\.17/);
  const hist = JSON.parse(snarf('response', 'history', '163.221.10.17', '--db', db, '--json').stdout) as { incidents: Array<{ offence: number; tasks: unknown[] }>; events: Array<{ type: string }> };
  assert.equal(hist.incidents[0]!.offence, 1);
  assert.ok(hist.events.some((e) => e.type === 'note'));
  assert.match(snarf('response', 'task', '1', '1', '--db', db).stdout, /1 of 4 task\(s\) done/);
  assert.match(snarf('response', 'history', '163.221.10.17', '--db', db, '--format', 'csv').stdout, /^host,at,incident/);

  for (const args of [['response', 'approve', '1; rm'], ['response', 'export', '--format', 'pf'], ['response', 'export', '--format', 'nftables', '--table', 'a b'], ['response', 'list', '--status', 'done']]) {
    const r = snarf(...args, '--db', db);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length <= 2, true, r.stderr);
  }
});
