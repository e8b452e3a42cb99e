/**
 * The JSON API under /api/ (shapes in json.ts and docs/server.md). Reads go to the read-only
 * store (SQLite or PostgreSQL) through ServerReads' bounded queries; notes and acks go to the
 * notes file. Every state change
 * passes the CSRF check (bearer requests excepted) before it reaches these handlers.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { isoMicros } from '../cli/options.js';
import { summaryJson } from '../cli/summary.js';
import { canonicalIp, ipKey } from '../model/ip.js';
import { inCidr } from '../model/ip.js';
import { parseCidr, parseSigId, parseTimeSpec } from '../report/filters.js';
import { notesForIp } from '../state/notes.js';
import { hostVerdicts } from '../analysis/host-verdicts.js';
import { verdictJson } from '../cli/hosts.js';
import { clusterReport, resolveHomeNets } from '../cli/clusters.js';
import { access } from './access.js';
import type { ServerContext } from './context.js';
import { alertDetailJson, alertJson } from './json.js';
import { LookupTooSlow, type AlertDetail } from '../store/reads/server-reads.js';
import { alertQuery, cursorText, intParam, many, one, parseSearch } from './params.js';
import { HttpError } from './security.js';

export type Handler = (req: Request, res: Response) => Promise<void> | void;

/** Express 5 forwards rejected promises, but a wrapper keeps the no-store header in one place. */
export const h = (fn: Handler) => async (req: Request, res: Response, next: NextFunction): Promise<void> => {
  try {
    res.setHeader('Cache-Control', 'no-store');
    await fn(req, res);
  } catch (err) {
    next(err);
  }
};

function timeParam(q: Record<string, unknown>, name: string, nowMs: number): number | undefined {
  const v = one(q, name, 100);
  if (v === undefined) return undefined;
  try {
    return parseTimeSpec(v, nowMs);
  } catch (err) {
    throw new HttpError(400, `${name}: ${(err as Error).message}`, 'SNARF_BAD_PARAM');
  }
}

/** `home-net=CIDR`, repeatable (verdicts and clusters). */
function homeNetParam(q: Record<string, unknown>): string[] {
  const given = many(q, 'home-net', 32, 100);
  for (const c of given) {
    try { parseCidr(c); } catch (err) { throw new HttpError(400, `home-net: ${(err as Error).message}`, 'SNARF_BAD_PARAM'); }
  }
  return given;
}

export function addressParam(v: string): string {
  const ip = canonicalIp(v);
  if (ip === null) throw new HttpError(400, `"${v.slice(0, 60)}" is not an address`, 'SNARF_BAD_PARAM');
  return ip;
}

/** Newest alert time held, so an ack made now covers everything already seen. */
export async function newestUs(ctx: ServerContext): Promise<number> {
  return Math.max((await ctx.reads.newestUs()) ?? 0, ctx.now() * 1000);
}

/** `/alert/:id` and `/api/alerts/:id`: the id, and the alert's time when the link gives it (`?t=`). */
export async function alertById(ctx: ServerContext, req: Request): Promise<AlertDetail> {
  const id = String(req.params.id);
  if (!/^\d{1,15}$/.test(id)) throw new HttpError(400, 'alert id: a positive whole number', 'SNARF_BAD_PARAM');
  for (const k of Object.keys(req.query)) {
    if (k !== 't') throw new HttpError(400, `unknown parameter ${JSON.stringify(k.slice(0, 40))} (t)`, 'SNARF_BAD_PARAM');
  }
  const t = one(req.query, 't', 20);
  if (t !== undefined && !/^-?\d{1,17}$/.test(t)) throw new HttpError(400, 't: the alert\'s time in microseconds (its timeUs)', 'SNARF_BAD_PARAM');
  let d: AlertDetail | null;
  try {
    d = await ctx.reads.alert(Number(id), t === undefined ? undefined : Number(t));
  } catch (err) {
    if (err instanceof LookupTooSlow) throw new HttpError(503, err.message, 'SNARF_SLOW_LOOKUP');
    throw err;
  }
  if (!d) throw new HttpError(404, `no alert ${id}${t === undefined ? '' : ` at ${t}`}`, 'SNARF_NOT_FOUND');
  return d;
}

export function apiRouter(ctx: ServerContext): Router {
  const r = express.Router();
  const cache = new Map<string, { mark: string; value: unknown }>();
  /** Whole-store analyses are cached until new alerts arrive (the rollups move). */
  const cached = async <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    const m = await ctx.reads.changeMark();
    const hit = cache.get(key);
    if (hit && hit.mark === m) return hit.value as T;
    const value = await compute();
    if (cache.size > 32) cache.clear();
    cache.set(key, { mark: m, value });
    return value;
  };

  r.get('/', h((_req, res) => {
    res.json({
      endpoints: ['/api/summary', '/api/alerts', '/api/alerts/:id', '/api/hosts', '/api/hosts/:ip', '/api/verdicts',
        '/api/clusters', '/api/sensors', '/api/notes', '/api/acks'],
      docs: 'docs/server.md',
    });
  }));

  r.get('/summary', h(async (req, res) => {
    const sensors = many(req.query, 'sensor', 16, 100);
    const top = intParam(req.query, 'top', 0, 1000) ?? 100;
    // Sensor filters only: those are answered from the rollups (any other filter would count raw rows).
    const s = await ctx.reads.summary(sensors, top === 0 ? 1000 : top);
    res.json(summaryJson(s, ctx.store, []));
  }));

  r.get('/alerts', h(async (req, res) => {
    const p = parseSearch(req.query);
    const page = await ctx.reads.alertPage(alertQuery(p, ctx.now()));
    const notes = await ctx.notes.read();
    res.json({ alerts: page.alerts.map((a) => alertJson(a, notes)), next: cursorText(page.next), partial: page.partial, limit: p.limit });
  }));

  r.get('/alerts/:id', h(async (req, res) => {
    const d = await alertById(ctx, req);
    res.json(alertDetailJson(d, await ctx.notes.read()));
  }));

  r.get('/hosts', h(async (req, res) => {
    const side = one(req.query, 'side', 3) ?? 'src';
    if (side !== 'src' && side !== 'dst') throw new HttpError(400, 'side: src or dst', 'SNARF_BAD_PARAM');
    const cidrText = one(req.query, 'cidr', 100);
    let cidr: string | undefined;
    if (cidrText !== undefined) {
      try { cidr = parseCidr(cidrText); } catch (err) { throw new HttpError(400, `cidr: ${(err as Error).message}`, 'SNARF_BAD_PARAM'); }
    }
    const limit = intParam(req.query, 'limit', 1, 1000) ?? 100;
    const offset = intParam(req.query, 'offset', 0, 1e9) ?? 0;
    const all = await ctx.reads.hosts(side);
    const matching = cidr === undefined ? all : all.filter((x) => inCidr(x.ip, cidr));
    const notes = await ctx.notes.read();
    res.json({
      side, total: matching.length, offset, limit,
      hosts: matching.slice(offset, offset + limit).map((x) => ({
        ip: x.ip, count: x.count, signatures: x.signatures, first: isoMicros(x.firstUs), last: isoMicros(x.lastUs),
        notes: notesForIp(notes, x.ip).length,
      })),
    });
  }));

  r.get('/hosts/:ip', h(async (req, res) => {
    const ip = addressParam(String(req.params.ip));
    const key = ipKey(ip);
    const side = async (s: 'src' | 'dst'): Promise<unknown> => {
      const sigs = await ctx.reads.hostSignatures(s, key);
      return {
        count: sigs.reduce((t, x) => t + x.count, 0),
        signatures: sigs.map((x) => ({ gid: x.gid, sid: x.sid, message: x.message, count: x.count, first: isoMicros(x.firstUs), last: isoMicros(x.lastUs) })),
      };
    };
    const notes = await ctx.notes.read();
    res.json({ ip, asSource: await side('src'), asDestination: await side('dst'), notes: notesForIp(notes, ip) });
  }));

  r.get('/sensors', h(async (_req, res) => {
    res.json({
      sensors: (await ctx.reads.sensorStats()).map((s) => ({
        name: s.name, alerts: s.alerts, first: isoMicros(s.firstUs), last: isoMicros(s.lastUs), activeHours: s.activeHours,
        alertsPerHour: s.alertsPerHour, inputs: s.inputs,
      })),
    });
  }));

  r.get('/verdicts', h(async (req, res) => {
    const nowMs = ctx.now();
    const sinceUs = timeParam(req.query, 'since', nowMs);
    const untilUs = timeParam(req.query, 'until', nowMs);
    // Like `snarf hosts`: --home-net, else the store's (sFlow import), else RFC 1918 and ULA.
    const { homeNets, from } = await resolveHomeNets(ctx.store, homeNetParam(req.query));
    const list = await cached(`verdicts:${sinceUs}:${untilUs}:${homeNets.join(',')}`, () => hostVerdicts(ctx.store, { sinceUs, untilUs, homeNets }));
    res.json({ homeNets, homeNetsFrom: from, hosts: list.map(verdictJson) });
  }));

  r.get('/clusters', h(async (req, res) => {
    const nowMs = ctx.now();
    const sinceUs = timeParam(req.query, 'since', nowMs);
    const untilUs = timeParam(req.query, 'until', nowMs);
    // `home-net` as for verdicts: PostgreSQL remembers none, so there it is how to name them.
    const given = homeNetParam(req.query);
    const rep = await cached(`clusters:${sinceUs}:${untilUs}:${given.join(',')}`, () => clusterReport(ctx.store, { sinceUs, untilUs, homeNets: given }));
    res.json(rep);
  }));

  r.get('/notes', h(async (_req, res) => {
    const s = await ctx.notes.read();
    res.json({ notes: s.notes, acks: s.acks });
  }));

  r.post('/notes', h(async (req, res) => {
    const b = bodyOf(req);
    const note = await ctx.notes.addNote({ kind: str(b, 'kind'), target: str(b, 'target'), text: str(b, 'text', 4000), author: access(res).user ?? '?' });
    res.status(201).json(note);
  }));

  r.delete('/notes/:id', h(async (req, res) => {
    if (!(await ctx.notes.removeNote(String(req.params.id)))) throw new HttpError(404, 'no such note', 'SNARF_NOT_FOUND');
    res.status(204).end();
  }));

  r.post('/acks', h(async (req, res) => {
    const b = bodyOf(req);
    const ack = await ctx.notes.addAck(await ackInput(ctx, b, access(res).user ?? '?'));
    res.status(201).json(ack);
  }));

  r.delete('/acks/:id', h(async (req, res) => {
    if (!(await ctx.notes.removeAck(String(req.params.id)))) throw new HttpError(404, 'no such acknowledgement', 'SNARF_NOT_FOUND');
    res.status(204).end();
  }));

  return r;
}

export function bodyOf(req: Request): Record<string, unknown> {
  const b = req.body as unknown;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new HttpError(400, 'expected a JSON object or a form', 'SNARF_BAD_PARAM');
  return b as Record<string, unknown>;
}

export function str(b: Record<string, unknown>, name: string, max = 200): string {
  const v = b[name];
  if (typeof v !== 'string') throw new HttpError(400, `${name}: required text`, 'SNARF_BAD_PARAM');
  if (v.length > max) throw new HttpError(400, `${name}: longer than ${max} characters`, 'SNARF_BAD_PARAM');
  return v;
}

function optStr(b: Record<string, unknown>, name: string, max = 200): string | undefined {
  return b[name] === undefined || b[name] === '' ? undefined : str(b, name, max);
}

/** An ack from a form or JSON: `sig` (GID:SID), optional src/dst addresses, `through` time, comment. */
export async function ackInput(ctx: ServerContext, b: Record<string, unknown>, author: string): Promise<Parameters<ServerContext['notes']['addAck']>[0]> {
  let sig: { gid: number; sid: number };
  try { sig = parseSigId(str(b, 'sig', 30)); } catch (err) { throw new HttpError(400, `sig: ${(err as Error).message}`, 'SNARF_BAD_PARAM'); }
  const src = optStr(b, 'src', 100);
  const dst = optStr(b, 'dst', 100);
  const through = optStr(b, 'through', 100);
  let throughUs: number;
  if (through === undefined) throughUs = await newestUs(ctx);
  else {
    try { throughUs = parseTimeSpec(through, ctx.now()); } catch (err) {
      throw new HttpError(400, `through: ${(err as Error).message}`, 'SNARF_BAD_PARAM');
    }
  }
  return {
    gid: sig.gid, sid: sig.sid, throughUs, author, comment: optStr(b, 'comment', 500),
    ...(src ? { src: addressParam(src) } : {}), ...(dst ? { dst: addressParam(dst) } : {}),
  };
}
