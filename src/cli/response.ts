/**
 * `snarf response ...`: proposals the policy makes (propose, list, show), the operator's
 * decisions (approve, reject, revoke; each recorded with who and when), exports of approved
 * actions for firewalls and routers, and each host's incident history (history, note, task, close).
 * The response service and the store are imported when a command runs (see main.ts);
 * response/exporters.js is light and names the formats the options show.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { Store } from '../store/store.js';
import { SnarfError } from '../errors.js';
import { canonicalIp } from '../model/ip.js';
import { RESPONSE_ACTIONS, type ResponseAction } from '../policy/types.js';
import { EXPORT_FORMATS, type ExportFormat } from '../response/exporters.js';
import type { ProposalStatus } from '../response/types.js';
import { addFindingOptions, clean, policyFor, runOptions, type FindingCliOptions } from './policy.js';
import { parseInstant } from './flow-options.js';
import { DEFAULT_DB, isoMicros } from './options.js';

const STATUSES: readonly ProposalStatus[] = ['pending', 'approved', 'rejected', 'revoked', 'expired'];

function parseId(v: string): number {
  if (!/^[1-9]\d{0,15}$/.test(v)) throw new InvalidArgumentError(`"${clean(v).slice(0, 40)}" is not a proposal or incident number`);
  return Number(v);
}

function parseList<T extends string>(allowed: readonly T[]) {
  return (v: string, prev: T[] = []): T[] => {
    const xs = v.split(',').map((x) => x.trim());
    for (const x of xs) if (!allowed.includes(x as T)) throw new InvalidArgumentError(`"${clean(x)}" is not one of ${allowed.join(', ')}`);
    return [...prev, ...(xs as T[])];
  };
}

function parseDuration(v: string): number {
  const m = /^(\d{1,6})([smhdw])$/.exec(v);
  if (!m) throw new InvalidArgumentError(`"${clean(v)}" is not a duration such as 7d, 12h, 2w`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] as 's']! * 1_000_000;
}

/** Who decides: --by, else $SNARF_USER, else the login name (recorded with every decision). */
function actor(by?: string): string {
  const name = by ?? process.env.SNARF_USER ?? os.userInfo().username;
  if (!name.trim() || /[\u0000-\u001f\u007f]/.test(name) || name.length > 100) throw new SnarfError('SNARF_CONFIG_INVALID', '--by: a name of 1 to 100 printable characters');
  return name.trim();
}

async function withStore<T>(db: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../store/open.js');
  const store = await openStore(db, { mustExist: true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const print = (v: unknown): void => { process.stdout.write(`${JSON.stringify(v, null, 2)}\n`); };

interface DecideOptions { db: string; by?: string; comment?: string; expires?: number; for?: number; json?: boolean }

function decideCommand(name: 'approve' | 'reject' | 'revoke', what: string): Command {
  const cmd = new Command(name).description(what).argument('<id>', 'proposal number', parseId)
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--by <name>', 'who decides (default: $SNARF_USER or the login name)')
    .option('--comment <text>', 'why (recorded with the decision)')
    .option('--json', 'machine-readable output');
  if (name === 'approve') {
    cmd.option('--expires <time>', 'when the action ends (default: now + the duration the policy gives its kind)', parseInstant)
      .option('--for <duration>', 'how long the action lasts from now (7d, 12h, 2w)', parseDuration);
  }
  return cmd.action(async (id: number, o: DecideOptions) => withStore(o.db, async (store) => {
    const { approveProposal, rejectProposal, revokeProposal } = await import('../response/service.js');
    const { proposalJson } = await import('../response/json.js');
    const now = Date.now() * 1000;
    const who = actor(o.by);
    const comment = o.comment === undefined ? undefined : clean(o.comment).slice(0, 500);
    const p = name === 'approve'
      ? await approveProposal(store, id, who, { comment, nowUs: now, expiresUs: o.expires ?? (o.for === undefined ? undefined : now + o.for) })
      : name === 'reject' ? await rejectProposal(store, id, who, { comment, nowUs: now }) : await revokeProposal(store, id, who, { comment, nowUs: now });
    if (o.json) print(proposalJson(p));
    else process.stdout.write(`proposal ${p.id} ${p.status} by ${clean(who)}: ${p.action} ${p.target}${p.expiresUs && p.status === 'approved' ? ` until ${isoMicros(p.expiresUs)}` : ''}\n`);
  }));
}

export function responseCommand(): Command {
  const cmd = new Command('response').description('response proposals for policy violations and bots: decide, export, and each host\'s incident history');

  cmd.addCommand(addFindingOptions(new Command('propose'))
    .description('judge findings against the policy and record violations and proposals (re-runs update, never repeat)')
    .action(async (o: FindingCliOptions) => {
      const policy = await policyFor(o);
      await withStore(o.db, async (store) => {
        const { proposeResponses } = await import('../response/service.js');
        const { result } = await proposeResponses(store, policy, await runOptions(o));
        if (o.json) print(result);
        else process.stdout.write(`${result.proposalsCreated} new proposal(s) (${result.autoApproved} approved by the policy), ${result.proposalsUpdated} updated, ` +
          `${result.incidentsOpened} incident(s) opened, ${result.findingsRecorded} finding(s) recorded\n`);
      });
    }));

  cmd.addCommand(new Command('list').description('response proposals (all, or --status)')
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--status <list>', `only these (comma-separated: ${STATUSES.join(', ')})`, parseList(STATUSES))
    .option('--host <ip>', 'only proposals about this host')
    .option('--json', 'machine-readable output')
    .action(async (o: { db: string; status?: ProposalStatus[]; host?: string; json?: boolean }) => withStore(o.db, async (store) => {
      const { listProposals } = await import('../response/service.js');
      const { proposalJson } = await import('../response/json.js');
      const host = o.host === undefined ? undefined : canonicalIp(o.host) ?? undefined;
      if (o.host !== undefined && !host) throw new SnarfError('SNARF_CONFIG_INVALID', `--host: "${clean(o.host).slice(0, 60)}" is not an IP address`);
      const ps = await listProposals(store, { status: o.status, host });
      if (o.json) return print({ db: store.location, proposals: ps.map((p) => proposalJson(p)) });
      const out = ps.map((p) => `${String(p.id).padStart(5)}  ${p.status.padEnd(8)}  ${p.action.padEnd(10)}  ${p.target}  ${p.kind} (${p.level}) host ${p.host}` +
        `${p.decidedBy ? `  ${p.status} by ${clean(p.decidedBy)} ${isoMicros(p.decidedUs)}` : ''}${p.expiresUs ? `  until ${isoMicros(p.expiresUs)}` : ''}`);
      process.stdout.write(out.length ? `${out.join('\n')}\n` : 'no proposals\n');
    })));

  cmd.addCommand(new Command('show').description('one proposal with its evidence and every decision').argument('<id>', 'proposal number', parseId)
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--json', 'machine-readable output')
    .action(async (id: number, o: { db: string; json?: boolean }) => withStore(o.db, async (store) => {
      const { responseStore } = await import('../response/service.js');
      const { proposalJson } = await import('../response/json.js');
      const rs = responseStore(store);
      const p = await rs.getProposal(id, Date.now() * 1000);
      if (!p) throw new SnarfError('SNARF_CONFIG_INVALID', `no response proposal ${id}`);
      const ds = await rs.proposalDecisions(id);
      if (o.json) return print(proposalJson(p, ds));
      const out = [`proposal ${p.id}: ${p.status} ${p.action} ${p.target} (${p.kind}, ${p.level}, host ${p.host})`, ...p.evidence.map((e) => `  ${clean(e)}`),
        ...ds.map((d) => `  ${isoMicros(d.atUs)} ${d.decision} by ${clean(d.actor)}${d.comment ? `: ${clean(d.comment)}` : ''}`)];
      process.stdout.write(`${out.join('\n')}\n`);
    })));

  cmd.addCommand(decideCommand('approve', 'approve a pending proposal; it exports until its expiry'));
  cmd.addCommand(decideCommand('reject', 'reject a pending proposal; it is proposed again only on new activity'));
  cmd.addCommand(decideCommand('revoke', 'withdraw an approved action before its expiry'));

  cmd.addCommand(new Command('export').description('approved, unexpired actions for a firewall or router')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`, (v: string) => {
      if (!EXPORT_FORMATS.includes(v as ExportFormat)) throw new InvalidArgumentError(`"${clean(v)}" is not one of ${EXPORT_FORMATS.join(', ')}`);
      return v as ExportFormat;
    })
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--action <list>', `only these actions (comma-separated: ${RESPONSE_ACTIONS.join(', ')})`, parseList(RESPONSE_ACTIONS))
    .option('--family <4|6>', 'iptables: the address family of this file (iptables-restore or ip6tables-restore)', (v: string) => {
      if (v !== '4' && v !== '6') throw new InvalidArgumentError('--family is 4 or 6');
      return Number(v) as 4 | 6;
    }, 4 as 4 | 6)
    .option('--table <name>', 'nftables table (inet)', 'snarf')
    .option('--chain <name>', 'iptables chain', 'SNARF')
    .option('--acl <name>', 'router ACL name', 'SNARF-BLOCK')
    .option('-o, --output <file>', 'write to this file (atomically) instead of standard output')
    .action(async (o: { db: string; format: ExportFormat; action?: ResponseAction[]; family: 4 | 6; table: string; chain: string; acl: string; output?: string }) =>
      withStore(o.db, async (store) => {
        const { exportApproved } = await import('../response/service.js');
        const r = await exportApproved(store, o.format, { actions: o.action, family: o.family, table: o.table, chain: o.chain, acl: o.acl });
        if (r.dropped.length && o.format !== 'iptables') process.stderr.write(`snarf: left out proposal(s) ${r.dropped.join(', ')} (address refused or expired)\n`);
        if (!o.output) return void process.stdout.write(r.text);
        // Write beside the target and rename, so that a firewall reload never reads half a file.
        const tmp = path.join(path.dirname(o.output), `.${path.basename(o.output)}.${process.pid}.tmp`);
        fs.writeFileSync(tmp, r.text, { mode: 0o644 });
        fs.renameSync(tmp, o.output);
        process.stderr.write(`snarf: ${r.written} action(s) written to ${clean(o.output)}\n`);
      })));

  cmd.addCommand(new Command('history').description('a host\'s incidents (offences and procedure steps), findings, proposals, decisions and notes')
    .argument('<host>', 'IP address')
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--format <format>', 'text, json or csv', (v: string) => {
      if (!['text', 'json', 'csv'].includes(v)) throw new InvalidArgumentError('--format is text, json or csv');
      return v;
    }, 'text')
    .option('--json', 'same as --format json')
    .action(async (host: string, o: { db: string; format: string; json?: boolean }) => withStore(o.db, async (store) => {
      const { incidentHistory } = await import('../response/service.js');
      const { historyCsv, historyJson } = await import('../response/json.js');
      const h = await incidentHistory(store, host);
      if (o.json || o.format === 'json') return print(historyJson(h));
      if (o.format === 'csv') return void process.stdout.write(historyCsv(h));
      const out = [`${h.host}: ${h.incidents.length} incident(s), ${h.proposals.length} proposal(s)`];
      for (const i of h.incidents) {
        out.push(`  incident ${i.id}: offence ${i.offence} (${clean(i.step.title)}), ${i.kinds.join(',')}, opened ${isoMicros(i.openedUs)}${i.closedUs ? `, closed ${isoMicros(i.closedUs)}` : ''}`);
        i.step.tasks.forEach((t, n) => out.push(`    [${i.done.includes(n) ? 'x' : ' '}] ${n + 1}. ${clean(t)}`));
      }
      for (const e of h.events) out.push(`  ${isoMicros(e.atUs)}  ${e.type.padEnd(8)} ${clean(e.actor)}: ${clean(e.text)}`);
      process.stdout.write(`${out.join('\n')}\n`);
    })));

  cmd.addCommand(new Command('note').description('add a note to a host\'s history').argument('<host>', 'IP address').argument('<text>', 'the note')
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--by <name>', 'who writes (default: $SNARF_USER or the login name)')
    .action(async (host: string, text: string, o: { db: string; by?: string }) => withStore(o.db, async (store) => {
      const { responseStore } = await import('../response/service.js');
      const h = canonicalIp(host);
      if (!h) throw new SnarfError('SNARF_CONFIG_INVALID', `"${clean(host).slice(0, 60)}" is not an IP address`);
      if (text.length > 2000) throw new SnarfError('SNARF_CONFIG_INVALID', 'a note is at most 2000 characters');
      const e = await responseStore(store).addHostNote(h, actor(o.by), Date.now() * 1000, text);
      process.stdout.write(`note ${e.id} added to ${h}${e.incidentId ? ` (incident ${e.incidentId})` : ''}\n`);
    })));

  cmd.addCommand(new Command('task').description('mark a task of an incident\'s procedure step done').argument('<incident>', 'incident number', parseId)
    .argument('<task>', 'task number (as `history` lists it)', parseId)
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--by <name>', 'who did it (default: $SNARF_USER or the login name)')
    .action(async (id: number, task: number, o: { db: string; by?: string }) => withStore(o.db, async (store) => {
      const { responseStore } = await import('../response/service.js');
      const i = await responseStore(store).markTaskDone(id, task - 1, actor(o.by), Date.now() * 1000);
      process.stdout.write(`incident ${i.id}: ${i.done.length} of ${i.step.tasks.length} task(s) done\n`);
    })));

  cmd.addCommand(new Command('close').description('close an incident (the next violation opens a new one, counted as a further offence)')
    .argument('<incident>', 'incident number', parseId)
    .option('--db <path>', 'SQLite database path', DEFAULT_DB)
    .option('--by <name>', 'who closes (default: $SNARF_USER or the login name)')
    .option('--comment <text>', 'outcome')
    .action(async (id: number, o: { db: string; by?: string; comment?: string }) => withStore(o.db, async (store) => {
      const { responseStore } = await import('../response/service.js');
      const i = await responseStore(store).closeIncident(id, actor(o.by), Date.now() * 1000, o.comment === undefined ? undefined : o.comment.slice(0, 500));
      process.stdout.write(`incident ${i.id} closed\n`);
    })));
  return cmd;
}
