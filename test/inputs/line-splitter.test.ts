/** The line splitter gives the same lines and offsets however the bytes are chunked. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineSplitter } from '../../src/inputs/line-splitter.js';

function split(data: Buffer, cuts: number[], max = 1 << 20): Array<[string, number, number, boolean]> {
  const out: Array<[string, number, number, boolean]> = [];
  const s = new LineSplitter({
    line: (t, n, o, u) => out.push([t, n, o, u]),
    tooLong: (n, o) => out.push(['<long>', n, o, false]),
  }, max);
  let pos = 0;
  for (const c of [...cuts, data.length].sort((a, b) => a - b)) {
    s.push(data.subarray(pos, Math.max(pos, c)));
    pos = Math.max(pos, c);
  }
  s.end(true);
  return out;
}

test('lines, numbers and byte offsets are independent of chunking', () => {
  fc.assert(fc.property(
    fc.array(fc.stringMatching(/^[a-z\u00e9\r]{0,12}$/), { maxLength: 20 }),
    fc.array(fc.nat(300), { maxLength: 10 }),
    fc.boolean(),
    (lines, cuts, finalNewline) => {
      const text = lines.join('\n') + (finalNewline ? '\n' : '');
      const data = Buffer.from(text);
      const whole = split(data, []);
      assert.deepEqual(split(data, cuts.map((c) => c % (data.length + 1))), whole);
      for (const [t, , o] of whole) {
        if (t === '<long>') continue;
        assert.equal(data.toString('utf8', o, o + Buffer.byteLength(t)), t);
      }
    },
  ));
});

test('a line over the bound is reported once, its neighbours intact, across chunks', () => {
  const data = Buffer.from(`a\n${'x'.repeat(100)}\nb\n`);
  const cuts = [1, 5, 50, 90, 104];
  assert.deepEqual(split(data, cuts, 50), [['a', 1, 0, false], ['<long>', 2, 2, false], ['b', 3, 103, false]]);
});

test('the safe offset stops before an unfinished last line (where a follower resumes)', () => {
  const s = new LineSplitter({ line: () => undefined, tooLong: () => undefined });
  s.push(Buffer.from('one\ntwo\nthr'));
  assert.equal(s.safeOffset, 8);
  assert.equal(s.partialBytes, 3);
  s.end(false);
  assert.equal(s.safeOffset, 8);
});
