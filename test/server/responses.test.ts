/**
 * Response approval in `snarf serve`: the list page and API, approve / reject / revoke from the
 * forms (session CSRF token) and the API (bearer), the actor recorded as the logged-in user and
 * never from the body, the export of approved actions only, the lazily opened writable
 * connection (503 when the file is read-only), and hostile evidence and comments shown as text.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { createServerApp, type ServerApp } from '../../src/server/app.js';
import { hashPassword } from '../../src/server/auth.js';
import { expiryParam, writeFailure } from '../../src/server/responses.js';
import { HttpError } from '../../src/server/security.js';
import { validatePolicy } from '../../src/policy/policy-file.js';
import type { PolicyFinding } from '../../src/policy/findings.js';
import { proposeResponses } from '../../src/response/service.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { HOSTILE, makeFixture, T0, type Fixture } from './fixture.js';

const TOKEN = 'resp-token-0123456789abcdef';
const PASSWORD = 'correct horse battery';
const NOW_MS = Date.UTC(2026, 10, 21);
const H = 3_600_000_000;
const DAY = 24 * H;
const bearer = { Authorization: `Bearer ${TOKEN}` };

const policy = validatePolicy({
  kinds: {
    winny: { rule: 'banned', respond: ['block-host'], duration: '7d' },
    'irc-bot': { rule: 'banned', respond: ['block-peer'], duration: '14d' },
  },
}, 'policy.yaml');

const finding = (over: Partial<PolicyFinding>): PolicyFinding => ({
  kind: 'winny', host: '10.1.2.31', peer: null, level: 'confirmed', evidence: ['Winny monitor: 12 events'], firstUs: T0, lastUs: T0 + H, source: 'test', ...over,
});

let fx: Fixture;
let srv: ServerApp;
let open: ServerApp;

/** Proposals by target address (ids follow the order the policy run records them). */
const ids = new Map<string, number>();

before(async () => {
  fx = await makeFixture(60);
  const store = new SqliteStore(fx.db);
  await proposeResponses(store, policy, {
    verdicts: false, nowUs: NOW_MS * 1000 - H,
    extraFindings: [
      finding({}),
      finding({ host: '10.1.2.32', evidence: [`seen as ${HOSTILE}`] }),
      finding({ host: '10.1.2.33' }),
      finding({ kind: 'irc-bot', host: '10.1.2.40', peer: '203.0.113.66', evidence: ['joined #<b>botnet</b>'] }),
      finding({ host: '10.1.2.34' }),
      finding({ host: '10.1.2.35' }),
    ],
  });
  for (const r of store.db.prepare('SELECT id, target FROM response_proposals').all() as Array<{ id: number; target: Buffer }>) {
    const t = r.target;
    ids.set(`${t[12]}.${t[13]}.${t[14]}.${t[15]}`, r.id);
  }
  await store.close();
  assert.equal(ids.size, 6);
  srv = createServerApp({
    db: fx.db, now: () => NOW_MS,
    auth: { token: TOKEN, users: [{ name: 'alice', password: await hashPassword(PASSWORD) }, { name: 'bob', password: await hashPassword(PASSWORD) }] },
  });
  open = createServerApp({ db: fx.db, now: () => NOW_MS });
});
after(() => { srv.close(); open.close(); });

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const id = (addr: string): number => ids.get(addr)!;

async function login(user: string): Promise<{ agent: ReturnType<typeof request.agent>; csrf: string }> {
  const agent = request.agent(srv.app);
  const c = csrfOf((await agent.get('/login').expect(200)).text);
  await agent.post('/login').type('form').send({ _csrf: c, user, password: PASSWORD, next: '/responses' }).expect(303).expect('Location', '/responses');
  const page = await agent.get('/responses').expect(200);
  return { agent, csrf: csrfOf(page.text) };
}

function decisions(pid: number): Array<{ decision: string; actor: string; at: number; comment: string | null }> {
  const db = new Database(fx.db, { readonly: true });
  try {
    return db.prepare('SELECT decision, actor, at, comment FROM response_decisions WHERE proposal_id = ? ORDER BY id').all(pid) as never;
  } finally {
    db.close();
  }
}

test('the list: pending first with evidence, target, action, kind, level and forms; the writable connection stays closed', async () => {
  const { agent } = await login('alice');
  const page = await agent.get('/responses').expect(200).expect('Content-Type', /html/);
  assert.match(page.text, /<a href="\/responses">responses<\/a>/, 'linked from the nav');
  for (const a of ids.keys()) assert.match(page.text, new RegExp(`<span class="target">${a.replace(/\./g, '\\.')}</span>`));
  assert.match(page.text, /block-peer/);
  assert.match(page.text, /irc-bot \(confirmed\)/);
  assert.match(page.text, /winny is banned by the policy/, 'evidence summary');
  assert.match(page.text, /7d from the approval/, 'the expiry the approval would give');
  assert.equal((page.text.match(/action="\/responses\/\d+\/approve"/g) ?? []).length, 6);
  assert.equal((page.text.match(/action="\/responses\/\d+\/reject"/g) ?? []).length, 6);
  assert.match(page.text, /id="actor">alice</);
  const api = await request(srv.app).get('/api/responses?state=pending').set(bearer).expect(200);
  assert.equal(api.body.proposals.length, 6);
  assert.equal(api.body.counts.pending, 6);
  const p = api.body.proposals.find((x: { target: string }) => x.target === '203.0.113.66');
  assert.equal(p.action, 'block-peer');
  assert.equal(p.kind, 'irc-bot');
  assert.equal(p.host, '10.1.2.40');
  assert.deepEqual(p.decisions.map((d: { decision: string }) => d.decision), ['propose']);
  assert.equal(srv.ctx.responses!.decisions.open, false, 'reads never open the writable connection');
  assert.equal(srv.ctx.responses!.store.db.readonly, true);
});

test('approve from the form with the session CSRF token: recorded as the session user, with the time', async () => {
  const { agent, csrf } = await login('alice');
  const pid = id('10.1.2.31');
  await agent.post(`/responses/${pid}/approve`).type('form').send({ _csrf: csrf, back: '/responses?state=pending', comment: 'confirmed by the monitor' })
    .expect(303).expect('Location', `/responses?state=pending#p-${pid}`);
  assert.equal(srv.ctx.responses!.decisions.open, true);
  const d = decisions(pid);
  assert.deepEqual(d.map((x) => [x.decision, x.actor]), [['propose', 'snarf'], ['approve', 'alice']]);
  assert.equal(d[1]!.at, NOW_MS * 1000);
  assert.equal(d[1]!.comment, 'confirmed by the monitor');
  const api = await request(srv.app).get('/api/responses?state=approved').set(bearer).expect(200);
  assert.equal(api.body.proposals.length, 1);
  assert.equal(api.body.proposals[0].decidedBy, 'alice');
  assert.equal(api.body.proposals[0].expires, new Date(NOW_MS + 7 * 86_400_000).toISOString().replace('Z', '000Z'));
  // The page now offers revoke, not approve, for it; a second approval is a conflict.
  const page = await agent.get('/responses?state=approved').expect(200);
  assert.match(page.text, new RegExp(`action="/responses/${pid}/revoke"`));
  assert.doesNotMatch(page.text, new RegExp(`action="/responses/${pid}/approve"`));
  const again = await agent.post(`/responses/${pid}/approve`).type('form').send({ _csrf: csrf }).expect(409);
  assert.match(again.text, /is approved; only a pending proposal can be approved/);
  // An off-site `back` is not followed.
  await agent.post(`/responses/${id('10.1.2.35')}/reject`).type('form').send({ _csrf: csrf, back: 'https://evil.example/' })
    .expect(303).expect('Location', `/responses#p-${id('10.1.2.35')}`);
});

test('reject from the API with a session (X-CSRF-Token), with the bearer token (actor `token`); the body cannot name the actor', async () => {
  const { agent, csrf } = await login('bob');
  const pid = id('10.1.2.33');
  const spoof = await agent.post(`/api/responses/${pid}/reject`).set('X-CSRF-Token', csrf).send({ comment: 'x', actor: 'mallory' }).expect(400);
  assert.match(spoof.body.error.message, /recorded as the logged-in user/);
  await agent.post(`/api/responses/${pid}/reject`).set('X-CSRF-Token', csrf).send({ comment: 'x', expires: '2d' }).expect(400);
  assert.equal(decisions(pid).length, 1, 'nothing recorded by refused requests');
  const r = await agent.post(`/api/responses/${pid}/reject`).set('X-CSRF-Token', csrf).send({ comment: 'lab honeypot' }).expect(200);
  assert.equal(r.body.status, 'rejected');
  assert.equal(r.body.decidedBy, 'bob');
  assert.deepEqual(r.body.decisions.map((d: { decision: string; actor: string }) => [d.decision, d.actor]), [['propose', 'snarf'], ['reject', 'bob']]);

  const peer = id('203.0.113.66');
  const ok = await request(srv.app).post(`/api/responses/${peer}/approve`).set(bearer).send({ comment: 'C&C server', expires: '2d' }).expect(200);
  assert.equal(ok.body.status, 'approved');
  assert.equal(ok.body.decidedBy, 'token');
  assert.equal(decisions(peer).at(-1)!.at, NOW_MS * 1000);
  assert.equal(decisions(peer).at(-1)!.actor, 'token');
  assert.equal(new Date(ok.body.expires).getTime(), NOW_MS + 2 * 86_400_000, 'the expiry override');
  // Revoke and approve again: only pending proposals can be approved.
  const rv = await request(srv.app).post(`/api/responses/${peer}/revoke`).set(bearer).send({}).expect(200);
  assert.equal(rv.body.status, 'revoked');
  await request(srv.app).post(`/api/responses/${peer}/approve`).set(bearer).expect(409);
  // The open loopback mode records its local user.
  const loc = request.agent(open.app);
  const c = csrfOf((await loc.get('/responses').expect(200)).text);
  await loc.post(`/responses/${id('10.1.2.32')}/approve`).type('form').send({ _csrf: c, expires: '2026-12-01' }).expect(303);
  assert.equal(decisions(id('10.1.2.32')).at(-1)!.actor, 'local');
});

test('missing or wrong CSRF token → 403; unauthenticated → 401; nothing recorded', async () => {
  const { agent, csrf } = await login('alice');
  const pid = id('10.1.2.34');
  const before = decisions(pid).length;
  await agent.post(`/responses/${pid}/revoke`).type('form').send({ comment: 'no token' }).expect(403);
  await agent.post(`/responses/${pid}/revoke`).type('form').send({ _csrf: 'wrong', comment: 'bad token' }).expect(403);
  await agent.post(`/api/responses/${pid}/revoke`).send({ comment: 'json without header' }).expect(403);
  await agent.post(`/responses/${pid}/revoke`).set('Origin', 'http://evil.example').type('form').send({ _csrf: csrf }).expect(403);
  await request(srv.app).post(`/responses/${pid}/approve`).type('form').send({ _csrf: csrf }).expect(401);
  await request(srv.app).post(`/api/responses/${pid}/approve`).send({}).expect(401);
  await request(srv.app).get('/api/responses').expect(401);
  await request(srv.app).get('/api/responses/export?format=list').expect(401);
  await request(srv.app).post(`/api/responses/${pid}/approve`).set('Authorization', 'Bearer wrong-token-0123456789').expect(401);
  await request(srv.app).get('/responses').expect(303).expect('Location', '/login?next=%2Fresponses');
  assert.equal(decisions(pid).length, before);
});

test('ids, states, fields and parameters are checked: 400 / 404, no stack traces', async () => {
  const noStack = (text: string): void => assert.doesNotMatch(text, /\n\s+at |node_modules|\.js:\d+|SqliteError/);
  for (const bad of ['abc', '0', '1e3', '-1', '1.5', '99999999999999999999']) {
    const r = await request(srv.app).post(`/api/responses/${bad}/approve`).set(bearer).send({});
    assert.equal(r.status, 400, bad);
    noStack(r.text);
  }
  await request(srv.app).post('/api/responses/9999/approve').set(bearer).send({}).expect(404);
  await request(srv.app).post(`/api/responses/${id('10.1.2.34')}/destroy`).set(bearer).send({}).expect(404);
  await request(srv.app).get('/api/responses?state=bogus').set(bearer).expect(400);
  await request(srv.app).get('/api/responses?status=pending').set(bearer).expect(400);
  await request(srv.app).get('/api/responses?state=pending&state=approved').set(bearer).expect(400);
  await request(srv.app).get('/responses?sate=pending').set(bearer).expect(400);
  await request(srv.app).get('/api/responses/export?format=pf').set(bearer).expect(400);
  await request(srv.app).get('/api/responses/export?format=list&x=1').set(bearer).expect(400);
  await request(srv.app).get('/api/responses/export?format=nftables&table=bad;name').set(bearer).expect(400);
  const pid = id('10.1.2.34');
  const past = await request(srv.app).post(`/api/responses/${pid}/revoke`).set(bearer).send({ comment: 42 }).expect(400);
  noStack(past.text);
  await request(srv.app).post(`/api/responses/${pid}/revoke`).set(bearer).send({ comment: 'x'.repeat(501) }).expect(400);
  await request(srv.app).post(`/api/responses/${pid}/revoke`).set(bearer).send('[1]').type('json').expect(400);
  assert.throws(() => expiryParam('-2d', NOW_MS), /must be in the future/);
  assert.throws(() => expiryParam('soon', NOW_MS), /expires: .*7d/);
  assert.equal(expiryParam('12h', NOW_MS), NOW_MS * 1000 + 12 * H);
  assert.equal(expiryParam('2026-12-01', NOW_MS), Date.UTC(2026, 11, 1) * 1000);
});

test('export: approved and unexpired only, as text/plain', async () => {
  for (const format of ['list', 'nftables', 'iptables', 'acl']) {
    const r = await request(srv.app).get(`/api/responses/export?format=${format}`).set(bearer).expect(200).expect('Content-Type', /^text\/plain; charset=utf-8/);
    assert.match(r.text, /10\.1\.2\.31/, `${format}: the approved address`);
    assert.match(r.text, /10\.1\.2\.32/, `${format}: approved in the open mode`);
    assert.doesNotMatch(r.text, /10\.1\.2\.33/, `${format}: the rejected one`);
    assert.doesNotMatch(r.text, /203\.0\.113\.66/, `${format}: the revoked one`);
    assert.doesNotMatch(r.text, /10\.1\.2\.34/, `${format}: a pending one`);
    assert.doesNotMatch(r.text, /10\.1\.2\.35/, `${format}: rejected from the form`);
  }
  const list = await request(srv.app).get('/api/responses/export?format=list&action=block-peer').set(bearer).expect(200);
  assert.doesNotMatch(list.text, /10\.1\.2\.31/);
  // Past the expiry: nothing.
  const later = createServerApp({ db: fx.db, now: () => NOW_MS + 30 * 86_400_000, auth: { token: TOKEN, users: [] } });
  try {
    const r = await request(later.app).get('/api/responses/export?format=list').set(bearer).expect(200);
    assert.doesNotMatch(r.text, /10\.1\.2\.3\d/);
    const ex = await request(later.app).get('/api/responses?state=expired').set(bearer).expect(200);
    assert.equal(ex.body.proposals.length, 2);
  } finally {
    later.close();
  }
});

test('hostile comments and evidence are shown as text', async () => {
  const { agent, csrf } = await login('alice');
  const pid = id('10.1.2.34');
  await agent.post(`/responses/${pid}/approve`).type('form').send({ _csrf: csrf, comment: HOSTILE, back: '/responses' }).expect(303);
  assert.equal(decisions(pid).at(-1)!.comment, HOSTILE);
  const page = await agent.get('/responses').expect(200);
  assert.doesNotMatch(page.text, /<script>alert|<img src=x|<b>botnet/i, 'no raw markup from the data');
  assert.match(page.text, /&lt;script&gt;alert\(&#34;x&#34;\)&lt;\/script&gt;&lt;img src=x onerror=alert\(1\)&gt;/, 'the comment, escaped');
  assert.match(page.text, /seen as &lt;script&gt;/, 'the evidence, escaped');
  assert.match(page.text, /joined #&lt;b&gt;botnet&lt;\/b&gt;/);
  assert.doesNotMatch(page.text, /<script(?![^>]*src=)/i, 'no inline script at all');
  const api = await request(srv.app).get('/api/responses?state=approved').set(bearer).expect(200).expect('Content-Type', /json/);
  assert.ok(api.body.proposals.some((p: { comment: string }) => p.comment === HOSTILE));
});

test('a database the server may not write: 503 with a clear message, reads unaffected', async () => {
  const mapped = writeFailure(Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' }));
  assert.ok(mapped instanceof HttpError && mapped.status === 503 && /not writable/.test(mapped.message));
  assert.equal((writeFailure(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' })) as HttpError).status, 503);
  const plain = new Error('bug');
  assert.equal(writeFailure(plain), plain);
  // Root ignores permission bits (CI runs as root): there the database's directory is removed
  // after the server opened its read-only connection, so the writable open fails the same way.
  const root = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(fx.dir, 'ro-'));
  const db = path.join(dir, 'snarf.db');
  fs.copyFileSync(fx.db, db);
  for (const ext of ['-wal', '-shm']) if (fs.existsSync(fx.db + ext)) fs.copyFileSync(fx.db + ext, db + ext);
  const ro = createServerApp({ db, now: () => NOW_MS, auth: { token: TOKEN, users: [] } });
  try {
    if (root) {
      await request(ro.app).get('/api/responses?state=approved').set(bearer).expect(200);
      fs.rmSync(dir, { recursive: true, force: true });
    } else {
      fs.chmodSync(db, 0o444);
      fs.chmodSync(dir, 0o555);
    }
    const list = await request(ro.app).get('/api/responses?state=approved').set(bearer).expect(200);
    assert.ok(list.body.proposals.length >= 1);
    const r = await request(ro.app).post(`/api/responses/${list.body.proposals[0].id}/revoke`).set(bearer).send({}).expect(503);
    assert.match(r.body.error.message, /not writable/);
  } finally {
    ro.close();
    if (fs.existsSync(dir)) fs.chmodSync(dir, 0o755);
  }
});

test('close() closes the writable connection too', async () => {
  const s = createServerApp({ db: fx.db, now: () => NOW_MS });
  s.ctx.responses!.decisions.store();
  assert.equal(s.ctx.responses!.decisions.open, true);
  await s.close();
  assert.equal(s.ctx.responses!.decisions.open, false);
  void DAY;
});
