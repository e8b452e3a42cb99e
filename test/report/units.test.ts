/** Pure parts of the report: file names, network pages, host map, escaping, times, filters, hex dumps, links, charts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ejs from 'ejs';
import { hostAnchor, hostFileBase, hostPagePath, ipFromFileBase, netOfKey, netPagePath, rootPrefix, sameNet, sectionAnchor, sigPagePath } from '../../src/report/filenames.js';
import { ipFromKey, ipKey } from '../../src/model/ip.js';
import { HostMap, ipFromHex, NetCutter } from '../../src/report/host-map.js';
import type { ReportQueries } from '../../src/store/sqlite/report-queries.js';
import { buildFilter, parseSigId, parseTimeSpec } from '../../src/report/filters.js';
import { hexDump, payloadOffset } from '../../src/report/hex-dump.js';
import { esc, fmtClock, fmtDay, fmtTime, safeHref } from '../../src/report/format.js';
import { bucketHoursFor, hourlyChart } from '../../src/report/svg-chart.js';
import { alertLines, type DateStyle, type RawAlert } from '../../src/report/rows.js';
import { cheapestLinker, linker } from '../../src/report/page-links.js';
import type { SigMeta } from '../../src/report/pages/context.js';

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

test('times: µs precision, UTC, any day (compared with Date)', () => {
  for (const us of [0, 1, 999_999, 1_795_600_000_123_456, Date.UTC(2026, 10, 20, 23, 59, 59) * 1000 + 88806, Date.UTC(1999, 0, 1) * 1000 + 5]) {
    const iso = new Date(Math.floor(us / 1000)).toISOString();
    assert.equal(fmtTime(us), `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(us % 1_000_000).padStart(6, '0')}`);
  }
  assert.equal(fmtTime(null), '');
  assert.equal(fmtClock(Date.UTC(2026, 10, 20, 10) * 1000 + 88806), '10:00:00.088806');
  assert.equal(fmtDay(Date.UTC(2026, 10, 20, 10) * 1000), '2026-11-20');
});

test('esc: the five characters, nothing else, same as ejs', () => {
  assert.equal(esc(`<script>"x" & 'y'</script>`), '&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;');
  assert.equal(esc('plain text: 163.221.10.11 é'), 'plain text: 163.221.10.11 é');
  assert.equal(esc(''), '');
  const tricky = '"><img src=x onerror=alert(1)>&amp;';
  // ejs writes `"` as &#34;, esc as &quot;: the same character.
  assert.equal(esc(tricky), ejs.render('<%= v %>', { v: tricky }).replace(/&#34;/g, '&quot;'));
});

test('network pages: /24 and /64 names, anchors, parts', () => {
  assert.deepEqual(netOfKey(ipKey('198.51.40.248')), { id: '4:198.51.40.0', label: '198.51.40.0/24', base: '198.51.40.0-24' });
  assert.deepEqual(netOfKey(ipKey('2001:db8:beef:0:1::1a')), { id: '6:2001:db8:beef::', label: '2001:db8:beef::/64', base: '2001-db8-beef---64' });
  assert.equal(netOfKey(ipKey('::')).base, '---64');
  assert.equal(hostAnchor('198.51.40.248'), 'h-198-51-40-248');
  assert.equal(hostAnchor('2001:db8:beef::1a'), 'h-2001-db8-beef--1a');
  // A section's id on its network page: the host's part of the address, unique on the page.
  assert.equal(sectionAnchor(ipKey('198.51.40.248')), 'h248');
  assert.equal(sectionAnchor(ipKey('198.51.40.0')), 'h0');
  assert.equal(sectionAnchor(ipKey('2001:db8:beef::1a')), 'h1a');
  assert.equal(sectionAnchor(ipKey('2001:db8:beef::')), 'h0');
  assert.equal(sectionAnchor(ipKey('2001:db8:beef:0:1::1a')), 'h1-0-0-1a');
  assert.equal(sectionAnchor(ipKey('2001:db8:beef:0:0:1:0:1a')), 'h1-0-1a');
  assert.equal(sectionAnchor(ipKey('2001:db8:beef:0:ffff:ffff:ffff:ffff')), 'hffff-ffff-ffff-ffff');
  assert.equal(netPagePath('dst', '198.51.40.0-24'), 'dst/net/198.51.40.0-24.html');
  assert.equal(netPagePath('src', '2001-db8-beef---64', 3), 'src/net/2001-db8-beef---64/3.html');
  assert.ok(sameNet(ipKey('10.1.2.3'), ipKey('10.1.2.250')));
  assert.ok(!sameNet(ipKey('10.1.2.3'), ipKey('10.1.3.3')));
  assert.ok(sameNet(ipKey('2001:db8::1'), ipKey('2001:db8::ffff:1')));
  assert.ok(!sameNet(ipKey('2001:db8::1'), ipKey('2001:db8:0:1::1')));
  assert.ok(!sameNet(ipKey('0.0.0.1'), ipKey('::1')));
  for (const ip of ['163.221.10.11', '0.0.0.0', '255.255.255.255', '2001:db8::1', '::', '::ffff:0:1']) {
    assert.equal(ipFromHex(ipKey(ip).toString('hex').toUpperCase()), ipFromKey(ipKey(ip)));
  }
});

test('host map: busy hosts own pages, the rest on their network page, parts by alert budget', () => {
  const rows: Array<[Buffer, number]> = [
    [ipKey('10.0.0.1'), 3], [ipKey('10.0.0.2'), 25], [ipKey('10.0.0.3'), 4], [ipKey('10.0.1.1'), 1],
    [ipKey('2001:db8::1'), 6], [ipKey('2001:db8::2'), 6], [ipKey('2001:db8::3'), 6], [ipKey('2001:db8::4'), 30],
  ];
  const q = { hostCounts: () => rows[Symbol.iterator]() } as unknown as ReportQueries;
  const map = HostMap.build(q, 20, 12);
  assert.equal(map.href('src', '10.0.0.2'), 'src/10.0.0.2.html');
  assert.equal(map.href('src', '10.0.0.1'), 'src/net/10.0.0.0-24.html#h1');
  assert.equal(map.href('dst', '10.0.0.3'), 'dst/net/10.0.0.0-24.html#h3');
  assert.equal(map.href('src', '10.0.1.1'), 'src/net/10.0.1.0-24.html#h1');
  // 6 + 6 fill the 12-alert budget; the third host opens part 2. The busy one is not counted.
  assert.equal(map.href('src', '2001:db8::2'), 'src/net/2001-db8---64.html#h2');
  assert.equal(map.href('src', '2001:db8::3'), 'src/net/2001-db8---64/2.html#h3');
  assert.equal(map.href('src', '2001:db8::4'), 'src/2001-db8--4.html');
  assert.equal(map.netPartsOf('src', netOfKey(ipKey('2001:db8::1')).id), 2);
  assert.equal(map.netPartsOf('src', netOfKey(ipKey('10.0.0.1')).id), 1);
  // Layout changes are what invalidates the other side's pages on a re-run.
  assert.equal(map.movedSince('src', map.layout('src')), false);
  assert.equal(map.movedSince('src', undefined), true);
  assert.equal(map.movedSince('src', { busy: ['10.0.0.2'], parts: [] }), true);
  const perHost = HostMap.build(q, 1, 12);
  assert.equal(perHost.href('dst', '10.0.0.1'), 'dst/10.0.0.1.html');
  const cut = new NetCutter(10);
  assert.deepEqual([cut.place(ipKey('10.0.0.1'), 30), cut.place(ipKey('10.0.0.2'), 1), cut.place(ipKey('10.0.9.2'), 1)], [1, 2, 1]);
});

test('alert lines: fixed-width fields first, the peer linked, dates where the style puts them', () => {
  const sig = (id: number, gid: number, sid: number, rev: number): [number, SigMeta] => [id, {
    id, gid, sid, rev, message: `m${sid}`, classification: null, priority: null, refs: [], ruleText: null,
    href: `sig/${gid}-${sid}.html`, label: `${gid}:${sid}:${rev}`, idPrefix: `${gid}:${sid}:`, messageHtml: `m${sid}`,
  }];
  const sigs = new Map([sig(1, 1, 1000001, 2), sig(2, 119, 31, 1)]);
  const hex = (ip: string): string => ipKey(ip).toString('hex').toUpperCase();
  const day1 = Date.UTC(2026, 10, 20, 10) * 1000 + 88806;
  const day2 = Date.UTC(2026, 10, 21, 9, 5) * 1000 + 7;
  // [id, ts, sig, rev, msg, proto, src, sport, dst, dport, sensor]
  const alerts: RawAlert[] = [
    [1, day1, 1, 2, null, 6, hex('163.221.10.11'), 40000, hex('198.51.100.1'), 6881, 1],
    [2, day1 + 1, 2, 1, null, 1, hex('163.221.10.11'), null, hex('2001:db8::1'), null, 2],
    [3, day1 + 2, 1, 2, null, 17, hex('163.221.10.11'), 53, hex('2001:db8::1'), 5353, 2],
    [4, day2, 1, 2, 'mine <b>', 6, hex('163.221.10.11'), 80, hex('198.51.100.1'), 6881, 1],
    [5, day2 + 1, 1, 2, null, 6, hex('163.221.10.11'), 80, hex('198.51.100.1'), 6881, 1],
  ];
  const lines = (dates: DateStyle, sensors: boolean): string => {
    const out: string[] = [];
    const peers = new Map<string, number>();
    const n = alertLines({
      side: 'src', dates, sigs, sigWidth: 11, payloadBytes: 1024,
      sensors: sensors ? new Map([[1, 'a'], [2, 'b&amp;c']]) : null,
      peer: (h) => ({ ip: ipFromHex(h), href: `x/${ipFromHex(h).replace(/:/g, '-')}.html` }),
    }, alerts, { packets: null, extra: null }, out, peers);
    assert.equal(n, 5);
    assert.deepEqual(Object.fromEntries(peers), { '198.51.100.1': 3, '2001:db8::1': 2 });
    return out.join('');
  };
  assert.equal(lines('heading', true), [
    '<dt>2026-11-20',
    '<dd>10:00:00.088806 1:1000001:2 TCP  40000 <a href=x/198.51.100.1.html>198.51.100.1</a>:6881 a',
    '10:00:00.088807 119:31:1    ICMP       <a href=x/2001-db8--1.html>2001:db8::1</a> b&amp;c',
    '10:00:00.088808 1:1000001:2 UDP     53 [<a href=x/2001-db8--1.html>2001:db8::1</a>]:5353 b&amp;c',
    '<dt>2026-11-21',
    '<dd>09:05:00.000007 1:1000001:2 TCP     80 <a href=x/198.51.100.1.html>198.51.100.1</a>:6881 a',
    // The alert's own message is a block under its line: the next line opens a new <dd>.
    '<dd class=x><div class="msg">message: mine &lt;b&gt;</div>',
    '<dd>09:05:00.000008 1:1000001:2 TCP     80 <a href=x/198.51.100.1.html>198.51.100.1</a>:6881 a',
    '',
  ].join('\n'));
  const row = lines('row', false).split('\n');
  assert.equal(row[0], '<dd class=d>2026-11-20 10:00:00.088806 1:1000001:2 TCP  40000 <a href=x/198.51.100.1.html>198.51.100.1</a>:6881');
  assert.match(row[1]!, /^<dd>10:00:00\.088807 /);
  assert.match(row[2]!, /^10:00:00\.088808 /);
  assert.match(row[3]!, /^<dd class=d>2026-11-21 09:05:00\.000007 /);
  assert.match(lines('none', false), /^<dd>10:00:00\.088806 [^\n]+\n10:00:00\.088807 /);
});

test('page links: peers from the base, the rest climbing out of it', () => {
  const own = linker('src/163.221.10.11.html', 'dst', false);
  assert.equal(own.base, '../dst/');
  assert.equal(own.local('dst/198.51.100.1.html'), '198.51.100.1.html');
  assert.equal(own.local('dst/net/198.51.100.0-24.html#h1'), 'net/198.51.100.0-24.html#h1');
  assert.equal(own.local('sig/1-1.html'), '../sig/1-1.html');
  assert.equal(own.local('src/163.221.10.11/2.html'), '../src/163.221.10.11/2.html');
  const net = linker('dst/net/198.51.100.0-24/2.html', 'src', true);
  assert.equal(net.base, '../../../src/net/');
  assert.equal(net.root, '../../');
  assert.equal(net.local('src/net/163.221.10.0-24.html#h11'), '163.221.10.0-24.html#h11');
  assert.equal(net.local('src/163.221.10.11.html'), '../163.221.10.11.html');
  assert.equal(net.local('index.html'), '../../index.html');
  assert.equal(cheapestLinker('src/a.html', 'dst', 30, 39).base, '../dst/net/');
  assert.equal(cheapestLinker('src/a.html', 'dst', 30, 40).base, '../dst/');
});
