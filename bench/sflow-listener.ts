/**
 * sFlow listener loss on loopback: a sender (its own process) replays the corpus datagrams at a
 * fixed rate for a bounded time to (a) a bare UDP socket that only counts (the baseline: what
 * the kernel and Node deliver at all) and (b) `snarf collect` with its sFlow listener, which
 * decodes and stores every datagram; loss = sent - stored. Sequence numbers are rewritten per
 * copy so every datagram is distinct for the store's de-duplication.
 *
 *   node dist/bench/sflow-listener.js [--rate 10000] [--seconds 3]
 *
 * Prints one JSON line. Target: 0 loss at 10,000 datagrams/s. Loopback only; bounded count.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { readCaptureDatagrams } from '../src/inputs/sflow/pcap.js';
import { arg, isMain } from './lib/measure.js';

const corpus = process.env.SNARF_CORPUS ?? path.resolve(process.cwd(), '../shared/corpus');
const SELF = fileURLToPath(import.meta.url);
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function loadDatagrams(): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const d of readCaptureDatagrams(path.join(corpus, 'sflow', 'sflow-day.pcap'))) out.push(Buffer.from(d.data));
  // Only IPv4-agent datagrams: their sequence number sits at a fixed offset (16) to rewrite.
  return out.filter((b) => b.length > 20 && b.readUInt32BE(0) === 5 && b.readUInt32BE(4) === 1);
}

/** Child mode: send `rate` datagrams/s for `seconds` to 127.0.0.1:port, paced every 5 ms. */
async function send(port: number, rate: number, seconds: number): Promise<void> {
  const dgs = await loadDatagrams();
  const sock = dgram.createSocket('udp4');
  const total = Math.round(rate * seconds);
  const perTick = Math.max(1, Math.round(rate / 200));
  const t0 = Date.now();
  let sent = 0;
  let seq = 1;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * rate) + perTick);
    while (sent < due) {
      const b = Buffer.from(dgs[sent % dgs.length]!);
      b.writeUInt32BE(seq++ >>> 0, 16);
      sock.send(b, port, '127.0.0.1');
      sent++;
    }
    await sleep(5);
  }
  await sleep(50);
  sock.close();
  process.stdout.write(`${JSON.stringify({ sent, seconds: (Date.now() - t0) / 1000 })}\n`);
}

function runSender(port: number, rate: number, seconds: number): Promise<{ sent: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--send', String(port), '--rate', String(rate), '--seconds', String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { sent: number; seconds: number }) : reject(new Error(`sender exited ${code}`))));
  });
}

async function baseline(rate: number, seconds: number): Promise<{ sent: number; received: number }> {
  const sock = dgram.createSocket('udp4');
  let received = 0;
  sock.on('message', () => { received++; });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const { sent } = await runSender(sock.address().port, rate, seconds);
  await sleep(200);
  sock.close();
  return { sent, received };
}

async function snarf(rate: number, seconds: number): Promise<{ sent: number; stored: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-bench-sflow-'));
  try {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const cfg = path.join(dir, 'snarf.yaml');
    fs.writeFileSync(cfg, `db: snarf.db\ndefault_rules: false\nsflow:\n  listen: 127.0.0.1:${port}\n  home_net: [192.0.2.0/24]\n`);
    const child = spawn(process.execPath, [CLI, 'collect', '--config', cfg, '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    for (let i = 0; i < 200 && !log.includes('sFlow listener started'); i++) await sleep(25);
    if (!log.includes('sFlow listener started')) throw new Error(`collector did not start: ${log}`);
    const { sent } = await runSender(port, rate, seconds);
    await sleep(500);
    child.kill('SIGTERM');
    await exited;
    const db = new Database(path.join(dir, 'snarf.db'), { readonly: true });
    const stored = (db.prepare('SELECT coalesce(sum(datagrams), 0) AS n FROM flow_exporters').get() as { n: number }).n;
    db.close();
    return { sent, stored };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--send')) {
    await send(Number(arg('send')), Number(arg('rate', '10000')), Number(arg('seconds', '3')));
    return;
  }
  const rate = Number(arg('rate', '10000'));
  const seconds = Number(arg('seconds', '3'));
  const base = await baseline(rate, seconds);
  const s = await snarf(rate, seconds);
  process.stdout.write(`${JSON.stringify({
    bench: 'sflow-listener', rate, seconds, sent: s.sent, stored: s.stored, lost: s.sent - s.stored,
    baselineSent: base.sent, baselineReceived: base.received, baselineLost: base.sent - base.received,
    targetLost: 0, meetsTarget: s.sent === s.stored,
  })}\n`);
}

if (isMain(import.meta.url)) await main();
