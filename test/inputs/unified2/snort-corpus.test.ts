/**
 * Real Snort 2.9.6.2 output (corpus/snort): every unified2 file gives exactly the record and
 * event counts of expected.json, and the assembled alerts agree one for one with the same run's
 * alert_fast (same order): time, gid:sid:rev, message prefix, classification, priority,
 * protocol, addresses and ports. The spool runs (six files) are read as one stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Alert } from '../../../src/model/alert.js';
import { protocolName } from '../../../src/model/alert.js';
import { Unified2Assembler, type OrphanRecord } from '../../../src/inputs/unified2/assemble.js';
import { corpusPath } from '../../helpers/corpus.js';
import { corpusResolver, decodeBuffer, spoolFiles } from './_helpers.js';

interface Run {
  counts_by_format: { unified2_events: number; alert_fast: number };
  unified2_records: Record<string, number>;
  unified2_files: string[];
  per_signature: Record<string, number>;
  per_source: Record<string, number>;
  per_destination: Record<string, number>;
}
const expected = JSON.parse(fs.readFileSync(corpusPath('snort', 'expected.json'), 'utf8')) as { runs: Record<string, Run> };
const resolver = corpusResolver();
const KIND_NAMES: Record<number, string> = { 2: 'packet', 7: 'event', 72: 'event_ipv6', 104: 'event_v2', 105: 'event_ipv6_v2', 110: 'extra_data' };

interface RunResult { counts: Record<string, number>; alerts: Alert[]; orphans: OrphanRecord[]; warnings: number }

function readRun(run: string, files: string[]): RunResult {
  const counts: Record<string, number> = {};
  const alerts: Alert[] = [];
  const orphans: OrphanRecord[] = [];
  let warnings = 0;
  const asm = new Unified2Assembler({
    sensor: run.split('/')[0]!, resolver, onAlert: (a) => alerts.push(a), onOrphan: (o) => orphans.push(o),
  });
  for (const file of files) {
    const d = decodeBuffer(fs.readFileSync(file), { file });
    warnings += d.warnings.length;
    assert.deepEqual(d.end, { offset: fs.statSync(file).size, pendingBytes: 0, partial: false, corrupt: false });
    for (const r of d.records) {
      const k = KIND_NAMES[r.type] ?? `type${r.type}`;
      counts[k] = (counts[k] ?? 0) + 1;
      asm.push(r, file);
    }
  }
  asm.flush();
  return { counts, alerts, orphans, warnings };
}

function tally(values: string[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const v of values) t[v] = (t[v] ?? 0) + 1;
  return t;
}

const FAST = /^(\d\d)\/(\d\d)(?:\/\d\d)?-(\d\d):(\d\d):(\d\d)\.(\d{6})\s+\[\*\*\] \[(\d+):(\d+):(\d+)\] (.*?) \[\*\*\](?: \[Classification: (.*?)\])? \[Priority: (\d+)\] \{(\S+)\} (\S+) -> (\S+)$/;

function splitAddr(text: string, withPort: boolean): [string, number | null] {
  if (!withPort) return [text, null];
  const i = text.lastIndexOf(':');
  return [text.slice(0, i), Number(text.slice(i + 1))];
}

/** The alert as alert_fast prints it (month/day and time in the sensor's zone, no year). */
function fastView(a: Alert, tzHours: number): unknown {
  const d = new Date(Math.floor(a.timeUs / 1000) + tzHours * 3600_000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return {
    time: `${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(a.timeUs % 1e6).padStart(6, '0')}`,
    sig: `${a.gid}:${a.sid}:${a.rev}`, classification: a.classification, priority: a.priority,
    proto: protocolName(a.protocol), src: a.srcIp, sport: a.srcPort, dst: a.dstIp, dport: a.dstPort,
  };
}

function fastLineView(line: string): { view: unknown; message: string } {
  const m = FAST.exec(line);
  assert.ok(m, `unparsed alert_fast line: ${line}`);
  const proto = m[13]!;
  const ports = proto === 'TCP' || proto === 'UDP';
  const [src, sport] = splitAddr(m[14]!, ports);
  const [dst, dport] = splitAddr(m[15]!, ports);
  return {
    message: m[10]!,
    view: {
      time: `${m[1]}/${m[2]} ${m[3]}:${m[4]}:${m[5]}.${m[6]}`, sig: `${m[7]}:${m[8]}:${m[9]}`,
      classification: m[11] ?? null, priority: Number(m[12]), proto, src, sport, dst, dport,
    },
  };
}

test('expected.json lists 24 runs with unified2 files', () => {
  assert.equal(Object.keys(expected.runs).length, 24);
});

for (const [run, exp] of Object.entries(expected.runs)) {
  test(`snort corpus ${run}: counts, signatures, addresses and alert_fast agree`, () => {
    const dir = corpusPath('snort', 'out', run);
    const files = run.endsWith('/spool') ? spoolFiles(dir) : exp.unified2_files.map((f) => path.join(dir, f));
    assert.deepEqual(files.map((f) => path.basename(f)), exp.unified2_files);
    const { counts, alerts, orphans, warnings } = readRun(run, files);
    assert.equal(warnings, 0);
    assert.deepEqual(counts, exp.unified2_records);
    assert.equal(alerts.length, exp.counts_by_format.unified2_events);

    const perSig = tally(alerts.map((a) => `${a.gid}:${a.sid}:${a.rev}`));
    assert.deepEqual(perSig, Object.fromEntries(Object.entries(exp.per_signature).map(([k, v]) => [k.split(' ')[0], v])));
    assert.deepEqual(tally(alerts.map((a) => a.srcIp ?? '')), exp.per_source);
    assert.deepEqual(tally(alerts.map((a) => a.dstIp ?? '')), exp.per_destination);

    // Every packet and extra-data record is owned by an event, including the sfportscan
    // "Open Port" follow-ups whose event_second is their own packet time.
    const owned = alerts.reduce((n, a) => n + a.packets.length + a.extra.length, 0);
    assert.deepEqual(orphans, []);
    assert.equal(owned, (counts.packet ?? 0) + (counts.extra_data ?? 0));

    const tz = run.startsWith('sensor-b') ? 9 : 0;
    const lines = fs.readFileSync(path.join(dir, 'alert.fast'), 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(lines.length, alerts.length);
    alerts.forEach((a, i) => {
      const { view, message } = fastLineView(lines[i]!);
      assert.deepEqual(fastView(a, tz), view, `${run} alert ${i}`);
      assert.ok(message.startsWith(a.message), `${run} alert ${i}: "${message}" vs "${a.message}"`);
      assert.equal(a.origin.format, 'unified2');
      assert.ok(a.eventId! >>> 16 === (tz ? 2 : 1), 'event_id carries -G in its high 16 bits');
    });
  });
}

test('reassembled PDUs own several packets: 119:31 in irc has 6, 124:5 in mail has 8', () => {
  const irc = readRun('sensor-a/irc', spoolFiles(corpusPath('snort', 'out', 'sensor-a', 'irc'))).alerts;
  assert.ok(irc.filter((a) => a.gid === 119 && a.sid === 31).some((a) => a.packets.length === 6));
  const mail = readRun('sensor-a/mail', spoolFiles(corpusPath('snort', 'out', 'sensor-a', 'mail'))).alerts;
  assert.deepEqual(mail.filter((a) => a.gid === 124 && a.sid === 5).map((a) => a.packets.length), [8]);
  const rcpt = mail.flatMap((a) => a.extra).filter((x) => x.name === 'smtp_rcptto');
  assert.ok(rcpt.length > 0 && rcpt.every((x) => typeof x.value === 'string' && x.value.includes('@')));
});

test('sfportscan: protocol 255, no ports, and the Open Port follow-ups join the TCP Portscan event', () => {
  const { alerts } = readRun('sensor-a/recon', spoolFiles(corpusPath('snort', 'out', 'sensor-a', 'recon')));
  const scans = alerts.filter((a) => a.gid === 122);
  assert.equal(scans.length, 4);
  assert.ok(scans.every((a) => a.protocol === 255 && a.srcPort === null && a.dstPort === null && a.packet === undefined));
  const tcp = scans.find((a) => a.sid === 1)!;
  const text = tcp.packets.map((p) => Buffer.from(p.data).toString('latin1'));
  assert.ok(text[0]!.includes('Port/Proto Count: 15'));
  assert.deepEqual(text.slice(1).map((t) => /Open Port: (\d+)/.exec(t)?.[1]), ['22', '25', '80', '443']);
});

test('spool: duplicate event ids across files stay separate alerts (key includes event_second)', () => {
  const { alerts } = readRun('sensor-a/spool', spoolFiles(corpusPath('snort', 'out', 'sensor-a', 'spool')));
  const ids = tally(alerts.map((a) => String(a.eventId)));
  assert.ok(Object.values(ids).some((n) => n > 1), 'event ids restart per file');
  assert.equal(new Set(alerts.map((a) => `${a.origin.file}@${a.origin.offset}`)).size, alerts.length);
  assert.equal(new Set(alerts.map((a) => path.basename(a.origin.file))).size, 6);
});
