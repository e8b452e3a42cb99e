/**
 * Chunk-boundary safety: every sample decodes to the same records, warnings, bookmark and end
 * state whether it arrives whole, byte by byte, or in random chunk sizes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { decodeUnified2, decodeUnified2File, decodeUnified2FileBatches } from '../../../src/inputs/unified2/decoder.js';
import type { U2Record } from '../../../src/inputs/unified2/records.js';
import { corpusPath } from '../../helpers/corpus.js';
import { decodeBuffer, oracleSamples, plain, prng } from './_helpers.js';

const realRuns = ['sensor-a', 'sensor-b'].flatMap((s) => {
  const dir = corpusPath('snort', 'out', s);
  return fs.readdirSync(dir).flatMap((run) => fs.readdirSync(path.join(dir, run))
    .filter((n) => /^snort\.u2\.\d+$/.test(n)).map((n) => path.join(dir, run, n)));
});
const all = [...oracleSamples(), ...realRuns];

test('chunking covers the oracle samples and every real Snort file', () => {
  assert.ok(realRuns.length >= 30, `${realRuns.length} real files`);
  assert.ok(all.length >= 60);
});

function summary(buf: Buffer, sizes?: number[]): unknown {
  const d = decodeBuffer(buf, { file: 'f' }, sizes);
  return { records: d.records.map(plain), warnings: d.warnings, end: d.end, stats: d.decoder.stats };
}

for (const sample of all) {
  const name = path.relative(corpusPath(), sample);
  test(`chunk boundaries: ${name}`, () => {
    const buf = fs.readFileSync(sample);
    const whole = summary(buf);
    const rnd = prng(buf.length);
    // 1-byte chunks are O(n) pushes: keep them to files a test can afford.
    const plans: number[][] = [[3], [8], [9], Array.from({ length: 64 }, () => 1 + Math.floor(rnd() * 300))];
    if (buf.length <= 200_000) plans.unshift([1]);
    for (const sizes of plans) assert.deepEqual(summary(buf, sizes), whole, `sizes ${sizes.slice(0, 4).join(',')}`);
  });
}

async function collect(it: AsyncGenerator<U2Record, unknown>): Promise<U2Record[]> {
  const out: U2Record[] = [];
  for await (const r of it) out.push(r);
  return out;
}

test('decodeUnified2File and the batch iterator equal the push decoder, honours startOffset and reports the end state', async () => {
  const file = corpusPath('unified2', 'ruby-unified2', 'unified2-current.log');
  const buf = fs.readFileSync(file);
  const whole = decodeBuffer(buf).records;
  let endOffset = -1;
  const viaFile = await collect(decodeUnified2File(file, { highWaterMark: 1000, onEnd: (s) => { endOffset = s.offset; } }));
  assert.deepEqual(viaFile.map(plain), whole.map(plain));
  assert.equal(endOffset, buf.length);
  const batches: U2Record[] = [];
  for await (const b of decodeUnified2FileBatches(file, { highWaterMark: 4096 })) batches.push(...b);
  assert.deepEqual(batches.map(plain), whole.map(plain));
  const from = whole[100]!.offset;
  const resumed = await collect(decodeUnified2File(file, { startOffset: from }));
  assert.equal(resumed.length, whole.length - 100);
  assert.equal(resumed[0]!.offset, from);
});

test('decodeUnified2 over a stream: the cut tail is warned with file and offset when final', async () => {
  const file = corpusPath('unified2', 'synthetic', 'spool', 'snort.u2.1700002592');
  const warnings: string[] = [];
  const recs = await collect(decodeUnified2(Readable.from([fs.readFileSync(file)]), {
    file: 'snort.u2.1700002592', onWarning: (w) => warnings.push(`${w.code} ${w.file}@${w.offset}`),
  }));
  assert.ok(recs.length > 0);
  assert.deepEqual(warnings, ['SNARF_U2_TRUNCATED snort.u2.1700002592@24467']);
  const quiet: string[] = [];
  await collect(decodeUnified2(Readable.from([fs.readFileSync(file)]), { isFinal: false, onWarning: (w) => quiet.push(w.code) }));
  assert.deepEqual(quiet, []);
});
