/**
 * alert_full's byte-level fast path (full-bytes.ts) against its text path: the same rows and the
 * same warnings for every input, whichever path reads each block and however the bytes are
 * chunked; and the fast path really is the one taken on ordinary Snort output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { FullParser } from '../../../src/inputs/snort-text/full.js';
import { TimePlacer } from '../../../src/inputs/snort-text/time.js';
import { LineSplitter } from '../../../src/inputs/line-splitter.js';
import { appendAlert, appendTextRow, emptyRows } from '../../../src/store/alert-rows.js';
import type { ParseContext } from '../../../src/inputs/snort-text/parser.js';
import type { Warning } from '../../../src/errors.js';
import { corpusPath } from '../../helpers/corpus.js';
import { writeSnortText } from '../../../bench/lib/text-generator.js';

interface Parsed {
  values: unknown[];
  count: number;
  warnings: string[];
  stats: { bytes: number; text: number };
}

/**
 * Parses `data` through a LineSplitter as the import worker does. With `bytes`, lines are
 * offered as bytes and rows come from the fast path where it accepts a block; the chunks are
 * then copied into one reused buffer that is overwritten after each push, so bytes held past
 * chunkEnd() would show up as corrupt rows.
 */
function parse(data: Buffer, bytes: boolean, cuts: number[] = [], opts: { year?: number; tz?: string } = {}): Parsed {
  const rows = emptyRows('alert_full', 'f');
  const warnings: Warning[] = [];
  const ctx: ParseContext = {
    file: 'f', sensor: 's1', sensorExplicit: true,
    time: new TimePlacer({ tz: opts.tz ?? 'UTC', year: opts.year, nowMs: Date.UTC(2026, 10, 26) }),
    emit: (a) => appendAlert(rows, a, null),
    warn: (w) => warnings.push(w),
  };
  if (bytes) ctx.emitRow = (r) => appendTextRow(rows, r);
  const parser = new FullParser(ctx);
  const splitter = new LineSplitter({
    line: (t, n, o, u) => parser.line(t, n, o, u),
    lineBytes: bytes ? (b, s, e, n, o, d) => parser.lineBytes(b, s, e, n, o, d) : undefined,
    chunkEnd: bytes ? () => parser.chunkEnd() : undefined,
    tooLong: (n, o) => warnings.push({ code: 'SNARF_TEXT_LONG_LINE', message: 'long', file: 'f', line: n, offset: o }),
    badUtf8: (n, o) => warnings.push({ code: 'SNARF_TEXT_BAD_UTF8', message: 'utf8', file: 'f', line: n, offset: o }),
  }, 4096);
  const scratch = Buffer.alloc(data.length + 1);
  let pos = 0;
  for (const c of [...cuts, data.length].sort((a, b) => a - b)) {
    const end = Math.max(pos, Math.min(c, data.length));
    if (bytes) {
      data.copy(scratch, 0, pos, end);
      splitter.push(scratch.subarray(0, end - pos));
      scratch.fill(0x3f);
    } else {
      splitter.push(data.subarray(pos, end));
    }
    pos = end;
  }
  splitter.end(true);
  parser.end();
  // A warning about a block held as bytes comes when the block ends, not when its line was
  // read: compare warnings as a set, rows in order.
  return { values: rows.v, count: rows.count, warnings: warnings.map((w) => JSON.stringify(w)).sort(), stats: { ...parser.stats } };
}

function assertSame(data: Buffer, cuts: number[] = [], opts: { year?: number; tz?: string } = {}): Parsed {
  const text = parse(data, false, [], opts);
  const fast = parse(data, true, cuts, opts);
  assert.equal(fast.count, text.count);
  assert.deepEqual(fast.values, text.values);
  assert.deepEqual(fast.warnings, text.warnings);
  return fast;
}

const CORPUS_FULL = fs.existsSync(corpusPath('snort', 'out'))
  ? fs.readdirSync(corpusPath('snort', 'out')).flatMap((sensor) =>
    fs.readdirSync(corpusPath('snort', 'out', sensor)).map((run) => corpusPath('snort', 'out', sensor, run, 'alert.full')))
    .filter((f) => fs.existsSync(f))
  : [];

test('corpus alert_full: the fast path gives the text path\'s rows and takes most blocks', () => {
  assert.ok(CORPUS_FULL.length >= 10, `corpus alert.full files found: ${CORPUS_FULL.length}`);
  let fastBlocks = 0;
  let allBlocks = 0;
  for (const file of CORPUS_FULL) {
    const data = fs.readFileSync(file);
    // sensor-b writes years (-y) and runs in Asia/Tokyo; the others carry no year.
    const opts = file.includes('sensor-b') ? { tz: 'Asia/Tokyo' } : { year: 2026 };
    const r = assertSame(data, [1, 100, 4097, Math.floor(data.length / 2)], opts);
    fastBlocks += r.stats.bytes;
    allBlocks += r.stats.bytes + r.stats.text;
  }
  // IPv6, ICMP errors with their original datagram and odd lines go to the text path; the rest
  // must not.
  assert.ok(fastBlocks > allBlocks * 0.7, `fast ${fastBlocks} of ${allBlocks} blocks`);
});

test('generated alert_full (the benchmark\'s input): every block on the fast path, same rows', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-fullbytes-'));
  try {
    const file = path.join(dir, 'full.txt');
    await writeSnortText(file, { format: 'full', alerts: 3000, seed: 7 });
    const data = fs.readFileSync(file);
    const r = assertSame(data, [65536, 131072, 500000], { year: 2026 });
    assert.equal(r.count, 3000);
    const v6 = (data.toString('latin1').match(/^\d\d\/\d\d-\S+ [0-9a-f]*:[0-9a-f:]*:\d+ -> /gm) ?? []).length;
    // IPv6 pairs are read by the text path's address parser inside the fast path.
    assert.ok(v6 > 0, 'the generator writes IPv6 alerts');
    assert.deepEqual(r.stats, { bytes: 3000, text: 0 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Lines of each kind: the first `good` of each list are ordinary Snort output, the rest odd. */
const HEADS = [
  '[**] [1:2000001:3] ET P2P Winny traffic [**]',
  '[**] [1:2000002:1] Share handshake',
  '[**] [122:1:1] (portscan) TCP Portscan [**]',
  '[**] [1:4:1]é accented après [**]',
  '[**] [1:3:2]  spaced  message   [**]',
  '[**] [1:5:1] [**]',
  '[**] [1:6] missing rev [**]',
  '[**] [99999999999:1:1] too big [**]',
  '[**] [1:7:1] bad \xff utf8 [**]',
  '[**] [1:8:1] literal \ufffd replacement [**]',
];
const CLASSES = [
  '[Classification: Potential Corporate Privacy Violation] [Priority: 1] ',
  '[Classification: Misc activity] [Priority: 3]',
  '[Priority: 2] ',
  '[Classification: no priority]',
  '[Classification: bad]] [Priority: x]',
];
const STAMPS = [
  '11/26-10:00:00.123456 ', '11/26-10:00:00 ', '11/26/26-10:00:00.5 ', '01/01-00:00:00.000000 ', '12/31-23:59:60.999999 ',
  '11/26-10:00:00.1234567 ', '13/40-10:00:00.000001 ', '11/26-10:00:00.\t',
];
const PAIRS = [
  '10.0.0.1:6699 -> 192.168.1.20:80', '10.0.0.1 -> 192.168.1.20', '1.2.3.4:065535 -> 5.6.7.8:0', '255.255.255.255:1 -> 0.0.0.0:2',
  '2001:db8::1:80 -> 2001:db8::2:443', '2001:db8::1 -> ff02::1', '010.0.0.1:1 -> 1.2.3.4:2', '1.2.3.4:65536 -> 5.6.7.8:1',
  '1.2.3.4:80  -> 5.6.7.8:1', '1.2.3.4: -> 5.6.7.8:1', '1.2.3.4:80 -> 5.6.7.8:9 ', '1.2.3.4.5:1 -> 1.2.3.4:1',
  '0:1:2:3:4:5 -> 6:7:8:9:A:B type:0x800 len:0x3C', '256.1.1.1:1 -> 1.1.1.1:1',
];
const IP_LINES = [
  'TCP TTL:64 TOS:0x0 ID:40942 IpLen:20 DgmLen:389', 'TCP TTL:128 TOS:0x10 ID:1 IpLen:20 DgmLen:52 DF', 'UDP TTL:64 TOS:0x0 ID:251 IpLen:20 DgmLen:1212',
  'ICMP TTL:255 TOS:0xC0 ID:0 IpLen:20 DgmLen:84', 'IPV6-ICMP TTL:255 TOS:0x0 ID:0 IpLen:40 DgmLen:72',
  'PROTO:132 TTL:1 TOS:0x0 ID:2 IpLen:20 DgmLen:60', 'TCP  TTL:64 TOS:0x0 ID:1 IpLen:20 DgmLen:40', 'FOO TTL:64 TOS:0x0 ID:1 IpLen:20 DgmLen:40',
  'TCP TTL:1234567890123456 TOS:0x0 ID:1 IpLen:20 DgmLen:40', 'TCP TTL:64 TOS:0xZZ ID:1 IpLen:20 DgmLen:40',
  'constructor TTL:1 TOS:0x0 ID:1 IpLen:20 DgmLen:40', 'TCP TTL:64\tTOS:0x0 ID:1 IpLen:20 DgmLen:40',
];
const TRANSPORT = [
  '***AP*** Seq: 0xDD8FBF1D  Ack: 0x78E9C540  Win: 0xFAF0  TcpLen: 20', '12****S* Seq: 0x0  Ack: 0x0  Win: 0x200  TcpLen: 40',
  '***A**** Seq: 0x1 Ack: 0x2 Win: 0x3 TcpLen: 4 trailing', 'Len: 235', 'Len: 12 extra',
  'Type:8  Code:0  ID:1234   Seq:5  ECHO', 'Type:3  Code:3  DESTINATION UNREACHABLE: PORT UNREACHABLE', 'Type:0  Code:0  ID:7',
  'Type:8  Code:0  ID:1234567890123456   Seq:1', 'Type:8  Code:0  ID:1   Seq:1234567890123456',
  '***AP*** Seq: 0x1FFFFFFFFFFFF  Ack: 0x0  Win: 0x0  TcpLen: 20', '***AP*** Seq: 0x1\tAck: 0x2  Win: 0x3  TcpLen: 4',
  '***AP***  Seq: 0x1  Ack: 0x2  Win: 0x3  TcpLen: 4', 'Len: ', 'Type:x  Code:0',
];
const OTHER = [
  'TCP Options (3) => NOP NOP TS: 6868995 433852186 ', '** ORIGINAL DATAGRAM DUMP:', '10.0.0.2:53 -> 10.0.0.1:1024',
  'UDP TTL:64 TOS:0x0 ID:1 IpLen:20 DgmLen:40', '** END OF DUMP', '\u00e9t\u00e9', '\xff\xfe', 'Len: 40',
];
const XREFS = [
  '[Xref => http://www.whitehats.com/info/IDS177][Xref => http://cve.mitre.org/cgi-bin/cvename.cgi?name=1999-0001]',
  '[Xref => http://cgi.nessus.org/plugins/dump.php3?id=10302]', '[Xref => bad', '[Xref => http://x/\u00e9]', '[Xref => http://x/\xff]',
];
const BLANKS = ['', '', '', '   ', '\t', '\f', '\u00a0', '\u3000 '];

/** Lines are written in UTF-8, except that a line holding U+00FF stands for raw (invalid) bytes. */
function encodeLine(s: string): Buffer {
  return s.includes('\xff') ? Buffer.from(s, 'latin1') : Buffer.from(s, 'utf8');
}

/** Mostly the ordinary lines of a list (its first `good`), sometimes any of them. */
function usually<T>(list: readonly T[], good: number): fc.Arbitrary<T> {
  return fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...list.slice(0, good)) }, { weight: 1, arbitrary: fc.constantFrom(...list) });
}

const blockArb = fc.record({
  head: usually(HEADS, 4),
  cls: fc.option(usually(CLASSES, 3), { nil: undefined }),
  stamp: usually(STAMPS, 5),
  pair: usually(PAIRS, 6),
  ip: fc.option(usually(IP_LINES, 5), { nil: undefined, freq: 8 }),
  transport: fc.option(usually(TRANSPORT, 10), { nil: undefined, freq: 6 }),
  xref: fc.option(fc.constantFrom(...XREFS), { nil: undefined }),
  other: fc.oneof(
    { weight: 6, arbitrary: fc.constant([] as string[]) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...OTHER, ...TRANSPORT, ...IP_LINES), { maxLength: 3 }) },
  ),
  otherFirst: fc.boolean(),
  blank: usually(BLANKS, 5),
  crlf: fc.boolean(),
}).map((b) => {
  const body = [b.ip, b.transport, b.xref].filter((l): l is string => l !== undefined);
  const rest = b.otherFirst ? [...b.other, ...body] : [...body, ...b.other];
  const lines = [b.head, ...(b.cls === undefined ? [] : [b.cls]), b.stamp + b.pair, ...rest, b.blank];
  return Buffer.concat(lines.map((l) => Buffer.concat([encodeLine(l), Buffer.from(b.crlf ? '\r\n' : '\n')])));
});

test('random blocks, mutated bytes and chunkings: both paths agree', () => {
  let fastSeen = 0;
  let textSeen = 0;
  fc.assert(fc.property(
    fc.array(blockArb, { minLength: 1, maxLength: 12 }),
    fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 2 }),
    fc.array(fc.nat(), { maxLength: 6 }),
    fc.boolean(),
    (blocks, mutations, cuts, dropLastNewline) => {
      let data = Buffer.concat(blocks);
      for (const [at, byte] of mutations) data[at % data.length] = byte;
      if (dropLastNewline && data.length > 1) data = data.subarray(0, data.length - 1);
      const r = assertSame(data, cuts.map((c) => c % (data.length + 1)), { year: 2026 });
      fastSeen += r.stats.bytes;
      textSeen += r.stats.text;
    },
  ), { numRuns: 1500 });
  // Both paths must have been exercised for the agreement to mean anything.
  assert.ok(fastSeen > 1000 && textSeen > 1000, `fast ${fastSeen}, text ${textSeen}`);
});

test('the canonical Snort 2.9 shapes all take the fast path', () => {
  const block = [
    '[**] [1:2000001:3] ET P2P Winny traffic [**]',
    '[Classification: Potential Corporate Privacy Violation] [Priority: 1] ',
    '11/26-10:00:00.123456 10.0.0.1:6699 -> 192.168.1.20:80',
    'TCP TTL:128 TOS:0x10 ID:1 IpLen:20 DgmLen:52 DF',
    '***AP*** Seq: 0xDD8FBF1D  Ack: 0x78E9C540  Win: 0xFAF0  TcpLen: 20',
    'TCP Options (3) => NOP NOP TS: 6868995 433852186 ',
    '[Xref => http://a/1][Xref => http://b/2]',
    '',
    '[**] [1:2:1] ping [**]',
    '[Priority: 3] ',
    '11/26-10:00:01.5 10.0.0.1 -> 192.168.1.20',
    'ICMP TTL:255 TOS:0x0 ID:0 IpLen:20 DgmLen:84',
    'Type:8  Code:0  ID:1234   Seq:5  ECHO',
    '',
    '[**] [1:3:1] dns [**]',
    '11/26/26-10:00:02.000001 10.0.0.1:53 -> 192.168.1.20:1024',
    'UDP TTL:64 TOS:0x0 ID:251 IpLen:20 DgmLen:1212',
    'Len: 235',
    '',
  ].join('\n');
  const r = assertSame(Buffer.from(block), [], { year: 2026 });
  assert.deepEqual(r.stats, { bytes: 3, text: 0 });
  assert.equal(r.count, 3);
});
