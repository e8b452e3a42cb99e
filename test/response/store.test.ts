/**
 * Proposal lifecycle and incident history in the SQLite store (migration 3): re-runs update
 * rather than repeat, decisions record who and when and follow pending → approved | rejected,
 * approved → revoked | expired; the policy's auto-approval is a recorded decision too; offences
 * count per host for the procedure (first: pledge; second: suspension).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePolicy } from '../../src/policy/policy-file.js';
import type { PolicyFinding } from '../../src/policy/findings.js';
import { approveProposal, incidentHistory, listProposals, proposeResponses, rejectProposal, revokeProposal } from '../../src/response/service.js';
import { historyCsv, historyJson } from '../../src/response/json.js';
import { MIGRATIONS } from '../../src/store/sqlite/schema.js';
import { freshSqlite } from '../helpers/store.js';

const H = 3_600_000_000;
const T0 = Date.parse('2026-11-20T00:00:00Z') * 1000;
const policy = validatePolicy({
  kinds: {
    winny: { rule: 'banned', respond: ['block-host'], respond_level: 'likely', duration: '7d' },
    bittorrent: { rule: 'registration', respond: ['reset'] },
    'irc-bot': { rule: 'banned', respond: ['block-peer', 'block-host'], auto_approve: true, duration: '14d' },
  },
}, 'policy.yaml');

const finding = (over: Partial<PolicyFinding>): PolicyFinding => ({
  kind: 'winny', host: '163.221.10.31', peer: null, level: 'confirmed', evidence: ['Winny monitor: 12 events'], firstUs: T0, lastUs: T0 + H, source: 'test', ...over,
});
const run = (store: Parameters<typeof proposeResponses>[0], findings: PolicyFinding[], nowUs: number) =>
  proposeResponses(store, policy, { verdicts: false, extraFindings: findings, nowUs });

test('migration 3 is applied to a new store', () => {
  const { store } = freshSqlite();
  assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.ok(MIGRATIONS.length >= 3);
  for (const t of ['response_proposals', 'response_decisions', 'incidents', 'incident_events']) {
    assert.ok(store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(t), t);
  }
  void store.close();
});

test('proposals: created once, updated by re-runs, approved with who and when, exported until expiry', async () => {
  const { store } = freshSqlite();
  const now = T0 + 2 * H;
  const first = await run(store, [finding({}), finding({ kind: 'bittorrent', host: '163.221.130.34', level: 'likely' })], now);
  assert.deepEqual(first.result, { incidentsOpened: 2, findingsRecorded: 2, proposalsCreated: 1, proposalsUpdated: 0, autoApproved: 0 },
    'the likely BitTorrent violation is recorded but below its respond_level (confirmed): no proposal');
  const again = await run(store, [finding({ lastUs: T0 + 3 * H, evidence: ['Winny monitor: 20 events'] })], now + H);
  assert.equal(again.result.proposalsCreated, 0);
  assert.equal(again.result.proposalsUpdated, 1);
  const [p] = await listProposals(store, { nowUs: now + H });
  assert.equal(p!.status, 'pending');
  assert.equal(p!.action, 'block-host');
  assert.equal(p!.target, '163.221.10.31');
  assert.equal(p!.lastUs, T0 + 3 * H);
  assert.match(p!.evidence.join('\n'), /winny is banned by the policy/);
  assert.match(p!.evidence.join('\n'), /20 events/);

  const ok = await approveProposal(store, p!.id, 'alice', { nowUs: now + 2 * H, comment: 'seen on the monitor too' });
  assert.equal(ok.status, 'approved');
  assert.equal(ok.decidedBy, 'alice');
  assert.equal(ok.decidedUs, now + 2 * H);
  assert.equal(ok.expiresUs, now + 2 * H + 7 * 24 * H, 'the kind\'s duration from the approval');
  await assert.rejects(approveProposal(store, p!.id, 'bob', { nowUs: now + 3 * H }), /proposal 1 is approved; only a pending proposal can be approved/);
  await assert.rejects(rejectProposal(store, 99, 'bob'), /no response proposal 99/);
  assert.equal((await listProposals(store, { nowUs: now + 8 * 24 * H }))[0]!.status, 'expired', 'approved and past expiry reads as expired');
  const decisions = await store.proposalDecisions(p!.id);
  assert.deepEqual(decisions.map((d) => [d.decision, d.actor]), [['propose', 'snarf'], ['approve', 'alice']]);
  await store.close();
});

test('rejected proposals come back only on new activity; revoke withdraws an approval', async () => {
  const { store } = freshSqlite();
  await run(store, [finding({})], T0 + 2 * H);
  const [p] = await listProposals(store, { nowUs: T0 + 2 * H });
  const r = await rejectProposal(store, p!.id, 'carol', { nowUs: T0 + 3 * H, comment: 'lab honeypot' });
  assert.equal(r.status, 'rejected');
  assert.equal((await run(store, [finding({})], T0 + 4 * H)).result.proposalsCreated, 0, 'the same evidence again: not re-proposed');
  assert.equal((await run(store, [finding({ lastUs: T0 + 5 * H })], T0 + 6 * H)).result.proposalsCreated, 1, 'activity after the rejection: proposed again');
  const p2 = (await listProposals(store, { status: ['pending'], nowUs: T0 + 6 * H }))[0]!;
  await approveProposal(store, p2.id, 'dave', { nowUs: T0 + 7 * H, expiresUs: T0 + 100 * H });
  const v = await revokeProposal(store, p2.id, 'dave', { nowUs: T0 + 8 * H });
  assert.equal(v.status, 'revoked');
  assert.deepEqual((await listProposals(store, { status: ['approved'], nowUs: T0 + 8 * H })), []);
  await assert.rejects(approveProposal(store, p2.id, 'x', { nowUs: T0 + 9 * H, expiresUs: T0 }), /revoked/);
  await store.close();
});

test('auto_approve: a confirmed bot\'s command server is blocked at once, recorded as the policy\'s decision', async () => {
  const { store } = freshSqlite();
  const bots = ['163.221.10.17', '163.221.10.18'].map((host) => finding({ kind: 'irc-bot', host, peer: '203.0.113.66', source: 'irc-clusters' }));
  const { result } = await run(store, bots, T0 + 2 * H);
  assert.equal(result.proposalsCreated, 3, 'one block-peer shared by the cluster, one block-host per member');
  assert.equal(result.autoApproved, 3);
  const ps = await listProposals(store, { nowUs: T0 + 2 * H });
  const peer = ps.find((p) => p.action === 'block-peer')!;
  assert.equal(peer.target, '203.0.113.66');
  assert.equal(peer.status, 'approved');
  assert.equal(peer.decidedBy, 'policy:policy.yaml');
  assert.equal(peer.expiresUs, T0 + 2 * H + 14 * 24 * H);
  assert.match(peer.evidence.join('\n'), /163\.221\.10\.17/);
  assert.match(peer.evidence.join('\n'), /163\.221\.10\.18/);
  await store.close();
});

test('incident history: offences, procedure steps, notes, tasks; exportable as JSON and CSV', async () => {
  const { store } = freshSqlite();
  const host = '163.221.10.31';
  await run(store, [finding({})], T0 + 2 * H);
  let h = await incidentHistory(store, host, T0 + 2 * H);
  assert.equal(h.incidents.length, 1);
  assert.equal(h.incidents[0]!.offence, 1);
  assert.equal(h.incidents[0]!.step.title, 'First offence');
  assert.ok(h.incidents[0]!.step.tasks.includes('written pledge'));
  await store.addHostNote(host, 'alice', T0 + 3 * H, '=HYPERLINK("http://evil") supervisor present, PC inspected');
  await store.markTaskDone(h.incidents[0]!.id, 3, 'alice', T0 + 4 * H);
  await assert.rejects(store.markTaskDone(h.incidents[0]!.id, 9, 'alice', T0 + 4 * H), /has tasks 1 to 4/);
  await approveProposal(store, h.proposals[0]!.id, 'alice', { nowUs: T0 + 4 * H, expiresUs: T0 + 24 * H });
  await store.closeIncident(h.incidents[0]!.id, 'alice', T0 + 5 * H, 'pledge signed');
  await assert.rejects(store.closeIncident(h.incidents[0]!.id, 'alice', T0 + 5 * H), /already closed/);
  // A later violation (new activity) opens the second offence: suspension.
  await run(store, [finding({ firstUs: T0 + 30 * 24 * H, lastUs: T0 + 30 * 24 * H + H })], T0 + 31 * 24 * H);
  h = await incidentHistory(store, host, T0 + 31 * 24 * H);
  assert.deepEqual(h.incidents.map((i) => i.offence), [1, 2]);
  assert.equal(h.incidents[1]!.step.title, 'Second offence');
  assert.ok(h.incidents[1]!.step.tasks.includes('account suspension'));
  assert.deepEqual(h.incidents[0]!.done, [3]);
  assert.deepEqual([...new Set(h.events.map((e) => e.type))].sort(), ['closed', 'decision', 'finding', 'note', 'proposal', 'step', 'task']);
  assert.deepEqual(h.proposals.map((p) => p.status), ['expired', 'pending'], 'activity after the block expired: proposed again');
  const json = historyJson(h) as { incidents: Array<{ tasks: Array<{ done: boolean }> }> };
  assert.equal(json.incidents[0]!.tasks[3]!.done, true);
  const csv = historyCsv(h);
  assert.match(csv, /^host,at,incident,offence,type,actor,text,ref\r\n/);
  assert.match(csv, /"'=HYPERLINK\(""http:\/\/evil""\) supervisor present, PC inspected"/, 'formula defused and quoted');
  await assert.rejects(incidentHistory(store, 'not-an-ip'), /is not an IP address/);
  await store.close();
});
