/**
 * Query strings of the live views and the API, checked before anything reaches the store.
 * Every parameter is a single bounded string of a known form; repeated keys (arrays), unknown
 * forms and out-of-range numbers are 400s naming the parameter, never exceptions or surprises.
 */
import { parseCidr, parseSigId, parseTimeSpec } from '../report/filters.js';
import type { AlertFilter } from '../store/store.js';
import type { AlertSearch, PageCursor } from '../store/reads/server-reads.js';
import { HttpError } from './security.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;
const MAX_SENSORS = 16;

type Query = Record<string, unknown>;

/** A single string parameter ('' counts as absent: an empty form field). */
export function one(q: Query, name: string, max = 200): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `${name}: give it once, as text`, 'SNARF_BAD_PARAM');
  if (v.length > max) throw new HttpError(400, `${name}: longer than ${max} characters`, 'SNARF_BAD_PARAM');
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** A repeatable string parameter. */
export function many(q: Query, name: string, maxCount: number, max = 200): string[] {
  const v = q[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  if (list.length > maxCount) throw new HttpError(400, `${name}: at most ${maxCount} values`, 'SNARF_BAD_PARAM');
  return list.map((x) => {
    if (typeof x !== 'string' || x.length > max) throw new HttpError(400, `${name}: each value must be text of at most ${max} characters`, 'SNARF_BAD_PARAM');
    return x.trim();
  }).filter((x) => x !== '');
}

function checked<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new HttpError(400, `${name}: ${(err as Error).message}`, 'SNARF_BAD_PARAM');
  }
}

export function intParam(q: Query, name: string, min: number, max: number): number | undefined {
  const v = one(q, name, 20);
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw new HttpError(400, `${name}: not a whole number`, 'SNARF_BAD_PARAM');
  const n = Number(v);
  if (n < min) throw new HttpError(400, `${name}: at least ${min}`, 'SNARF_BAD_PARAM');
  return Math.min(n, max);
}

/** `<ts>.<tie>`: the opaque cursor the API hands out as `next` (tie: row id on SQLite, identity hash on PostgreSQL). */
export function parseCursor(v: string): PageCursor {
  const m = /^(\d{1,17})\.(\d{1,16})$/.exec(v);
  if (!m || !Number.isSafeInteger(Number(m[1])) || !Number.isSafeInteger(Number(m[2]))) {
    throw new HttpError(400, 'after: not a cursor (use the `next` value of the previous page)', 'SNARF_BAD_PARAM');
  }
  return { ts: Number(m[1]), tie: Number(m[2]) };
}

export function cursorText(c: PageCursor | null): string | null {
  return c === null ? null : `${c.ts}.${c.tie}`;
}

/** The search as the form and the API spell it, normalised (for links to the next page). */
export interface SearchParams {
  addr?: string; src?: string; dst?: string; sig?: string; sensor: string[]; since?: string; until?: string;
  priority?: number; after?: string; limit: number;
}

const SEARCH_KEYS = new Set(['addr', 'src', 'dst', 'sig', 'sensor', 'since', 'until', 'priority', 'after', 'limit', 'go']);

export function parseSearch(q: Query): SearchParams {
  // A misspelt filter (`scr=`) must not silently return everything.
  for (const k of Object.keys(q)) {
    if (!SEARCH_KEYS.has(k)) throw new HttpError(400, `unknown parameter ${JSON.stringify(k.slice(0, 40))} (${[...SEARCH_KEYS].join(', ')})`, 'SNARF_BAD_PARAM');
  }
  const p: SearchParams = { sensor: many(q, 'sensor', MAX_SENSORS, 100), limit: intParam(q, 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT };
  for (const k of ['addr', 'src', 'dst', 'sig', 'since', 'until', 'after'] as const) {
    const v = one(q, k, k === 'after' ? 40 : 100);
    if (v !== undefined) p[k] = v;
  }
  const pri = intParam(q, 'priority', 1, 255);
  if (pri !== undefined) p.priority = pri;
  return p;
}

/** The store query for a search (time words like `-2d` relative to `nowMs`). */
export function alertQuery(p: SearchParams, nowMs: number): AlertSearch {
  const filter: AlertFilter = {};
  if (p.since) filter.sinceUs = checked('since', () => parseTimeSpec(p.since!, nowMs));
  if (p.until) filter.untilUs = checked('until', () => parseTimeSpec(p.until!, nowMs));
  if (filter.sinceUs !== undefined && filter.untilUs !== undefined && filter.untilUs <= filter.sinceUs) {
    throw new HttpError(400, 'until: not after since', 'SNARF_BAD_PARAM');
  }
  if (p.src) filter.srcCidr = checked('src', () => parseCidr(p.src!));
  if (p.dst) filter.dstCidr = checked('dst', () => parseCidr(p.dst!));
  if (p.sensor.length) filter.sensors = p.sensor;
  if (p.priority !== undefined) filter.minPriority = p.priority;
  const q: AlertSearch = { filter, limit: p.limit };
  if (p.addr) q.addr = checked('addr', () => parseCidr(p.addr!));
  if (p.sig) q.sig = checked('sig', () => parseSigId(p.sig!));
  if (p.after) q.after = parseCursor(p.after);
  return q;
}

/** Query string of a search with another cursor (links to the next page). */
export function searchQueryString(p: SearchParams, after: string | null): string {
  const u = new URLSearchParams();
  for (const k of ['addr', 'src', 'dst', 'sig', 'since', 'until'] as const) if (p[k]) u.set(k, p[k]!);
  for (const s of p.sensor) u.append('sensor', s);
  if (p.priority !== undefined) u.set('priority', String(p.priority));
  if (p.limit !== DEFAULT_LIMIT) u.set('limit', String(p.limit));
  if (after) u.set('after', after);
  return u.toString();
}
