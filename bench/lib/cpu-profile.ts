/**
 * Summarises a V8 .cpuprofile (written by `node --cpu-prof`): self time per function and per
 * source file, so a benchmark can say where an import spends its time without opening DevTools.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  profile: string;
  /** V8 thread id from the file name: 0 is the main thread, others are worker threads. */
  thread: number;
  totalMs: number;
  functions: SelfTime[];
  files: SelfTime[];
}

/** Shortens a script URL to something readable: dist/src/x.js, node:internal/..., (native). */
function shortUrl(url: string): string {
  if (!url) return '(native/VM)';
  const u = url.replace(/^file:\/\//, '');
  const m = /\/(src|bench|node_modules)\/(.*)$/.exec(u);
  if (m) return `${m[1]}/${m[2]}`;
  return u.startsWith('node:') ? u : path.basename(u);
}

export function summariseProfile(file: string, top = 10): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  // Sample i lasts until sample i+1: attribute timeDeltas[i+1] to samples[i].
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const fns = new Map<string, SelfTime>();
  const files = new Map<string, SelfTime>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    total += us;
    const where = shortUrl(cf.url);
    const name = cf.functionName || '(anonymous)';
    const fkey = `${name}@${where}:${cf.lineNumber + 1}`;
    const f = fns.get(fkey) ?? { name, where: cf.url ? `${where}:${cf.lineNumber + 1}` : where, selfMs: 0, percent: 0 };
    f.selfMs += us / 1000;
    fns.set(fkey, f);
    const fileKey = cf.url ? where : name.startsWith('(') ? name : where;
    const g = files.get(fileKey) ?? { name: fileKey, where: '', selfMs: 0, percent: 0 };
    g.selfMs += us / 1000;
    files.set(fileKey, g);
  }
  const finish = (m: Map<string, SelfTime>): SelfTime[] => [...m.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top)
    .map((s) => ({ ...s, selfMs: Math.round(s.selfMs), percent: Math.round((s.selfMs / (total / 1000)) * 1000) / 10 }));
  return { profile: file, thread: threadOf(file), totalMs: Math.round(total / 1000), functions: finish(fns), files: finish(files) };
}

/** CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile -> thread. */
function threadOf(file: string): number {
  const m = /\.(\d+)\.\d+\.cpuprofile$/.exec(path.basename(file));
  return m ? Number(m[1]) : 0;
}

/** The .cpuprofile files in a directory (one per thread of each profiled process). */
export function profilesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
}

/** Summaries of the profiles written since `before` was listed, main thread first. */
export function summariseNew(dir: string, before: readonly string[], top = 10): ProfileSummary[] {
  const seen = new Set(before);
  return profilesIn(dir).filter((f) => !seen.has(f)).map((f) => summariseProfile(f, top)).sort((a, b) => a.thread - b.thread);
}
