/** Pure parts of the report: file names, filters, hex dumps, links, charts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostFileBase, hostPagePath, ipFromFileBase, rootPrefix, sigPagePath } from '../../src/report/filenames.js';
import { buildFilter, parseSigId, parseTimeSpec } from '../../src/report/filters.js';
import { hexDump, payloadOffset } from '../../src/report/hex-dump.js';
import { safeHref } from '../../src/report/format.js';
import { bucketHoursFor, hourlyChart } from '../../src/report/svg-chart.js';

test('host file names are safe for IPv4 and IPv6 and reversible', () => {
  assert.equal(hostFileBase('163.221.10.11'), '163.221.10.11');
  assert.equal(hostFileBase('2001:db8::1'), '2001-db8--1');
  assert.equal(hostFileBase('::'), '--');
  assert.equal(ipFromFileBase('2001-db8--1'), '2001:db8::1');
  assert.equal(hostPagePath('src', '2001:db8:a3dd:10::11', 3), 'src/2001-db8-a3dd-10--11/3.html');
  assert.equal(hostPagePath('dst', '10.0.0.1'), 'dst/10.0.0.1.html');
  assert.throws(() => hostFileBase('../etc/passwd'));
  assert.throws(() => hostFileBase('fe80::1%eth0'));
  assert.equal(sigPagePath(119, 31), 'sig/119-31.html');
  assert.equal(rootPrefix('src/x/2.html'), '../../');
  assert.equal(rootPrefix('index.html'), '');
});

test('time specs: absolute, relative, yesterday/today in UTC', () => {
  const now = Date.UTC(2026, 10, 21, 15, 30); // 2026-11-21 15:30 UTC
  assert.equal(parseTimeSpec('today', now), Date.UTC(2026, 10, 21) * 1000);
  assert.equal(parseTimeSpec('yesterday', now), Date.UTC(2026, 10, 20) * 1000);
  assert.equal(parseTimeSpec('-2d', now), (now - 2 * 86_400_000) * 1000);
  assert.equal(parseTimeSpec('-6h', now), (now - 6 * 3_600_000) * 1000);
  assert.equal(parseTimeSpec('2026-11-20', now), Date.UTC(2026, 10, 20) * 1000);
  assert.equal(parseTimeSpec('2026-11-20T10:00:00.088806Z', now), Date.UTC(2026, 10, 20, 10) * 1000 + 88806);
  assert.equal(parseTimeSpec('2026-11-20 19:00+09:00', now), Date.UTC(2026, 10, 20, 10) * 1000);
  assert.equal(parseTimeSpec('@1795600000', now), 1795600000 * 1_000_000);
  assert.throws(() => parseTimeSpec('last tuesday', now), /not a time/);
  assert.deepEqual(parseSigId('1000042'), { gid: 1, sid: 1000042 });
  assert.deepEqual(parseSigId('119:31'), { gid: 119, sid: 31 });
  assert.throws(() => parseSigId('1:x'));
  const f = buildFilter({ since: 'yesterday', until: 'today', minPriority: 2, src: '163.221.0.0/16', excludeSid: ['1000042'], sensor: ['a'] }, now);
  assert.deepEqual(f, {
    sinceUs: Date.UTC(2026, 10, 20) * 1000, untilUs: Date.UTC(2026, 10, 21) * 1000, minPriority: 2, srcCidr: '163.221.0.0/16',
    excludeSigs: [{ gid: 1, sid: 1000042 }], sensors: ['a'],
  });
  assert.throws(() => buildFilter({ since: 'today', until: 'yesterday' }, now), /not after/);
  assert.throws(() => buildFilter({ dst: '300.1.1.1/8' }, now), /not an address/);
});

test('payload offset walks Ethernet/IPv4/TCP and IPv6/UDP; dump shows text as ASCII', () => {
  const eth = Buffer.from('000000000001000000000002' + '0800', 'hex');
  const ip = Buffer.alloc(20); ip[0] = 0x45; ip[9] = 6;
  const tcp = Buffer.alloc(20); tcp[12] = 0x50;
  const pkt = Buffer.concat([eth, ip, tcp, Buffer.from('<script>')]);
  assert.equal(payloadOffset(1, pkt), 54);
  const ip6 = Buffer.alloc(40); ip6[0] = 0x60; ip6[6] = 17;
  assert.equal(payloadOffset(229, Buffer.concat([ip6, Buffer.alloc(8), Buffer.from('x')])), 48);
  assert.equal(payloadOffset(999, pkt), 0);
  assert.equal(payloadOffset(1, pkt.subarray(0, 20)), 0);
  const dump = hexDump(Buffer.from('<script>\x00'));
  assert.match(dump, /^0000 {2}3c 73 63 72 69 70 74 3e {2}00/);
  assert.ok(dump.endsWith('<script>.'));
  assert.match(hexDump(Buffer.alloc(40), 16), /24 more bytes/);
});

test('only http(s) references become links', () => {
  assert.equal(safeHref('http://cve.mitre.org/cgi-bin/cvename.cgi?name=2002-0649'), 'http://cve.mitre.org/cgi-bin/cvename.cgi?name=2002-0649');
  assert.equal(safeHref('javascript:alert(1)'), null);
  assert.equal(safeHref(' JavaScript:alert(1)'), null);
  assert.equal(safeHref('data:text/html,<script>'), null);
  assert.equal(safeHref('http://x/"><script>'), null);
  assert.equal(safeHref(null), null);
});

test('charts stay small for any span and escape nothing but numbers', () => {
  assert.equal(bucketHoursFor(0, 23), 1);
  assert.equal(bucketHoursFor(0, 24 * 365 * 56), 24 * 365);
  const svg = hourlyChart([{ key: 0, count: 3 }, { key: 492_000, count: 5 }]);
  assert.ok(svg.startsWith('<svg'));
  assert.ok((svg.match(/<rect/g) ?? []).length === 2);
  assert.equal(hourlyChart([]), '<p class="muted">No alerts.</p>');
});
