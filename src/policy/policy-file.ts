/**
 * The policy file (YAML or JSON): schema in docs/policy.md, example rules/policy.example.yaml.
 * Validated by hand, as the collector config is (src/collector/config.ts), so that every error
 * names the key path and the bad value (`registrations[2].expires: ...`) and unknown keys, the
 * usual typo, are refused instead of silently ignored: a policy that quietly allows what the
 * operator meant to ban is the worst failure this file can have.
 */
import fs from 'node:fs';
import ipaddr from 'ipaddr.js';
import { parse as parseYaml } from 'yaml';
import { SnarfError } from '../errors.js';
import { isPostgresUrl } from '../store/open.js';
import {
  FINDING_KINDS, POLICY_RULES, RESPONSE_ACTIONS,
  type FindingKind, type FindingLevel, type KindPolicy, type Policy, type PolicyRule, type ProcedureStep, type Registration, type ResponseAction,
} from './types.js';
import { KeyChecker } from '../config/key-checker.js';

const LEVELS: readonly FindingLevel[] = ['confirmed', 'likely', 'watch'];
const DAY_S = 86_400;
/** Free text in the file (owner, reason, task names) is bounded and single-line. */
const MAX_TEXT = 300;

/** The policy file that belongs to a database: `<db>.policy.yaml` beside it. */
export function policyPathFor(db: string): string {
  // A PostgreSQL URL carries a password: the policy file of a central store sits in the working
  // directory, like its state file.
  return isPostgresUrl(db) ? 'snarf.policy.yaml' : `${db}.policy.yaml`;
}

/** The shared checker (src/config/key-checker.ts) plus the policy's own value types. */
class Checker extends KeyChecker {
  text(key: string, v: unknown): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(key, `expected a non-empty string, got ${this.show(v)}`);
    const s = (v as string).trim();
    // Control characters in an owner or reason would garble every page and mail that shows it.
    if (/[\u0000-\u001f\u007f]/.test(s)) this.fail(key, 'control characters (line breaks, tabs, escapes) are not allowed');
    if (s.length > MAX_TEXT) this.fail(key, `longer than ${MAX_TEXT} characters`);
    return s;
  }

  /** `30d`, `12h`, `90m`, `2w`, `3600s` → seconds. A bare number is refused: days or seconds? */
  duration(key: string, v: unknown): number {
    const m = typeof v === 'string' ? /^(\d{1,6})\s*([smhdw])$/.exec(v.trim()) : null;
    if (!m) this.fail(key, `expected a duration such as 7d, 12h, 2w, got ${this.show(v)}`);
    const n = Number(m[1]) * { s: 1, m: 60, h: 3600, d: DAY_S, w: 7 * DAY_S }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    if (n <= 0 || n > 3650 * DAY_S) this.fail(key, `${this.show(v)} is not between 1 second and 10 years`);
    return n;
  }

  /**
   * A date (`2026-03-31`: valid through that UTC day, so the instant is the next midnight when
   * `endOfDay`) or an ISO 8601 time with zone; µs UTC. A zone-less time is refused: ambiguous.
   */
  instant(key: string, v: unknown, endOfDay: boolean): number {
    if (v instanceof Date && !Number.isNaN(v.getTime())) return v.getTime() * 1000;
    if (typeof v === 'string') {
      const s = v.trim();
      if (/^\d{4}-\d\d-\d\d$/.test(s)) {
        const ms = Date.parse(`${s}T00:00:00Z`);
        if (!Number.isNaN(ms) && new Date(ms).toISOString().startsWith(s)) return (ms + (endOfDay ? DAY_S * 1000 : 0)) * 1000;
      } else if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(s)) {
        const ms = Date.parse(s);
        if (!Number.isNaN(ms)) return ms * 1000;
      }
    }
    return this.fail(key, `expected a date YYYY-MM-DD or an ISO 8601 time with zone, got ${this.show(v)}`);
  }

  /** A host address or a network, printed canonically; host bits set in a network are refused. */
  network(key: string, v: unknown, single: boolean): string {
    if (typeof v !== 'string') this.fail(key, `expected an address${single ? '' : ' or CIDR'}, got ${this.show(v)}`);
    const s = (v as string).trim();
    try {
      if (single || !s.includes('/')) {
        const a = ipaddr.parse(s);
        if (a.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(s)) throw new Error('short form');
        const addr = a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
        return addr.kind() === 'ipv4' ? `${addr.toString()}/32` : `${(addr as ipaddr.IPv6).toRFC5952String()}/128`;
      }
      const [addr, bits] = ipaddr.parseCIDR(s);
      const net = addr.kind() === 'ipv4'
        ? ipaddr.IPv4.networkAddressFromCIDR(s).toString()
        : ipaddr.IPv6.networkAddressFromCIDR(s).toRFC5952String();
      const given = addr.kind() === 'ipv4' ? addr.toString() : (addr as ipaddr.IPv6).toRFC5952String();
      if (net !== given) this.fail(key, `${this.show(s)} has host bits set (the network is ${net}/${bits})`);
      return `${net}/${bits}`;
    } catch (err) {
      if (err instanceof SnarfError) throw err;
      return this.fail(key, `${this.show(s)} is not an IP address${single ? '' : ' or CIDR'}`);
    }
  }
}

const TOP_KEYS = ['version', 'home_nets', 'min_level', 'default_rule', 'default_duration', 'kinds', 'registrations', 'procedure'];
const KIND_KEYS = ['rule', 'min_level', 'respond', 'respond_level', 'auto_approve', 'duration'];
const REG_KEYS = ['id', 'host', 'net', 'kinds', 'owner', 'reason', 'from', 'expires'];
const PROC_KEYS = ['window_days', 'steps'];
const STEP_KEYS = ['offence', 'title', 'tasks'];

export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `cannot read the policy file: ${(err as Error).message}`, { file });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `not valid YAML/JSON: ${(err as Error).message}`, { file });
  }
  return validatePolicy(doc, file);
}

export function validatePolicy(doc: unknown, file: string): Policy {
  const c = new Checker(file);
  const top = c.object('', doc, TOP_KEYS);
  if (top.version !== undefined && top.version !== 1) c.fail('version', `${c.show(top.version)} is not a policy version this Snarf reads (1)`);
  const homeNets = top.home_nets === undefined ? [] : c.list('home_nets', top.home_nets).map((v, i) => c.network(`home_nets[${i}]`, v, false));
  const minLevel = top.min_level === undefined ? 'likely' : c.oneOf('min_level', top.min_level, LEVELS);
  const defaultRule = top.default_rule === undefined ? 'allowed' : c.oneOf('default_rule', top.default_rule, POLICY_RULES);
  const defaultDuration = top.default_duration === undefined ? 30 * DAY_S : c.duration('default_duration', top.default_duration);

  const base = (): KindPolicy => ({ rule: defaultRule, minLevel, respond: [], respondLevel: 'confirmed', autoApprove: false, durationS: defaultDuration });
  const kinds = Object.fromEntries(FINDING_KINDS.map((k) => [k, base()])) as Record<FindingKind, KindPolicy>;
  if (top.kinds !== undefined) {
    const ko = c.object('kinds', top.kinds, FINDING_KINDS);
    for (const [k, v] of Object.entries(ko)) kinds[k as FindingKind] = kindPolicy(c, `kinds.${k}`, v, base());
  }

  const registrations = top.registrations === undefined ? [] : c.list('registrations', top.registrations)
    .map((v, i) => registration(c, `registrations[${i}]`, v, i, kinds));
  const ids = new Map<string, number>();
  registrations.forEach((r, i) => {
    const prev = ids.get(r.id);
    if (prev !== undefined) c.fail(`registrations[${i}].id`, `${c.show(r.id)} is already the id of registrations[${prev}]`);
    ids.set(r.id, i);
  });

  return { file, homeNets, kinds, registrations, procedure: procedure(c, top.procedure) };
}

function kindPolicy(c: Checker, key: string, v: unknown, k: KindPolicy): KindPolicy {
  // Shorthand `winny: banned` for a rule with the defaults.
  if (typeof v === 'string') return { ...k, rule: c.oneOf(key, v, POLICY_RULES) };
  const o = c.object(key, v, KIND_KEYS);
  if (o.rule === undefined) c.fail(`${key}.rule`, 'required key is missing');
  const rule: PolicyRule = c.oneOf(`${key}.rule`, o.rule, POLICY_RULES);
  const respond: ResponseAction[] = o.respond === undefined ? []
    : (typeof o.respond === 'string' ? [o.respond] : c.list(`${key}.respond`, o.respond))
      .map((a, i) => c.oneOf(`${key}.respond[${i}]`, a, RESPONSE_ACTIONS));
  if (rule === 'allowed' && respond.length) c.fail(`${key}.respond`, 'an allowed kind is never a violation, so it can have no response');
  return {
    rule,
    minLevel: o.min_level === undefined ? k.minLevel : c.oneOf(`${key}.min_level`, o.min_level, LEVELS),
    respond: [...new Set(respond)],
    respondLevel: o.respond_level === undefined ? k.respondLevel : c.oneOf(`${key}.respond_level`, o.respond_level, LEVELS),
    autoApprove: o.auto_approve === undefined ? false : c.bool(`${key}.auto_approve`, o.auto_approve),
    durationS: o.duration === undefined ? k.durationS : c.duration(`${key}.duration`, o.duration),
  };
}

function registration(c: Checker, key: string, v: unknown, i: number, kinds: Record<FindingKind, KindPolicy>): Registration {
  const o = c.object(key, v, REG_KEYS);
  if ((o.host === undefined) === (o.net === undefined)) c.fail(key, 'give exactly one of host (an address) or net (a CIDR)');
  const net = o.host !== undefined ? c.network(`${key}.host`, o.host, true) : c.network(`${key}.net`, o.net, false);
  if (o.kinds === undefined) c.fail(`${key}.kinds`, 'required key is missing (the kinds of finding this registration allows)');
  const list = c.list(`${key}.kinds`, o.kinds);
  if (!list.length) c.fail(`${key}.kinds`, 'expected at least one kind');
  const regKinds = list.map((k, j) => c.oneOf(`${key}.kinds[${j}]`, k, FINDING_KINDS));
  regKinds.forEach((k, j) => {
    // Banned means banned: an exception for it would be a second, hidden policy.
    if (kinds[k].rule === 'banned') c.fail(`${key}.kinds[${j}]`, `${k} is banned by this policy; a registration cannot allow it`);
  });
  for (const req of ['owner', 'reason', 'expires']) if (o[req] === undefined) c.fail(`${key}.${req}`, 'required key is missing');
  const id = o.id === undefined ? `reg-${i + 1}` : c.text(`${key}.id`, o.id);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) c.fail(`${key}.id`, `${c.show(id)}: use letters, digits, dot, dash and underscore`);
  const fromUs = o.from === undefined ? null : c.instant(`${key}.from`, o.from, false);
  const expiresUs = c.instant(`${key}.expires`, o.expires, true);
  if (fromUs !== null && fromUs >= expiresUs) c.fail(`${key}.expires`, 'is not after from');
  return { id, net, kinds: [...new Set(regKinds)], owner: c.text(`${key}.owner`, o.owner), reason: c.text(`${key}.reason`, o.reason), fromUs, expiresUs };
}

/** Default procedure: the one the campus runs (first offence: pledge; second: suspension). */
export const DEFAULT_STEPS: readonly ProcedureStep[] = [
  { offence: 1, title: 'First offence', tasks: ['traffic analysis', 'copyright check', 'inspect the PC with the supervisor present', 'written pledge'] },
  { offence: 2, title: 'Second offence', tasks: ['traffic analysis', 'account suspension'] },
];

function procedure(c: Checker, v: unknown): Policy['procedure'] {
  if (v === undefined) return { windowDays: 365, steps: DEFAULT_STEPS.map((s) => ({ ...s, tasks: [...s.tasks] })) };
  const o = c.object('procedure', v, PROC_KEYS);
  const windowDays = o.window_days === undefined ? 365 : c.int('procedure.window_days', o.window_days, 1, 36500);
  const steps = o.steps === undefined ? DEFAULT_STEPS.map((s) => ({ ...s, tasks: [...s.tasks] })) : c.list('procedure.steps', o.steps).map((sv, i): ProcedureStep => {
    const key = `procedure.steps[${i}]`;
    const so = c.object(key, sv, STEP_KEYS);
    const offence = c.int(`${key}.offence`, so.offence, 1, 100);
    if (offence !== i + 1) c.fail(`${key}.offence`, `steps are listed in order: expected ${i + 1}, got ${offence}`);
    const tasks = so.tasks === undefined ? [] : c.list(`${key}.tasks`, so.tasks).map((t, j) => c.text(`${key}.tasks[${j}]`, t));
    return { offence, title: so.title === undefined ? `Offence ${offence}` : c.text(`${key}.title`, so.title), tasks };
  });
  if (!steps.length) c.fail('procedure.steps', 'expected at least one step');
  return { windowDays, steps };
}
