import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XdrOverrun, XdrReader } from '../../../src/inputs/sflow/xdr.js';

test('reads big-endian u32 and u64, unsigned', () => {
  const r = new XdrReader(Uint8Array.from([0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 2]));
  assert.equal(r.u32(), 0xfffffffe);
  assert.equal(r.u64n(), 2 ** 32 + 2);
  assert.equal(r.u64(), (0xffffffffn << 32n) | 1n);
  assert.equal(r.remaining, 4);
});

test('opaque<> skips its padding; fixed returns a view', () => {
  const r = new XdrReader(Uint8Array.from([0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0, 9, 9, 9, 9]));
  assert.deepEqual([...r.opaque()], [1, 2, 3, 4, 5]);
  assert.equal(r.u32(), 0x09090909);
});

test('never reads past the window: overruns throw with the offset, and the position does not move', () => {
  const buf = Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 200, 7, 7, 7, 7]);
  const r = new XdrReader(buf, 0, 8); // the last 4 bytes belong to someone else
  assert.equal(r.u32(), 1);
  assert.throws(() => r.opaque(), (e: unknown) => e instanceof XdrOverrun && e.offset === 8 && e.limit === 8);
  assert.throws(() => r.u32(), XdrOverrun);
  assert.equal(r.pos, 8);
});

test('opaque length above the bound is refused before any slicing', () => {
  const r = new XdrReader(Uint8Array.from([0, 1, 0, 0, 1, 2, 3, 4]));
  assert.throws(() => r.opaque(1024), XdrOverrun);
});

test('enter/leave narrow the window to a record and skip its unread tail', () => {
  const r = new XdrReader(Uint8Array.from([0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]));
  const len = r.u32();
  const outer = r.enter(len);
  assert.equal(r.u32(), 1);
  assert.throws(() => r.u64(), XdrOverrun); // 4 bytes left in the record, not 8
  r.leave(outer);
  assert.equal(r.u32(), 3);
  assert.throws(() => new XdrReader(new Uint8Array(4)).enter(8), XdrOverrun);
});
