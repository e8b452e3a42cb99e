/**
 * Who may use `snarf serve`: a bearer token, or users with scrypt-hashed passwords from a config
 * file, or nobody in particular when the server listens on loopback only and neither is set.
 *
 * - Browsers log in once (POST /login) and get a session: a random id in an HttpOnly,
 *   SameSite=Strict cookie, kept in memory (a restart logs everyone out, which is fine for a
 *   console). Scripts send `Authorization: Bearer <token>` with every request instead.
 * - Every session carries a CSRF token that forms send back in a hidden field (and scripts in
 *   an X-CSRF-Token header); SameSite=Strict alone would leave older browsers exposed. Bearer
 *   requests need none: a browser never adds that header to a cross-site request by itself.
 * - Passwords and tokens are compared in constant time; scrypt parameters are stored with each
 *   hash so they can be raised later without invalidating old entries.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import YAML from 'yaml';

const scrypt = promisify(crypto.scrypt) as (pw: crypto.BinaryLike, salt: crypto.BinaryLike, len: number, o: crypto.ScryptOptions) => Promise<Buffer>;

export interface UserEntry { name: string; password: string }
export interface AuthConfig { token?: string; users: UserEntry[] }

export function authRequired(cfg: AuthConfig): boolean {
  return Boolean(cfg.token) || cfg.users.length > 0;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

/** `scrypt$N$r$p$<salt base64>$<hash base64>` for a password. */
export async function hashPassword(password: string, salt: Buffer = crypto.randomBytes(16)): Promise<string> {
  const key = await scrypt(password.normalize('NFC'), salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 << 20 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const HASH_RE = /^scrypt\$(\d{1,7})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/=]{8,})\$([A-Za-z0-9+/=]{16,})$/;

export function isPasswordHash(s: string): boolean {
  return HASH_RE.test(s);
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const m = HASH_RE.exec(encoded);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await scrypt(password.normalize('NFC'), Buffer.from(m[4]!, 'base64'), expected.length,
    { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]), maxmem: 256 << 20 });
  return key.length === expected.length && crypto.timingSafeEqual(key, expected);
}

/** Constant-time comparison of two secrets of any length (digests first). */
export function safeEqual(a: string, b: string): boolean {
  const da = crypto.createHash('sha256').update(a).digest();
  const db = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(da, db) && a.length === b.length;
}

/**
 * Reads `--auth FILE` (YAML or JSON): `{ token?: string, users?: [{ name, password }] }` where
 * each password is a hash from `snarf serve --hash-password`. Wrong keys or values are errors
 * naming them, so a typo never silently leaves the server open.
 */
export function loadAuthConfig(file: string): AuthConfig {
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read the auth config: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: the auth config must be a mapping with token and/or users`);
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (k !== 'token' && k !== 'users') throw new Error(`${file}: unknown key "${k}" (token, users)`);
  const cfg: AuthConfig = { users: [] };
  if (d.token !== undefined) {
    if (typeof d.token !== 'string' || d.token.length < 16) throw new Error(`${file}: token must be a string of at least 16 characters`);
    cfg.token = d.token;
  }
  if (d.users !== undefined) {
    if (!Array.isArray(d.users)) throw new Error(`${file}: users must be a list of { name, password }`);
    d.users.forEach((u: unknown, i: number) => {
      const e = u as Record<string, unknown>;
      if (typeof e?.name !== 'string' || !/^[\w.@-]{1,64}$/.test(e.name)) throw new Error(`${file}: users[${i}].name must be 1-64 letters, digits, _ . @ -`);
      if (typeof e.password !== 'string' || !isPasswordHash(e.password)) {
        throw new Error(`${file}: users[${i}].password must be a hash from \`snarf serve --hash-password\` (never the password itself)`);
      }
      if (cfg.users.some((x) => x.name === e.name)) throw new Error(`${file}: user "${e.name}" is listed twice`);
      cfg.users.push({ name: e.name as string, password: e.password });
    });
  }
  return cfg;
}

export interface Session {
  id: string;
  /** null until the visitor logs in (the session then only carries the login form's CSRF token). */
  user: string | null;
  csrf: string;
  expires: number;
}

export const SESSION_COOKIE = 'snarf_sid';
const MAX_SESSIONS = 10_000;
const ANON_TTL_MS = 15 * 60_000;
const USER_TTL_MS = 12 * 3_600_000;

/** In-memory sessions, bounded in number and time. */
export class Sessions {
  private readonly map = new Map<string, Session>();
  constructor(private readonly now: () => number = Date.now) {}

  create(user: string | null): Session {
    this.prune();
    const s: Session = {
      id: crypto.randomBytes(24).toString('base64url'), user, csrf: crypto.randomBytes(24).toString('base64url'),
      expires: this.now() + (user === null ? ANON_TTL_MS : USER_TTL_MS),
    };
    this.map.set(s.id, s);
    return s;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.map.get(id);
    if (!s) return undefined;
    if (s.expires <= this.now()) {
      this.map.delete(id);
      return undefined;
    }
    return s;
  }

  destroy(id: string): void {
    this.map.delete(id);
  }

  private prune(): void {
    const t = this.now();
    for (const [id, s] of this.map) if (s.expires <= t) this.map.delete(id);
    // Still full: drop the oldest (Map keeps insertion order), anonymous ones first.
    while (this.map.size >= MAX_SESSIONS) {
      const anon = [...this.map.values()].find((s) => s.user === null);
      this.map.delete(anon ? anon.id : this.map.keys().next().value!);
    }
  }
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

export function sessionCookie(id: string, secure: boolean, clear = false): string {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (secure) attrs.push('Secure');
  if (clear) attrs.push('Max-Age=0');
  return `${SESSION_COOKIE}=${clear ? '' : id}; ${attrs.join('; ')}`;
}

/** Failed logins per client address; more than `max` in `windowMs` are refused for a while. */
export class LoginThrottle {
  private readonly fails = new Map<string, number[]>();
  constructor(private readonly max = 10, private readonly windowMs = 5 * 60_000, private readonly now: () => number = Date.now) {}

  blocked(addr: string): boolean {
    const t = this.now();
    const list = (this.fails.get(addr) ?? []).filter((x) => x > t - this.windowMs);
    if (list.length) this.fails.set(addr, list); else this.fails.delete(addr);
    return list.length >= this.max;
  }

  fail(addr: string): void {
    if (this.fails.size > 10_000) this.fails.clear(); // bounded: a flood of addresses resets the book
    this.fails.set(addr, [...(this.fails.get(addr) ?? []), this.now()]);
  }

  succeed(addr: string): void {
    this.fails.delete(addr);
  }
}

/** Checks a login: a configured user and password, or (user empty or "token") the token. */
export async function checkLogin(cfg: AuthConfig, user: string, password: string): Promise<string | null> {
  const u = cfg.users.find((x) => x.name === user);
  if (u) return (await verifyPassword(password, u.password)) ? u.name : null;
  if (cfg.token && (user === '' || user === 'token') && safeEqual(password, cfg.token)) return 'token';
  // Unknown user: spend the same time as a real check, so names cannot be probed by timing.
  if (cfg.users.length) await verifyPassword(password, cfg.users[0]!.password);
  return null;
}
