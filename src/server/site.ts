/**
 * The static site (`snarf report --out DIR`) under /site/, confined to DIR.
 *
 * The request path is decoded exactly once and refused if it holds a `..` or dot-file segment,
 * a backslash, a NUL or a control character, so `..%2f`, `%2e%2e/` and absolute paths never
 * leave the root; a doubly encoded `%252e%252e` decodes to the literal name `%2e%2e`, which is
 * looked up as such (and not found). The resolved file must also lie inside the root after
 * symlinks are resolved, and be a regular file; `res.sendFile` with `root` checks once more.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './security.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.txt': 'text/plain; charset=utf-8',
  '.tsv': 'text/plain; charset=utf-8', '.csv': 'text/plain; charset=utf-8',
};

/** The file a site request names, relative to the root, or null when it must not be served. */
export function confinedPath(rawPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(p)) return null;
  const segs = p.split('/').filter((s) => s !== '');
  if (segs.some((s) => s === '..' || s.startsWith('.'))) return null;
  if (p.endsWith('/') || segs.length === 0) segs.push('index.html');
  return segs.join('/');
}

export function siteHandler(siteDir: string) {
  const root = fs.realpathSync(siteDir);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next(new HttpError(405, 'the site is read-only'));
    const rel = confinedPath(req.path);
    if (rel === null) return next(new HttpError(404, 'not found', 'SNARF_NOT_FOUND'));
    const abs = path.join(root, rel);
    let real: string;
    try {
      real = fs.realpathSync(abs);
      if (!real.startsWith(root + path.sep) || !fs.statSync(real).isFile()) throw new Error('outside');
    } catch {
      return next(new HttpError(404, 'not found', 'SNARF_NOT_FOUND'));
    }
    const type = TYPES[path.extname(real).toLowerCase()];
    // Unknown kinds are offered as downloads, never rendered: the site holds only Snarf's files.
    if (type) res.setHeader('Content-Type', type);
    else res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.relative(root, real), { root, dotfiles: 'deny', headers: type ? { 'Content-Type': type } : {} }, (err) => {
      if (err && !res.headersSent) next(new HttpError(404, 'not found', 'SNARF_NOT_FOUND'));
    });
  };
}
