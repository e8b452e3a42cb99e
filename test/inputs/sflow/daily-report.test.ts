import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusPath } from '../../helpers/corpus.js';
import { SnarfError } from '../../../src/errors.js';
import { emptyReport, parseDailyReport, writeDailyReport } from '../../../src/inputs/sflow/daily-report.js';

const EXPECTED = fs.readFileSync(corpusPath('sflow', 'expected-report.tsv'), 'utf8');
const TRUTH = fs.readFileSync(corpusPath('sflow', 'truth-report-from-source-packets.tsv'), 'utf8');

test('the corpus reports parse and write back byte for byte', () => {
  for (const text of [EXPECTED, TRUTH]) {
    const { report, warnings } = parseDailyReport(text, { timeZone: '+09:00' });
    assert.deepEqual(warnings, []);
    assert.equal(writeDailyReport(report), text);
  }
});

test('parsed values: day, sections, rows in UTC µs', () => {
  const { report } = parseDailyReport(EXPECTED, { timeZone: 'Asia/Tokyo' });
  assert.equal(report.day, '2005-12-08');
  assert.equal(report.startUs, Date.UTC(2005, 11, 7, 15) * 1000);
  assert.equal(report.endUs - report.startUs, 86400e6);
  assert.deepEqual(report.sections.map((s) => [s.title, s.rows.map((r) => r.dstAddr)]), [
    ['down traffic(tcp or udp, except well-known ports, num_of_uniq_srcaddrs > 10)', ['192.0.2.10', '192.0.2.20', '2001:db8:1::10']],
    ['down traffic(BitTorrent(6881-6889/tcp))', ['192.0.2.40']],
    ['mass downloading hosts (>1GB/day)', ['192.0.2.50']],
  ]);
  assert.deepEqual(report.sections[2]!.rows[0], {
    dstAddr: '192.0.2.50', fqdn: '', firstUs: Date.UTC(2005, 11, 8, 1, 0, 8) * 1000, lastUs: Date.UTC(2005, 11, 8, 5, 22, 45) * 1000,
    flows: 840, totalBytes: 1275120000, uniqSrcs: 2,
  });
});

test('CRLF input parses; bad rows are warnings with their line and are skipped', () => {
  const lines = EXPECTED.trimEnd().split('\n');
  lines.splice(5, 0, '192.0.2.11\t\t2005-12-08 00:00:00\t2005-12-08 00:00:00\t1\t2');
  lines.splice(6, 0, 'not-an-ip\t\t2005-12-08 00:00:00\t2005-12-08 00:00:00\t1\t2\t3');
  lines.splice(7, 0, '192.0.2.12\t\t2005-13-08 00:00:00\t2005-12-08 00:00:00\t1\t2\t3');
  const { report, warnings } = parseDailyReport(lines.join('\r\n'), { timeZone: '+09:00', file: 'r.tsv' });
  assert.deepEqual(warnings.map((w) => [w.code, w.file, w.line]), [
    ['SNARF_TEXT_BAD_LINE', 'r.tsv', 6], ['SNARF_TEXT_BAD_LINE', 'r.tsv', 7], ['SNARF_TEXT_BAD_LINE', 'r.tsv', 8]]);
  assert.match(warnings[0]!.message, /6 tab-separated fields/);
  assert.equal(writeDailyReport(report), EXPECTED);
});

test('a file that is not a report is an error naming line 1', () => {
  assert.throws(() => parseDailyReport('dst_addr\tfqdn\n', { file: 'x.tsv' }),
    (e: unknown) => e instanceof SnarfError && e.code === 'SNARF_UNKNOWN_FORMAT' && e.line === 1 && e.file === 'x.tsv');
});

test('writing keeps rows on one line whatever a resolver returned', () => {
  const r = emptyReport('2005-12-08', '+09:00', ['a', 'b', 'c']);
  r.sections[0]!.rows.push({ dstAddr: '192.0.2.10', fqdn: 'evil\tname\nx', firstUs: r.startUs, lastUs: r.startUs, flows: 1, totalBytes: 2, uniqSrcs: 3 });
  const text = writeDailyReport(r);
  assert.equal(text.split('\n')[4], '192.0.2.10\tevil name x\t2005-12-08 00:00:00\t2005-12-08 00:00:00\t1\t2\t3');
  assert.equal(text.split('\n')[0], 'Daily Report of Suspected p2p traffic 2005/12/08 00:00:00 - 2005/12/09 00:00:00');
});

test('a DST day in an IANA zone runs local midnight to local midnight (23 hours)', () => {
  const r = emptyReport('2024-03-10', 'America/New_York', []);
  assert.equal(r.endUs - r.startUs, 23 * 3600e6);
  assert.match(writeDailyReport(r), /2024\/03\/10 00:00:00 - 2024\/03\/11 00:00:00/);
});
