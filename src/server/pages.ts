/**
 * The live HTML views: search (address or CIDR, signature, sensor, time window), one alert with
 * its payload and extra data, and the notes/acks page with the forms that change them. Pages
 * are rendered from views/server/*.ejs with escaping (`<%= %>`) for every value; nothing on
 * them is inline script (the CSP forbids it), and forms post back with the session's CSRF token.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { canonicalIp } from '../model/ip.js';
import { hexDump } from '../report/hex-dump.js';
import { hostPagePath, sigPagePath } from '../report/filenames.js';
import { notesForIp, notesForNet, notesForSig, parseNoteTarget, type Note } from '../state/notes.js';
import { access, ensureSession, safeNext } from './access.js';
import { ackInput, alertById, bodyOf, str } from './api.js';
import type { ServerContext } from './context.js';
import { alertDetailJson, alertJson, endpointText } from './json.js';
import { alertQuery, cursorText, parseSearch, searchQueryString } from './params.js';

export function renderPage(ctx: ServerContext, req: Request, res: Response, name: string, data: Record<string, unknown>, status = 200): void {
  const a = access(res);
  const session = a.via === 'bearer' ? null : ensureSession(req, res, ctx.access);
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).type('html').send(ctx.views.render(`server/${name}`, {
    user: a.user, csrf: session?.csrf ?? '', hasSite: ctx.siteDir !== null, hasResponses: ctx.responses !== null, here: req.originalUrl, ...data,
  }));
}

type Handler = (req: Request, res: Response) => Promise<void> | void;
const h = (fn: Handler) => async (req: Request, res: Response, next: NextFunction): Promise<void> => {
  try {
    await fn(req, res);
  } catch (err) {
    next(err);
  }
};

/** Links into the static site for an address or a signature (when a site is served). */
function siteLinks(ctx: ServerContext, ip: string | null): { src: string; dst: string } | null {
  if (!ctx.siteDir || ip === null) return null;
  try {
    return { src: `/site/${hostPagePath('src', ip)}`, dst: `/site/${hostPagePath('dst', ip)}` };
  } catch {
    return null;
  }
}

export function pagesRouter(ctx: ServerContext): Router {
  const r = express.Router();

  r.get('/', (_req, res) => res.redirect(303, ctx.siteDir ? '/site/' : '/search'));

  r.get('/search', h(async (req, res) => {
    const p = parseSearch(req.query);
    const any = Boolean(p.addr || p.src || p.dst || p.sig || p.sensor.length || p.since || p.until || p.priority !== undefined || p.after || req.query.go !== undefined);
    const notes = await ctx.notes.read();
    let results = null;
    if (any) {
      const page = await ctx.reads.alertPage(alertQuery(p, ctx.now()));
      const next = cursorText(page.next);
      results = {
        alerts: page.alerts.map((a) => ({ ...alertJson(a, notes), srcText: endpointText(a.src, a.sport), dstText: endpointText(a.dst, a.dport) })),
        nextHref: next ? `/search?${searchQueryString(p, next)}` : null,
        partial: page.partial,
      };
    }
    // Notes about what was searched for: the address (and its networks), the network, the signature.
    let about: Note[] = [];
    let noteTarget: { kind: string; target: string } | null = null;
    const addr = p.addr ?? p.src ?? p.dst;
    if (addr) {
      const ip = canonicalIp(addr);
      if (ip !== null) { about = notesForIp(notes, ip); noteTarget = { kind: 'ip', target: ip }; } else {
        try { noteTarget = parseNoteTarget('net', addr); about = notesForNet(notes, noteTarget.target); } catch { /* shown by the query error */ }
      }
    }
    let sigNotes: Note[] = [];
    if (p.sig) {
      try { const t = parseNoteTarget('sig', p.sig); const [g, s] = t.target.split(':').map(Number); sigNotes = notesForSig(notes, g!, s!); } catch { /* idem */ }
    }
    renderPage(ctx, req, res, 'search', {
      title: 'Search', p, results, sensors: await ctx.reads.sensorNames(), about, sigNotes, noteTarget,
      siteLinks: noteTarget?.kind === 'ip' ? siteLinks(ctx, noteTarget.target) : null,
    });
  }));

  r.get('/alert/:id', h(async (req, res) => {
    const d = await alertById(ctx, req);
    const a = alertDetailJson(d, await ctx.notes.read());
    renderPage(ctx, req, res, 'alert', {
      title: `Alert ${a.id}`, a,
      srcText: endpointText(a.src, a.sport), dstText: endpointText(a.dst, a.dport),
      // The whole packet too (headers included), for analysts who read headers by eye.
      rawDumps: d.packets.map((p) => hexDump(p.data, 4096)),
      srcLinks: siteLinks(ctx, a.src), dstLinks: siteLinks(ctx, a.dst),
      sigHref: ctx.siteDir ? `/site/${sigPagePath(a.gid, a.sid)}` : null,
    });
  }));

  r.get('/notes', h(async (req, res) => {
    const s = await ctx.notes.read();
    renderPage(ctx, req, res, 'notes', { title: 'Notes', notes: [...s.notes].reverse(), acks: [...s.acks].reverse() });
  }));

  // Form posts answer with 303 back to the page they came from (a local path only).
  r.post('/notes', h(async (req, res) => {
    const b = bodyOf(req);
    let kind: string;
    let target: string;
    if (typeof b.about === 'string' && b.about !== '') {
      const i = b.about.indexOf(':');
      kind = b.about.slice(0, Math.max(0, i));
      target = b.about.slice(i + 1);
    } else {
      kind = str(b, 'kind', 10);
      target = str(b, 'target', 100);
    }
    await ctx.notes.addNote({ kind, target, text: str(b, 'text', 4000), author: access(res).user ?? '?' });
    res.redirect(303, safeNext(b.back));
  }));

  r.post('/notes/:id/delete', h(async (req, res) => {
    await ctx.notes.removeNote(String(req.params.id));
    res.redirect(303, safeNext(bodyOf(req).back));
  }));

  r.post('/acks', h(async (req, res) => {
    const b = bodyOf(req);
    await ctx.notes.addAck(await ackInput(ctx, b, access(res).user ?? '?'));
    res.redirect(303, safeNext(b.back));
  }));

  r.post('/acks/:id/delete', h(async (req, res) => {
    await ctx.notes.removeAck(String(req.params.id));
    res.redirect(303, safeNext(bodyOf(req).back));
  }));

  return r;
}
