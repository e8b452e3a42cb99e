/**
 * The collector beyond Snort: a followed Winny monitor log (appended between runs, never
 * doubled) and the sFlow UDP listener (real corpus datagrams over loopback into the flow
 * rollups, stopped gracefully by SIGTERM).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import dgram from 'node:dgram';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/store.js';
import { corpusPath } from '../helpers/corpus.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readCaptureDatagrams } from '../../src/inputs/sflow/pcap.js';
import { validateConfig } from '../../src/collector/config.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const WINNY_HEAD = '#format eeye-like-winny/1\ntimestamp\tsensor\tkind\thost_ip\thost_port\tpeer_ip\tpeer_port\tdirection\tproto\tnode_info\taction\tbytes\n';
const winnyLine = (i: number): string =>
  `2026-11-20T09:${String(10 + i).padStart(2, '0')}:03+00:00\tmirror-core1\tWinny\t163.221.10.16\t7743\t198.51.100.${i + 1}\t48117\tin\ttcp\tver=2.0b1\tdetect\t11\n`;

test('a followed Winny monitor log: appended lines stored once, a bad line warned, restarts add nothing', () => {
  const dir = tempDir();
  const log = path.join(dir, 'winny.log');
  const cfg = path.join(dir, 'snarf.yaml');
  fs.writeFileSync(cfg, `db: snarf.db\ndefault_rules: false\ninputs:\n  - type: text\n    path: winny.log\n`);
  fs.writeFileSync(log, WINNY_HEAD + winnyLine(0) + winnyLine(1));
  const once = (): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [CLI, 'collect', '--config', cfg, '--once', '--log-format', 'json'], { encoding: 'utf8' });
  let r = once();
  assert.equal(r.status, 0, String(r.stderr));
  fs.appendFileSync(log, `${winnyLine(2)}2026-11-20T09:30:00+00:00\tmirror-core1\tWinny\tnot-an-ip\t-\t-\t-\t-\t-\t-\tdetect\t-\n${winnyLine(3)}`);
  r = once();
  assert.equal(r.status, 0, String(r.stderr));
  assert.match(String(r.stderr), /winny\.log/);
  r = once();
  assert.equal(r.status, 0, String(r.stderr));
  const store = new SqliteStore(path.join(dir, 'snarf.db'));
  try {
    const n = (store.db.prepare('SELECT count(*) c FROM winny_events').get() as { c: number }).c;
    assert.equal(n, 4);
    const bm = store.db.prepare('SELECT offset FROM bookmarks').get() as { offset: number };
    assert.equal(bm.offset, fs.statSync(log).size);
  } finally {
    store.db.close();
  }
});

test('config: the sflow section is checked key by key', () => {
  assert.throws(() => validateConfig({ sflow: { listen: 'nowhere', home_net: ['10.0.0.0/8'] } }, 'c.yaml'), /sflow\.listen: "nowhere" is not HOST:PORT/);
  assert.throws(() => validateConfig({ sflow: { listen: '127.0.0.1:6343' } }, 'c.yaml'), /home_net/);
  assert.throws(() => validateConfig({ sflow: { home_net: ['10.0.0.0/33'] } }, 'c.yaml'), /sflow\.home_net\[0\]/);
  const ok = validateConfig({ sflow: { listen: '[::1]:16343', home_net: ['163.221.0.0/16'] } }, 'c.yaml');
  assert.deepEqual(ok.sflow, { address: '::1', port: 16343, homeNets: ['163.221.0.0/16'] });
  assert.deepEqual(ok.inputs, []);
});

test('the sFlow listener in snarf collect: corpus datagrams over loopback reach the flow rollups', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const cfg = path.join(dir, 'snarf.yaml');
  fs.writeFileSync(cfg, `db: snarf.db\ndefault_rules: false\nsflow:\n  listen: 127.0.0.1:${port}\n  home_net: [192.0.2.0/24]\n`);
  const child = spawn(process.execPath, [CLI, 'collect', '--config', cfg, '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 100 && !stderr.includes('sFlow listener started'); i++) await sleep(50);
  assert.match(stderr, /sFlow listener started/);
  const sock = dgram.createSocket('udp4');
  let sent = 0;
  for await (const d of readCaptureDatagrams(corpusPath('sflow', 'sflow-day.pcap'))) {
    await new Promise<void>((resolve, reject) => sock.send(d.data, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    sent++;
    if (sent % 50 === 0) await sleep(5);
  }
  sock.close();
  await sleep(300);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
  const store = new SqliteStore(path.join(dir, 'snarf.db'));
  try {
    const ex = store.db.prepare('SELECT sum(datagrams) d, sum(lost) lost FROM flow_exporters').get() as { d: number; lost: number };
    assert.equal(sent, 463);
    assert.equal(ex.d, sent, 'every datagram stored');
    assert.equal(ex.lost, 0);
    const hosts = (store.db.prepare('SELECT count(DISTINCT host) c FROM flow_peers').get() as { c: number }).c;
    assert.ok(hosts > 0);
  } finally {
    store.db.close();
  }
});
