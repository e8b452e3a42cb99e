/** Silent periods and clock offsets from hand-made rows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateClockOffsets, silentPeriods, type Fingerprint } from '../../src/analysis/sensor-compare.js';

test('a sensor that went quiet for three hours while the other did not', () => {
  const hours = [0, 1, 2, 3, 4, 5].map((h) => ({ hour: 100 + h, a: 10, b: h >= 2 && h <= 4 ? 0 : 8 }));
  assert.deepEqual(silentPeriods(hours), [{ sensor: 'b', fromHour: 102, toHour: 105, hours: 3, otherAlerts: 30 }]);
  assert.deepEqual(silentPeriods(hours, 4), []);
  // Both quiet is not a disagreement.
  assert.deepEqual(silentPeriods([{ hour: 1, a: 0, b: 0 }, { hour: 2, a: 1, b: 1 }]), []);
});

test('the clock offset is the common delta, robust to unrelated matches', () => {
  const inputs = new Map([[1, { id: 1, path: 'a.fast', format: 'alert_fast' }], [2, { id: 2, path: 'b.full', format: 'alert_full' }]]);
  const a: Fingerprint[] = [];
  const b: Fingerprint[] = [];
  for (let i = 0; i < 50; i++) {
    a.push({ key: `k${i}`, timeUs: i * 10_000_000, input: 1 });
    b.push({ key: `k${i}`, timeUs: i * 10_000_000 - 3_600_000_000 + 250, input: 2 });
  }
  // A repeated key adds wrong pairs; the mode still wins.
  a.push({ key: 'k1', timeUs: 999_000_000, input: 1 });
  const [o] = estimateClockOffsets(a, b, inputs);
  assert.equal(o!.offsetSeconds, -3600 + 0.00025);
  assert.equal(o!.familyA, 'text');
  assert.equal(o!.agreeing, 50);
  assert.equal(o!.matches, 51);
});
