/**
 * What every response of `snarf serve` carries, and how failures are answered. Alert data is
 * attacker-controlled (payloads, messages from captured traffic, hand-made log lines), so the
 * pages must never run anything but Snarf's own script files:
 * - a Content-Security-Policy with no inline script or style and nothing from elsewhere;
 * - nosniff (a payload served as text never turns into script), frame denial, no referrer;
 * - an error handler that answers with a status and a short message, never a stack trace.
 */
import type { NextFunction, Request, Response } from 'express';
import { SnarfError } from '../errors.js';

export const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "form-action 'self'",
  "frame-ancestors 'none'", "base-uri 'none'", "connect-src 'self'",
].join('; ');

/** Longest request target accepted (the query strings of the live views are short). */
export const MAX_URL = 4096;

/** An error with the HTTP status and the message to show (both safe to send). */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code = 'SNARF_HTTP') {
    super(message);
    this.name = 'HttpError';
  }
}

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on our own form posts.
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  next();
}

/** Refuses over-long request targets before any parsing. */
export function urlLimit(req: Request, _res: Response, next: NextFunction): void {
  if (req.originalUrl.length > MAX_URL) return next(new HttpError(414, 'request URL too long'));
  next();
}

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

/**
 * Without authentication the server only answers requests that name a loopback host: a web page
 * elsewhere could otherwise point a DNS name of its own at 127.0.0.1 (DNS rebinding) and read
 * the alerts through the browser of an analyst who runs `snarf serve` on a laptop.
 */
export function loopbackHostOnly(req: Request, _res: Response, next: NextFunction): void {
  const host = req.headers.host ?? '';
  if (!LOOPBACK_HOST.test(host)) return next(new HttpError(421, 'this server answers only to localhost, 127.0.0.1 or [::1]'));
  next();
}

/** True for a request that wants JSON (the API, or a client asking for it). */
export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || req.path === '/api' || (req.get('accept') ?? '').startsWith('application/json');
}

export type ErrorPage = (req: Request, res: Response, status: number, message: string) => void;

/** The last handlers: 404 and errors, as JSON for the API and as a page otherwise. */
export function errorHandlers(page: ErrorPage): {
  notFound: (req: Request, res: Response, next: NextFunction) => void;
  onError: (err: unknown, req: Request, res: Response, next: NextFunction) => void;
} {
  const send = (req: Request, res: Response, status: number, code: string, message: string): void => {
    if (res.headersSent) {
      res.end();
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    if (wantsJson(req)) res.status(status).json({ error: { status, code, message } });
    else page(req, res, status, message);
  };
  return {
    notFound: (req, res) => send(req, res, 404, 'SNARF_NOT_FOUND', 'not found'),
    onError: (err, req, res, _next) => {
      if (err instanceof HttpError) return send(req, res, err.status, err.code, err.message);
      // body-parser and friends: errors with a 4xx status and an `expose`d message.
      const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
      const status = e.status ?? e.statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        const message = status === 413 ? 'request body too large' : e.expose && e.message ? e.message : 'bad request';
        return send(req, res, status, 'SNARF_BAD_REQUEST', message);
      }
      if (err instanceof RangeError) return send(req, res, 400, 'SNARF_BAD_REQUEST', err.message);
      // Snarf's own errors name a setting or input to fix (a missing home network...): no stack.
      if (err instanceof SnarfError && err.code === 'SNARF_CONFIG_INVALID') return send(req, res, 400, err.code, err.message);
      // Anything else is a bug or an I/O failure: logged here, never shown to the client.
      process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'request failed', method: req.method, path: req.path, error: String((err as Error)?.stack ?? err) })}\n`);
      send(req, res, 500, 'SNARF_INTERNAL', 'internal error');
    },
  };
}
