/**
 * Shared measuring helpers for the bench/ scenario scripts: the `cat FILE > /dev/null` baseline,
 * running a node child with the RSS probe preloaded (peak RSS and CPU time measured inside the
 * child), locating the compiled CLI, argument parsing and machine information.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The compiled bench/ directory (dist/bench or any --outDir copy). */
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The compiled `snarf` CLI next to this bench/ directory. */
export const CLI_MAIN = path.resolve(BENCH_DIR, '../src/cli/main.js');
const PROBE = path.join(BENCH_DIR, 'lib', 'rss-probe.js');

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function arg(name: string, fallback: string): string;
export function arg(name: string, fallback?: string): string | undefined;
export function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** "100000,1m,100k" -> [100000, 1000000, 100000]. */
export function parseSizes(spec: string): number[] {
  return spec.split(',').filter(Boolean).map((s) => {
    const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
    if (!m) throw new Error(`bad size: ${s}`);
    const mult = m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1;
    return Math.round(Number(m[1]) * mult);
  });
}

/** 100000 -> "100k", 1000000 -> "1M". */
export function sizeLabel(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** True when the module whose import.meta.url is given is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(metaUrl);
}

/**
 * The baseline: best of `runs` wall times of `cat FILE > /dev/null` (the first run may still be
 * warming the page cache), measured in the same run as the scenario it is compared with.
 */
export function timeCat(file: string, runs = 3): number {
  const devnull = fs.openSync('/dev/null', 'w');
  try {
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync('cat', [file], { stdio: ['ignore', devnull, 'inherit'] });
      if (r.status !== 0) throw new Error(`cat ${file} failed: status ${r.status}`);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return best;
  } finally {
    fs.closeSync(devnull);
  }
}

export interface ChildRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole child, node start-up included. */
  wallSeconds: number;
  /** Peak RSS of the child itself (getrusage maxrss inside the child), MB = 2^20 bytes. */
  peakRssMB: number;
  /** User + system CPU seconds of the child: less disturbed by other load than wall time. */
  cpuSeconds: number;
}

export interface NodeChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Write a V8 CPU profile of the child into this directory (`node --cpu-prof`). */
  cpuProfDir?: string;
  /** Let the child's stderr through to ours (progress lines) instead of capturing it. */
  inheritStderr?: boolean;
}

/** Runs `node SCRIPT ARGS` with the RSS probe preloaded and returns its output and measurements. */
export function runNodeChild(script: string, args: string[], opts: NodeChildOptions = {}): ChildRun {
  const probeOut = path.join(os.tmpdir(), `snarf-bench-probe-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const nodeArgs = ['--import', pathToFileURL(PROBE).href];
  if (opts.cpuProfDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...nodeArgs, script, ...args], {
    cwd: opts.cwd,
    env: { ...(opts.env ?? process.env), SNARF_BENCH_PROBE_OUT: probeOut },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', opts.inheritStderr ? 'inherit' : 'pipe'],
  });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw r.error;
  let peakRssMB = NaN;
  let cpuSeconds = NaN;
  try {
    const p = JSON.parse(fs.readFileSync(probeOut, 'utf8')) as { maxRssKB: number; userSeconds: number; systemSeconds: number };
    peakRssMB = p.maxRssKB / 1024;
    cpuSeconds = p.userSeconds + p.systemSeconds;
  } catch {
    // The child died before its exit handler ran (signal, OOM): the caller sees status/signal.
  } finally {
    fs.rmSync(probeOut, { force: true });
  }
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', wallSeconds, peakRssMB, cpuSeconds };
}

/** Parses the JSON-object lines a scenario script printed (other lines are ignored). */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      out.push(JSON.parse(t) as Record<string, unknown>);
    } catch {
      // a progress line that happens to start with "{": not a result
    }
  }
  return out;
}

export interface BusySnapshot {
  at: string;
  loadAvg: number[];
  /** Whole-machine CPU idle % over one second (top), when top is available. */
  cpuIdlePercent: number | null;
  /** Other processes using >= 5% CPU over that second: "PID %CPU COMMAND". */
  busy: string[];
}

/** What else the machine was doing (one second of `top`): these runs share 2 noisy cores. */
export function busySnapshot(): BusySnapshot {
  const snap: BusySnapshot = { at: new Date().toISOString(), loadAvg: os.loadavg().map((x) => round(x, 2)), cpuIdlePercent: null, busy: [] };
  const top = spawnSync('top', ['-b', '-n', '2', '-d', '1', '-w', '200', '-c'], { encoding: 'utf8' });
  if (top.status !== 0) return snap;
  const second = top.stdout.split(/^top - /m)[2] ?? '';
  const idle = /([\d.]+)\s*id,/.exec(second);
  if (idle) snap.cpuIdlePercent = Number(idle[1]);
  let inTable = false;
  for (const line of second.split('\n')) {
    if (/^\s*PID\s/.test(line)) { inTable = true; continue; }
    if (!inTable || !line.trim()) continue;
    const f = line.trim().split(/\s+/);
    const pid = Number(f[0]);
    const cpu = Number(f[8]);
    if (pid === process.pid || !(cpu >= 5)) continue;
    snap.busy.push(`${pid} ${cpu}% ${f.slice(11).join(' ').slice(0, 120)}`);
  }
  return snap;
}

export interface MachineInfo {
  host: string;
  platform: string;
  release: string;
  cpuModel: string;
  cores: number;
  totalMemMB: number;
  node: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    host: os.hostname(),
    platform: os.platform(),
    release: os.release(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemMB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
  };
}
