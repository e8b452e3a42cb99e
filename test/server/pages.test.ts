/**
 * The live HTML views in the open (loopback) mode: search, the alert page with its payload shown
 * as escaped text, notes and acks through the forms, and the notes file the report reads.
 * Also the query plans: every page is served by an index, never a full scan plus sort.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import Database from 'better-sqlite3';
import { createServerApp, type ServerApp } from '../../src/server/app.js';
import { notesForIp, notesForSig, readNotes, ackFor } from '../../src/state/notes.js';
import { ServerQueries } from '../../src/store/sqlite/server-queries.js';
import { HOSTILE, makeFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let srv: ServerApp;
before(async () => {
  fx = await makeFixture(120);
  srv = createServerApp({ db: fx.db, site: fx.site });
});
after(() => srv.close());

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

test('/ leads to the site; /search finds alerts by address and links each to its page', async () => {
  await request(srv.app).get('/').expect(303).expect('Location', '/site/');
  const empty = await request(srv.app).get('/search').expect(200);
  assert.doesNotMatch(empty.text, /id="results"/);
  const res = await request(srv.app).get('/search?addr=10.1.2.0/24&sensor=sensor-a').expect(200);
  assert.match(res.text, /id="results"/);
  assert.match(res.text, /href="\/alert\/\d+\?t=\d+"/, 'links carry the alert time (an index probe on PostgreSQL)');
  assert.match(res.text, /Notes on network 10\.1\.2\.0\/24/);
  const bad = await request(srv.app).get('/search?addr=not-an-address').expect(400);
  assert.match(bad.text, /addr: /);
  assert.match(bad.headers['content-type'] as string, /html/);
  const paged = await request(srv.app).get('/search?addr=10.1.2.0/24&limit=5').expect(200);
  assert.match(paged.text, /id="next-page" href="\/search\?addr=10\.1\.2\.0%2F24&amp;limit=5&amp;after=\d+\.\d+"/);
});

test('the alert page shows hostile message, payload and extra data as text, never as markup', async () => {
  const api = await request(srv.app).get('/api/alerts?sig=1:3000001').expect(200);
  const id = api.body.alerts[0].id as number;
  const page = await request(srv.app).get(`/alert/${id}`).expect(200);
  assert.doesNotMatch(page.text, /<script>alert|<img src=x/i, 'no raw markup from the data');
  assert.match(page.text, /&lt;script&gt;alert\(&#34;x&#34;\)&lt;\/script&gt;/);
  assert.match(page.text, /GET \/&lt;script&gt;/, 'payload dump escaped');
  assert.match(page.text, /HTTP URI/);
  assert.doesNotMatch(page.text, /<script(?![^>]*src=)/i, 'no inline script at all');
  assert.match(page.text, /&lt;b&gt;bold&lt;\/b&gt;/);
  assert.doesNotMatch(HOSTILE, /&lt;/);
});

test('notes and acks through the forms land in <db>.notes.json and show on the pages', async () => {
  const agent = request.agent(srv.app);
  const api = await agent.get('/api/alerts?src=10.1.2.0').expect(200);
  const id = api.body.alerts[0].id as number;
  const page = await agent.get(`/alert/${id}`).expect(200);
  const csrf = csrfOf(page.text);
  await agent.post('/notes').type('form').send({ _csrf: csrf, back: `/alert/${id}`, about: 'ip:10.1.2.0', text: 'owner: <lab> & co' })
    .expect(303).expect('Location', `/alert/${id}`);
  await agent.post('/notes').type('form').send({ _csrf: csrf, back: 'https://evil.example/', about: 'sig:1:1000001', text: 'noisy rule' })
    .expect(303).expect('Location', '/');
  const again = await agent.get(`/alert/${id}`).expect(200);
  assert.match(again.text, /owner: &lt;lab&gt; &amp; co/);
  await agent.post('/acks').type('form').send({ _csrf: csrf, back: `/alert/${id}`, sig: '1:1000001', src: '10.1.2.0', comment: 'known' }).expect(303);
  const state = await readNotes(fx.db);
  assert.equal(notesForIp(state, '10.1.2.0')[0]!.text, 'owner: <lab> & co');
  assert.equal(notesForIp(state, '10.1.2.0')[0]!.author, 'local');
  assert.equal(notesForSig(state, 1, 1000001)[0]!.text, 'noisy rule');
  assert.ok(ackFor(state, { gid: 1, sid: 1000001, src: '10.1.2.0', dst: null, timeUs: api.body.alerts[0].timeUs }));
  assert.equal(ackFor(state, { gid: 1, sid: 1000001, src: '10.9.9.9', dst: null, timeUs: 0 }), undefined);
  const notes = await agent.get('/notes').expect(200);
  assert.match(notes.text, /noisy rule/);
  assert.match(notes.text, /known/);
  const noteId = state.notes[1]!.id;
  await agent.post(`/notes/${noteId}/delete`).type('form').send({ _csrf: csrf, back: '/notes' }).expect(303);
  assert.equal((await readNotes(fx.db)).notes.length, 1);
  await agent.post('/notes').type('form').send({ _csrf: csrf, kind: 'net', target: '10.1.2.0/33', text: 'x' }).expect(400);
  // A fresh visitor without the session cookie cannot post.
  await request(srv.app).post('/notes').type('form').send({ _csrf: csrf, kind: 'ip', target: '10.1.2.3', text: 'x' }).expect(403);
});

test('query plans: pages read through the (ts, h), (src, ts) and (dst, ts) indexes', () => {
  const db = new Database(fx.db, { readonly: true });
  try {
    const q = new ServerQueries(db);
    const plans = [
      q.alertPage({ filter: {}, limit: 10 }).plan,
      q.alertPage({ filter: { srcCidr: '10.1.2.0/24' }, limit: 10 }).plan,
      q.alertPage({ filter: {}, addr: '10.1.2.0/24', limit: 10 }).plan,
      q.alertPage({ filter: { sensors: ['sensor-a'] }, sig: { gid: 1, sid: 1000001 }, limit: 10 }).plan,
    ];
    assert.deepEqual(plans, [['alerts_identity'], ['alerts_src'], ['alerts_src', 'alerts_dst'], ['alerts_identity(window)']]);
    const detail = q.explain(`SELECT a.id FROM alerts a INDEXED BY alerts_src WHERE a.src BETWEEN ? AND ? AND a.ts >= ? ORDER BY a.ts, a.id LIMIT 100`,
      [Buffer.alloc(16), Buffer.alloc(16, 0xff), 0]).join('\n');
    assert.match(detail, /USING (COVERING )?INDEX alerts_src/);
    const time = q.explain('SELECT a.id FROM alerts a INDEXED BY alerts_identity WHERE a.ts >= ? ORDER BY a.ts, a.id LIMIT 100', [0]).join('\n');
    assert.match(time, /INDEX alerts_identity/);
    assert.doesNotMatch(time, /SCAN a\b(?! USING)/);
  } finally {
    db.close();
  }
});
