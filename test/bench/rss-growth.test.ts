/** The benchmark's memory-flatness verdict: growth between the two largest sizes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rssGrowth } from '../../bench/text-import.js';

test('flatness compares the two largest sizes, whatever their order, and reports the overall growth', () => {
  const g = rssGrowth('text-import-rss-growth', 'alert_full', [
    { size: 3_000_000, peakRssMB: 260 }, { size: 100_000, peakRssMB: 190 }, { size: 1_000_000, peakRssMB: 255 },
  ], 1.25)!;
  assert.deepEqual(g.sizes, [100_000, 1_000_000, 3_000_000]);
  assert.deepEqual(g.between, [1_000_000, 3_000_000]);
  assert.equal(g.growth, 1.02);
  assert.equal(g.overall, 1.37);
  assert.equal(g.flat, true);
});

test('memory that keeps growing with the input is not flat', () => {
  const g = rssGrowth('text-import-rss-growth', 'alert_full', [{ size: 1_000_000, peakRssMB: 200 }, { size: 3_000_000, peakRssMB: 420 }], 1.25)!;
  assert.equal(g.growth, 2.1);
  assert.equal(g.flat, false);
  assert.equal(rssGrowth('text-import-rss-growth', 'alert_full', [{ size: 1, peakRssMB: 1 }], 1.25), undefined);
});
