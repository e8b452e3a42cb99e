/**
 * fast-check properties: truncated and byte-flipped valid files never throw (other than the
 * documented "not unified2" refusal), never hang, never emit a record reaching outside the input,
 * never go backwards, and decode the same whatever the chunking. The assembler survives them too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { SnarfError } from '../../../src/errors.js';
import { Unified2Assembler } from '../../../src/inputs/unified2/assemble.js';
import type { U2Record } from '../../../src/inputs/unified2/records.js';
import { corpusPath } from '../../helpers/corpus.js';
import { decodeBuffer, plain, recordOffsets } from './_helpers.js';

const sources = [
  corpusPath('unified2', 'synthetic', 'u2gen-mixed-seed1.u2'),
  corpusPath('unified2', 'py-idstools', 'merged.log'),
  corpusPath('unified2', 'node-unified2', 'bad.file'),
  corpusPath('snort', 'out', 'sensor-a', 'mail', 'snort.u2.1795666534'),
].map((f) => fs.readFileSync(f).subarray(0, 40_000));

/** Checks the invariants of one decode; returns false only for the allowed refusal. */
function checkDecode(input: Buffer, sizes: number[] | undefined): { records: U2Record[] } | undefined {
  let d;
  try {
    d = decodeBuffer(input, { file: 'fuzz' }, sizes);
  } catch (e) {
    // Flips at the very start may turn the file into something that looks like gzip/pcap/text.
    if (e instanceof SnarfError && e.code === 'SNARF_NOT_UNIFIED2') return undefined;
    throw e;
  }
  let prevEnd = 0;
  for (const r of d.records) {
    assert.ok(r.offset >= prevEnd, 'records never overlap or go backwards');
    assert.ok(r.offset + r.size <= input.length, 'record reaches outside the input');
    assert.ok(r.size >= 8);
    if (r.kind === 'packet' || r.kind === 'extra') {
      assert.ok(r.data.length <= r.size - 8 - (r.kind === 'packet' ? 28 : 32), 'payload larger than its record');
      assert.ok(r.data.byteOffset >= 0 && r.data.length >= 0);
    }
    prevEnd = r.offset + r.size;
  }
  assert.ok(d.end.offset >= prevEnd && d.end.offset <= input.length, 'bookmark inside the input');
  assert.equal(d.end.offset + d.end.pendingBytes, input.length, 'every byte is accounted for');
  return d;
}

const mutated = fc.record({
  src: fc.nat({ max: sources.length - 1 }),
  cut: fc.double({ min: 0, max: 1, noNaN: true }),
  flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
  sizes: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
});

function build(m: { src: number; cut: number; flips: Array<[number, number]> }): Buffer {
  const base = sources[m.src]!;
  const out = Buffer.from(base.subarray(0, Math.floor(base.length * m.cut)));
  for (const [where, value] of m.flips) if (out.length > 0) out[Math.floor(where * out.length)] = value;
  return out;
}

test('property: truncated + byte-flipped files never throw, hang or reach outside the input', () => {
  fc.assert(fc.property(mutated, (m) => {
    const input = build(m);
    const whole = checkDecode(input, undefined);
    const chunked = checkDecode(input, m.sizes);
    assert.equal(whole === undefined, chunked === undefined);
    if (whole && chunked) assert.deepEqual(chunked.records.map(plain), whole.records.map(plain));
  }), { numRuns: 300, seed: 20261120 });
});

test('property: a pure truncation yields exactly the whole records before the cut', () => {
  fc.assert(fc.property(fc.nat({ max: sources.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (src, cut) => {
    const base = sources[src]!;
    const input = base.subarray(0, Math.floor(base.length * cut));
    const d = decodeBuffer(input, {}, undefined, false);
    const whole = recordOffsets(Buffer.from(input));
    assert.deepEqual(d.records.map((r) => r.offset), whole);
    assert.equal(d.end.corrupt, false);
    assert.equal(d.end.partial, d.end.pendingBytes > 0);
  }), { numRuns: 200, seed: 7 });
});

test('property: the assembler survives garbage records and stays bounded', () => {
  fc.assert(fc.property(mutated, (m) => {
    const input = build(m);
    let d;
    try { d = decodeBuffer(input, {}, undefined); } catch { return; }
    let alerts = 0;
    const asm = new Unified2Assembler({
      sensor: 's', onAlert: (a) => { alerts++; assert.ok(a.packets.length <= 4); }, maxPendingEvents: 8, maxOrphans: 8,
      maxPacketsPerEvent: 4,
      clock: { now: () => 0, setTimer: () => 1, clearTimer: () => {} },
    });
    for (const r of d.records) {
      asm.push(r, 'fuzz');
      assert.ok(asm.pendingEvents <= 8 && asm.pendingOrphans <= 8);
    }
    asm.flush();
    assert.equal(alerts, d.records.filter((r) => r.kind === 'event').length);
  }), { numRuns: 150, seed: 99 });
});
