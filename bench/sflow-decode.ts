/**
 * sFlow decode rate: the corpus datagrams (sflow-day.pcap, 463 datagrams, 2,972 samples) replayed
 * until N datagrams have been decoded, against a baseline measured in the same run that only
 * copies each datagram and reads its header words (the floor any decoder pays).
 *
 *   node dist/bench/sflow-decode.js [datagrams=200000]
 *
 * Prints one JSON object per line. Target: ≥ 50,000 datagrams/s.
 */
import path from 'node:path';
import { decodeDatagram } from '../src/inputs/sflow/datagram.js';
import { readCaptureDatagrams } from '../src/inputs/sflow/pcap.js';

const corpus = process.env.SNARF_CORPUS ?? path.resolve(process.cwd(), '../shared/corpus');
const target = Number(process.argv[2] ?? 200_000);

const datagrams: Uint8Array[] = [];
const times: number[] = [];
for await (const d of readCaptureDatagrams(path.join(corpus, 'sflow', 'sflow-day.pcap'))) {
  datagrams.push(Uint8Array.from(d.data));
  times.push(d.timeUs);
}
if (datagrams.length === 0) throw new Error('no datagrams in the corpus capture');

function decodeRun(n: number): { samples: number; seconds: number } {
  let samples = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const k = i % datagrams.length;
    const r = decodeDatagram(datagrams[k]!, { timeUs: times[k]! });
    samples += r.flows.length + r.counters.length;
  }
  return { samples, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function baselineRun(n: number): { checksum: number; seconds: number } {
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const copy = datagrams[i % datagrams.length]!.slice();
    const dv = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
    // version, agent type, agent, sub-agent, sequence, uptime, sample count
    for (let p = 0; p + 4 <= 28 && p + 4 <= copy.length; p += 4) checksum = (checksum + dv.getUint32(p)) | 0;
  }
  return { checksum, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

// Warm up both paths so the JIT has compiled them before timing.
decodeRun(20_000);
baselineRun(20_000);
const base = baselineRun(target);
const run = decodeRun(target);
console.log(JSON.stringify({
  bench: 'sflow-decode',
  datagrams: target,
  samples: run.samples,
  seconds: Number(run.seconds.toFixed(4)),
  datagramsPerSec: Math.round(target / run.seconds),
  samplesPerSec: Math.round(run.samples / run.seconds),
  baselineSeconds: Number(base.seconds.toFixed(4)),
  ratioVsBaseline: Number((run.seconds / base.seconds).toFixed(2)),
  targetDatagramsPerSec: 50_000,
  meetsTarget: target / run.seconds >= 50_000,
  baselineChecksum: base.checksum,
}));
