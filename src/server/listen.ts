/**
 * Where `snarf serve` listens, and the rule that guards it: beyond loopback, authentication is
 * required. `--listen` takes `HOST:PORT`, `[v6]:PORT`, `HOST` or `:PORT` (host 127.0.0.1).
 */
import net from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

export interface ListenAddress { host: string; port: number }

export function parseListen(spec: string): ListenAddress {
  const t = spec.trim();
  let host: string;
  let port = String(DEFAULT_PORT);
  const v6 = /^\[([0-9a-fA-F:.%\w]+)\](?::(\d+))?$/.exec(t);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = v6[2];
  } else if (/^\d+$/.test(t)) {
    host = DEFAULT_HOST;
    port = t;
  } else if (t.startsWith(':')) {
    host = DEFAULT_HOST;
    port = t.slice(1);
  } else if ((t.match(/:/g) ?? []).length === 1) {
    [host, port] = t.split(':') as [string, string];
  } else {
    host = t;
  }
  const p = Number(port);
  if (!/^\d{1,5}$/.test(port) || p > 65535) throw new RangeError(`"${spec}": the port must be 0-65535`);
  if (!(host === 'localhost' || net.isIP(host) || /^[a-zA-Z0-9.-]{1,253}$/.test(host))) throw new RangeError(`"${spec}": not a host`);
  return { host, port: p };
}

/** Loopback addresses only; names other than `localhost` could resolve anywhere. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

/** Resolves once listening; rejects (EADDRINUSE, EACCES) with the address in the message. */
export function listen(app: Express, addr: ListenAddress): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(addr.port, addr.host);
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${addr.host}:${addr.port}: ${err.code ?? err.message}`)));
    // Slow clients cannot hold sockets for ever.
    server.headersTimeout = 20_000;
    server.requestTimeout = 60_000;
    server.keepAliveTimeout = 5_000;
  });
}
