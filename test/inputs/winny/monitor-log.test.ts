import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SnarfError, type Warning } from '../../../src/errors.js';
import { parseWinnyLines, parseWinnyTime, readWinnyLog } from '../../../src/inputs/winny/monitor-log.js';
import type { WinnyEvent } from '../../../src/model/flow.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-winny-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// The examples of shared/formats/winny.md section 3, TAB-separated.
const DOC_EXAMPLE = [
  '#format eeye-like-winny/1',
  'timestamp\tsensor\tkind\thost_ip\thost_port\tpeer_ip\tpeer_port\tdirection\tproto\tnode_info\taction\tbytes',
  '2005-12-08T09:14:03+09:00\tmirror-core1\tWinny\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\tver=2.0b1;speed=120.0;conn=search\tdetect\t11',
  '2005-12-08T09:14:03+09:00\tmirror-core1\tWinny\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\t-\treset\t0',
  '2005-12-08T09:20:45+09:00\tmirror-core1\tWinny\t192.0.2.10\t7743\t198.51.100.26\t52103\tin\ttcp\tconn=transfer\tdetect\t11',
  '2005-12-08T11:02:09+09:00\tmirror-core1\tWinny\t2001:db8:1::10\t33333\t2001:db8:ff::5\t63255\tin\ttcp\t-\tdetect\t11',
  '2005-12-08T13:40:51+09:00\tmirror-core1\tAntinny\t192.0.2.66\t1090\t203.0.113.80\t80\tout\ttcp\tdos-target=www.example.jp\tdetect\t512',
  '2005-12-08T21:02:17+09:00\tmirror-core1\tShare\t192.0.2.77\t31337\t203.0.113.9\t40112\tout\ttcp\t-\tdetect\t-',
  '2005/12/08 22:15:00\tmirror-core1\tUnknown\t192.0.2.88\t-\t-\t-\t-\t-\t-\tdetect\t-',
];

function parse(lines: string[], opts: { timeZone?: string } = {}): { events: WinnyEvent[]; warnings: Warning[] } {
  const warnings: Warning[] = [];
  const events = [...parseWinnyLines(lines, { file: 'mon.log', ...opts, onWarning: (w) => warnings.push(w) })];
  return { events, warnings };
}

test('the format document example: every kind, action and field', () => {
  const { events, warnings } = parse(DOC_EXAMPLE, { timeZone: 'Asia/Tokyo' });
  assert.deepEqual(warnings, []);
  assert.equal(events.length, 7);
  assert.deepEqual(events.map((e) => [e.kind, e.action]), [
    ['winny', 'detect'], ['winny', 'reset'], ['winny', 'detect'], ['winny', 'detect'], ['antinny', 'detect'], ['share', 'detect'], ['unknown', 'detect']]);
  assert.deepEqual(events[0], {
    timeUs: Date.UTC(2005, 11, 8, 0, 14, 3) * 1000, sensor: 'mirror-core1', kind: 'winny', hostIp: '192.0.2.10', hostPort: 7743,
    peerIp: '198.51.100.4', peerPort: 48117, direction: 'in', protocol: 6,
    nodeInfo: { ver: '2.0b1', speed: '120.0', conn: 'search' }, action: 'detect', bytes: 11, extra: {},
    origin: { file: 'mon.log', line: 3 },
  });
  assert.equal(events[3]!.hostIp, '2001:db8:1::10');
  assert.deepEqual(events[4]!.nodeInfo, { 'dos-target': 'www.example.jp' });
  assert.equal(events[5]!.bytes, null);
  const u = events[6]!;
  assert.deepEqual([u.timeUs, u.hostPort, u.peerIp, u.direction, u.protocol, u.bytes], [Date.UTC(2005, 11, 8, 13, 15) * 1000, null, null, null, null, null]);
});

test('comma variant, columns in another order, unknown columns kept as extra', () => {
  const { events, warnings } = parse([
    'action,host_ip,timestamp,sensor,kind,peer_ip,vlan',
    'RESET,192.0.2.10,2005-12-08T00:14:03Z,mirror-core1,WINNY,198.51.100.4,120',
  ]);
  assert.deepEqual(warnings, []);
  assert.deepEqual([events[0]!.action, events[0]!.kind, events[0]!.timeUs, events[0]!.peerIp, events[0]!.extra],
    ['reset', 'winny', Date.UTC(2005, 11, 8, 0, 14, 3) * 1000, '198.51.100.4', { vlan: '120' }]);
});

test('without a header the default column order is assumed', () => {
  const { events, warnings } = parse(DOC_EXAMPLE.slice(2, 4));
  assert.deepEqual(warnings, []);
  assert.equal(events.length, 2);
  assert.equal(events[1]!.origin.line, 2);
});

test('malformed lines are rejected with file:line and the reason; the rest is read', () => {
  const lines = [
    DOC_EXAMPLE[1]!,
    '2005-12-08T09:14:03+09:00\tmirror-core1\tLimewire\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\t-\tdetect\t11',
    '2005-12-08T09:14:03+09:00\tmirror-core1\tWinny\t192.0.2.300\t7743\t198.51.100.4\t48117\tin\ttcp\t-\tdetect\t11',
    '2005-12-32T09:14:03+09:00\tmirror-core1\tWinny\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\t-\tdetect\t11',
    '2005-12-08T09:14:03+09:00\tmirror-core1\tWinny\t192.0.2.10\t7743',
    '2005-12-08T09:14:03+09:00\tmirror-core1\tWinny\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\t-\tkill\t11',
    '2005-12-08T09:14:03+09:00\t-\tWinny\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\t-\tdetect\t11',
    '2005/12/08 22:15:00\tmirror-core1\tUnknown\t192.0.2.88\t-\t-\t-\t-\t-\t-\tdetect\t-',
    DOC_EXAMPLE[2]!,
  ];
  const { events, warnings } = parse(lines);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.origin.line, 9);
  assert.deepEqual(warnings.map((w) => `${w.code} ${w.file}:${w.line}`), [
    'SNARF_TEXT_BAD_LINE mon.log:2', 'SNARF_TEXT_BAD_LINE mon.log:3', 'SNARF_TEXT_BAD_TIME mon.log:4', 'SNARF_TEXT_BAD_LINE mon.log:5',
    'SNARF_TEXT_BAD_LINE mon.log:6', 'SNARF_TEXT_BAD_LINE mon.log:7', 'SNARF_TEXT_BAD_TIME mon.log:8']);
  assert.match(warnings[0]!.message, /kind "Limewire"/);
  assert.match(warnings[1]!.message, /host_ip "192\.0\.2\.300"/);
  assert.match(warnings[3]!.message, /5 fields, the header names 12/);
  assert.match(warnings[6]!.message, /needs a configured time zone/);
});

test('a bad optional field is reported but the event is kept without it', () => {
  const { events, warnings } = parse([DOC_EXAMPLE[1]!,
    '2005-12-08T09:14:03+09:00\tmirror-core1\tWinny\t192.0.2.10\t77430\tnot-ip\t48117\tsideways\tsctp\t-\tdetect\tlots']);
  assert.equal(events.length, 1);
  assert.deepEqual([events[0]!.hostPort, events[0]!.peerIp, events[0]!.peerPort, events[0]!.direction, events[0]!.protocol, events[0]!.bytes],
    [null, null, 48117, null, null, null]);
  assert.equal(warnings.length, 5);
  assert.ok(warnings.every((w) => w.line === 2 && /field ignored/.test(w.message)));
});

test('a header without a required column, or with a repeated one, stops the file with an error', () => {
  assert.throws(() => parse(['timestamp\tsensor\tkind\taction', 'x']),
    (e: unknown) => e instanceof SnarfError && e.line === 1 && /host_ip/.test(e.message));
  assert.throws(() => parse(['# c', 'timestamp,sensor,kind,host_ip,action,kind']),
    (e: unknown) => e instanceof SnarfError && e.line === 2 && /"kind" twice/.test(e.message));
});

test('timestamps: offsets, Z, fractions, local time in a zone; impossible dates refused', () => {
  assert.equal(parseWinnyTime('2005-12-08T09:14:03.25+0900'), Date.UTC(2005, 11, 8, 0, 14, 3) * 1000 + 250000);
  assert.equal(parseWinnyTime('2005-12-07T19:14:03-05:00'), Date.UTC(2005, 11, 8, 0, 14, 3) * 1000);
  assert.equal(parseWinnyTime('2005/12/08 09:14:03', '+09:00'), Date.UTC(2005, 11, 8, 0, 14, 3) * 1000);
  assert.equal(typeof parseWinnyTime('2005-02-29T00:00:00Z'), 'string');
  assert.equal(typeof parseWinnyTime('2005-12-08T09:14:03'), 'string'); // no offset
  assert.equal(typeof parseWinnyTime('yesterday'), 'string');
});

async function readFile(bytes: Buffer | string, opts: { maxLineBytes?: number } = {}): Promise<{ events: WinnyEvent[]; warnings: Warning[]; file: string }> {
  const file = path.join(tmp, `log-${Math.random().toString(36).slice(2)}.tsv`);
  fs.writeFileSync(file, bytes);
  const warnings: Warning[] = [];
  const events: WinnyEvent[] = [];
  for await (const e of readWinnyLog(file, { ...opts, timeZone: '+09:00', onWarning: (w) => warnings.push(w) })) events.push(e);
  return { events, warnings, file };
}

test('file reader: CRLF line ends, a BOM and no final newline read the same as LF', async () => {
  const lf = await readFile(DOC_EXAMPLE.join('\n') + '\n');
  const crlf = await readFile('\ufeff' + DOC_EXAMPLE.join('\r\n'));
  assert.deepEqual(lf.warnings, []);
  assert.deepEqual(crlf.warnings, []);
  assert.equal(lf.events.length, 7);
  assert.deepEqual(crlf.events.map(({ origin, ...e }) => [e, origin.line]), lf.events.map(({ origin, ...e }) => [e, origin.line]));
  assert.equal(crlf.events[6]!.sensor, 'mirror-core1'); // no stray \r in the last field
  assert.equal(crlf.events[0]!.origin.file, crlf.file);
});

test('file reader: invalid UTF-8 is reported with its line and replaced; the line still counts', async () => {
  const bad = Buffer.concat([
    Buffer.from(DOC_EXAMPLE.slice(0, 3).join('\n') + '\n'),
    Buffer.from('2005-12-08T09:14:03+09:00\tmirror-'), Buffer.from([0xff, 0xfe]), Buffer.from('\tWinny\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\t-\tdetect\t11\n'),
    Buffer.from(DOC_EXAMPLE[4]! + '\n'),
  ]);
  const { events, warnings, file } = await readFile(bad);
  assert.deepEqual(warnings.map((w) => [w.code, w.file, w.line]), [['SNARF_TEXT_BAD_UTF8', file, 4]]);
  assert.equal(events.length, 3);
  assert.equal(events[1]!.sensor, 'mirror-\ufffd\ufffd');
  assert.equal(events[2]!.origin.line, 5);
});

test('file reader: an overlong line is skipped without holding it, and the next line is read', async () => {
  const long = '2005-12-08T09:14:03+09:00\tmirror-core1\tWinny\t192.0.2.10\t7743\t198.51.100.4\t48117\tin\ttcp\t' + 'x='.repeat(100000) + '\tdetect\t11';
  const { events, warnings } = await readFile([DOC_EXAMPLE[1], long, DOC_EXAMPLE[2]].join('\n'), { maxLineBytes: 4096 });
  assert.deepEqual(warnings.map((w) => [w.code, w.line]), [['SNARF_TEXT_LONG_LINE', 2]]);
  assert.deepEqual(events.map((e) => e.origin.line), [3]);
});

test('file reader: a missing file is a SnarfError naming it', async () => {
  await assert.rejects(async () => {
    for await (const _ of readWinnyLog(path.join(tmp, 'missing.log'))) void _;
  }, (e: unknown) => e instanceof SnarfError && e.code === 'SNARF_IO' && /missing\.log/.test(e.message));
});
