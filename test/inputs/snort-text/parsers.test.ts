/** Format details of the Snort text outputs, one case per quirk in formats/snort-text.md. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastParser } from '../../../src/inputs/snort-text/fast.js';
import { FullParser } from '../../../src/inputs/snort-text/full.js';
import { CsvParser, splitCsv } from '../../../src/inputs/snort-text/csv.js';
import { SyslogParser } from '../../../src/inputs/snort-text/syslog.js';
import { TimePlacer } from '../../../src/inputs/snort-text/time.js';
import { detectTextFormat } from '../../../src/inputs/snort-text/detect.js';
import { parseEndpoint } from '../../../src/inputs/snort-text/fields.js';
import type { ParseContext, TextParser } from '../../../src/inputs/snort-text/parser.js';
import type { Alert } from '../../../src/model/alert.js';
import type { Warning } from '../../../src/errors.js';

function run(make: (c: ParseContext) => TextParser, text: string, opts: { sensor?: string; tz?: string; year?: number } = {}): { alerts: Alert[]; warnings: Warning[] } {
  const alerts: Alert[] = [];
  const warnings: Warning[] = [];
  const ctx: ParseContext = {
    file: 'f', sensor: opts.sensor ?? 'default', sensorExplicit: opts.sensor !== undefined,
    time: new TimePlacer({ tz: opts.tz ?? 'UTC', year: opts.year ?? 2026 }),
    emit: (a) => alerts.push(a), warn: (w) => warnings.push(w),
  };
  const p = make(ctx);
  text.split('\n').forEach((l, i) => p.line(l, i + 1, 0, false));
  p.end();
  return { alerts, warnings };
}

test('alert_fast: IPv6 addr:port takes the port after the last colon', () => {
  const { alerts } = run((c) => new FastParser(c),
    '11/20-14:00:01.931704  [**] [1:1000001:2] P2P BitTorrent peer handshake [**] [Classification: Potential Corporate Privacy Violation] [Priority: 1] {TCP} 2001:db8:a3dd:10::11:15682 -> 2001:db8:beef::1c:6881');
  const a = alerts[0]!;
  assert.equal(a.srcIp, '2001:db8:a3dd:10::11');
  assert.equal(a.srcPort, 15682);
  assert.equal(a.dstIp, '2001:db8:beef::1c');
  assert.equal(a.dstPort, 6881);
  assert.equal(a.classification, 'Potential Corporate Privacy Violation');
  assert.equal(a.priority, 1);
  assert.equal(a.timeUs, Date.UTC(2026, 10, 20, 14, 0, 1) * 1000 + 931704);
});

test('alert_fast: sfportscan PROTO:255 has no ports; preprocessor text stays in the message', () => {
  const { alerts } = run((c) => new FastParser(c), [
    '11/20-12:00:16.652689  [**] [122:1:1] (portscan) TCP Portscan [**] [Classification: Attempted Information Leak] [Priority: 2] {PROTO:255} 198.51.100.99 -> 163.221.0.80',
    '11/20-11:00:19.687381  [**] [124:4:1] (smtp) Attempted specific command buffer overflow: RCPT, 364 chars [**] [Classification: Attempted Administrator Privilege Gain] [Priority: 1] {TCP} 163.221.130.40:58441 -> 198.51.100.25:25',
    '11/20-14:01:18.000000  [**] [1:1000053:2] ICMPv6 echo request to internal host [**] [Priority: 3] {IPV6-ICMP} 2001:db8:bad:c0::99 -> 2001:db8:a3dd:10::11',
  ].join('\n'));
  assert.equal(alerts[0]!.protocol, 255);
  assert.equal(alerts[0]!.srcPort, null);
  assert.equal(alerts[1]!.message, '(smtp) Attempted specific command buffer overflow: RCPT, 364 chars');
  assert.equal(alerts[2]!.protocol, 58);
  assert.equal(alerts[2]!.classification, null, 'no classtype: no [Classification]');
  assert.equal(alerts[2]!.dstIp, '2001:db8:a3dd:10::11');
  assert.equal(alerts[2]!.dstPort, null);
});

test('alert_full: several Xrefs on one line, ICMP details, priority-only line, -e Ethernet line', () => {
  const { alerts, warnings } = run((c) => new FullParser(c), [
    '[**] [1:1000061:1] SCAN MS-SQL ping probe [**]',
    '[Classification: Attempted Information Leak] [Priority: 2] ',
    '11/20-12:01:04.860014 203.0.113.77:1435 -> 163.221.0.101:1434',
    'UDP TTL:48 TOS:0x0 ID:22214 IpLen:20 DgmLen:29',
    'Len: 1',
    '[Xref => http://cve.mitre.org/cgi-bin/cvename.cgi?name=2002-0649][Xref => http://www.securityfocus.com/bid/5310]',
    '',
    '[**] [1:1000052:1] ICMP PING NMAP-style (no payload) [**]',
    '[Priority: 2] ',
    '11/20-12:00:10.019995 0:1:2:3:4:5 -> 6:7:8:9:A:B type:0x800 len:0x3C',
    '198.51.100.99 -> 163.221.200.1',
    'ICMP TTL:48 TOS:0x0 ID:38006 IpLen:20 DgmLen:28',
    'Type:8  Code:0  ID:6699   Seq:0  ECHO',
    '',
  ].join('\n'));
  assert.deepEqual(warnings, []);
  assert.equal(alerts.length, 2);
  assert.deepEqual(alerts[0]!.references.map((r) => r.url), [
    'http://cve.mitre.org/cgi-bin/cvename.cgi?name=2002-0649', 'http://www.securityfocus.com/bid/5310',
  ]);
  assert.equal(alerts[0]!.packet?.udpLen, 1);
  assert.equal(alerts[0]!.dstPort, 1434);
  assert.equal(alerts[1]!.srcIp, '198.51.100.99');
  assert.equal(alerts[1]!.classification, null);
  assert.equal(alerts[1]!.priority, 2);
  assert.equal(alerts[1]!.packet?.icmpId, 6699);
});

test('alert_full: a block without its blank line is still closed by the next header', () => {
  const block = [
    '[**] [1:1:1] one [**]', '[Priority: 3] ', '11/20-12:00:00.000001 1.2.3.4:1 -> 5.6.7.8:2',
    'TCP TTL:1 TOS:0x0 ID:1 IpLen:20 DgmLen:40',
  ];
  const { alerts } = run((c) => new FullParser(c), [...block, ...block, ''].join('\n'));
  assert.equal(alerts.length, 2);
});

test('alert_csv: quoted message with commas and quotes, empty proto for ICMPv6 and portscan', () => {
  assert.deepEqual(splitCsv('a,"b, ""c""",d'), ['a', 'b, "c"', 'd']);
  const { alerts, warnings } = run((c) => new CsvParser(c), [
    '11/20-14:01:18.000000 ,1,1000053,2,"ICMPv6 echo request to internal host",,2001:db8:bad:c0::99,,2001:db8:a3dd:10::11,,00:00:5E:00:01:01,02:A3:DD:E4:5F:10,0x3E,,,,,,64,0,0,8,8192,128,0,7,0',
    '11/20-12:00:00.999999 ,122,26,1,"(portscan) ICMP Filtered Sweep",,163.221.52.32,,163.221.60.20,,02:A3:DD:00:FF:47,02:A3:DD:4A:19:DD,0xAD,,,,,,64,0,4766,159,162816,,,,',
    '11/20-10:00:00.088806 ,1,1000032,1,"BOT, ""IRC"" nick",TCP,163.221.10.17,42211,203.0.113.66,6667,02:A3:DD:85:89:CC,00:00:5E:00:01:01,0x6C,***AP***,0x3790A8EB,0x53CACF62,,0xFAF0,64,0,53523,94,96256,,,,',
  ].join('\n'));
  assert.deepEqual(warnings, []);
  assert.equal(alerts[0]!.protocol, 58);
  assert.equal(alerts[1]!.protocol, 255);
  assert.equal(alerts[2]!.message, 'BOT, "IRC" nick');
  assert.equal(alerts[2]!.packet?.dgmLen, 94, 'dgmlen used, iplen garbage ignored');
  assert.equal(alerts[2]!.packet?.tcpSeq, 0x3790a8eb);
});

test('syslog: with and without host, RFC 3339 stamps, other programs and repeats skipped', () => {
  const body = '[1:1000051:1] ICMP PING sweep from internal host [Classification: Attempted Information Leak] [Priority: 2] {ICMP} 163.221.52.32 -> 163.221.60.21';
  const { alerts, warnings } = run((c) => new SyslogParser(c), [
    `Nov 26 04:16:44 sensor-b snort[9315]: ${body}`,
    `Nov  6 04:16:44 snort[9315]: ${body}`,
    `2026-11-26T04:16:44.123456+09:00 sensor-c snort[1]: ${body}`,
    'Nov 26 04:16:45 sensor-b sshd[1]: Accepted publickey for root',
    'Nov 26 04:16:45 sensor-b last message repeated 3 times',
    'Nov 26 04:16:46 sensor-b snort[9315]: Snort initialization completed',
  ].join('\n'));
  assert.deepEqual(warnings, []);
  assert.equal(alerts.length, 3);
  assert.equal(alerts[0]!.sensor, 'sensor-b');
  assert.equal(alerts[1]!.sensor, 'default');
  assert.equal(alerts[1]!.timeUs, Date.UTC(2026, 10, 6, 4, 16, 44) * 1000);
  assert.equal(alerts[2]!.sensor, 'sensor-c');
  assert.equal(alerts[2]!.timeUs, Date.UTC(2026, 10, 25, 19, 16, 44) * 1000 + 123456);
  const named = run((c) => new SyslogParser(c), `Nov 26 04:16:44 sensor-b snort[9315]: ${body}`, { sensor: 'dorm' });
  assert.equal(named.alerts[0]!.sensor, 'dorm', '--sensor wins over the syslog host');
});

test('time: year inference keeps timestamps out of the future; --year bumps at New Year', () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);
  const p = new TimePlacer({ tz: 'UTC', nowMs: now });
  const w = { month: 12, day: 31, hour: 23, minute: 59, second: 59, micro: 0 };
  assert.equal(new Date(p.toEpochMicros(w)! / 1000).getUTCFullYear(), 2025);
  assert.equal(new Date(p.toEpochMicros({ ...w, month: 1, day: 10 })! / 1000).getUTCFullYear(), 2026);
  const y = new TimePlacer({ tz: 'UTC', year: 2019 });
  assert.equal(new Date(y.toEpochMicros(w)! / 1000).getUTCFullYear(), 2019);
  assert.equal(new Date(y.toEpochMicros({ ...w, month: 1, day: 1 })! / 1000).getUTCFullYear(), 2020);
});

test('time: zones with daylight saving convert on both sides of the change', () => {
  const p = new TimePlacer({ tz: 'America/New_York', year: 2026 });
  assert.equal(p.toEpochMicros({ month: 1, day: 15, hour: 12, minute: 0, second: 0, micro: 0 }), Date.UTC(2026, 0, 15, 17) * 1000);
  assert.equal(p.toEpochMicros({ month: 7, day: 15, hour: 12, minute: 0, second: 0, micro: 5 }), Date.UTC(2026, 6, 15, 16) * 1000 + 5);
  const tokyo = new TimePlacer({ tz: 'Asia/Tokyo' });
  assert.equal(tokyo.toEpochMicros({ year: 2026, month: 11, day: 20, hour: 19, minute: 0, second: 0, micro: 88806 }), Date.UTC(2026, 10, 20, 10) * 1000 + 88806);
});

test('endpoints: ambiguous IPv6 without protocol is an address; IPv4 port always split', () => {
  assert.deepEqual(parseEndpoint('2001:db8::1:80', null), { ip: '2001:db8::1:80', port: null });
  assert.deepEqual(parseEndpoint('2001:db8::1:80', 6), { ip: '2001:db8::1', port: 80 });
  assert.deepEqual(parseEndpoint('10.0.0.1:80', null), { ip: '10.0.0.1', port: 80 });
  assert.deepEqual(parseEndpoint('10.0.0.1', 1), { ip: '10.0.0.1', port: null });
  assert.equal(parseEndpoint('10.0.0.256', 1), null);
  assert.equal(parseEndpoint('1.2.3.4:99999', 6), null);
});

test('format detection votes past a damaged first line', () => {
  const fast = '11/20-10:00:00.088806  [**] [1:1000032:1] X [**] [Priority: 1] {TCP} 1.2.3.4:1 -> 5.6.7.8:2';
  assert.equal(detectTextFormat(['garbage', fast, fast]), 'alert_fast');
  assert.equal(detectTextFormat(['[**] [1:2:3] m [**]', '[Priority: 1] ']), 'alert_full');
  assert.equal(detectTextFormat(['Time: 11/20-12:00:00.999999 ', 'event_id: 1']), 'portscan_log');
  assert.equal(detectTextFormat(['hello world']), null);
});
