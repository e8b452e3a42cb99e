/**
 * Exports of approved actions. The issue's acceptance: an approved command-server block
 * exports in every format and the text is checked (parsed back by strict grammars, and by
 * Debian's nft / iptables-restore where they can run); expired and rejected actions are absent;
 * hostile values (names, notes, addresses) cannot break out of the files' syntax.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePolicy } from '../../src/policy/policy-file.js';
import type { PolicyFinding } from '../../src/policy/findings.js';
import { approveProposal, exportApproved, listProposals, proposeResponses, rejectProposal } from '../../src/response/service.js';
import { exportActions, EXPORT_FORMATS } from '../../src/response/exporters.js';
import { safeAddress, safeComment, type ExportAction } from '../../src/response/export-safe.js';
import { freshSqlite } from '../helpers/store.js';
import { bin, parseAcl, parseIptables, parseList, parseNft, syntaxCheck } from './export-grammar.js';

const H = 3_600_000_000;
const NOW = Date.parse('2026-11-20T12:00:00Z') * 1000;
const CNC = '203.0.113.66';
const CNC6 = '2001:db8:bad:c0::66';

const NFT_PROBE = 'table inet probe {\n\tset s {\n\t\ttype ipv4_addr\n\t\tflags timeout\n\t\telements = { 192.0.2.1 timeout 60s comment "x" }\n\t}\n}\n';
const IPT_PROBE = (fam: 4 | 6) => `*filter\n:PROBE - [0:0]\n-A PROBE -s ${fam === 4 ? '192.0.2.1/32' : '2001:db8::1/128'} -m time --datestop 2030-01-01T00:00:00 -m comment --comment "x" -j DROP\nCOMMIT\n`;

function checkNft(text: string, t: { diagnostic(m: string): void }): void {
  const r = syntaxCheck([bin('nft'), '-c', '-f'], text, NFT_PROBE);
  if (!r.ran) return t.diagnostic(`nft syntax check skipped: ${r.why}`);
  assert.ok(r.ok, `nft -c rejected the export:\n${r.output}\n${text}`);
}

function checkIpt(text: string, fam: 4 | 6, t: { diagnostic(m: string): void }): void {
  const tool = fam === 4 ? 'iptables-restore' : 'ip6tables-restore';
  const r = syntaxCheck([bin(tool), '--test'], text, IPT_PROBE(fam));
  if (!r.ran) return t.diagnostic(`${tool} --test skipped: ${r.why}`);
  assert.ok(r.ok, `${tool} --test rejected the export:\n${r.output}\n${text}`);
}

/** A store holding: an approved C&C block (v4 and v6), a rejected one, one approved and expired, and a pending one. */
async function scenario() {
  const { store } = freshSqlite();
  const policy = validatePolicy({
    kinds: { 'irc-bot': { rule: 'banned', respond: ['block-peer', 'block-host'] }, winny: { rule: 'banned', respond: ['reset'] } },
  }, 'policy.yaml');
  const f = (host: string, peer: string | null, kind: PolicyFinding['kind'] = 'irc-bot'): PolicyFinding => ({
    kind, host, peer, level: 'confirmed', evidence: ['!scan from the server'], firstUs: NOW - 10 * H, lastUs: NOW - 9 * H, source: 'test',
  });
  await proposeResponses(store, policy, {
    verdicts: false, nowUs: NOW - 8 * H,
    extraFindings: [f('163.221.10.17', CNC), f('2001:db8:a3dd:10::14', CNC6), f('163.221.52.29', '198.51.100.23'), f('163.221.10.31', null, 'winny')],
  });
  const ps = await listProposals(store, { nowUs: NOW - 8 * H });
  const id = (action: string, target: string) => ps.find((p) => p.action === action && p.target === target)!.id;
  await approveProposal(store, id('block-peer', CNC), 'alice', { nowUs: NOW - 7 * H });
  await approveProposal(store, id('block-peer', CNC6), 'alice', { nowUs: NOW - 7 * H });
  await approveProposal(store, id('reset', '163.221.10.31'), 'alice', { nowUs: NOW - 7 * H });
  await rejectProposal(store, id('block-peer', '198.51.100.23'), 'bob', { nowUs: NOW - 7 * H, comment: 'shared hosting, not the C&C' });
  await approveProposal(store, id('block-host', '163.221.52.29'), 'bob', { nowUs: NOW - 7 * H, expiresUs: NOW - H });
  // block-host 163.221.10.17 and 2001:db8:a3dd:10::14 stay pending.
  return store;
}

test('an approved command-server block exports in every format; rejected, expired and pending actions are absent', async (t) => {
  const store = await scenario();
  const absent = ['198.51.100.23', '163.221.52.29', '163.221.10.17', '2001:db8:a3dd:10::14'];
  const out: Record<string, string> = {};
  for (const format of EXPORT_FORMATS) out[format] = (await exportApproved(store, format, { nowUs: NOW })).text;
  for (const [format, text] of Object.entries(out)) for (const a of absent) assert.ok(!text.includes(a), `${format} leaves out ${a}`);

  const nft = parseNft(out.nftables!);
  assert.deepEqual(nft.block_v4!.map((e) => e.addr), [CNC]);
  assert.deepEqual(nft.block_v6!.map((e) => e.addr), [CNC6]);
  assert.deepEqual(nft.reset_v4!.map((e) => e.addr), ['163.221.10.31']);
  assert.deepEqual(nft.reset_v6, []);
  // Approved 7 h before NOW for the default 30 days: the timeout is what is left of it.
  assert.equal(nft.block_v4![0]!.extra.split(' ')[0], String(30 * 86400 - 7 * 3600));
  assert.match(nft.block_v4![0]!.extra, /snarf P\d+ block-peer irc-bot by alice until 2026-12-20T05:00:00Z/);
  checkNft(out.nftables!, t);

  const ipt = parseIptables(out.iptables!);
  assert.deepEqual(ipt.DROP!.map((e) => e.addr), [CNC, CNC], 'both directions');
  assert.deepEqual(ipt.RESET!.map((e) => e.addr), ['163.221.10.31', '163.221.10.31']);
  assert.match(ipt.DROP![0]!.extra, /^2026-12-20T05:00:00 /);
  checkIpt(out.iptables!, 4, t);
  const ipt6 = (await exportApproved(store, 'iptables', { nowUs: NOW, family: 6 })).text;
  assert.deepEqual(parseIptables(ipt6).DROP!.map((e) => e.addr), [CNC6, CNC6]);
  checkIpt(ipt6, 6, t);

  const acl = parseAcl(out.acl!);
  assert.deepEqual(acl['ip access-list extended SNARF-BLOCK']!.map((e) => `${e.addr} ${e.extra.split(' ')[0]}`), ['163.221.10.31 tcp', '163.221.10.31 tcp', `${CNC} ip`, `${CNC} ip`]);
  assert.deepEqual(acl['ipv6 access-list SNARF-BLOCK6']!.map((e) => e.addr), [CNC6, CNC6]);
  assert.match(out.acl!, /absolute end 05:00 20 December 2026/);

  const list = parseList(out.list!);
  assert.deepEqual(list.list!.map((e) => e.addr), ['163.221.10.31', CNC, CNC6]);
  assert.match(list.list![1]!.extra, /^2026-12-20T05:00:00Z P\d+ block-peer$/);

  // Only some actions, and after the approvals expire: nothing.
  assert.deepEqual(parseList((await exportApproved(store, 'list', { nowUs: NOW, actions: ['reset'] })).text).list!.map((e) => e.addr), ['163.221.10.31']);
  const later = await exportApproved(store, 'nftables', { nowUs: NOW + 31 * 24 * H });
  assert.equal(later.written, 0);
  assert.deepEqual(Object.values(parseNft(later.text)).flat(), []);
  checkNft(later.text, t);
  await store.close();
});

test('hostile values cannot break out of any format', (t) => {
  const hostile = [
    'alice"; flush ruleset; #', 'bob\n-A INPUT -j ACCEPT', 'eve }\n}\ntable ip x { chain y { type filter hook input priority 0; policy drop; } }',
    "mallory' ! \\\" `rm -rf /` $(id)", 'x'.repeat(500), '\u202eevil\u0000\r\nCOMMIT', 'élodie — ｆｕｌｌwidth',
  ];
  const actions: ExportAction[] = hostile.map((by, i) => ({
    id: i + 1, action: (['block-host', 'block-peer', 'reset'] as const)[i % 3]!, target: i % 2 ? `2001:db8::${i + 1}` : `192.0.2.${i + 1}`,
    kind: i === 3 ? 'irc-bot"; drop' : 'winny', expiresUs: NOW + 24 * H, decidedBy: by,
  }));
  // Hostile targets: never printed, whatever they look like.
  const badTargets = ['192.0.2.1; flush ruleset', '192.0.2.1\n-A INPUT -j ACCEPT', '192.0.2.0/0', '0.0.0.0', '::', '127.0.0.1', '10.1', 'fe80::1%eth0', '255.255.255.255', ''];
  badTargets.forEach((target, i) => actions.push({ id: 100 + i, action: 'block-host', target, kind: 'winny', expiresUs: NOW + H, decidedBy: 'x' }));
  // Non-canonical but valid: printed canonically.
  actions.push({ id: 200, action: 'block-peer', target: '2001:DB8:0:0:0:0:0:ABCD', kind: 'irc-bot', expiresUs: NOW + H, decidedBy: 'x' });
  actions.push({ id: 201, action: 'block-peer', target: '::ffff:198.51.100.7', kind: 'irc-bot', expiresUs: NOW + H, decidedBy: 'x' });

  const nft = exportActions('nftables', actions, { nowUs: NOW });
  assert.deepEqual(nft.dropped.sort((a, b) => a - b), badTargets.map((_, i) => 100 + i));
  const parsed = parseNft(nft.text);
  assert.equal(Object.values(parsed).flat().length, hostile.length + 2);
  assert.ok(parsed.block_v6!.some((e) => e.addr === '2001:db8::abcd'));
  assert.ok(parsed.block_v4!.some((e) => e.addr === '198.51.100.7'));
  checkNft(nft.text, t);
  for (const fam of [4, 6] as const) {
    const ipt = exportActions('iptables', actions, { nowUs: NOW, family: fam });
    const p = parseIptables(ipt.text);
    assert.equal(p.DROP!.length + p.RESET!.length, 2 * ipt.written);
    checkIpt(ipt.text, fam, t);
  }
  const acl = exportActions('acl', actions, { nowUs: NOW });
  assert.equal(Object.values(parseAcl(acl.text)).flat().length, 2 * acl.written);
  assert.equal(parseList(exportActions('list', actions, { nowUs: NOW }).text).list!.length, hostile.length + 2);
  for (const f of EXPORT_FORMATS) {
    const text = exportActions(f, actions, { nowUs: NOW, family: 4 }).text;
    // The grammars above are the proof; this names the usual payloads: none starts a line of its own.
    assert.doesNotMatch(text, /^\s*(flush|-A INPUT|table ip x|rm )/m, f);
    for (const frag of ['$(', '`', '"; ', '\r', '\u0000', '\u202e']) assert.ok(!text.includes(frag), `${f}: ${JSON.stringify(frag)} is not in the output`);
  }

  // Names from options are refused, not cleaned.
  assert.throws(() => exportActions('nftables', actions, { nowUs: NOW, table: 'snarf; flush ruleset' }), /nftables table .* must start with a letter/);
  assert.throws(() => exportActions('iptables', actions, { nowUs: NOW, chain: 'X\n-A INPUT' }), /iptables chain/);
  assert.throws(() => exportActions('acl', actions, { nowUs: NOW, acl: '1ACL' }), /ACL name/);
});

test('safe helpers', () => {
  assert.equal(safeComment('a"b\\c;d{e}f#g!h\ni', 100), 'a_b_c_d_e_f_g_h_i');
  assert.equal(safeComment('x'.repeat(300), 120).length, 120);
  assert.deepEqual(safeAddress('2001:0db8::0001'), { family: 6, text: '2001:db8::1' });
  assert.equal(safeAddress('192.0.2.1 '), null);
  assert.equal(safeAddress('192.000.2.1'), null);
});
