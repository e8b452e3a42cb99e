import { test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaptureSplitter } from '../../../src/inputs/sflow/capture.js';
import assert from 'node:assert/strict';
import { SequenceTracker, exporterKey, sequenceWarning } from '../../../src/inputs/sflow/sequence.js';
import { readSflowPcap } from '../../../src/inputs/sflow/pcap.js';
import type { SflowWarning } from '../../../src/inputs/sflow/warnings.js';
import { SFLOW_DAY, corpusDatagrams } from './fixtures.js';
import { decodeDatagram } from '../../../src/inputs/sflow/datagram.js';

test('corpus: one exporter 192.0.2.1/1402, 463 datagrams, nothing lost', async () => {
  const t = new SequenceTracker();
  const events = [];
  for (const d of await corpusDatagrams()) {
    const h = decodeDatagram(d.data, { timeUs: d.timeUs }).header!;
    events.push(t.observe(exporterKey(h.agent, h.subAgentId), h.seq, h.uptimeMs));
  }
  assert.deepEqual(events.filter((e) => e !== null), []);
  assert.deepEqual(t.all().map((s) => [s.key, s.seen, s.lost, s.restarts]), [['192.0.2.1/1402', 463, 0, 0]]);
});

test('corpus with datagrams dropped: the pcap reader counts the gaps and warns with the place', async () => {
  const buf = fs.readFileSync(SFLOW_DAY);
  const splitter = new CaptureSplitter();
  const recs = splitter.push(buf);
  const drop = new Set([10, 11, 200]); // 0-based record numbers: seq 11, 12 and 201
  const parts = [buf.subarray(0, 24)];
  recs.forEach((r, i) => {
    if (!drop.has(i)) parts.push(buf.subarray(r.offset, r.offset + 16 + r.data.length));
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-seq-')), 'gaps.pcap');
  fs.writeFileSync(file, Buffer.concat(parts));
  const warnings: SflowWarning[] = [];
  let n = 0;
  for await (const _ of readSflowPcap(file, { onWarning: (w) => warnings.push(w) })) n++;
  fs.rmSync(path.dirname(file), { recursive: true });
  assert.equal(n, 460);
  assert.deepEqual(warnings.map((w) => [w.code, w.message]), [
    ['SNARF_SFLOW_SEQ_GAP', 'exporter 192.0.2.1/1402: datagram sequence 10 → 13, 2 datagram(s) lost'],
    ['SNARF_SFLOW_SEQ_GAP', 'exporter 192.0.2.1/1402: datagram sequence 200 → 202, 1 datagram(s) lost'],
  ]);
  assert.equal(warnings[0]!.file, file);
  assert.ok(warnings[0]!.offset! > 24);
});

test('gaps, duplicates, late arrivals, restarts and wrap-around', () => {
  const t = new SequenceTracker();
  assert.equal(t.observe('a', 1, 0), null);
  assert.equal(t.observe('a', 2, 10), null);
  assert.deepEqual(t.observe('a', 6, 20), { key: 'a', kind: 'gap', from: 2, to: 6, lost: 3 });
  assert.equal(t.observe('a', 6, 20)?.kind, 'duplicate');
  assert.equal(t.observe('a', 4, 20)?.kind, 'late'); // reordered: no longer lost
  assert.equal(t.state('a')?.lost, 2);
  assert.equal(t.observe('a', 7, 30), null);
  assert.equal(t.observe('a', 1, 5)?.kind, 'restart'); // sequence and uptime went back
  assert.equal(t.observe('a', 2, 6), null);
  assert.deepEqual(t.state('a'), { key: 'a', lastSeq: 2, lastUptimeMs: 6, seen: 8, lost: 2, restarts: 1, duplicates: 1, late: 1 });
  // u32 wrap is a step of one, not a restart
  assert.equal(t.observe('w', 0xffffffff, 0), null);
  assert.equal(t.observe('w', 0, 1), null);
  assert.deepEqual(t.observe('w', 3, 2), { key: 'w', kind: 'gap', from: 0, to: 3, lost: 2 });
  // a forward step with the uptime going back is a restart (agent rebooted between datagrams)
  assert.equal(t.observe('w', 10, 1)?.kind, 'restart');
  // exporters are independent
  assert.equal(t.observe('b', 500, 0), null);
  assert.equal(t.state('a')?.lastSeq, 2);
});

test('a huge forward jump is a restart, not billions of lost datagrams', () => {
  const t = new SequenceTracker({ maxGap: 1000 });
  t.observe('a', 5, 100);
  assert.equal(t.observe('a', 3_000_000, 200)?.kind, 'restart');
  assert.equal(t.totalLost, 0);
});

test('exporter keys use agent + sub-agent; warnings name both', () => {
  assert.equal(exporterKey('192.0.2.1', 1402), '192.0.2.1/1402');
  assert.equal(exporterKey(null, 0), '-/0');
  const w = sequenceWarning({ key: '192.0.2.1/1402', kind: 'gap', from: 9, to: 12, lost: 2 }, { file: 'f.pcap', offset: 100 });
  assert.deepEqual(w, { code: 'SNARF_SFLOW_SEQ_GAP', message: 'exporter 192.0.2.1/1402: datagram sequence 9 → 12, 2 datagram(s) lost', file: 'f.pcap', offset: 100 });
  assert.equal(sequenceWarning({ key: 'k', kind: 'restart', from: 9, to: 1, lost: 0 })?.code, 'SNARF_SFLOW_RESTART');
  assert.equal(sequenceWarning({ key: 'k', kind: 'late', from: 9, to: 8, lost: 0 }), null);
});
