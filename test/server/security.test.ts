/**
 * Secure defaults of `snarf serve`: headers on every response, the static root confined,
 * missing and wrong credentials, users with hashed passwords, CSRF, body limits, the loopback
 * Host check, errors without stack traces, and the refusal to listen beyond loopback unopened.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { createServerApp, type ServerApp } from '../../src/server/app.js';
import { hashPassword, loadAuthConfig, verifyPassword } from '../../src/server/auth.js';
import { confinedPath } from '../../src/server/site.js';
import { isLoopback, parseListen } from '../../src/server/listen.js';
import { makeFixture, type Fixture } from './fixture.js';

const TOKEN = 'sec-token-0123456789abcdef';
let fx: Fixture;
let open: ServerApp;
let locked: ServerApp;

before(async () => {
  fx = await makeFixture(60);
  const cfg = path.join(fx.dir, 'auth.yaml');
  fs.writeFileSync(cfg, `users:\n  - name: alice\n    password: "${await hashPassword('correct horse battery')}"\n`);
  open = createServerApp({ db: fx.db, site: fx.site });
  locked = createServerApp({ db: fx.db, site: fx.site, auth: { ...loadAuthConfig(cfg), token: TOKEN } });
});
after(() => { open.close(); locked.close(); });

const noStack = (text: string): void => assert.doesNotMatch(text, /\n\s+at |node_modules|\.js:\d+|SqliteError/);

test('every response carries the CSP, nosniff and frame denial', async () => {
  for (const url of ['/search', '/api/alerts', '/site/index.html', '/no/such/page', '/_snarf/server.css']) {
    const res = await request(open.app).get(url);
    const csp = res.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'none'/, url);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /base-uri 'none'/);
    assert.match(csp, /form-action 'self'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['x-powered-by'], undefined);
  }
});

test('the static site is served, and confined to its directory', async () => {
  assert.match((await request(open.app).get('/site/').expect(200)).text, /SITE-INDEX/);
  assert.match((await request(open.app).get('/site/src/10.1.2.0.html').expect(200)).text, /HOST-PAGE/);
  const attempts = [
    '/site/../secret.txt', '/site/..%2fsecret.txt', '/site/..%2Fsecret.txt', '/site/%2e%2e/secret.txt', '/site/%2e%2e%2fsecret.txt',
    '/site/%252e%252e%252fsecret.txt', '/site/..%252fsecret.txt', '/site/src/..%2f..%2fsecret.txt', '/site/..\\secret.txt',
    '/site/..%5csecret.txt', `/site/${encodeURIComponent(fx.secret)}`, `/site/${fx.secret}`, '/site//etc/passwd', '/site/%2fetc%2fpasswd',
    '/site/index.html%00.css', '/site/.snarf-manifest.json', '/site/link-out.txt', '/site/%c0%ae%c0%ae/secret.txt', '/site/%ff',
    '/..%2f..%2fetc/passwd', '/site/src/', '/site/src',
  ];
  for (const a of attempts) {
    const res = await request(open.app).get(a);
    assert.ok(res.status === 404 || res.status === 400, `${a}: ${res.status}`);
    assert.doesNotMatch(res.text, /TOP-SECRET|root:|private/, a);
    noStack(res.text);
  }
  assert.equal(confinedPath('/a/../b'), null);
  assert.equal(confinedPath('/%2e%2e/x'), null);
  assert.equal(confinedPath('/%252e%252e/x'), '%2e%2e/x', 'decoded once: a literal name, inside the root');
  await request(open.app).post('/site/index.html').expect(403); // no CSRF token: refused before the site
});

test('open mode answers only loopback Host names (DNS rebinding)', async () => {
  await request(open.app).get('/api/summary').set('Host', 'localhost:8080').expect(200);
  await request(open.app).get('/api/summary').set('Host', '[::1]:8080').expect(200);
  const res = await request(open.app).get('/api/summary').set('Host', 'attacker.example:8080').expect(421);
  noStack(res.text);
  // With authentication the Host is not what protects the data.
  await request(locked.app).get('/api/summary').set('Host', 'snarf.example.org').set('Authorization', `Bearer ${TOKEN}`).expect(200);
});

test('missing and wrong credentials', async () => {
  const none = await request(locked.app).get('/api/alerts').expect(401);
  assert.match(none.headers['www-authenticate'] as string, /Bearer/);
  noStack(none.text);
  await request(locked.app).get('/api/alerts').set('Authorization', 'Bearer wrong-token-0123456789').expect(401);
  await request(locked.app).get('/api/alerts').set('Authorization', `Basic ${Buffer.from(`alice:${TOKEN}`).toString('base64')}`).expect(401);
  await request(locked.app).get('/api/alerts').set('Authorization', `Bearer ${TOKEN} extra`).expect(401);
  await request(locked.app).get('/api/alerts').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  await request(locked.app).get('/site/index.html').expect(303).expect('Location', '/login?next=%2Fsite%2Findex.html');
  await request(locked.app).get('/search?addr=10.1.2.0').expect(303);
  await request(locked.app).get('/alert/1').set('Cookie', 'snarf_sid=forged-session-id').expect(303);
  await request(open.app).get('/api/alerts').set('Authorization', 'Bearer anything-at-all-here').expect(401);
});

test('login with a hashed password, CSRF on the form, session cookie flags, logout', async () => {
  const agent = request.agent(locked.app);
  const page = await agent.get('/login?next=/search').expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  assert.match(page.headers['set-cookie']![0]!, /HttpOnly; SameSite=Strict/);
  await agent.post('/login').type('form').send({ user: 'alice', password: 'correct horse battery', next: '/search' }).expect(403); // no token
  const wrong = await agent.post('/login').type('form').send({ _csrf: csrf, user: 'alice', password: 'wrong', next: '/search' }).expect(401);
  assert.match(wrong.text, /wrong user or password/);
  await agent.post('/login').type('form').send({ _csrf: csrf, user: 'mallory', password: 'x', next: '/' }).expect(401);
  const ok = await agent.post('/login').type('form').send({ _csrf: csrf, user: 'alice', password: 'correct horse battery', next: '//evil.example/' }).expect(303);
  assert.equal(ok.headers.location, '/', 'next never leaves the server');
  const search = await agent.get('/search').expect(200);
  assert.match(search.text, /signed in as <span id="user">alice/);
  const csrf2 = /name="_csrf" value="([^"]+)"/.exec(search.text)![1]!;
  assert.notEqual(csrf2, csrf, 'a new session at login');
  // State changes need the session's token and our own origin.
  await agent.post('/notes').type('form').send({ kind: 'ip', target: '10.1.2.3', text: 'x', back: '/notes' }).expect(403);
  await agent.post('/notes').type('form').send({ _csrf: 'nope', kind: 'ip', target: '10.1.2.3', text: 'x', back: '/notes' }).expect(403);
  await agent.post('/notes').set('Origin', 'http://evil.example').type('form').send({ _csrf: csrf2, kind: 'ip', target: '10.1.2.3', text: 'x', back: '/notes' }).expect(403);
  await agent.post('/notes').type('form').send({ _csrf: csrf2, kind: 'ip', target: '10.1.2.3', text: 'by alice', back: '/notes' }).expect(303);
  assert.match((await agent.get('/notes').expect(200)).text, /by alice/);
  await agent.post('/api/notes').set('X-CSRF-Token', csrf2).send({ kind: 'sig', target: '1000001', text: 'json' }).expect(201);
  await agent.post('/logout').type('form').send({ _csrf: csrf2 }).expect(303);
  await agent.get('/search').expect(303);
  // The token works in the login form too.
  const t = request.agent(locked.app);
  const c = /name="_csrf" value="([^"]+)"/.exec((await t.get('/login')).text)![1]!;
  await t.post('/login').type('form').send({ _csrf: c, user: '', password: TOKEN }).expect(303);
  await t.get('/api/summary').expect(200);
});

test('failed logins are throttled', async () => {
  const app = createServerApp({ db: fx.db, auth: { token: TOKEN, users: [] } });
  try {
    const agent = request.agent(app.app);
    const c = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/login')).text)![1]!;
    for (let i = 0; i < 10; i++) await agent.post('/login').type('form').send({ _csrf: c, password: `bad-${i}` }).expect(401);
    await agent.post('/login').type('form').send({ _csrf: c, password: TOKEN }).expect(429);
  } finally {
    app.close();
  }
});

test('request size limits, malformed bodies and errors without stack traces', async () => {
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const big = await request(locked.app).post('/api/notes').set(auth).send({ kind: 'ip', target: '10.0.0.1', text: 'x'.repeat(40_000) }).expect(413);
  noStack(big.text);
  const bad = await request(locked.app).post('/api/notes').set(auth).set('Content-Type', 'application/json').send('{"kind": ').expect(400);
  noStack(bad.text);
  const many = Array.from({ length: 100 }, (_, i) => `k${i}=v`).join('&');
  await request(locked.app).post('/api/notes').set(auth).type('form').send(many).expect(413);
  const long = await request(locked.app).get(`/api/alerts?src=${'1'.repeat(5000)}`).set(auth).expect(414);
  noStack(long.text);
  const html404 = await request(locked.app).get('/nowhere').set(auth).expect(404);
  assert.match(html404.headers['content-type'] as string, /html/);
  noStack(html404.text);
});

test('passwords: scrypt hashes verify, config mistakes are named', async () => {
  const h = await hashPassword('s3cret-pass');
  assert.match(h, /^scrypt\$16384\$8\$1\$/);
  assert.ok(await verifyPassword('s3cret-pass', h));
  assert.ok(!(await verifyPassword('s3cret-pasS', h)));
  const f = path.join(fx.dir, 'bad.yaml');
  fs.writeFileSync(f, 'users:\n  - name: bob\n    password: hunter2\n');
  assert.throws(() => loadAuthConfig(f), /users\[0\]\.password must be a hash/);
  fs.writeFileSync(f, 'tokens: abc\n');
  assert.throws(() => loadAuthConfig(f), /unknown key "tokens"/);
});

test('--listen parsing and the refusal to listen beyond loopback without auth', () => {
  assert.deepEqual(parseListen('127.0.0.1:9000'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(parseListen('[::1]:9001'), { host: '::1', port: 9001 });
  assert.deepEqual(parseListen(':9002'), { host: '127.0.0.1', port: 9002 });
  assert.throws(() => parseListen('0.0.0.0:99999'), /port/);
  assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost'));
  assert.ok(!isLoopback('0.0.0.0') && !isLoopback('::') && !isLoopback('10.0.0.1') && !isLoopback('snarf.example'));
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
  const r = spawnSync(process.execPath, [cli, 'serve', '--db', fx.db, '--listen', '0.0.0.0:0'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SNARF_TOKEN: '' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without authentication/);
  noStack(r.stderr);
  const short = spawnSync(process.execPath, [cli, 'serve', '--db', fx.db, '--listen', '0.0.0.0:0', '--token', 'short'], { encoding: 'utf8', timeout: 20_000 });
  assert.match(short.stderr, /at least 16 characters/);
  const hash = spawnSync(process.execPath, [cli, 'serve', '--hash-password'], { input: 'a long password\n', encoding: 'utf8', timeout: 20_000 });
  assert.equal(hash.status, 0, hash.stderr);
  assert.match(hash.stdout, /^scrypt\$/);
});
