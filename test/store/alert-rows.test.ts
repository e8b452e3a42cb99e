/** Row batches between threads: interned strings come back as they went, keys match ipKey(). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appendTextRow, emptyRows, F, FIELDS, sealKeys, StringInterner, StringTable, type AlertRows, type TextRow } from '../../src/store/alert-rows.js';
import { ipKey } from '../../src/model/ip.js';

function row(i: number, over: Partial<TextRow> = {}): TextRow {
  return {
    sensor: `s${i % 2}`, timeUs: 1_700_000_000_000_000 + i, gid: 1, sid: 100 + (i % 5), rev: 1, message: `sig ${i % 5}`,
    classification: i % 3 === 0 ? null : `class ${i % 3}`, priority: i % 4, protocol: 6,
    srcIp: `10.0.0.${i % 250}`, srcPort: 1000 + i, dstIp: `192.0.2.${i % 7}`, dstPort: 80,
    refs: i % 2 ? '[{"system":"url","id":"x","url":"http://x"}]' : null, details: `{"ttl":${i}}`, offset: i * 10, line: i,
    srcV4: -1, dstV4: -1, ...over,
  };
}

/** What a worker posts: structured-clone the batch, as postMessage does. */
const posted = (rows: AlertRows): AlertRows => structuredClone(rows);

test('interned batches resolve to the values that were appended, batch after batch', () => {
  fc.assert(fc.property(fc.array(fc.array(fc.nat(40), { maxLength: 30 }), { minLength: 1, maxLength: 6 }), (batches) => {
    const interner = new StringInterner();
    const table = new StringTable();
    for (const ids of batches) {
      const rows = emptyRows('alert_full', 'f');
      for (const i of ids) appendTextRow(rows, row(i));
      const expected = [...rows.v];
      interner.apply(rows);
      for (let o = 0; o < rows.v.length; o += FIELDS) {
        for (const c of [F.sensor, F.message]) assert.equal(typeof rows.v[o + c], 'number', 'repeated strings go as indexes');
        assert.equal(typeof rows.v[o + F.details], 'string', 'details are not interned');
      }
      const received = posted(rows);
      table.resolve(received);
      assert.deepEqual(received.v, expected);
      assert.equal(received.strings, undefined);
    }
  }));
});

test('past the table bound, new strings travel as themselves and still resolve', () => {
  const interner = new StringInterner();
  const table = new StringTable();
  const rows = emptyRows('alert_full', 'f');
  for (let i = 0; i < 70_000; i++) appendTextRow(rows, row(i, { message: `m${i}`, sensor: 's', classification: null, refs: null }));
  const expected = [...rows.v];
  interner.apply(rows);
  assert.equal(rows.strings!.length, 1 << 16);
  assert.equal(rows.v[69_999 * FIELDS + F.message], 'm69999');
  const received = posted(rows);
  table.resolve(received);
  assert.deepEqual(received.v, expected);
});

test('sealKeys: keys from parsed IPv4 numbers equal the keys of the address texts', () => {
  const rows = emptyRows('alert_full', 'f');
  const v4: number[] = [];
  const addrs: Array<[string, number]> = [['10.1.2.3', 0x0a010203], ['255.255.255.255', 0xffffffff], ['0.0.0.0', 0], ['2001:db8::1', -1], ['192.0.2.200', -1]];
  for (const [text, n] of addrs) {
    appendTextRow(rows, row(1, { srcIp: text, dstIp: text }));
    v4.push(n, n);
  }
  sealKeys(rows, v4);
  const fromText = emptyRows('alert_full', 'f');
  for (const [text] of addrs) appendTextRow(fromText, row(1, { srcIp: text, dstIp: text }));
  sealKeys(fromText);
  assert.deepEqual(rows.keys, fromText.keys);
  addrs.forEach(([text], i) => assert.deepEqual(Buffer.from(rows.keys!.subarray(i * 32, i * 32 + 16)), ipKey(text)));
});
