/**
 * Strict line grammars for the exported files, used to parse exports back: every line must be
 * one the exporter is allowed to write, so any data that escaped its quoting shows up as a line
 * no grammar accepts. Also runs Debian's own checkers (nft -c, iptables-restore --test) when
 * they can run here: as root, or unprivileged in a user + network namespace (`unshare -rn`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SAFE = '[A-Za-z0-9 ._:@+=,-]*';
const V4 = '(?:\\d{1,3}\\.){3}\\d{1,3}';
const V6 = '[0-9a-f:]+(?:\\.\\d+\\.\\d+\\.\\d+)?';
const ADDR = `(?:${V4}|${V6})`;

export interface Parsed { [set: string]: Array<{ addr: string; extra: string }> }

function fail(fmt: string, n: number, line: string): never {
  throw new Error(`${fmt} line ${n + 1} is not in the grammar: ${JSON.stringify(line)}`);
}

export function parseNft(text: string): Parsed {
  const out: Parsed = {};
  let set: string | null = null;
  const fixed = new Set(['#!/usr/sbin/nft -f', '\t\tflags timeout', '\t\t}', '\t}', '}', '\tchain forward {',
    '\t\ttype filter hook forward priority filter; policy accept;', '\t\tip saddr @block_v4 drop', '\t\tip daddr @block_v4 drop',
    '\t\tip6 saddr @block_v6 drop', '\t\tip6 daddr @block_v6 drop',
    '\t\tmeta l4proto tcp ip saddr @reset_v4 reject with tcp reset', '\t\tmeta l4proto tcp ip daddr @reset_v4 reject with tcp reset',
    '\t\tmeta l4proto tcp ip6 saddr @reset_v6 reject with tcp reset', '\t\tmeta l4proto tcp ip6 daddr @reset_v6 reject with tcp reset', '\t\telements = {']);
  text.replace(/\n$/, '').split('\n').forEach((line, n) => {
    let m: RegExpExecArray | null;
    if (fixed.has(line) || /^# [\x20-\x7e]*$/.test(line) || /^(delete )?table inet [A-Za-z][\w-]*( \{)?$/.test(line) || /^\t\ttype ipv[46]_addr$/.test(line)) return;
    if ((m = /^\tset ((?:block|reset)_v[46]) \{$/.exec(line))) { set = m[1]!; out[set] = []; return; }
    if ((m = new RegExp(`^\\t\\t\\t(${ADDR}) timeout (\\d+)s comment "(${SAFE})",?$`).exec(line)) && set) { out[set]!.push({ addr: m[1]!, extra: `${m[2]} ${m[3]}` }); return; }
    fail('nftables', n, line);
  });
  return out;
}

export function parseIptables(text: string, chain = 'SNARF'): Parsed {
  const out: Parsed = { DROP: [], RESET: [] };
  text.replace(/\n$/, '').split('\n').forEach((line, n) => {
    if (/^# [\x20-\x7e]*$/.test(line) || line === '*filter' || line === 'COMMIT' || line === `:${chain} - [0:0]`) return;
    const m = new RegExp(`^-A ${chain} (-p tcp )?-[sd] (${ADDR})/(32|128) -m time --datestop (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d) -m comment --comment "(${SAFE})" -j (DROP|REJECT --reject-with tcp-reset)$`).exec(line);
    if (!m) fail('iptables', n, line);
    out[m[6] === 'DROP' ? 'DROP' : 'RESET']!.push({ addr: m[2]!, extra: `${m[4]} ${m[5]}` });
  });
  return out;
}

export function parseAcl(text: string, name = 'SNARF-BLOCK'): Parsed {
  const out: Parsed = {};
  let acl = '';
  text.replace(/\n$/, '').split('\n').forEach((line, n) => {
    let m: RegExpExecArray | null;
    if (/^! [\x20-\x7e]*$/.test(line) || line === '!' || /^time-range SNARF-P\d+$/.test(line) || line === ' permit ip any any' || line === ' permit ipv6 any any') return;
    if (/^ absolute end \d\d:\d\d \d\d (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}$/.test(line)) return;
    if (line === `ip access-list extended ${name}` || line === `ipv6 access-list ${name}6`) { acl = line; out[acl] = []; return; }
    if (new RegExp(`^ remark ${SAFE}$`).test(line) && line.length <= 108) return;
    if ((m = new RegExp(`^ deny (ip|ipv6|tcp) (?:host (${ADDR}) any|any host (${ADDR})) time-range SNARF-P(\\d+)$`).exec(line)) && acl) {
      out[acl]!.push({ addr: (m[2] ?? m[3])!, extra: `${m[1]} P${m[4]}` });
      return;
    }
    fail('acl', n, line);
  });
  return out;
}

export function parseList(text: string): Parsed {
  const out: Parsed = { list: [] };
  text.replace(/\n$/, '').split('\n').forEach((line, n) => {
    if (/^# [\x20-\x7e]*$/.test(line)) return;
    const m = new RegExp(`^(${ADDR}) # expires (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ) (P\\d+(?:,P\\d+)*) ([a-z,-]+)$`).exec(line);
    if (!m) fail('list', n, line);
    out.list!.push({ addr: m[1]!, extra: `${m[2]} ${m[3]} ${m[4]}` });
  });
  return out;
}

/** Debian puts nft and iptables-restore in /usr/sbin, often not on a normal user's PATH. */
export function bin(name: string): string {
  for (const d of ['/usr/sbin', '/sbin', '/usr/bin']) if (fs.existsSync(path.join(d, name))) return path.join(d, name);
  return name;
}

export interface ToolResult { ran: boolean; ok: boolean; output: string; why?: string }

/** Runs a syntax checker on `text`: directly as root, else in `unshare -rn`; ran=false when neither works. */
export function syntaxCheck(argv: string[], text: string, probe: string): ToolResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snarf-export-'));
  const file = path.join(dir, 'export.txt');
  const probeFile = path.join(dir, 'probe.txt');
  fs.writeFileSync(file, text);
  fs.writeFileSync(probeFile, probe);
  const runners: string[][] = process.getuid?.() === 0 ? [[], ['unshare', '-rn']] : [['unshare', '-rn']];
  let why = `${argv[0]} not found`;
  for (const pre of runners) {
    // A known-good file first: if it fails, the tool cannot run here (privileges, kernel), not our text.
    const cmd = [...pre, ...argv];
    const p = spawnSync(cmd[0]!, [...cmd.slice(1), probeFile], { encoding: 'utf8' });
    if (p.error || p.status !== 0) {
      why = `${cmd.join(' ')} cannot run here: ${(p.error?.message ?? p.stderr ?? '').trim().split('\n')[0]}`;
      continue;
    }
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), file], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    return { ran: true, ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { ran: false, ok: false, output: '', why };
}
