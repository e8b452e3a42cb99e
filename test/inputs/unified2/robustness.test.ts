/**
 * The hand-cut robustness cases (formats/unified2.md section 6) and framing rules: truncated
 * tails, garbage lengths (resync and stop), unknown types, odd lengths, inner lengths, caps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Unified2Decoder } from '../../../src/inputs/unified2/decoder.js';
import { EXTRA_MAX_LENGTH, FLAG_BAD_INNER_LENGTH, FLAG_ODD_LENGTH, PACKET_MAX_LENGTH } from '../../../src/inputs/unified2/records.js';
import { corpusPath } from '../../helpers/corpus.js';
import {
  decodeBuffer, eventRecord, extraRecord, packetRecord, plain, record, recordOffsets,
} from './_helpers.js';

const rob = (n: string): Buffer => fs.readFileSync(corpusPath('unified2', 'synthetic', 'robustness', n));
const snort2 = fs.readFileSync(corpusPath('unified2', 'synthetic', 'u2gen-snort2-seed1.u2'));
const first10End = recordOffsets(snort2)[10]!;

test('zero-length file: no records, no warning, nothing pending', () => {
  const d = decodeBuffer(rob('zero-length.u2'));
  assert.equal(d.records.length, 0);
  assert.deepEqual(d.warnings, []);
  assert.deepEqual(d.end, { offset: 0, pendingBytes: 0, partial: false, corrupt: false });
});

for (const [name, size] of [['short-read-on-header.log', 6], ['short-read-on-body.log', 12]] as const) {
  test(`go-unified2 ${name}: partial at offset 0; silent while the file may grow, warned when final`, () => {
    const buf = fs.readFileSync(corpusPath('unified2', 'go-unified2', name));
    const waiting = decodeBuffer(buf, { file: name }, undefined, false);
    assert.equal(waiting.records.length, 0);
    assert.deepEqual(waiting.warnings, []);
    assert.deepEqual(waiting.end, { offset: 0, pendingBytes: size, partial: true, corrupt: false });
    const final = decodeBuffer(buf, { file: name }, [1]);
    assert.equal(final.warnings.length, 1);
    assert.equal(final.warnings[0]!.code, 'SNARF_U2_TRUNCATED');
    assert.equal(final.warnings[0]!.offset, 0);
    assert.equal(final.warnings[0]!.file, name);
    assert.match(final.warnings[0]!.message, /ends inside a record at offset 0/);
  });
}

for (const [name, pending] of [['partial-header-tail.u2', 5], ['partial-body-tail.u2', 38]] as const) {
  test(`${name}: 10 records, bookmark at the cut record, never half a record`, () => {
    const d = decodeBuffer(rob(name), { file: name }, undefined, false);
    assert.equal(d.records.length, 10);
    assert.equal(d.end.offset, first10End);
    assert.deepEqual(d.end, { offset: first10End, pendingBytes: pending, partial: true, corrupt: false });
    assert.deepEqual(d.warnings, []);
    const last = d.records[9]!;
    assert.equal(last.offset + last.size, first10End);
  });
}

test('a tail cut while tailing completes when the rest arrives (newest file grows)', () => {
  const dec = new Unified2Decoder();
  const cut = rob('partial-body-tail.u2');
  assert.equal(dec.push(cut).length, 10);
  assert.equal(dec.end(false).partial, true);
  const rest = snort2.subarray(cut.length, recordOffsets(snort2)[12]!);
  const more = dec.push(rest);
  assert.deepEqual(more.map((r) => r.offset), [first10End, recordOffsets(snort2)[11]]);
  assert.deepEqual(dec.end(false), { offset: recordOffsets(snort2)[12], pendingBytes: 0, partial: false, corrupt: false });
});

test('garbage length 0xFFFFFFF0: nothing allocated, 10 records, flagged with file and offset (resync)', () => {
  const buf = rob('garbage-length.u2');
  for (const sizes of [undefined, [1], [7, 3]]) {
    const d = decodeBuffer(buf, { file: 'g.u2' }, sizes);
    assert.equal(d.records.length, 10);
    assert.ok(d.decoder.bufferedBytes < 64, `buffered ${d.decoder.bufferedBytes}`);
    assert.equal(d.end.corrupt, true);
    assert.equal(d.end.partial, false);
    assert.ok(d.warnings.every((w) => w.code === 'SNARF_U2_BAD_LENGTH' && w.file === 'g.u2'));
    assert.equal(d.warnings[0]!.offset, first10End);
    assert.match(d.warnings[0]!.message, /length 4294967280/);
    assert.match(d.warnings.at(-1)!.message, /file ends in corrupt data/);
  }
});

test('garbage length with onCorrupt=stop: stops the file, bookmark stays at the bad header', () => {
  const d = decodeBuffer(rob('garbage-length.u2'), { onCorrupt: 'stop' });
  assert.equal(d.records.length, 10);
  assert.deepEqual(d.end, { offset: first10End, pendingBytes: 0, partial: false, corrupt: true });
  assert.equal(d.warnings.length, 1);
  assert.match(d.warnings[0]!.message, /stopped/);
});

test('resync: a garbage header in the middle of a file loses no valid record after it', () => {
  // Decoys a loose resync would take: a 104 of a non-layout length, a packet whose packet_length
  // disagrees, an extra-data header with a wrong event_length.
  const decoyPacket = Buffer.alloc(28);
  decoyPacket.writeUInt32BE(5, 24);
  const garbage = Buffer.concat([record(104, Buffer.alloc(40), 0xfffffff0), Buffer.from('noise\x00\x00\x00\x02\x00'),
    record(104, Buffer.alloc(0), 64), record(2, decoyPacket, 100), record(110, Buffer.alloc(32, 1), 40)]);
  const broken = Buffer.concat([snort2.subarray(0, first10End), garbage, snort2.subarray(first10End)]);
  const whole = decodeBuffer(snort2);
  for (const sizes of [undefined, [1], [13, 1, 200]]) {
    const d = decodeBuffer(broken, {}, sizes);
    assert.equal(d.records.length, whole.records.length);
    assert.equal(d.records[10]!.offset, first10End + garbage.length);
    assert.deepEqual(d.records.slice(10).map((r) => plain({ ...r, offset: 0 })), whole.records.slice(10).map((r) => plain({ ...r, offset: 0 })));
    assert.deepEqual(d.warnings.map((w) => w.offset), [first10End, first10End + garbage.length]);
    assert.deepEqual(d.end, { offset: snort2.length + garbage.length, pendingBytes: 0, partial: false, corrupt: false });
    assert.equal(d.decoder.stats.skippedBytes, garbage.length);
  }
});

test('unknown type 999 (length 16): skipped by length, warned with offset, 20 records after all', () => {
  const d = decodeBuffer(rob('unknown-type-999.u2'), { file: 'u.u2' }, [5]);
  assert.equal(d.records.length, 20);
  assert.equal(d.decoder.stats.unknown, 1);
  assert.deepEqual(d.warnings.map((w) => [w.code, w.offset, w.file]), [['SNARF_U2_UNKNOWN_TYPE', first10End, 'u.u2']]);
  assert.equal(d.records[10]!.offset, first10End + 24);
  assert.equal(d.end.partial, false);
});

test('event104-len64: 60-byte layout decoded, extra bytes flagged, framing by length', () => {
  const d = decodeBuffer(rob('event104-len64.u2'), { file: 'e.u2' });
  assert.equal(d.records.length, 5);
  const e = d.records[0]!;
  assert.equal(e.kind, 'event');
  assert.equal(e.size, 72);
  assert.equal(e.flags, FLAG_ODD_LENGTH);
  assert.equal(d.records[1]!.offset, 72);
  assert.deepEqual(d.warnings.map((w) => [w.code, w.offset]), [['SNARF_U2_ODD_LENGTH', 0]]);
  if (e.kind === 'event') assert.equal(e.appName, ''); // "JUNK" is not an app name
});

test('synthetic spool: the newest file ends 13 bytes short inside a packet record', () => {
  const name = corpusPath('unified2', 'synthetic', 'spool', 'snort.u2.1700002592');
  const buf = fs.readFileSync(name);
  const d = decodeBuffer(buf, {}, undefined, false);
  assert.deepEqual(d.end, { offset: 24467, pendingBytes: 152, partial: true, corrupt: false });
  const final = decodeBuffer(buf, { file: name });
  assert.match(final.warnings[0]!.message, /offset 24467 \(152 of 165 bytes\)/);
});

test('packet_length larger than the record: data cut to the record, flagged', () => {
  const bad = packetRecord({ data: Buffer.from('abcdef'), packetLength: 1000 });
  const d = decodeBuffer(Buffer.concat([bad, eventRecord()]));
  assert.equal(d.records.length, 2);
  const p = d.records[0]!;
  assert.equal(p.kind, 'packet');
  if (p.kind === 'packet') {
    assert.equal(Buffer.from(p.data).toString(), 'abcdef');
    assert.equal(p.packetLength, 1000);
    assert.equal(p.flags, FLAG_BAD_INNER_LENGTH);
  }
  assert.equal(d.warnings[0]!.code, 'SNARF_U2_BAD_INNER_LENGTH');
});

test('packet_length smaller than the record, blob_length off: the smaller size is used', () => {
  const p = packetRecord({ data: Buffer.from('abcdef'), packetLength: 2 });
  const x = extraRecord({ subtype: 9, data: Buffer.from('/index.html'), blobLength: 8 + 5 });
  const d = decodeBuffer(Buffer.concat([p, x]));
  const [pr, xr] = d.records;
  assert.ok(pr?.kind === 'packet' && xr?.kind === 'extra');
  assert.equal(Buffer.from(pr.data).toString(), 'ab');
  assert.equal(Buffer.from(xr.data).toString(), '/inde');
  assert.deepEqual(d.warnings.map((w) => w.code), ['SNARF_U2_BAD_INNER_LENGTH', 'SNARF_U2_BAD_INNER_LENGTH']);
});

test('per-type caps: over-long packet/extra/event/unknown headers are corrupt, never buffered', () => {
  const cases: Array<[number, number]> = [
    [2, PACKET_MAX_LENGTH + 1], [110, EXTRA_MAX_LENGTH + 1], [104, 5000], [114, 70000], [999, 2 * 1024 * 1024],
  ];
  for (const [type, len] of cases) {
    const dec = new Unified2Decoder({ onWarning: () => {} });
    const hdr = record(type, Buffer.alloc(0), len);
    dec.push(Buffer.concat([eventRecord(), hdr, Buffer.alloc(100)]));
    assert.equal(dec.stats.corrupt, 1, `type ${type}`);
    assert.ok(dec.bufferedBytes < 64, `type ${type} buffered ${dec.bufferedBytes}`);
  }
});

test('a valid 1 MB extra-data record in small chunks buffers only what has arrived', () => {
  const big = extraRecord({ subtype: 13, data: Buffer.alloc(1024 * 1024, 0x61) });
  const dec = new Unified2Decoder();
  dec.push(big.subarray(0, 100));
  assert.ok(dec.bufferedBytes <= 100);
  assert.ok(dec.end(false).partial);
  let got = 0;
  for (let p = 100; p < big.length; p += 4096) got += dec.push(big.subarray(p, p + 4096)).length;
  assert.equal(got, 1);
  assert.equal(dec.offset, big.length);
});

test('known type too short for its layout: skipped by length with a warning, next record decoded', () => {
  const d = decodeBuffer(Buffer.concat([record(104, Buffer.alloc(40)), eventRecord({ eventId: 7 })]));
  assert.equal(d.records.length, 1);
  assert.equal(d.records[0]!.offset, 48);
  assert.deepEqual(d.warnings.map((w) => [w.code, w.offset]), [['SNARF_U2_BAD_LENGTH', 0]]);
});

test('type 113 app statistics are parsed (no event id) and do not disturb framing', () => {
  const body = Buffer.alloc(8 + 48);
  body.writeUInt32BE(1700000000, 0);
  body.writeUInt32BE(2, 4);
  body.write('BitTorrent', 8, 'latin1');
  body.writeUInt32BE(100, 24);
  body.writeUInt32BE(200, 28);
  body.write('IRC', 32, 'latin1');
  const d = decodeBuffer(Buffer.concat([eventRecord(), record(113, body), packetRecord()]));
  assert.deepEqual(d.records.map((r) => r.kind), ['event', 'appstat', 'packet']);
  const s = d.records[1]!;
  assert.ok(s.kind === 'appstat');
  assert.deepEqual(s.entries, [{ appName: 'BitTorrent', txBytes: 100, rxBytes: 200 }, { appName: 'IRC', txBytes: 0, rxBytes: 0 }]);
  assert.equal(s.statTime, 1700000000);
});

test('startOffset makes offsets file offsets (resuming from a bookmark)', () => {
  const offs = recordOffsets(snort2);
  const d = decodeBuffer(snort2.subarray(offs[5]!), { startOffset: offs[5]! });
  assert.deepEqual(d.records.slice(0, 3).map((r) => r.offset), offs.slice(5, 8));
  assert.equal(d.end.offset, snort2.length);
});

test('a file cut 1, 2 or 7 bytes short of any record end never yields that record', () => {
  const buf = fs.readFileSync(corpusPath('unified2', 'py-idstools', 'merged.log'));
  const offs = recordOffsets(buf);
  offs.forEach((start, i) => {
    const endOfRecord = i + 1 < offs.length ? offs[i + 1]! : buf.length;
    for (const short of [1, 2, 7]) {
      // A copy inside a larger allocation: reading past the cut would find real bytes, not a crash.
      const backing = Buffer.from(buf);
      const input = backing.subarray(0, endOfRecord - short);
      for (const sizes of [undefined, [1], [50]]) {
        const d = decodeBuffer(input, {}, sizes, false);
        assert.equal(d.records.length, i, `record ${i} cut by ${short}`);
        assert.deepEqual(d.end, { offset: start, pendingBytes: endOfRecord - short - start, partial: true, corrupt: false });
      }
    }
  });
});
