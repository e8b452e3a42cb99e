/**
 * A pcap (or pcapng, gzip, text) given by mistake is named for what it is, with code
 * SNARF_NOT_UNIFIED2, instead of being read as a "33 MB record".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SnarfError } from '../../../src/errors.js';
import { decodeUnified2File, sniffBinary, Unified2Decoder } from '../../../src/inputs/unified2/decoder.js';
import { corpusPath } from '../../helpers/corpus.js';
import { eventRecord } from './_helpers.js';

const pcaps = fs.readdirSync(corpusPath('snort', 'pcaps')).filter((n) => n.endsWith('.pcap'))
  .map((n) => corpusPath('snort', 'pcaps', n));

const isNotU2 = (kind: RegExp) => (e: unknown): boolean =>
  e instanceof SnarfError && e.code === 'SNARF_NOT_UNIFIED2' && kind.test(e.message);

test('sniffBinary names all four pcap magics, pcapng, gzip, text, unified2 and empty', () => {
  const h = (...b: number[]): Uint8Array => Uint8Array.from([...b, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(sniffBinary(h(0xa1, 0xb2, 0xc3, 0xd4)), 'pcap');
  assert.equal(sniffBinary(h(0xd4, 0xc3, 0xb2, 0xa1)), 'pcap');
  assert.equal(sniffBinary(h(0xa1, 0xb2, 0x3c, 0x4d)), 'pcap');
  assert.equal(sniffBinary(h(0x4d, 0x3c, 0xb2, 0xa1)), 'pcap');
  assert.equal(sniffBinary(h(0x0a, 0x0d, 0x0d, 0x0a)), 'pcapng');
  assert.equal(sniffBinary(zlib.gzipSync(Buffer.from('x'))), 'gzip');
  assert.equal(sniffBinary(Buffer.from('11/20-10:00:00.088806  [**] [1:1000032:1] BOT')), 'text');
  assert.equal(sniffBinary(eventRecord()), 'unified2');
  assert.equal(sniffBinary(new Uint8Array(0)), 'empty');
  assert.equal(sniffBinary(Uint8Array.from([0, 0, 0, 0x63, 0, 0, 0, 1, 2])), 'unknown');
});

test('every corpus pcap is named as pcap by sniffBinary and rejected by decodeUnified2File', async () => {
  assert.equal(pcaps.length, 11);
  for (const file of pcaps) {
    assert.equal(sniffBinary(fs.readFileSync(file).subarray(0, 64)), 'pcap', path.basename(file));
    await assert.rejects(async () => {
      for await (const _r of decodeUnified2File(file)) assert.fail('no record may come out of a pcap');
    }, (e: unknown) => isNotU2(/this is a pcap capture, not unified2/)(e) && (e as SnarfError).file === file);
  }
});

test('the push decoder refuses a pcap even byte by byte, and a 4-byte pcap stub at end()', () => {
  const pcap = fs.readFileSync(pcaps[0]!);
  const dec = new Unified2Decoder({ file: 'x.pcap' });
  assert.throws(() => { for (let i = 0; i < 64; i++) dec.push(pcap.subarray(i, i + 1)); }, isNotU2(/pcap/));
  const stub = new Unified2Decoder();
  stub.push(pcap.subarray(0, 4));
  assert.throws(() => stub.end(true), isNotU2(/pcap/));
});

test('pcapng, gzip and text inputs are refused with their names', () => {
  const cases: Array<[Buffer, RegExp]> = [
    [Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a]), /pcapng/],
    [zlib.gzipSync(eventRecord()), /gzip/],
    [fs.readFileSync(corpusPath('snort', 'out', 'sensor-a', 'irc', 'alert.fast')), /text file/],
  ];
  for (const [buf, re] of cases) assert.throws(() => new Unified2Decoder().push(buf), isNotU2(re));
});

test('sniffing only applies at offset 0: a resumed decoder treats garbage as corrupt, not as a pcap', () => {
  const warnings: string[] = [];
  const dec = new Unified2Decoder({ startOffset: 100, onWarning: (w) => warnings.push(w.code) });
  assert.deepEqual(dec.push(fs.readFileSync(pcaps[0]!).subarray(0, 200)), []);
  assert.deepEqual(warnings, ['SNARF_U2_BAD_LENGTH']);
});
