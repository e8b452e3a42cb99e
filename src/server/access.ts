/**
 * The request-side of authentication: who is asking (bearer token, session cookie, or the open
 * loopback mode), the login and logout routes, the gate in front of every other route, and the
 * CSRF check on every state-changing request. See auth.ts for the design.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import {
  authRequired, checkLogin, LoginThrottle, parseCookies, safeEqual, sessionCookie, SESSION_COOKIE, Sessions,
  type AuthConfig, type Session,
} from './auth.js';
import { HttpError, wantsJson } from './security.js';

export interface Access {
  /** Who is acting (note authors); null when not logged in. */
  user: string | null;
  via: 'open' | 'session' | 'bearer' | null;
  session: Session | null;
}

export function access(res: Response): Access {
  // Errors raised before identify() ran (URL length, Host check) still render a page.
  res.locals.access ??= { user: null, via: null, session: null };
  return res.locals.access as Access;
}

export interface AccessOptions {
  auth: AuthConfig;
  sessions: Sessions;
  secureCookies: boolean;
  throttle?: LoginThrottle;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A local path to return to after login; anything else (other hosts, `//x`, `/\x`) is `/`. */
export function safeNext(v: unknown): string {
  if (typeof v !== 'string' || v.length > 1000 || !/^\/(?![/\\])[\x21-\x7e]*$/.test(v)) return '/';
  return v;
}

/** Session for a browser: the cookie's, or a new one (anonymous, or the local user when open). */
export function ensureSession(req: Request, res: Response, o: AccessOptions): Session {
  const a = access(res);
  if (a.session) return a.session;
  const s = o.sessions.create(authRequired(o.auth) ? null : 'local');
  res.append('Set-Cookie', sessionCookie(s.id, o.secureCookies));
  a.session = s;
  if (!authRequired(o.auth)) { a.user = s.user; a.via = 'open'; }
  return s;
}

/** Identifies the requester; a wrong bearer token is refused here (never treated as anonymous). */
export function identify(o: AccessOptions) {
  const open = !authRequired(o.auth);
  return (req: Request, res: Response, next: NextFunction): void => {
    const a: Access = { user: null, via: null, session: null };
    res.locals.access = a;
    const authz = req.headers.authorization;
    if (authz !== undefined) {
      const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(authz);
      if (!m || !o.auth.token || !safeEqual(m[1]!, o.auth.token)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="snarf"');
        return next(new HttpError(401, open && !o.auth.token ? 'this server takes no bearer token' : 'wrong or malformed bearer token', 'SNARF_AUTH'));
      }
      a.user = 'token';
      a.via = 'bearer';
      return next();
    }
    const s = o.sessions.get(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
    if (s) {
      a.session = s;
      if (s.user !== null) { a.user = s.user; a.via = open ? 'open' : 'session'; }
    } else if (open) {
      a.user = 'local';
      a.via = 'open';
    }
    next();
  };
}

/** Everything behind this needs a user: API callers get 401, browsers the login page. */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (access(res).user !== null) return next();
  if (wantsJson(req) || req.method !== 'GET') {
    res.setHeader('WWW-Authenticate', 'Bearer realm="snarf"');
    return next(new HttpError(401, 'authentication required', 'SNARF_AUTH'));
  }
  res.redirect(303, `/login?next=${encodeURIComponent(safeNext(req.originalUrl))}`);
}

/** State changes from a browser must carry the session's CSRF token and, if sent, our Origin. */
export function csrfCheck(req: Request, res: Response, next: NextFunction): void {
  if (!UNSAFE.has(req.method)) return next();
  const a = access(res);
  if (a.via === 'bearer') return next();
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `${req.protocol}://${req.headers.host ?? ''}`) {
    return next(new HttpError(403, 'cross-origin request refused', 'SNARF_CSRF'));
  }
  const body = req.body as Record<string, unknown> | undefined;
  const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? req.get('x-csrf-token');
  if (!a.session || typeof sent !== 'string' || !safeEqual(sent, a.session.csrf)) {
    return next(new HttpError(403, 'missing or wrong CSRF token (reload the page and try again)', 'SNARF_CSRF'));
  }
  next();
}

export type LoginPage = (req: Request, res: Response, data: { error?: string; next: string; status?: number }) => void;

/** GET/POST /login and POST /logout. */
export function loginRoutes(o: AccessOptions, page: LoginPage): Router {
  const r = express.Router();
  const throttle = o.throttle ?? new LoginThrottle();
  r.get('/login', (req, res) => {
    if (!authRequired(o.auth)) return res.redirect(303, '/');
    ensureSession(req, res, o);
    page(req, res, { next: safeNext(req.query.next) });
  });
  r.post('/login', csrfCheck, async (req, res, next) => {
    try {
      if (!authRequired(o.auth)) return res.redirect(303, '/');
      const body = req.body as Record<string, unknown>;
      const nextUrl = safeNext(body.next);
      const addr = req.socket.remoteAddress ?? '?';
      if (throttle.blocked(addr)) return page(req, res, { error: 'too many failed logins; wait a few minutes', next: nextUrl, status: 429 });
      const user = typeof body.user === 'string' ? body.user.slice(0, 64) : '';
      const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
      const who = await checkLogin(o.auth, user, password);
      if (who === null) {
        throttle.fail(addr);
        return page(req, res, { error: 'wrong user or password', next: nextUrl, status: 401 });
      }
      throttle.succeed(addr);
      // A new session id at login: a session id planted before login is worth nothing.
      const old = access(res).session;
      if (old) o.sessions.destroy(old.id);
      const s = o.sessions.create(who);
      res.append('Set-Cookie', sessionCookie(s.id, o.secureCookies));
      res.redirect(303, nextUrl);
    } catch (err) {
      next(err);
    }
  });
  r.post('/logout', csrfCheck, (_req, res) => {
    const s = access(res).session;
    if (s) o.sessions.destroy(s.id);
    res.append('Set-Cookie', sessionCookie('', o.secureCookies, true));
    res.redirect(303, authRequired(o.auth) ? '/login' : '/');
  });
  return r;
}
