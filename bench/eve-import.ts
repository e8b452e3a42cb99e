/**
 * EVE import benchmark: `snarf import` of a generated Suricata EVE file (alerts with http/tls
 * metadata, plus flow and dns events as a real eve.json has) against a baseline measured in the
 * same run: reading the file and JSON.parse of every line, nothing else. The ratio says what
 * Snarf adds on top of the unavoidable parse.
 *
 *   node dist/bench/eve-import.js [--events 100k] [--seed 3] [--keep]
 *
 * Prints one JSON line: {"bench":"eve-import", events, alerts, seconds, eventsPerSec, peakRssMB,
 * jsonParseSeconds, ratioVsJsonParse, ...}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { arg, flag, isMain, parseSizes, round } from './lib/measure.js';
import { cliImport } from './lib/import-bench.js';
import { rng } from './lib/rng.js';

/** Writes N EVE records (about 80% alerts), returns the number of alerts. */
export async function writeEve(file: string, events: number, seed = 3): Promise<number> {
  const r = rng(seed);
  const out = fs.createWriteStream(file);
  let alerts = 0;
  let t = Date.UTC(2026, 10, 1);
  let buf: string[] = [];
  for (let i = 0; i < events; i++) {
    t += Math.floor(r() * 300);
    const ts = `${new Date(t).toISOString().slice(0, 23)}${String(Math.floor(r() * 1000)).padStart(3, '0')}+0000`;
    const src = `163.221.${Math.floor(r() * 40)}.${Math.floor(r() * 250)}`;
    const dst = r() < 0.05 ? `2001:db8::${Math.floor(r() * 65535).toString(16)}` : `198.51.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}`;
    const base = `"timestamp":"${ts}","flow_id":${Math.floor(r() * 1e15)},"in_iface":"eth1","src_ip":"${src}","src_port":${1024 + Math.floor(r() * 60000)},"dest_ip":"${dst}","dest_port":${[80, 443, 6881, 25][Math.floor(r() * 4)]},"proto":"TCP"`;
    const kind = r();
    if (kind < 0.8) {
      alerts++;
      const sid = 2000000 + Math.floor(r() * 50);
      buf.push(`{${base},"event_type":"alert","alert":{"action":"allowed","gid":1,"signature_id":${sid},"rev":3,"signature":"ET POLICY generated ${sid}","category":"Misc activity","severity":${1 + Math.floor(r() * 3)}},"http":{"hostname":"h${i % 977}.example","url":"/p/${i}","http_user_agent":"agent/${i % 13}","http_method":"GET","status":200},"app_proto":"http","host":"bench"}`);
    } else if (kind < 0.9) {
      buf.push(`{${base},"event_type":"flow","flow":{"pkts_toserver":${i % 50},"pkts_toclient":${i % 70},"bytes_toserver":${i * 7},"bytes_toclient":${i * 13},"state":"closed"}}`);
    } else {
      buf.push(`{${base},"event_type":"dns","dns":{"type":"query","rrname":"n${i % 1000}.example","rrtype":"A"}}`);
    }
    if (buf.length >= 5000) {
      if (!out.write(`${buf.join('\n')}\n`)) await new Promise<void>((res) => out.once('drain', () => res()));
      buf = [];
    }
  }
  if (buf.length) out.write(`${buf.join('\n')}\n`);
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  return alerts;
}

/** The baseline: stream the file and JSON.parse each line, nothing more. */
async function jsonParseOnly(file: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  let n = 0;
  const rl = readline.createInterface({ input: fs.createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line) {
      JSON.parse(line);
      n++;
    }
  }
  if (n === 0) throw new Error('baseline parsed nothing');
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const sizes = parseSizes(arg('events', '100000'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-bench-eve-'));
  try {
    for (const events of sizes) {
      const file = path.join(dir, `eve-${events}.json`);
      const alerts = await writeEve(file, events, Number(arg('seed', '3')));
      const baseline = Math.min(await jsonParseOnly(file), await jsonParseOnly(file));
      const run = cliImport(file, { expected: alerts });
      if (run.format !== 'eve') throw new Error(`imported as ${run.format}, expected eve`);
      const s = run.wallSeconds;
      process.stdout.write(`${JSON.stringify({
        bench: 'eve-import', events, alerts, bytes: fs.statSync(file).size, seconds: round(s), cliSeconds: run.cliSeconds,
        eventsPerSec: Math.round(events / s), alertsPerSec: Math.round(alerts / s), peakRssMB: round(run.peakRssMB, 1),
        jsonParseSeconds: round(baseline, 3), ratioVsJsonParse: round(s / baseline, 2),
      })}\n`);
    }
  } finally {
    if (!flag('keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await main();
