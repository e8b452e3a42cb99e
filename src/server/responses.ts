/**
 * Response approval in `snarf serve` (issue 12): the proposals the policy made
 * (`snarf response propose`), approved, rejected or revoked by the logged-in operator, and the
 * firewall exports of what is approved. The same service calls as `snarf response approve|reject`
 * (src/response/service.ts), so the lifecycle rules and the history rows are the CLI's.
 *
 * - `GET /responses[?state=S]`, `POST /responses/:id/approve|reject|revoke` (forms, CSRF token)
 * - `GET /api/responses[?state=S]`, `POST /api/responses/:id/approve|reject|revoke` (JSON `{comment?, expires?}`)
 * - `GET /api/responses/export?format=nftables|iptables|acl|list` (text/plain)
 *
 * Writes: the server's store stays read-only. A decision opens (once, lazily) a second, writable
 * connection that carries only the response-store methods: no migration, no index repair, no
 * rollup catch-up behind a collector's back. A file the server may not write answers 503. The
 * actor recorded is always the requester's user name (`token` for bearer requests, `local` in
 * the open loopback mode); nothing in a request body can name another one.
 *
 * SQLite only: on PostgreSQL (no response tables there in this version) every response path
 * answers 501 SNARF_NOT_AVAILABLE with one message, pages and API alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import express, { type Request, type Response, type Router } from 'express';
import { SnarfError } from '../errors.js';
import { parseTimeSpec } from '../report/filters.js';
import { RESPONSE_ACTIONS, type ResponseAction } from '../policy/types.js';
import { approveProposal, exportApproved, listProposals, rejectProposal, revokeProposal } from '../response/service.js';
import { EXPORT_FORMATS, exportActions, type ExportFormat, type ExportResult } from '../response/exporters.js';
import { proposalJson } from '../response/json.js';
import type { Decision, Proposal, ProposalStatus } from '../response/types.js';
import { attachResponseStore } from '../store/sqlite/response-store.js';
import { MIGRATIONS } from '../store/sqlite/schema.js';
import type { Store } from '../store/store.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { isoMicros } from '../cli/options.js';
import { access } from './access.js';
import type { ServerContext } from './context.js';
import { intParam, many, one } from './params.js';
import { renderPage } from './pages.js';
import { HttpError } from './security.js';
import { h } from './api.js';

/** Display order: what waits for a decision first, then what is in force, then the rest. */
export const STATES: readonly ProposalStatus[] = ['pending', 'approved', 'expired', 'rejected', 'revoked'];
type DecisionVerb = 'approve' | 'reject' | 'revoke';
const VERBS: readonly DecisionVerb[] = ['approve', 'reject', 'revoke'];

const DEFAULT_LIST = 200;
const MAX_LIST = 1000;
const MAX_COMMENT = 500;

/** Schema version that holds the response tables (migration 3 today). */
const RESPONSE_SCHEMA = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE response_proposals')) + 1;

/** A bare writable connection with the response-store methods of SqliteStore attached. */
class ResponseDb {
  readonly kind = 'sqlite' as const;
  constructor(readonly db: Database.Database, readonly location: string) {}
}
attachResponseStore(ResponseDb);

const notWritable = (): HttpError => new HttpError(503,
  'the database file is not writable by snarf serve, so decisions cannot be recorded here: run the server as a user who may write the database, or decide with `snarf response approve|reject|revoke ID`',
  'SNARF_READ_ONLY');

/** SQLite failures of a write, as the client should hear them (anything else stays a 500). */
export function writeFailure(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') return notWritable();
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new HttpError(503, 'the database is busy (an import or another decision holds it); try again in a moment', 'SNARF_BUSY');
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) return new HttpError(503, 'the database could not be written (disk full or I/O error)', 'SNARF_WRITE_FAILED');
  return err;
}

/** The writable side of the server: one connection, opened at the first decision, closed with the server. */
export class DecisionWriter {
  private rw: ResponseDb | null = null;

  constructor(private readonly dbPath: string) {}

  get open(): boolean {
    return this.rw !== null;
  }

  store(): Store {
    if (this.rw) return this.rw as unknown as Store;
    try {
      fs.accessSync(this.dbPath, fs.constants.R_OK | fs.constants.W_OK);
      // The journal / WAL files are created beside the database.
      fs.accessSync(path.dirname(path.resolve(this.dbPath)), fs.constants.W_OK);
    } catch {
      throw notWritable();
    }
    let db: Database.Database | null = null;
    try {
      db = new Database(this.dbPath, { fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) throw new HttpError(503, `the database schema (version ${version}) is newer than this Snarf; decisions are left to the newer version`, 'SNARF_SCHEMA');
      if (version < RESPONSE_SCHEMA) throw new HttpError(503, 'the database holds no response tables yet: run `snarf response propose` first', 'SNARF_SCHEMA');
    } catch (err) {
      db?.close();
      throw writeFailure(err);
    }
    this.rw = new ResponseDb(db, this.dbPath);
    return this.rw as unknown as Store;
  }

  /** After a failed write: the next decision opens afresh (permissions may have been fixed). */
  reset(): void {
    this.close();
  }

  close(): void {
    const rw = this.rw;
    this.rw = null;
    if (rw?.db.open) rw.db.close();
  }
}


type Query = Record<string, unknown>;

function onlyKeys(q: Query, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(q)) {
    if (!allowed.includes(k)) throw new HttpError(400, `unknown ${where} ${JSON.stringify(k.slice(0, 40))} (${allowed.join(', ')})`, 'SNARF_BAD_PARAM');
  }
}

function stateParam(q: Query): ProposalStatus | null {
  const v = one(q, 'state', 20);
  if (v === undefined || v === 'all') return null;
  if (!STATES.includes(v as ProposalStatus)) throw new HttpError(400, `state: one of ${STATES.join(', ')} or all`, 'SNARF_BAD_PARAM');
  return v as ProposalStatus;
}

export function proposalId(v: string): number {
  if (!/^[1-9]\d{0,15}$/.test(v) || !Number.isSafeInteger(Number(v))) throw new HttpError(400, 'proposal id: a positive whole number', 'SNARF_BAD_PARAM');
  return Number(v);
}

function verbParam(v: string): DecisionVerb {
  if (!VERBS.includes(v as DecisionVerb)) throw new HttpError(404, 'not found', 'SNARF_NOT_FOUND');
  return v as DecisionVerb;
}

/** What the response routes use: the SQLite store's tables, the decision writer, the clock. */
interface Rc {
  store: SqliteStore;
  decisions: DecisionWriter;
  now(): number;
}

/** A database from before migration 3 (read-only here: nobody migrates it for us) holds no proposals. */
function hasResponseTables(ctx: Rc): boolean {
  return ctx.store.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'response_proposals'").get() !== undefined;
}

const DURATION = /^\+?(\d{1,6})\s*([smhdw])$/;
const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `7d`, `+12h` (from now) or a time as /search takes them (`2026-12-01`, ISO, `@unix`); in the future. */
export function expiryParam(v: string, nowMs: number): number {
  const m = DURATION.exec(v.trim().toLowerCase());
  let us: number;
  if (m) us = nowMs * 1000 + Number(m[1]) * UNIT_S[m[2]!]! * 1_000_000;
  else {
    try { us = parseTimeSpec(v, nowMs); } catch (err) {
      throw new HttpError(400, `expires: ${(err as Error).message.replace(/\)$/, ', or a duration from now: 7d, 12h, 2w)')}`, 'SNARF_BAD_PARAM');
    }
  }
  if (!Number.isSafeInteger(us) || us <= nowMs * 1000) throw new HttpError(400, 'expires: must be in the future', 'SNARF_BAD_PARAM');
  return us;
}

interface DecisionInput { comment?: string; expiresUs?: number }

/** The body of a decision: `comment` (and `expires` for approve); plus `_csrf` and `back` from forms. */
function decisionInput(b: Query, verb: DecisionVerb, nowMs: number, form: boolean): DecisionInput {
  const allowed = [...(form ? ['_csrf', 'back'] : ['_csrf']), 'comment', ...(verb === 'approve' ? ['expires'] : [])];
  for (const k of Object.keys(b)) {
    if (allowed.includes(k)) continue;
    const why = k === 'expires' ? ' (only an approval takes an expiry)' : ['actor', 'by', 'user'].includes(k) ? ' (the decision is recorded as the logged-in user)' : '';
    throw new HttpError(400, `unknown field ${JSON.stringify(k.slice(0, 40))}${why} (${allowed.filter((x) => x !== '_csrf' && x !== 'back').join(', ')})`, 'SNARF_BAD_PARAM');
  }
  const out: DecisionInput = {};
  if (b.comment !== undefined && b.comment !== null) {
    if (typeof b.comment !== 'string') throw new HttpError(400, 'comment: text', 'SNARF_BAD_PARAM');
    if (b.comment.length > MAX_COMMENT) throw new HttpError(400, `comment: longer than ${MAX_COMMENT} characters`, 'SNARF_BAD_PARAM');
    // One line: the CLI's text output and the history lines print it as is.
    const c = b.comment.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
    if (c !== '') out.comment = c;
  }
  if (b.expires !== undefined && b.expires !== null && b.expires !== '') {
    if (typeof b.expires !== 'string' || b.expires.length > 100) throw new HttpError(400, 'expires: text such as 7d, 12h or 2026-12-01', 'SNARF_BAD_PARAM');
    out.expiresUs = expiryParam(b.expires, nowMs);
  }
  return out;
}

function bodyObject(req: Request): Query {
  const b = req.body as unknown;
  if (b === undefined) return {};
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new HttpError(400, 'expected a JSON object or a form', 'SNARF_BAD_PARAM');
  return b as Query;
}

/** Records one decision as the requester; lifecycle refusals are 404 / 409, write failures 503. */
async function decide(ctx: Rc, res: Response, verb: DecisionVerb, id: number, input: DecisionInput): Promise<Proposal> {
  const actor = access(res).user;
  if (actor === null) throw new HttpError(401, 'authentication required', 'SNARF_AUTH');
  const nowUs = ctx.now() * 1000;
  // Known here first, so that an unknown id is a 404 even where the file is not writable.
  if (!hasResponseTables(ctx) || !(await ctx.store.getProposal(id, nowUs))) throw new HttpError(404, `no response proposal ${id}`, 'SNARF_NOT_FOUND');
  const store = ctx.decisions.store();
  const o = { comment: input.comment, expiresUs: input.expiresUs, nowUs };
  try {
    return verb === 'approve' ? await approveProposal(store, id, actor, o)
      : verb === 'reject' ? await rejectProposal(store, id, actor, o) : await revokeProposal(store, id, actor, o);
  } catch (err) {
    if (err instanceof SnarfError) {
      if (/^no response proposal/.test(err.message)) throw new HttpError(404, err.message, 'SNARF_NOT_FOUND');
      if (/^proposal \d+ is \w+; only a/.test(err.message)) throw new HttpError(409, err.message, 'SNARF_CONFLICT');
      throw new HttpError(400, err.message, 'SNARF_BAD_PARAM');
    }
    const mapped = writeFailure(err);
    if (mapped instanceof HttpError) ctx.decisions.reset();
    throw mapped;
  }
}

interface Listing { proposals: Proposal[]; counts: Record<ProposalStatus, number>; total: number; tables: boolean }

async function listing(ctx: Rc, state: ProposalStatus | null): Promise<Listing> {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<ProposalStatus, number>;
  if (!hasResponseTables(ctx)) return { proposals: [], counts, total: 0, tables: false };
  const all = await listProposals(ctx.store, { nowUs: ctx.now() * 1000 });
  for (const p of all) counts[p.status]++;
  const rank = (s: ProposalStatus): number => STATES.indexOf(s);
  const chosen = (state ? all.filter((p) => p.status === state) : all).sort((a, b) => rank(a.status) - rank(b.status) || b.id - a.id);
  return { proposals: chosen, counts, total: all.length, tables: true };
}

async function decisionsOf(ctx: Rc, ps: readonly Proposal[]): Promise<Map<number, Decision[]>> {
  const m = new Map<number, Decision[]>();
  for (const p of ps) m.set(p.id, await ctx.store.proposalDecisions(p.id));
  return m;
}

function durationText(s: number): string {
  for (const [u, n] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) if (s >= n && s % n === 0) return `${s / n}${u}`;
  return `${s}s`;
}

async function exportText(ctx: Rc, q: Query): Promise<ExportResult> {
  onlyKeys(q, ['format', 'action', 'family', 'table', 'chain', 'acl'], 'parameter');
  const format = one(q, 'format', 20);
  if (format === undefined || !EXPORT_FORMATS.includes(format as ExportFormat)) throw new HttpError(400, `format: one of ${EXPORT_FORMATS.join(', ')}`, 'SNARF_BAD_PARAM');
  const actions = many(q, 'action', RESPONSE_ACTIONS.length, 20).flatMap((a) => a.split(',').map((x) => x.trim()).filter(Boolean));
  for (const a of actions) if (!RESPONSE_ACTIONS.includes(a as ResponseAction)) throw new HttpError(400, `action: one of ${RESPONSE_ACTIONS.join(', ')}`, 'SNARF_BAD_PARAM');
  const family = one(q, 'family', 2);
  if (family !== undefined && family !== '4' && family !== '6') throw new HttpError(400, 'family: 4 or 6', 'SNARF_BAD_PARAM');
  const o = {
    nowUs: ctx.now() * 1000, actions: actions as ResponseAction[], family: family === '6' ? 6 as const : 4 as const,
    table: one(q, 'table', 40), chain: one(q, 'chain', 40), acl: one(q, 'acl', 40),
  };
  // Names go through the exporters' own checks (a bad one is a 400 naming it).
  if (!hasResponseTables(ctx)) return exportActions(format as ExportFormat, [], o);
  return exportApproved(ctx.store, format as ExportFormat, o);
}

/** Every response path, on a store without response tables (PostgreSQL). */
const RESPONSE_PATHS = ['/responses', '/responses/*rest', '/api/responses', '/api/responses/*rest'];

export const NOT_ON_POSTGRES = 'response approval is not available on the PostgreSQL store in this version: '
  + 'proposals and decisions live in a SQLite store (`snarf response` and `snarf serve --db snarf.db`)';

/** 501 with the same message on every response path, page or API, read or write. */
function notAvailableRouter(): Router {
  const r = express.Router();
  r.all(RESPONSE_PATHS, () => {
    throw new HttpError(501, NOT_ON_POSTGRES, 'SNARF_NOT_AVAILABLE');
  });
  return r;
}

export function responsesRouter(ctx: ServerContext): Router {
  const r = express.Router();
  if (ctx.responses === null) return notAvailableRouter();
  const rc: Rc = { store: ctx.responses.store, decisions: ctx.responses.decisions, now: ctx.now };

  r.get('/responses', h(async (req, res) => {
    onlyKeys(req.query, ['state', 'limit'], 'parameter');
    const state = stateParam(req.query);
    const limit = intParam(req.query, 'limit', 1, MAX_LIST) ?? DEFAULT_LIST;
    const l = await listing(rc, state);
    const shown = l.proposals.slice(0, limit);
    const decisions = await decisionsOf(rc, shown);
    renderPage(ctx, req, res, 'responses', {
      title: 'Responses', state, states: STATES, counts: l.counts, total: l.total, tables: l.tables, more: l.proposals.length - shown.length,
      formats: EXPORT_FORMATS,
      proposals: shown.map((p) => ({
        ...(proposalJson(p) as Record<string, unknown>), duration: durationText(p.durationS),
        decisions: (decisions.get(p.id) ?? []).map((d) => ({ decision: d.decision, actor: d.actor, at: isoMicros(d.atUs), comment: d.comment })),
      })),
    });
  }));

  // Form posts answer 303 back to the list they came from (a /responses path only).
  r.post('/responses/:id/:verb', h(async (req, res) => {
    const verb = verbParam(String(req.params.verb));
    const id = proposalId(String(req.params.id));
    const b = bodyObject(req);
    const p = await decide(rc, res, verb, id, decisionInput(b, verb, ctx.now(), true));
    const back = typeof b.back === 'string' && /^\/responses(?:\?[\x21-\x7e]{0,500})?$/.test(b.back) && !b.back.includes('#') ? b.back : '/responses';
    res.redirect(303, `${back}#p-${p.id}`);
  }));

  r.get('/api/responses', h(async (req, res) => {
    onlyKeys(req.query, ['state', 'limit'], 'parameter');
    const state = stateParam(req.query);
    const limit = intParam(req.query, 'limit', 1, MAX_LIST) ?? DEFAULT_LIST;
    const l = await listing(rc, state);
    const shown = l.proposals.slice(0, limit);
    const decisions = await decisionsOf(rc, shown);
    res.json({ state: state ?? 'all', total: l.proposals.length, counts: l.counts, limit, proposals: shown.map((p) => proposalJson(p, decisions.get(p.id))) });
  }));

  r.get('/api/responses/export', h(async (req, res) => {
    const out = await exportText(rc, req.query);
    res.setHeader('X-Snarf-Actions', String(out.written));
    if (out.dropped.length) res.setHeader('X-Snarf-Dropped', out.dropped.join(','));
    res.type('text/plain; charset=utf-8').send(out.text);
  }));

  r.post('/api/responses/:id/:verb', h(async (req, res) => {
    const verb = verbParam(String(req.params.verb));
    const id = proposalId(String(req.params.id));
    const p = await decide(rc, res, verb, id, decisionInput(bodyObject(req), verb, ctx.now(), false));
    res.json(proposalJson(p, await rc.store.proposalDecisions(p.id)));
  }));

  return r;
}
