/**
 * `snarf import` routes flow inputs by content: a pcap of sFlow (other pcaps still refused),
 * Winny monitor logs (bad lines rejected with file:line, re-import deduplicated), and daily
 * p2p reports. Truncated and garbage datagrams and sFlow v2/v4 each give a clear warning and
 * cost nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { importFiles, type ImportOptions } from '../../src/import/import-files.js';
import { writeDailyReport } from '../../src/inputs/sflow/daily-report.js';
import { corpusDatagrams } from '../inputs/sflow/fixtures.js';
import type { Warning } from '../../src/errors.js';

const EXPECTED = fs.readFileSync(corpusPath('sflow', 'expected-report.tsv'), 'utf8');
const HOME = ['192.0.2.0/24', '2001:db8:1::/48'];
const DAY = { day: '2005-12-08', timeZone: '+09:00', internalNetworks: [] as string[] };
const opts = (warnings: Warning[], tz = 'UTC'): ImportOptions => ({ warn: (w) => warnings.push(w), tz, flow: { homeNets: HOME } });

/** A classic pcap (raw IPv4 link type) of UDP datagrams to port 6343. */
function writePcap(file: string, packets: Array<{ timeUs: number; payload: Uint8Array }>): void {
  const parts: Buffer[] = [];
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0); gh.writeUInt16LE(2, 4); gh.writeUInt16LE(4, 6); gh.writeUInt32LE(65535, 16); gh.writeUInt32LE(101, 20);
  parts.push(gh);
  for (const p of packets) {
    const ip = Buffer.alloc(28);
    ip[0] = 0x45; ip.writeUInt16BE(28 + p.payload.length, 2); ip[8] = 64; ip[9] = 17;
    Buffer.from([127, 0, 0, 1]).copy(ip, 12); Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    ip.writeUInt16BE(40000, 20); ip.writeUInt16BE(6343, 22); ip.writeUInt16BE(8 + p.payload.length, 24);
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(Math.floor(p.timeUs / 1e6), 0); rh.writeUInt32LE(p.timeUs % 1e6, 4);
    rh.writeUInt32LE(28 + p.payload.length, 8); rh.writeUInt32LE(28 + p.payload.length, 12);
    parts.push(rh, ip, Buffer.from(p.payload));
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

test('truncated and garbage datagrams and sFlow v2/v4 each warn; the corpus day is still reproduced exactly', async () => {
  const dgs = await corpusDatagrams();
  const later = Date.parse('2005-12-20T00:00:00Z') * 1000; // outside the report day
  const cut = Uint8Array.from(dgs[10]!.data.subarray(0, 300));
  cut.set([0, 0, 0, 99], 12); // another sub-agent (u32 at offset 12): its surviving samples must not collide with datagram 11
  const v2 = Uint8Array.from(dgs[0]!.data); v2[3] = 2;
  const v4 = Uint8Array.from(dgs[0]!.data); v4[3] = 4;
  const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 255);
  const packets = dgs.map((d) => ({ timeUs: d.timeUs, payload: d.data }));
  packets.splice(100, 0, { timeUs: later, payload: cut }, { timeUs: later, payload: v2 }, { timeUs: later, payload: garbage });
  packets.push({ timeUs: later, payload: v4 });
  const file = path.join(tempDir(), 'mixed.pcap');
  writePcap(file, packets);

  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  const r = await importFiles(store, [file], opts(warnings));
  assert.equal(r.files[0]!.format, 'sflow_pcap');
  const codes = warnings.map((w) => w.code).sort();
  assert.deepEqual(codes, ['SNARF_SFLOW_BAD_VERSION', 'SNARF_SFLOW_BAD_VERSION', 'SNARF_SFLOW_BAD_VERSION', 'SNARF_SFLOW_TRUNCATED']);
  assert.ok(warnings.some((w) => /version 2 \(RFC 3176\)/.test(w.message)));
  assert.ok(warnings.some((w) => /version 4 \(RFC 3176\)/.test(w.message)));
  assert.ok(warnings.every((w) => w.file === file && typeof w.offset === 'number'), 'each names file@offset');
  assert.equal(r.totals.rejected, 4);
  assert.ok(r.totals.inserted > 2970, 'the samples before the cut are kept');
  assert.equal(writeDailyReport(await store.p2pReport(DAY)), EXPECTED);
  const ex = await store.flowExporters();
  assert.deepEqual(ex.map((e) => [e.agent, e.subAgentId, e.datagrams, e.lost]), [['192.0.2.1', 99, 1, 0], ['192.0.2.1', 1402, 463, 0]]);
  await store.close();
});

test('a pcap that is not sFlow is still refused as not an alert log', async () => {
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  const r = await importFiles(store, [corpusPath('snort', 'pcaps', 'web.pcap')], opts(warnings));
  assert.equal(r.totals.skipped, 1);
  assert.equal(warnings[0]!.code, 'SNARF_NOT_TEXT');
  assert.match(warnings[0]!.message, /not a Snort alert log/);
  await store.close();
});

test('sFlow without home networks is skipped with a clear warning; the store remembers them once given', async () => {
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  const r = await importFiles(store, [corpusPath('sflow', 'sflow-day.pcap')], { warn: (w) => warnings.push(w) });
  assert.equal(r.totals.skipped, 1);
  assert.match(warnings[0]!.message, /--home-net/);
  await importFiles(store, [corpusPath('sflow', 'sflow-day.pcap')], opts([]));
  assert.deepEqual((await store.flowSettings()).homeNets, HOME);
  const other: Warning[] = [];
  const clash = await importFiles(store, [corpusPath('sflow', 'sflow-day.pcap')], { warn: (w) => other.push(w), flow: { homeNets: ['10.0.0.0/8'] } });
  assert.equal(clash.totals.skipped, 1);
  assert.match(other[0]!.message, /differs from the networks/);
  await store.close();
});

const WINNY = [
  '#format eeye-like-winny/1',
  'timestamp\tsensor\tkind\thost_ip\thost_port\tpeer_ip\tpeer_port\tdirection\tproto\tnode_info\taction\tbytes',
  '2005-12-08T09:14:03+09:00\tmirror-core1\tWinny\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\tver=2.0b1;speed=120.0;conn=search\tdetect\t11',
  '2005-12-08T09:14:03+09:00\tmirror-core1\tWinny\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\t-\treset\t0',
  'garbage without tabs',
  '2005-12-08T25:99:00+09:00\tmirror-core1\tWinny\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\t-\tdetect\t11',
  '2005-12-08T11:02:09+09:00\tmirror-core1\tWinny\t2001:db8:1::10\t33333\t2001:db8:ff::5\t63255\tin\ttcp\t-\tdetect\t11',
  '2005/12/08 22:15:00\tmirror-core1\tUnknown\t192.0.2.88\t-\t-\t-\t-\t-\t-\tdetect\t-',
  '2005-12-08T21:02:17+09:00\tmirror-core1\tShare\tnot-an-ip\t31337\t203.0.113.9\t40112\tout\ttcp\t-\tdetect\t-',
  '',
].join('\n');

test('Winny monitor log: malformed lines rejected with file:line, the rest stored once', async () => {
  const file = path.join(tempDir(), 'winny-monitor.log');
  fs.writeFileSync(file, WINNY);
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  const r = await importFiles(store, [file], opts(warnings, 'Asia/Tokyo'));
  assert.equal(r.files[0]!.format, 'winny_log');
  assert.deepEqual([r.totals.alerts, r.totals.inserted, r.totals.rejected], [4, 4, 3]);
  assert.deepEqual(warnings.map((w) => `${w.code} ${w.line}`), ['SNARF_TEXT_BAD_LINE 5', 'SNARF_TEXT_BAD_TIME 6', 'SNARF_TEXT_BAD_LINE 9']);
  assert.ok(warnings.every((w) => w.file === file));
  const again = await importFiles(store, [file], opts([], 'Asia/Tokyo'));
  assert.deepEqual([again.totals.inserted, again.totals.duplicates], [0, 4]);
  const ev = await store.p2pEvidence({ homeNets: HOME, match: () => null });
  assert.deepEqual(ev.map((e) => e.source === 'winny' ? [e.host, e.kind, e.events, e.resets, e.firstUs] : []).sort(), [
    ['192.0.2.10', 'winny', 2, 1, Date.parse('2005-12-08T00:14:03Z') * 1000],
    ['192.0.2.88', 'unknown', 1, 0, Date.parse('2005-12-08T13:15:00Z') * 1000],
    ['2001:db8:1::10', 'winny', 1, 0, Date.parse('2005-12-08T02:02:09Z') * 1000],
  ]);
  await store.close();
});

test('a Winny log header without required columns: the file is skipped with one warning', async () => {
  const file = path.join(tempDir(), 'bad-header.log');
  fs.writeFileSync(file, '#format eeye-like-winny/1\ntimestamp\tsensor\thost_ip\n2005-12-08T09:14:03+09:00\tm\t192.0.2.10\n');
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  const r = await importFiles(store, [file], opts(warnings));
  assert.equal(r.totals.skipped, 1);
  assert.deepEqual(warnings.map((w) => [w.code, w.line]), [['SNARF_UNKNOWN_FORMAT', 2]]);
  assert.match(warnings[0]!.message, /lacks required column\(s\): kind, action/);
  await store.close();
});

test('a daily report made elsewhere is imported once and becomes evidence', async () => {
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  const r = await importFiles(store, [corpusPath('sflow', 'expected-report.tsv')], opts(warnings, 'Asia/Tokyo'));
  assert.deepEqual(warnings, []);
  assert.equal(r.files[0]!.format, 'p2p_report');
  assert.equal(r.totals.inserted, 5);
  assert.equal((await importFiles(store, [corpusPath('sflow', 'expected-report.tsv')], opts([], 'Asia/Tokyo'))).totals.duplicates, 5);
  const ev = await store.p2pEvidence({ homeNets: HOME, match: () => null });
  assert.deepEqual(ev.map((e) => (e.source === 'report' ? [e.host, e.section, e.flows, e.bytes, e.uniqPeers, e.day] : [])), [
    ['192.0.2.10', 'high-ports', 561, 374926000, 26, '2005-12-08'],
    ['192.0.2.20', 'high-ports', 88, 51324000, 12, '2005-12-08'],
    ['2001:db8:1::10', 'high-ports', 71, 40938000, 12, '2005-12-08'],
    ['192.0.2.40', 'bittorrent', 125, 91366000, 9, '2005-12-08'],
    ['192.0.2.50', 'mass-download', 840, 1275120000, 2, '2005-12-08'],
  ]);
  await store.close();
});
