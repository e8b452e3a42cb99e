/**
 * Approved actions as firewall and router input: an nftables ruleset with timeout sets, an
 * iptables-restore file (one address family per file, as the tools take them), Cisco-IOS-style
 * router ACL lines with time-ranges, and a plain address list. Each action carries its expiry in
 * the target's own terms (nft element timeout, xt_time --datestop, ACL absolute end) and in a
 * comment. Pure: every value printed went through ./export-safe.ts. Examples: docs/policy.md.
 */
import { actionComment, isoSeconds, safeActions, safeName, type ExportAction, type SafeAction } from './export-safe.js';

export type ExportFormat = 'nftables' | 'iptables' | 'acl' | 'list';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['nftables', 'iptables', 'acl', 'list'];

export interface ExportOptions {
  nowUs: number;
  /** nftables table (inet family), default `snarf`. */
  table?: string;
  /** iptables chain, default `SNARF`. */
  chain?: string;
  /** iptables: which family this file is for (iptables-restore or ip6tables-restore), default 4. */
  family?: 4 | 6;
  /** ACL name, default `SNARF-BLOCK` (the IPv6 list gets a `6` suffix). */
  acl?: string;
}

export interface ExportResult {
  text: string;
  /** Actions written. */
  written: number;
  /** Proposal ids dropped: unparsable address, expired, or the other family (iptables). */
  dropped: number[];
}

const header = (what: string, c: string, nowUs: number, n: number): string[] =>
  [`${c} snarf response export (${what}), generated ${isoSeconds(nowUs)}: ${n} approved action${n === 1 ? '' : 's'}`, `${c} Only approved, unexpired actions appear. Times are UTC.`];

/** Several actions on one address print once (sets refuse duplicate elements): the latest expiry wins. */
function byAddress(actions: readonly SafeAction[]): Array<{ a: SafeAction; ids: number[] }> {
  const m = new Map<string, { a: SafeAction; ids: number[] }>();
  for (const a of actions) {
    const prev = m.get(a.addr.text);
    if (!prev) m.set(a.addr.text, { a, ids: [a.id] });
    else {
      prev.ids.push(a.id);
      if (a.expiresUs > prev.a.expiresUs) prev.a = a;
    }
  }
  return [...m.values()];
}

const isBlock = (a: SafeAction): boolean => a.action === 'block-host' || a.action === 'block-peer';

export function exportNftables(input: readonly ExportAction[], o: ExportOptions): ExportResult {
  const table = safeName('nftables table', o.table ?? 'snarf');
  const { actions, dropped } = safeActions(input, o.nowUs);
  const set = (name: string, family: 4 | 6, list: SafeAction[]): string[] => {
    const elems = byAddress(list).map(({ a }) => {
      const secs = Math.max(1, Math.ceil((a.expiresUs - o.nowUs) / 1e6));
      return `${a.addr.text} timeout ${secs}s comment "${actionComment(a, 120)}"`;
    });
    return [
      `\tset ${name} {`, `\t\ttype ${family === 4 ? 'ipv4_addr' : 'ipv6_addr'}`, '\t\tflags timeout',
      // An empty `elements = { }` is a syntax error: an empty set is declared without it.
      ...(elems.length ? [`\t\telements = {\n\t\t\t${elems.join(',\n\t\t\t')}\n\t\t}`] : []), '\t}',
    ];
  };
  const pick = (fam: 4 | 6, block: boolean): SafeAction[] => actions.filter((a) => a.addr.family === fam && isBlock(a) === block);
  const lines = [
    '#!/usr/sbin/nft -f',
    ...header('nftables', '#', o.nowUs, actions.length),
    `# Load with: nft -f FILE (replaces table inet ${table}; set timeouts remove each address at its expiry).`,
    `table inet ${table}`, `delete table inet ${table}`, `table inet ${table} {`,
    ...set('block_v4', 4, pick(4, true)), ...set('block_v6', 6, pick(6, true)),
    ...set('reset_v4', 4, pick(4, false)), ...set('reset_v6', 6, pick(6, false)),
    '\tchain forward {', '\t\ttype filter hook forward priority filter; policy accept;',
    '\t\tip saddr @block_v4 drop', '\t\tip daddr @block_v4 drop', '\t\tip6 saddr @block_v6 drop', '\t\tip6 daddr @block_v6 drop',
    '\t\tmeta l4proto tcp ip saddr @reset_v4 reject with tcp reset', '\t\tmeta l4proto tcp ip daddr @reset_v4 reject with tcp reset',
    '\t\tmeta l4proto tcp ip6 saddr @reset_v6 reject with tcp reset', '\t\tmeta l4proto tcp ip6 daddr @reset_v6 reject with tcp reset',
    '\t}', '}',
  ];
  return { text: `${lines.join('\n')}\n`, written: actions.length, dropped };
}

/** xt_time keeps 32-bit seconds: the latest stop it accepts. */
const XT_TIME_MAX_US = Date.parse('2038-01-19T03:14:07Z') * 1000;

export function exportIptables(input: readonly ExportAction[], o: ExportOptions): ExportResult {
  const chain = safeName('iptables chain', o.chain ?? 'SNARF');
  const family = o.family ?? 4;
  const safe = safeActions(input, o.nowUs);
  const actions = safe.actions.filter((a) => a.addr.family === family);
  const dropped = [...safe.dropped, ...safe.actions.filter((a) => a.addr.family !== family).map((a) => a.id)];
  const tool = family === 4 ? 'iptables' : 'ip6tables';
  const bits = family === 4 ? 32 : 128;
  const rules: string[] = [];
  for (const a of actions) {
    const stop = isoSeconds(Math.min(a.expiresUs, XT_TIME_MAX_US)).replace(/Z$/, '');
    const tail = `-m time --datestop ${stop} -m comment --comment "${actionComment(a, 200)}"`;
    const host = `${a.addr.text}/${bits}`;
    if (isBlock(a)) {
      rules.push(`-A ${chain} -s ${host} ${tail} -j DROP`, `-A ${chain} -d ${host} ${tail} -j DROP`);
    } else {
      rules.push(`-A ${chain} -p tcp -s ${host} ${tail} -j REJECT --reject-with tcp-reset`,
        `-A ${chain} -p tcp -d ${host} ${tail} -j REJECT --reject-with tcp-reset`);
    }
  }
  const lines = [
    ...header(`${tool}-restore, IPv${family}`, '#', o.nowUs, actions.length),
    `# Load with: ${tool}-restore --noflush FILE (rewrites chain ${chain} only); hook it once: ${tool} -I FORWARD -j ${chain}`,
    '# Rules stop matching at their --datestop (UTC); the next export leaves them out.',
    '*filter', `:${chain} - [0:0]`, ...rules, 'COMMIT',
  ];
  return { text: `${lines.join('\n')}\n`, written: actions.length, dropped };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** IOS time-ranges take years up to 2035. */
const IOS_MAX_US = Date.parse('2035-12-31T23:59:00Z') * 1000;

/** `hh:mm day Month year`, rounded up to the minute so that an action never ends early. */
function iosAbsolute(us: number): string {
  const d = new Date(Math.ceil(Math.min(us, IOS_MAX_US) / 60_000_000) * 60_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())} ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

export function exportAcl(input: readonly ExportAction[], o: ExportOptions): ExportResult {
  const name = safeName('ACL name', o.acl ?? 'SNARF-BLOCK', 27);
  const { actions, dropped } = safeActions(input, o.nowUs);
  const lines = [
    ...header('router ACL, Cisco IOS style', '!', o.nowUs, actions.length),
    '! The time-ranges are in UTC: the router clock must be UTC for actions to end on time.',
    '! Routers drop rather than reset: reset-list actions appear as TCP denies.',
  ];
  for (const a of actions) lines.push(`time-range SNARF-P${a.id}`, ` absolute end ${iosAbsolute(a.expiresUs)}`, '!');
  for (const fam of [4, 6] as const) {
    const list = actions.filter((a) => a.addr.family === fam);
    const [proto, any] = fam === 4 ? ['ip', 'any'] : ['ipv6', 'any'];
    lines.push(fam === 4 ? `ip access-list extended ${name}` : `ipv6 access-list ${name}6`);
    for (const a of list) {
      const tr = `time-range SNARF-P${a.id}`;
      const p = isBlock(a) ? proto : 'tcp';
      lines.push(` remark ${actionComment(a, 100)}`, ` deny ${p} host ${a.addr.text} ${any} ${tr}`, ` deny ${p} ${any} host ${a.addr.text} ${tr}`);
    }
    // Without it the list's implicit deny would cut off everything else.
    lines.push(` permit ${proto} any any`, '!');
  }
  return { text: `${lines.join('\n')}\n`, written: actions.length, dropped };
}

export function exportList(input: readonly ExportAction[], o: ExportOptions): ExportResult {
  const { actions, dropped } = safeActions(input, o.nowUs);
  const lines = [...header('address list', '#', o.nowUs, actions.length), '# address, then in a comment: expiry, proposal ids, actions'];
  for (const { a, ids } of byAddress(actions)) {
    const acts = [...new Set(actions.filter((x) => ids.includes(x.id)).map((x) => x.action))].join(',');
    lines.push(`${a.addr.text} # expires ${isoSeconds(a.expiresUs)} P${ids.join(',P')} ${acts}`);
  }
  return { text: `${lines.join('\n')}\n`, written: actions.length, dropped };
}

export function exportActions(format: ExportFormat, actions: readonly ExportAction[], o: ExportOptions): ExportResult {
  switch (format) {
    case 'nftables': return exportNftables(actions, o);
    case 'iptables': return exportIptables(actions, o);
    case 'acl': return exportAcl(actions, o);
    case 'list': return exportList(actions, o);
  }
}
