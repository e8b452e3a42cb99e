/**
 * IRC lines out of a packet payload, and what a bot hunter reads in them: nicks (and their
 * pattern, `[JPN|XP|nnnnnn]`), channels and keys, bot commands (`!scan`, `!ddos.syn`, ...)
 * and bot status replies (`[SCAN]: ...`), the commanding nick!user@host, server names.
 *
 * The payload is attacker-controlled. Bounded throughout: at most MAX_BYTES examined, MAX_LINES
 * lines, MAX_LINE characters per line, MAX_PARAMS parameters; no length in the data is used to
 * size anything. Every string handed out has been through safeText (printable ASCII, `\xNN`).
 */
import { latin1, safeText, sniffProtocol } from './packet-payload.js';

export const MAX_BYTES = 8192;
export const MAX_LINES = 64;
export const MAX_LINE = 512;
const MAX_PARAMS = 15;

export interface IrcLine {
  /** `nick!user@host` or a server name, without the colon; null when the line has none. */
  prefix: string | null;
  /** Upper-case command or three-digit numeric. */
  command: string;
  params: string[];
}

const COMMAND = /^([A-Za-z]{2,16}|\d{3})$/;

/** Parses the payload as IRC lines; [] unless it sniffs as IRC (see packet-payload.ts). */
export function parseIrcLines(payload: Uint8Array): IrcLine[] {
  if (sniffProtocol(payload) !== 'irc') return [];
  const text = latin1(payload, MAX_BYTES);
  const out: IrcLine[] = [];
  let start = 0;
  while (start < text.length && out.length < MAX_LINES) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.slice(start, Math.min(end, start + MAX_LINE)).replace(/\r$/, '');
    start = end + 1;
    const line = parseLine(raw);
    if (line) out.push(line);
  }
  return out;
}

/** RFC 1459/2812 message syntax: [':' prefix SPACE] command params [SPACE ':' trailing]. */
export function parseLine(raw: string): IrcLine | null {
  let rest = raw;
  let prefix: string | null = null;
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    if (sp < 2) return null;
    prefix = rest.slice(1, sp);
    rest = rest.slice(sp + 1);
  }
  rest = rest.replace(/^ +/, '');
  const sp = rest.indexOf(' ');
  const command = (sp === -1 ? rest : rest.slice(0, sp)).toUpperCase();
  if (!COMMAND.test(command)) return null;
  const params: string[] = [];
  let p = sp === -1 ? '' : rest.slice(sp + 1);
  while (p.length > 0 && params.length < MAX_PARAMS) {
    if (p.startsWith(':')) { params.push(p.slice(1)); break; }
    const s = p.indexOf(' ');
    if (s === -1) { params.push(p); break; }
    if (s > 0) params.push(p.slice(0, s));
    p = p.slice(s + 1);
  }
  return { prefix, command, params };
}

// --- bot vocabulary ------------------------------------------------------------------------------

/**
 * Verbs of the common IRC bot families (Agobot/Phatbot, SDBot, rBot, SpyBot, GTbot, Kaiten):
 * a channel message `!verb`, `.verb` or `@verb` (optionally `.sub`) with one of these is a bot
 * command. Chat bots (Eggdrop `!seen`, `!help`) use other words and are not counted.
 */
const BOT_VERBS = new Set([
  'scan', 'advscan', 'ascan', 'scanall', 'scanstop', 'scanstats', 'ddos', 'syn', 'synflood', 'udp', 'udpflood', 'tcp', 'tcpflood',
  'ping', 'pingflood', 'icmp', 'http', 'httpflood', 'flood', 'smurf', 'stop', 'download', 'dl', 'update', 'upd', 'exec', 'execute',
  'run', 'open', 'spread', 'sysinfo', 'netinfo', 'info', 'visit', 'socks', 'socks4', 'socks5', 'proxy', 'redirect', 'kill', 'killproc',
  'killthread', 'threads', 'die', 'remove', 'uninstall', 'rm', 'login', 'logout', 'keylog', 'cdkey', 'getcdkeys', 'sniff', 'clone',
  'clones', 'spam', 'email', 'dns', 'pstore', 'capture', 'reconnect', 'disconnect', 'raw', 'cmd', 'shell', 'portscan', 'killall',
]);

export interface BotCommand {
  /** `!ddos.syn` */
  verb: string;
  /** The whole command line (safe text). */
  text: string;
}

const COMMAND_TEXT = /^[!.@$~]([A-Za-z][A-Za-z0-9_]{0,23})(\.[A-Za-z0-9_]{1,16})?(\s|$)/;

export function botCommand(text: string): BotCommand | null {
  const m = COMMAND_TEXT.exec(text);
  if (!m || !BOT_VERBS.has(m[1]!.toLowerCase())) return null;
  return { verb: safeText(`${text[0]}${m[1]!.toLowerCase()}${(m[2] ?? '').toLowerCase()}`, 48), text: safeText(text, 160) };
}

/** `[SCAN]: Random Port Scan started ...` → `[SCAN]`: the status line bots print to their channel. */
export function botReply(text: string): string | null {
  const m = /^\[([A-Za-z0-9 _.-]{2,12})\]\s?:/.exec(text);
  return m ? safeText(`[${m[1]!}]`, 16) : null;
}

/**
 * Bot-style nick: country/OS/id segments joined by `|` and ending in a run of digits, the
 * generated nicks of the Agobot/SDBot families: `[JPN|XP|293060]`, `DEU|01234`, `[00|USA|XP|SP2|4123]`.
 */
const BOT_NICK = /^[[{(]?[A-Za-z0-9]{2,5}(\|[A-Za-z0-9]{1,6}){0,4}\|?\d{3,}[\]})]?$/;

export function isBotNick(nick: string): boolean {
  return nick.includes('|') && BOT_NICK.test(nick);
}

/** Nick with each run of 3+ digits written as that many `n`: `[JPN|XP|293060]` → `[JPN|XP|nnnnnn]`. */
export function nickPattern(nick: string): string {
  return safeText(nick.replace(/\d{3,}/g, (d) => 'n'.repeat(Math.min(d.length, 16))), 64);
}

// --- facts ---------------------------------------------------------------------------------------

export interface IrcFacts {
  /**
   * Who sent these lines: the server's lines carry a prefix; a client sends NICK, USER, JOIN,
   * PRIVMSG... without one. A lone prefix-less PING (servers send those too) says nothing.
   */
  sender: 'server' | 'client' | 'unknown';
  nicks: string[];
  /** USER ident and real name. */
  idents: string[];
  channels: Array<{ name: string; key: string | null }>;
  commands: BotCommand[];
  replies: string[];
  /** nick!user@host of whoever sent channel messages that were relayed by the server. */
  senders: string[];
  /** Server names from PING/PONG and numeric replies. */
  serverNames: string[];
  lines: number;
}

const isChannel = (t: string): boolean => /^[#&+!][^\s,\x07]{1,49}$/.test(t);

/** What a run of lines from one packet says (all strings safe, duplicates removed). */
export function ircFacts(lines: IrcLine[]): IrcFacts {
  const nicks = new Set<string>();
  const idents = new Set<string>();
  const channels = new Map<string, string | null>();
  const commands = new Map<string, BotCommand>();
  const replies = new Set<string>();
  const senders = new Set<string>();
  const serverNames = new Set<string>();
  let prefixed = 0;
  let clientLines = 0;
  const addChannel = (name: string, key: string | null): void => {
    if (!isChannel(name) || channels.size >= 16) return;
    const k = safeText(name, 64);
    if (!channels.has(k) || key !== null) channels.set(k, key === null ? (channels.get(k) ?? null) : safeText(key, 64));
  };
  for (const l of lines) {
    if (l.prefix !== null) prefixed++;
    else if (l.command !== 'PING' && !/^\d{3}$/.test(l.command)) clientLines++;
    if (/^\d{3}$/.test(l.command) && l.prefix && !l.prefix.includes('!') && serverNames.size < 8) serverNames.add(safeText(l.prefix, 96));
    const p = l.params;
    switch (l.command) {
      case 'NICK':
        if (l.prefix === null && p[0]) nicks.add(safeText(p[0], 64));
        break;
      case 'USER':
        if (p[0]) idents.add(safeText(p.length >= 4 ? `${p[0]} :${p[p.length - 1]}` : p[0], 96));
        break;
      case 'JOIN': {
        const names = (p[0] ?? '').split(',').slice(0, 8);
        const keys = (p[1] ?? '').split(',');
        names.forEach((n, i) => addChannel(n, keys[i] ? keys[i]! : null));
        break;
      }
      case 'PRIVMSG': case 'NOTICE': case 'TOPIC': case '332': {
        // 332 (RPL_TOPIC) is `me #chan :topic`: bots read commands from channel topics.
        const target = l.command === '332' ? p[1] : p[0];
        const text = p[p.length - 1] ?? '';
        if (target) addChannel(target, null);
        const cmd = p.length >= 2 ? botCommand(text) : null;
        if (cmd && commands.size < 32) commands.set(cmd.text, cmd);
        const rep = p.length >= 2 ? botReply(text) : null;
        if (rep) replies.add(rep);
        if (l.prefix?.includes('!') && (l.command === 'PRIVMSG' || l.command === 'TOPIC')) senders.add(safeText(l.prefix, 128));
        break;
      }
      case 'PING': case 'PONG':
        if (l.prefix === null && p[0]) serverNames.add(safeText(p[0], 96));
        break;
    }
  }
  return {
    sender: prefixed > 0 ? 'server' : clientLines > 0 ? 'client' : 'unknown',
    nicks: [...nicks].slice(0, 16),
    idents: [...idents].slice(0, 16),
    channels: [...channels].map(([name, key]) => ({ name, key })),
    commands: [...commands.values()],
    replies: [...replies].slice(0, 16),
    senders: [...senders].slice(0, 16),
    serverNames: [...serverNames].slice(0, 8),
    lines: lines.length,
  };
}
