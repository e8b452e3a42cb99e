/**
 * `snarf serve [--db PATH|URL] [--site DIR] [--listen HOST:PORT] [--auth FILE] [--token T]`:
 * the static site plus live views, the JSON API and triage notes (src/server/, docs/server.md).
 * `--db` is a SQLite file or a postgres:// URL; either is only read (see openServerApp).
 * `snarf serve --hash-password` reads a password on stdin and prints the line for the auth file.
 * The server (express, templates) and the store are imported when the command runs (see
 * main.ts); server/listen.js is light and gives the default address the options show.
 */
import { Command } from 'commander';
import path from 'node:path';
import type { AuthConfig } from '../server/auth.js';
import { DEFAULT_HOST, DEFAULT_PORT, isLoopback, listen, parseListen } from '../server/listen.js';
import { DEFAULT_DB } from './options.js';

interface ServeCliOptions {
  db: string;
  site?: string;
  listen: string;
  auth?: string;
  token?: string;
  secureCookies?: boolean;
  hashPassword?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The auth settings from --auth, --token and SNARF_TOKEN (a token in the environment stays out of `ps`). */
export async function authFromOptions(o: { auth?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): Promise<AuthConfig> {
  const { loadAuthConfig } = await import('../server/auth.js');
  const cfg: AuthConfig = o.auth ? loadAuthConfig(o.auth) : { users: [] };
  const token = o.token ?? env.SNARF_TOKEN;
  if (token !== undefined && token !== '') {
    if (token.length < 16) throw new Error('the token must be at least 16 characters (e.g. `openssl rand -hex 24`)');
    cfg.token = token;
  }
  return cfg;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the static site, live search and alert views, the JSON API and triage notes')
    .option('--db <path|url>', 'SQLite database path or postgres:// URL, opened read-only (notes go to <db>.notes.json, or ./snarf-notes.json for PostgreSQL)', DEFAULT_DB)
    .option('--site <dir>', 'static site to serve under /site/ (the --out of `snarf report`)')
    .option('--listen <host:port>', 'address to listen on; beyond loopback, --auth or --token is required', `${DEFAULT_HOST}:${DEFAULT_PORT}`)
    .option('--auth <file>', 'YAML/JSON with users (name + password hash) and/or a token')
    .option('--token <token>', 'bearer token for the API and the login form (or SNARF_TOKEN)')
    .option('--secure-cookies', 'mark the session cookie Secure (behind a TLS proxy)')
    .option('--hash-password', 'read a password on stdin, print its hash for the auth file, exit')
    .action(async (o: ServeCliOptions) => {
      const { authRequired, hashPassword } = await import('../server/auth.js');
      if (o.hashPassword) {
        const pw = await readStdin();
        if (pw.length < 8) throw new Error('the password must be at least 8 characters');
        process.stdout.write(`${await hashPassword(pw)}\n`);
        return;
      }
      const addr = parseListen(o.listen);
      const auth = await authFromOptions(o);
      if (!isLoopback(addr.host) && !authRequired(auth)) {
        throw new Error(`refusing to listen on ${addr.host} without authentication: pass --auth FILE or --token (or SNARF_TOKEN), or listen on 127.0.0.1`);
      }
      const { openServerApp } = await import('../server/app.js');
      const { isPostgresUrl } = await import('../store/open.js');
      const { notesPathFor } = await import('../state/notes.js');
      const { app, close } = await openServerApp({ db: o.db, site: o.site ?? null, auth, secureCookies: o.secureCookies });
      const server = await listen(app, addr);
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : addr.port;
      const host = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
      const mode = authRequired(auth) ? `auth: ${[auth.token ? 'token' : '', auth.users.length ? `${auth.users.length} users` : ''].filter(Boolean).join(', ')}` : 'no auth, loopback only';
      process.stderr.write(`snarf serve: listening on http://${host}:${port}/ (${mode})\n`);
      const store = isPostgresUrl(o.db) ? 'PostgreSQL (read-only sessions; response approval is SQLite\'s)' : 'SQLite (read-only)';
      process.stderr.write(`snarf serve: store ${store}, notes in ${path.resolve(notesPathFor(o.db))}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          server.close(() => resolve());
          server.closeAllConnections();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await close();
    });
}
