/**
 * Seeded generator of large alert_fast / alert_full files shaped like real Snort 2.9 output:
 * a campus of a few thousand hosts, a few dozen signatures with skewed frequencies, TCP, UDP
 * and ICMP, IPv4 and some IPv6, timestamps advancing over days.
 */
import fs from 'node:fs';
import { rng } from './rng.js';

interface Sig {
  gid: number; sid: number; rev: number; msg: string; cls: string; pri: number; proto: 'TCP' | 'UDP' | 'ICMP'; xref: string;
}

const SIGS: Sig[] = [
  { gid: 1, sid: 1000001, rev: 2, msg: 'P2P BitTorrent peer handshake', cls: 'Potential Corporate Privacy Violation', pri: 1, proto: 'TCP', xref: '[Xref => http://www.bittorrent.org/beps/bep_0003.html]' },
  { gid: 1, sid: 1000020, rev: 1, msg: 'P2P Winny-like session start (lab pattern)', cls: 'Potential Corporate Privacy Violation', pri: 1, proto: 'TCP', xref: '[Xref => http://en.wikipedia.org/wiki/Winny]' },
  { gid: 1, sid: 1000032, rev: 1, msg: 'BOT IRC bot-style nickname', cls: 'A Network Trojan was detected', pri: 1, proto: 'TCP', xref: '[Xref => http://www.honeynet.org/papers/bots]' },
  { gid: 1, sid: 1000051, rev: 1, msg: 'ICMP PING sweep from internal host', cls: 'Attempted Information Leak', pri: 2, proto: 'ICMP', xref: '' },
  { gid: 1, sid: 1000061, rev: 1, msg: 'SCAN MS-SQL ping probe', cls: 'Attempted Information Leak', pri: 2, proto: 'UDP', xref: '[Xref => http://cve.mitre.org/cgi-bin/cvename.cgi?name=2002-0649][Xref => http://www.securityfocus.com/bid/5310]' },
  { gid: 119, sid: 31, rev: 1, msg: '(http_inspect) UNKNOWN METHOD', cls: 'Unknown Traffic', pri: 3, proto: 'TCP', xref: '' },
  { gid: 1, sid: 1000070, rev: 1, msg: 'WEB-MISC robots.txt access', cls: 'access to a potentially vulnerable web application', pri: 2, proto: 'TCP', xref: '[Xref => http://cgi.nessus.org/plugins/dump.php3?id=10302]' },
  { gid: 1, sid: 1000043, rev: 1, msg: 'POLICY SMTP session from internal non-mail-server host', cls: 'Potential Corporate Privacy Violation', pri: 1, proto: 'TCP', xref: '' },
];
for (let i = 0; i < 40; i++) {
  SIGS.push({ gid: 1, sid: 2000000 + i, rev: 1 + (i % 3), msg: `ET POLICY generated signature ${i}`, cls: 'Misc activity', pri: 3, proto: i % 2 ? 'UDP' : 'TCP', xref: '' });
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export interface GenOptions {
  alerts: number;
  seed?: number;
  format: 'fast' | 'full';
}

/** Writes the file and returns its size in bytes. Streams in blocks: memory stays flat. */
export async function writeSnortText(path: string, opts: GenOptions): Promise<number> {
  const r = rng(opts.seed ?? 42);
  const out = fs.createWriteStream(path);
  let t = Date.UTC(2026, 10, 1) * 1000;
  let buf: string[] = [];
  let bytes = 0;
  const hosts = 4000;
  const ip = (n: number): string => `163.221.${(n >> 8) & 0xff}.${n & 0xff}`;
  const ext = (n: number): string => `198.51.${(n >> 8) & 0xff}.${n & 0xff}`;
  for (let i = 0; i < opts.alerts; i++) {
    t += Math.floor(r() * 400_000);
    const d = new Date(Math.floor(t / 1000));
    const ts = `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}-${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(t % 1_000_000, 6)}`;
    const sig = SIGS[Math.floor(Math.pow(r(), 2.5) * SIGS.length)]!;
    const v6 = r() < 0.05;
    const src = v6 ? `2001:db8:a3dd:10::${Math.floor(r() * 4096).toString(16)}` : ip(Math.floor(Math.pow(r(), 2) * hosts));
    const dst = v6 ? `2001:db8:beef::${Math.floor(r() * 4096).toString(16)}` : ext(Math.floor(r() * 60000));
    const ports = sig.proto !== 'ICMP';
    const sp = 1024 + Math.floor(r() * 60000);
    const dp = [80, 443, 6881, 6667, 25, 1434][Math.floor(r() * 6)]!;
    const s = ports ? `${src}:${sp}` : src;
    const dd = ports ? `${dst}:${dp}` : dst;
    const proto = v6 && sig.proto === 'ICMP' ? 'IPV6-ICMP' : sig.proto;
    let rec: string;
    if (opts.format === 'fast') {
      rec = `${ts}  [**] [${sig.gid}:${sig.sid}:${sig.rev}] ${sig.msg} [**] [Classification: ${sig.cls}] [Priority: ${sig.pri}] {${proto}} ${s} -> ${dd}\n`;
    } else {
      const id = Math.floor(r() * 65535);
      let l4: string;
      if (sig.proto === 'TCP') {
        l4 = `***AP*** Seq: 0x${Math.floor(r() * 0xffffffff).toString(16).toUpperCase()}  Ack: 0x${Math.floor(r() * 0xffffffff).toString(16).toUpperCase()}  Win: 0xFAF0  TcpLen: 20\n`;
      } else if (sig.proto === 'UDP') {
        l4 = `Len: ${Math.floor(r() * 500)}\n`;
      } else {
        l4 = `Type:8  Code:0  ID:${id}   Seq:${i & 0xffff}  ECHO\n`;
      }
      rec = `[**] [${sig.gid}:${sig.sid}:${sig.rev}] ${sig.msg} [**]\n[Classification: ${sig.cls}] [Priority: ${sig.pri}] \n` +
        `${ts} ${s} -> ${dd}\n${proto} TTL:64 TOS:0x0 ID:${id} IpLen:20 DgmLen:${40 + Math.floor(r() * 1400)}\n${l4}` +
        `${sig.xref ? `${sig.xref}\n` : ''}\n`;
    }
    buf.push(rec);
    bytes += Buffer.byteLength(rec);
    if (buf.length >= 2000) {
      if (!out.write(buf.join(''))) await new Promise<void>((res) => out.once('drain', () => res()));
      buf = [];
    }
  }
  out.write(buf.join(''));
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  return bytes;
}
