/**
 * Hostile and broken files: a clear warning naming file:line (or what the file really is),
 * and never a lost good line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { corpusPath } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import type { Warning } from '../../src/errors.js';

const FAST = fs.readFileSync(corpusPath('snort', 'out', 'sensor-a', 'irc', 'alert.fast'), 'utf8');
const FAST_LINES = FAST.trimEnd().split('\n');

async function importText(name: string, content: string | Buffer): Promise<{ inserted: number; rejected: number; warnings: Warning[]; format: string; skipped?: string }> {
  const dir = tempDir();
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  const { store } = freshSqlite();
  const warnings: Warning[] = [];
  try {
    const r = await importFiles(store, [file], { sensor: 's', year: 2026, warn: (w) => warnings.push(w) });
    const f = r.files[0]!;
    return { inserted: r.totals.inserted, rejected: r.totals.rejected, warnings, format: f.format, skipped: f.skipped };
  } finally {
    await store.close();
  }
}

test('empty file: nothing imported, one clear note', async () => {
  const r = await importText('alert', '');
  assert.equal(r.inserted, 0);
  assert.equal(r.warnings[0]?.code, 'SNARF_EMPTY_FILE');
  assert.match(r.warnings[0]!.file!, /alert$/);
});

test('binary garbage is named as binary, not parsed as a million bad lines', async () => {
  const garbage = Buffer.alloc(4096);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
  const r = await importText('garbage.bin', garbage);
  assert.equal(r.inserted, 0);
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0]!.code, 'SNARF_NOT_TEXT');
  assert.match(r.warnings[0]!.message, /binary data/);
});

test('a pcap given to the importer says it is a pcap', async () => {
  const pcaps = fs.readdirSync(corpusPath('snort', 'pcaps')).filter((n) => n.endsWith('.pcap'));
  const r = await importText('x.log', fs.readFileSync(corpusPath('snort', 'pcaps', pcaps[0]!)));
  assert.equal(r.inserted, 0);
  assert.match(r.warnings[0]!.message, /this is a pcap capture/);
});

test('truncated last line: warned as truncated with its line number; all whole lines kept', async () => {
  const cut = FAST.slice(0, FAST.length - 40);
  const r = await importText('alert.fast', cut);
  assert.equal(r.inserted, FAST_LINES.length - 1);
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0]!.code, 'SNARF_TEXT_TRUNCATED');
  assert.equal(r.warnings[0]!.line, FAST_LINES.length);
});

test('a 1 MB line in the middle is skipped with file:line; lines around it survive', async () => {
  const lines = [...FAST_LINES];
  lines.splice(10, 0, 'x'.repeat(1_100_000));
  const r = await importText('alert.fast', `${lines.join('\n')}\n`);
  assert.equal(r.inserted, FAST_LINES.length);
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0]!.code, 'SNARF_TEXT_LONG_LINE');
  assert.equal(r.warnings[0]!.line, 11);
});

test('a corrupt line between good ones is rejected by line number; neighbours kept', async () => {
  const lines = [...FAST_LINES];
  lines.splice(5, 0, '11/20-10:00:00.1  [**] [1:2:x] broken [**] {TCP} 1.2.3.4:5 -> nowhere');
  const r = await importText('alert.fast', `${lines.join('\n')}\n`);
  assert.equal(r.inserted, FAST_LINES.length);
  assert.equal(r.rejected, 1);
  assert.equal(r.warnings[0]!.line, 6);
  assert.match(r.warnings[0]!.message, /alert_fast/);
});

test('invalid UTF-8 in a message: warned, and the alert still imported', async () => {
  const bad = Buffer.concat([
    Buffer.from(`${FAST_LINES[0]!.replace('BOT IRC', 'BOT \u0000IRC')}\n`.replace('\u0000', '')),
    Buffer.from('11/20-10:00:00.1  [**] [1:1000099:1] bad '), Buffer.from([0xff, 0xfe]),
    Buffer.from(' byte [**] [Priority: 1] {TCP} 1.2.3.4:5 -> 5.6.7.8:9\n'),
  ]);
  const r = await importText('alert.fast', bad);
  assert.equal(r.inserted, 2);
  assert.equal(r.warnings.filter((w) => w.code === 'SNARF_TEXT_BAD_UTF8').length, 1);
  assert.equal(r.warnings.find((w) => w.code === 'SNARF_TEXT_BAD_UTF8')!.line, 2);
});

test('CRLF line ends parse exactly like LF', async () => {
  const r = await importText('alert.fast', FAST.replace(/\n/g, '\r\n'));
  assert.equal(r.inserted, FAST_LINES.length);
  assert.deepEqual(r.warnings, []);
  const full = fs.readFileSync(corpusPath('snort', 'out', 'sensor-a', 'irc', 'alert.full'), 'utf8');
  const rf = await importText('alert.full', full.replace(/\n/g, '\r\n'));
  assert.equal(rf.inserted, FAST_LINES.length);
});

test('a unified2 file given to a text-only reading is named as unified2', async () => {
  const u2dir = corpusPath('snort', 'out', 'sensor-a', 'irc');
  const u2 = fs.readdirSync(u2dir).find((n) => n.startsWith('snort.u2'))!;
  const dir = tempDir();
  // Renamed to look like a text log: the content decides, not the name.
  const file = path.join(dir, 'alert.fast');
  fs.copyFileSync(path.join(u2dir, u2), file);
  const { sniffBytes } = await import('../../src/inputs/sniff.js');
  assert.equal(sniffBytes(fs.readFileSync(file).subarray(0, 64)), 'unified2');
});

test('gzip is read transparently', async () => {
  const r = await importText('alert.fast.gz', zlib.gzipSync(Buffer.from(FAST)));
  assert.equal(r.inserted, FAST_LINES.length);
  assert.equal(r.format, 'alert_fast');
});

test('a truncated gzip keeps what decompressed and says so', async () => {
  const gz = zlib.gzipSync(Buffer.from(FAST.repeat(20)));
  const r = await importText('alert.fast.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
  assert.ok(r.inserted > 0);
  assert.ok(r.warnings.some((w) => w.code === 'SNARF_IO' || w.code === 'SNARF_TEXT_TRUNCATED'), JSON.stringify(r.warnings));
});
