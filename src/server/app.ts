/**
 * `snarf serve` as an express application (no listening here: tests drive it with supertest).
 *
 * Order of the middleware is the security design:
 *   headers → URL length → (loopback Host check when open) → who is asking → server assets →
 *   body parsers (small limits) → login/logout → the user gate → CSRF on state changes →
 *   the static site, response approval, the live pages and the API → 404 and the error handler (no stack traces).
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { isPostgresUrl } from '../store/open.js';
import { ServerQueries } from '../store/sqlite/server-queries.js';
import { NotesStore, notesPathFor } from '../state/notes.js';
import { Views } from '../report/views.js';
import { authRequired, LoginThrottle, Sessions, type AuthConfig } from './auth.js';
import { csrfCheck, identify, loginRoutes, requireUser, type AccessOptions } from './access.js';
import { apiRouter } from './api.js';
import { pagesRouter, renderPage } from './pages.js';
import { DecisionWriter, responsesRouter } from './responses.js';
import { errorHandlers, loopbackHostOnly, securityHeaders, urlLimit } from './security.js';
import { siteHandler } from './site.js';
import type { ServerContext } from './context.js';

export interface ServerOptions {
  db: string;
  site?: string | null;
  auth?: AuthConfig;
  /** Mark the session cookie Secure (when a TLS proxy fronts the server). */
  secureCookies?: boolean;
  /** Answer only requests naming a loopback host. Default: when no authentication is set. */
  loopbackHostCheck?: boolean;
  /** Notes file (default `<db>.notes.json`). */
  notesFile?: string;
  now?: () => number;
  throttle?: LoginThrottle;
}

export const BODY_LIMIT = '16kb';

export interface ServerApp {
  app: Express;
  ctx: ServerContext;
  close(): void;
}

export function createServerApp(o: ServerOptions): ServerApp {
  if (isPostgresUrl(o.db)) throw new Error('snarf serve needs the SQLite store in this version (its live queries are not ported to PostgreSQL yet)');
  if (!fs.existsSync(o.db)) throw new Error(`${o.db}: no such database (run \`snarf import\` first or pass --db)`);
  const site = o.site ? path.resolve(o.site) : null;
  if (site && !fs.statSync(site, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${o.site}: not a directory (--site takes the --out of \`snarf report\`)`);
  const auth = o.auth ?? { users: [] };
  // Read-only: the server can never damage the store, whatever a request does. Response
  // decisions alone go through a second, writable connection (responses.ts), opened at the first.
  const store = new SqliteStore(o.db, { readonly: true });
  const accessOptions: AccessOptions = { auth, sessions: new Sessions(o.now), secureCookies: o.secureCookies ?? false, throttle: o.throttle };
  const ctx: ServerContext = {
    store, queries: new ServerQueries(store.db), notes: new NotesStore(o.notesFile ?? notesPathFor(o.db)), views: new Views(),
    siteDir: site, access: accessOptions, now: o.now ?? Date.now, decisions: new DecisionWriter(o.db),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);

  app.use(securityHeaders);
  app.use(urlLimit);
  if (o.loopbackHostCheck ?? !authRequired(auth)) app.use(loopbackHostOnly);
  app.use(identify(accessOptions));
  const assets = path.join(ctx.views.viewsDir, 'server', 'assets');
  app.use('/_snarf', express.static(assets, { dotfiles: 'deny', index: false, redirect: false, fallthrough: true }));
  // Browsers ask for it on every page; an empty answer keeps their consoles clean.
  app.get('/favicon.ico', (_req, res) => { res.status(204).end(); });
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 32 }));
  app.use(express.json({ limit: BODY_LIMIT, strict: true }));
  app.use(loginRoutes(accessOptions, (req, res, d) => renderPage(ctx, req, res, 'login', { title: 'Log in', error: d.error ?? null, next: d.next }, d.status ?? 200)));
  app.use(requireUser);
  app.use(csrfCheck);
  if (site) app.use('/site', siteHandler(site));
  app.use(responsesRouter(ctx));
  app.use('/api', apiRouter(ctx));
  app.use(pagesRouter(ctx));
  const { notFound, onError } = errorHandlers((req, res, status, message) => renderPage(ctx, req, res, 'error', { title: `Error ${status}`, status, message }, status));
  app.use(notFound);
  app.use(onError);
  return { app, ctx, close: () => { ctx.decisions.close(); store.db.close(); } };
}
