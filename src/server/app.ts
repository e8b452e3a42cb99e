/**
 * `snarf serve` as an express application (no listening here: tests drive it with supertest).
 *
 * Order of the middleware is the security design:
 *   headers → URL length → (loopback Host check when open) → who is asking → server assets →
 *   body parsers (small limits) → login/logout → the user gate → CSRF on state changes →
 *   the static site, response approval, the live pages and the API → 404 and the error handler (no stack traces).
 *
 * The store is SQLite (createServerApp, synchronous) or PostgreSQL (openServerApp); the routes
 * read either through ServerReads (src/store/reads/server-reads.ts) and never write to it.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { PostgresStore } from '../store/postgres/pg-store.js';
import { isPostgresUrl } from '../store/open.js';
import { serverReadsFor, type ServerReads } from '../store/reads/server-reads.js';
import type { Store } from '../store/store.js';
import { NotesStore, notesPathFor } from '../state/notes.js';
import { Views } from '../report/views.js';
import { authRequired, LoginThrottle, Sessions, type AuthConfig } from './auth.js';
import { csrfCheck, identify, loginRoutes, requireUser, type AccessOptions } from './access.js';
import { apiRouter } from './api.js';
import { pagesRouter, renderPage } from './pages.js';
import { DecisionWriter, responsesRouter } from './responses.js';
import { errorHandlers, loopbackHostOnly, securityHeaders, urlLimit } from './security.js';
import { siteHandler } from './site.js';
import type { ResponseContext, ServerContext } from './context.js';

export interface ServerOptions {
  db: string;
  site?: string | null;
  auth?: AuthConfig;
  /** Mark the session cookie Secure (when a TLS proxy fronts the server). */
  secureCookies?: boolean;
  /** Answer only requests naming a loopback host. Default: when no authentication is set. */
  loopbackHostCheck?: boolean;
  /** Notes file (default `<db>.notes.json`, `./snarf-notes.json` for PostgreSQL: notesPathFor()). */
  notesFile?: string;
  now?: () => number;
  throttle?: LoginThrottle;
}

export const BODY_LIMIT = '16kb';

export interface ServerApp {
  app: Express;
  ctx: ServerContext;
  /** Closes the store (once; later calls return the same promise). SQLite closes synchronously. */
  close(): Promise<void>;
}

/** Checks what can be checked before a store is opened: the site directory. */
function siteDirOf(o: ServerOptions): string | null {
  const site = o.site ? path.resolve(o.site) : null;
  if (site && !fs.statSync(site, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${o.site}: not a directory (--site takes the --out of \`snarf report\`)`);
  return site;
}

/** The app over a SQLite file (synchronous: tests build it in one call). */
export function createServerApp(o: ServerOptions): ServerApp {
  if (isPostgresUrl(o.db)) throw new Error('a PostgreSQL store is opened asynchronously: use openServerApp()');
  if (!fs.existsSync(o.db)) throw new Error(`${o.db}: no such database (run \`snarf import\` first or pass --db)`);
  const site = siteDirOf(o);
  // Read-only: the server can never damage the store, whatever a request does. Response
  // decisions alone go through a second, writable connection (responses.ts), opened at the first.
  const store = new SqliteStore(o.db, { readonly: true });
  const responses = { store, decisions: new DecisionWriter(o.db) };
  return buildApp(o, site, store, serverReadsFor(store), responses, async () => {
    responses.decisions.close();
    store.db.close();
  });
}

/**
 * The app over either store. PostgreSQL is opened read-only (every session has
 * default_transaction_read_only; nothing is migrated, folded or pruned): a database without
 * Snarf's tables, or at another schema version, is an error. Response approval stays SQLite's.
 */
export async function openServerApp(o: ServerOptions): Promise<ServerApp> {
  if (!isPostgresUrl(o.db)) return createServerApp(o);
  const site = siteDirOf(o);
  const store = await PostgresStore.openReadOnly(o.db);
  return buildApp(o, site, store, serverReadsFor(store), null, () => store.close());
}

function buildApp(o: ServerOptions, site: string | null, store: Store, reads: ServerReads, responses: ResponseContext | null,
  close: () => Promise<void>): ServerApp {
  const auth = o.auth ?? { users: [] };
  const accessOptions: AccessOptions = { auth, sessions: new Sessions(o.now), secureCookies: o.secureCookies ?? false, throttle: o.throttle };
  const ctx: ServerContext = {
    store, reads, responses, notes: new NotesStore(path.resolve(o.notesFile ?? notesPathFor(o.db))), views: new Views(),
    siteDir: site, access: accessOptions, now: o.now ?? Date.now,
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
  let closing: Promise<void> | null = null;
  return { app, ctx, close: () => (closing ??= close()) };
}
