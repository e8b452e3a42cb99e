/**
 * Every sample in corpus/unified2 decodes to what its py-idstools oracle says, allowing for the
 * oracle gaps documented in formats/unified2.md section 7: it stops at the first unknown type or
 * truncated tail, prints bytes beyond a known layout as `appid`, mislabels 114 fields as null,
 * and prints IPv6 as 8 uncompressed groups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalIp, ipFromBytes } from '../../../src/model/ip.js';
import type { U2Record, U2EventRecord } from '../../../src/inputs/unified2/records.js';
import { decodeBuffer, oracleSamples, pyBytes, readOracle, type OracleLine } from './_helpers.js';
import { corpusPath } from '../../helpers/corpus.js';

const EVENT_FIELDS: Record<string, (e: U2EventRecord) => unknown> = {
  'sensor-id': (e) => e.sensorId,
  'event-id': (e) => e.eventId,
  'event-second': (e) => e.eventSecond,
  'event-microsecond': (e) => e.eventMicrosecond,
  'signature-id': (e) => e.sid,
  'generator-id': (e) => e.gid,
  'signature-revision': (e) => e.rev,
  'classification-id': (e) => e.classificationId,
  priority: (e) => e.priority,
  'sport-itype': (e) => e.sportItype,
  'dport-icode': (e) => e.dportIcode,
  'dport-itype': (e) => e.dportIcode, // 114: py-idstools' name for the destination port
  protocol: (e) => e.protocol,
  'ip-protocol': (e) => e.protocol,
  'ip-version': (e) => e.ipVersion,
  'impact-flag': (e) => e.impactFlag,
  impact: (e) => e.impact,
  blocked: (e) => e.blocked,
  'mpls-label': (e) => e.mplsLabel,
  'vlan-id': (e) => e.vlanId,
  pad2: (e) => e.policyId,
  status: (e) => e.v3?.status,
  action: (e) => e.v3?.action,
  'pid-context': (e) => e.v3?.policyIdContext,
  'pid-inspect': (e) => e.v3?.policyIdInspect,
  'pid-detect': (e) => e.v3?.policyIdDetect,
  'source-ip': (e) => (e.srcIp.length ? ipFromBytes(e.srcIp) : null),
  'destination-ip': (e) => (e.dstIp.length ? ipFromBytes(e.dstIp) : null),
};

/** Layouts that really carry an app name (elsewhere the oracle's appid is just trailing bytes). */
function hasAppName(e: U2EventRecord): boolean {
  const len = e.size - 8;
  return ((e.type === 104 || e.type === 105) && (len === 124 || len === 148))
    || e.type === 111 || e.type === 112 || e.type === 114;
}

function compare(rec: U2Record, line: OracleLine, where: string): number {
  let checked = 0;
  const eq = (actual: unknown, expected: unknown, field: string): void => {
    assert.deepEqual(actual, expected, `${where} ${field}`);
    checked++;
  };
  if (line.type === 'event') {
    assert.equal(rec.kind, 'event', `${where} kind`);
    const e = rec as U2EventRecord;
    for (const [k, v] of Object.entries(line.event)) {
      if (v === null || k === 'unused') continue; // 114 fields py-idstools mislabels
      if (k === 'appid') {
        if (!hasAppName(e)) continue; // e.g. "b'JUNK'" of event104-len64: not an app name
        const raw = pyBytes(String(v));
        const nul = raw.indexOf(0);
        eq(e.appName, raw.subarray(0, nul < 0 ? raw.length : nul).toString('latin1'), k);
        continue;
      }
      const get = EVENT_FIELDS[k];
      assert.ok(get, `${where}: no mapping for oracle field ${k}`);
      eq(get(e), k.endsWith('-ip') ? canonicalIp(String(v)) : v, k);
    }
  } else if (line.type === 'packet') {
    assert.equal(rec.kind, 'packet', `${where} kind`);
    const p = rec as Extract<U2Record, { kind: 'packet' }>;
    const o = line.packet;
    eq(p.sensorId, o['sensor-id'], 'sensor-id');
    eq(p.eventId, o['event-id'], 'event-id');
    eq(p.eventSecond, o['event-second'], 'event-second');
    eq(p.packetSecond, o['packet-second'], 'packet-second');
    eq(p.packetMicrosecond, o['packet-microsecond'], 'packet-microsecond');
    eq(p.linktype, o.linktype, 'linktype');
    eq(p.packetLength, o.length, 'length');
    eq(Buffer.from(p.data).toString('base64'), o.data, 'data');
  } else {
    assert.equal(rec.kind, 'extra', `${where} kind`);
    const x = rec as Extract<U2Record, { kind: 'extra' }>;
    const o = line['extra-data'];
    eq(x.sensorId, o['sensor-id'], 'sensor-id');
    eq(x.eventId, o['event-id'], 'event-id');
    eq(x.eventSecond, o['event-second'], 'event-second');
    eq(x.eventType, o['event-type'], 'event-type');
    eq(x.eventLength, o['event-length'], 'event-length');
    eq(x.subtype, o.type, 'type');
    eq(x.dataType, o['data-type'], 'data-type');
    eq(x.blobLength, o['data-length'], 'data-length');
    eq(Buffer.from(x.data).toString('base64'), o.data, 'data');
  }
  return checked;
}

const samples = oracleSamples();

test('the corpus has the documented samples', () => {
  const names = samples.map((s) => path.relative(corpusPath('unified2'), s));
  for (const n of ['py-idstools/multi-record-event.log', 'ruby-unified2/unified2-current.log', 'node-unified2/bad.file',
    'synthetic/u2gen-mixed-seed1.u2', 'synthetic/robustness/garbage-length.u2', 'go-unified2/short-read-on-body.log']) {
    assert.ok(names.includes(n), n);
  }
  assert.ok(samples.length >= 25, `only ${samples.length} samples`);
});

for (const sample of samples) {
  const name = path.relative(corpusPath('unified2'), sample);
  test(`oracle: ${name}`, () => {
    const oracle = readOracle(sample)!;
    const stoppedEarly = fs.existsSync(`${sample}.oracle.err`);
    const { records } = decodeBuffer(fs.readFileSync(sample), { file: name });
    if (stoppedEarly) {
      // py-idstools stopped at an unknown type or a cut tail; we decode at least as far.
      assert.ok(records.length >= oracle.length, `${records.length} < oracle ${oracle.length}`);
    } else {
      assert.equal(records.length, oracle.length, 'record count');
    }
    let checked = 0;
    oracle.forEach((line, i) => { checked += compare(records[i]!, line, `${name} #${i}`); });
    if (oracle.length > 0) assert.ok(checked >= oracle.length * 8, 'too few fields compared');
  });
}

/** Counts by type and extra-data subtype must equal the generator's own summary. */
const summaries = ['synthetic', 'synthetic/spool'].flatMap((d) => fs.readdirSync(corpusPath('unified2', d))
  .filter((n) => n.endsWith('.summary.json')).map((n) => corpusPath('unified2', d, n)));

test('generator summaries exist (5 profiles + spool)', () => assert.equal(summaries.length, 6));

for (const summaryPath of summaries) {
  test(`generator summary: ${path.basename(summaryPath)}`, () => {
    const summary = JSON.parse(fs.readFileSync(summaryPath, 'utf8')) as
      { files: string[]; records: Record<string, number>; truncated_tail_bytes: number };
    const counts: Record<string, number> = {};
    for (const f of summary.files) {
      const buf = fs.readFileSync(path.join(path.dirname(summaryPath), f));
      const d = decodeBuffer(buf, {}, undefined, false);
      for (const r of d.records) {
        counts[String(r.type)] = (counts[String(r.type)] ?? 0) + 1;
        if (r.kind === 'extra') counts[`xd${r.subtype}`] = (counts[`xd${r.subtype}`] ?? 0) + 1;
      }
      if (d.end.partial) {
        // The generator counts the record it cut short; we must hold it back, whole, as pending.
        const type = buf.readUInt32BE(d.end.offset);
        assert.equal(d.end.offset + 8 + buf.readUInt32BE(d.end.offset + 4) - buf.length, summary.truncated_tail_bytes);
        counts[String(type)] = (counts[String(type)] ?? 0) + 1;
      }
    }
    assert.equal(summary.truncated_tail_bytes > 0, summary.files.length > 1, 'only the spool is cut');
    assert.deepEqual(counts, summary.records);
  });
}
