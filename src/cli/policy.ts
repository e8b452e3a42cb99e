/**
 * `snarf policy check|status|validate`: the campus policy (docs/policy.md) applied to what the
 * store knows. `check --json` lists the violations; registered hosts show as registered.
 * The policy file defaults to `<db>.policy.yaml` (--policy to choose another).
 * The policy code, YAML parser and store are imported when a command runs (see main.ts).
 */
import fs from 'node:fs';
import { Command } from 'commander';
import { SnarfError } from '../errors.js';
import type { PolicyFinding } from '../policy/findings.js';
import type { Judgement } from '../policy/evaluate.js';
import { FINDING_KINDS, type Policy } from '../policy/types.js';
import type { PolicyRunOptions } from '../response/service.js';
import { canonicalIp } from '../model/ip.js';
import { parseCidr, parseInstant } from './flow-options.js';
import { collect, DEFAULT_DB, isoMicros } from './options.js';

export interface FindingCliOptions {
  db: string;
  policy?: string;
  homeNet?: string[];
  since?: number;
  until?: number;
  findings?: string[];
  verdicts: boolean;
  bots: boolean;
  json?: boolean;
}

export const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, '?');

/** Options every command that judges findings shares (policy check, response propose). */
export function addFindingOptions(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--policy <file>', 'policy file (default: <db>.policy.yaml)')
    .option('--home-net <cidr>', 'internal networks (repeatable; default: the policy\'s, then the store\'s)', parseCidr)
    .option('--since <time>', 'only evidence from this time on (YYYY-MM-DD or ISO 8601)', parseInstant)
    .option('--until <time>', 'only evidence before this time', parseInstant)
    .option('--findings <file>', 'more findings as JSON: `snarf clusters --json`, `snarf anomalies --json` output or policy findings (repeatable)', collect)
    .option('--no-verdicts', 'do not read P2P verdicts from the store')
    .option('--no-bots', 'do not read IRC-bot clusters and anomalies (spam bots, sweeps, scans) from the store')
    .option('--json', 'machine-readable output');
}

export async function policyFor(o: { db: string; policy?: string }): Promise<Policy> {
  const { loadPolicy, policyPathFor } = await import('../policy/policy-file.js');
  const file = o.policy ?? policyPathFor(o.db);
  if (!o.policy && !fs.existsSync(file)) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `no policy file: write ${file} (see rules/policy.example.yaml) or pass --policy FILE`);
  }
  return loadPolicy(file);
}

export async function runOptions(o: FindingCliOptions): Promise<PolicyRunOptions> {
  const extra: PolicyFinding[] = [];
  for (const file of o.findings ?? []) {
    const { parse: parseYaml } = await import('yaml');
    const { findingsFromJson } = await import('../policy/findings.js');
    let doc: unknown;
    try {
      doc = parseYaml(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new SnarfError('SNARF_CONFIG_INVALID', `cannot read findings: ${(err as Error).message}`, { file });
    }
    const { findings, ignored } = findingsFromJson(doc, file);
    if (ignored) process.stderr.write(`snarf: ${clean(file)}: ${ignored} item(s) not recognised as findings, ignored\n`);
    extra.push(...findings);
  }
  const window = { homeNets: o.homeNet, sinceUs: o.since, untilUs: o.until };
  return { verdicts: o.verdicts ? window : false, bots: o.bots ? window : false, extraFindings: extra };
}

function counts(js: readonly Judgement[]): Record<string, number> {
  const c: Record<string, number> = { violation: 0, registered: 0, 'below-threshold': 0, allowed: 0 };
  for (const j of js) c[j.status]!++;
  return c;
}

function line(j: Judgement): string {
  const f = j.finding;
  return `${f.host}  ${j.status}  ${f.kind} (${f.level}${f.peer ? `, peer ${f.peer}` : ''})  ${isoMicros(f.firstUs)} .. ${isoMicros(f.lastUs)}\n  ${clean(j.why)}`;
}

export function policyCommand(): Command {
  const cmd = new Command('policy').description('the campus policy: what is allowed, banned or needs registration, and who is registered');

  cmd.addCommand(addFindingOptions(new Command('check'))
    .description('judge every finding against the policy; lists the violations (--all: every finding)')
    .option('--all', 'also list registered, allowed and below-threshold findings')
    .action(async (o: FindingCliOptions & { all?: boolean }) => {
      const policy = await policyFor(o);
      const { openStore } = await import('../store/open.js');
      const { checkPolicy } = await import('../response/service.js');
      const { judgementJson } = await import('../policy/evaluate.js');
      const store = await openStore(o.db, { mustExist: true });
      try {
        const js = await checkPolicy(store, policy, await runOptions(o));
        const shown = o.all ? js : js.filter((j) => j.status === 'violation');
        if (o.json) {
          process.stdout.write(`${JSON.stringify({
            db: store.location, policy: policy.file, at: isoMicros(Date.now() * 1000), counts: counts(js),
            violations: js.filter((j) => j.status === 'violation').map(judgementJson),
            ...(o.all ? { findings: js.map(judgementJson) } : {}),
          }, null, 2)}\n`);
          return;
        }
        const c = counts(js);
        process.stdout.write(`${shown.map(line).join('\n')}${shown.length ? '\n' : ''}` +
          `${c.violation} violation(s), ${c.registered} registered, ${c['below-threshold']} below threshold, ${c.allowed} allowed\n`);
      } finally {
        await store.close();
      }
    }));

  cmd.addCommand(addFindingOptions(new Command('status'))
    .description('what the policy says about one host: violation, registered, watch, allowed or none, with its registrations')
    .argument('<host>', 'IP address')
    .action(async (host: string, o: FindingCliOptions) => {
      const h = canonicalIp(host);
      if (!h) throw new SnarfError('SNARF_CONFIG_INVALID', `"${clean(host).slice(0, 60)}" is not an IP address`);
      const policy = await policyFor(o);
      const { openStore } = await import('../store/open.js');
      const { checkPolicy } = await import('../response/service.js');
      const { hostPolicyStatus, judgementJson, registrationJson } = await import('../policy/evaluate.js');
      const store = await openStore(o.db, { mustExist: true });
      try {
        const now = Date.now() * 1000;
        const st = hostPolicyStatus(policy, h, await checkPolicy(store, policy, await runOptions(o)), now);
        if (o.json) {
          process.stdout.write(`${JSON.stringify({
            host: h, state: st.state, findings: st.judgements.map(judgementJson), registrations: st.registrations.map((r) => registrationJson(r.registration, now)),
          }, null, 2)}\n`);
          return;
        }
        const out = [`${h}  ${st.state}`, ...st.judgements.map(line)];
        for (const r of st.registrations) {
          out.push(`  registration ${r.registration.id} (${r.active ? 'active' : 'not active'}): ${r.registration.kinds.join(',')} for ${clean(r.registration.owner)}` +
            ` until ${isoMicros(r.registration.expiresUs)}: ${clean(r.registration.reason)}`);
        }
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        await store.close();
      }
    }));

  cmd.addCommand(new Command('validate')
    .description('check a policy file and print what it says')
    .option('--db <path>', 'SQLite database path (for the default policy file)', DEFAULT_DB)
    .option('--policy <file>', 'policy file (default: <db>.policy.yaml)')
    .option('--json', 'machine-readable output')
    .action(async (o: { db: string; policy?: string; json?: boolean }) => {
      const p = await policyFor(o);
      const { registrationJson } = await import('../policy/evaluate.js');
      const now = Date.now() * 1000;
      const kinds = Object.fromEntries(FINDING_KINDS.map((k) => {
        const kp = p.kinds[k];
        return [k, { rule: kp.rule, minLevel: kp.minLevel, respond: kp.respond, respondLevel: kp.respondLevel, autoApprove: kp.autoApprove, durationSeconds: kp.durationS }];
      }));
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ policy: p.file, homeNets: p.homeNets, kinds, registrations: p.registrations.map((r) => registrationJson(r, now)), procedure: p.procedure }, null, 2)}\n`);
        return;
      }
      const out = [`${p.file}: valid`];
      for (const k of FINDING_KINDS) {
        const kp = p.kinds[k];
        out.push(`  ${k.padEnd(11)} ${kp.rule}${kp.respond.length ? `  respond ${kp.respond.join(',')} at ${kp.respondLevel}${kp.autoApprove ? ' (auto-approved)' : ''}` : ''}`);
      }
      for (const r of p.registrations) {
        const active = (r.fromUs === null || r.fromUs <= now) && now < r.expiresUs;
        out.push(`  registration ${r.id}: ${r.net} ${r.kinds.join(',')} until ${isoMicros(r.expiresUs)}${active ? '' : ' (not active)'}`);
      }
      process.stdout.write(`${out.join('\n')}\n`);
    }));
  return cmd;
}
