/**
 * The JSON API: every route, keyset paging that returns each matching alert exactly once in
 * (time, id) order whatever the filter, notes and acks, and hostile query strings.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createServerApp, type ServerApp } from '../../src/server/app.js';
import { makeFixture, T0, type Fixture } from './fixture.js';

let fx: Fixture;
let srv: ServerApp;
// Bearer requests skip the CSRF check, which lets these tests exercise the API itself.
const TOKEN = 'test-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${TOKEN}` };

before(async () => {
  fx = await makeFixture();
  srv = createServerApp({ db: fx.db, site: fx.site, auth: { token: TOKEN, users: [] }, now: () => Date.UTC(2026, 10, 21) });
});
after(() => srv.close());

interface AlertsBody { alerts: Array<{ id: number; timeUs: number; src: string; dst: string; sid: number; sensor: string; ack: string | null }>; next: string | null; partial: boolean }

async function all(query: string): Promise<AlertsBody['alerts']> {
  const out: AlertsBody['alerts'] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const res = await request(srv.app).get(`/api/alerts?${query}&limit=37${after ? `&after=${after}` : ''}`).set(auth).expect(200);
    const body = res.body as AlertsBody;
    out.push(...body.alerts);
    if (body.next === null) return out;
    after = body.next;
  }
  throw new Error('paging did not end');
}

function sorted(list: AlertsBody['alerts']): void {
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1]!; const b = list[i]!;
    assert.ok(a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.id < b.id), `order at ${i}`);
  }
  assert.equal(new Set(list.map((x) => x.id)).size, list.length, 'no alert twice');
}

test('GET /api lists the endpoints; /api/summary has the CLI summary shape', async () => {
  const idx = await request(srv.app).get('/api').set(auth).expect(200);
  assert.ok((idx.body.endpoints as string[]).includes('/api/alerts'));
  const s = await request(srv.app).get('/api/summary').set(auth).expect(200).expect('Content-Type', /json/);
  assert.equal(s.body.totals.alerts, fx.alerts);
  assert.deepEqual(s.body.sensors.map((x: { name: string }) => x.name), ['sensor-a', 'sensor-b']);
  const b = await request(srv.app).get('/api/summary?sensor=sensor-b').set(auth).expect(200);
  assert.equal(b.body.totals.alerts, 200);
});

test('/api/alerts pages by keyset: every alert once, in (time, id) order, with a next cursor', async () => {
  const every = await all('');
  assert.equal(every.length, fx.alerts);
  sorted(every);
  const first = await request(srv.app).get('/api/alerts?limit=100').set(auth).expect(200);
  assert.equal(first.body.alerts.length, 100);
  assert.match(first.body.next, /^\d+\.\d+$/);
  const capped = await request(srv.app).get('/api/alerts?limit=100000').set(auth).expect(200);
  assert.equal(capped.body.limit, 500, 'limit is capped');
});

test('/api/alerts filters: CIDR on either side, source, destination, signature, sensor, time window', async () => {
  const every = await all('');
  const inNet = (ip: string | null): boolean => ip !== null && ip.startsWith('10.1.2.');
  const addr = await all('addr=10.1.2.0/24');
  sorted(addr);
  assert.deepEqual(addr.map((a) => a.id), every.filter((a) => inNet(a.src) || inNet(a.dst)).map((a) => a.id));
  const v6 = await all(`addr=${encodeURIComponent('2001:db8::/64')}`);
  assert.deepEqual(v6.map((a) => a.id), every.filter((a) => a.dst === '2001:db8::1').map((a) => a.id));
  const src = await all('src=192.0.2.3');
  assert.deepEqual(src.map((a) => a.id), every.filter((a) => a.src === '192.0.2.3').map((a) => a.id));
  const dst = await all('dst=198.51.100.7&sensor=sensor-a');
  assert.deepEqual(dst.map((a) => a.id), every.filter((a) => a.dst === '198.51.100.7' && a.sensor === 'sensor-a').map((a) => a.id));
  const sig = await all('sig=1:2000419');
  assert.deepEqual(sig.map((a) => a.id), every.filter((a) => a.sid === 2000419).map((a) => a.id));
  const since = T0 + 3600_000_000;
  const win = await all(`since=@${since / 1e6}&until=@${(since + 3600_000_000) / 1e6}`);
  assert.deepEqual(win.map((a) => a.id), every.filter((a) => a.timeUs >= since && a.timeUs < since + 3600_000_000).map((a) => a.id));
  const rel = await request(srv.app).get('/api/alerts?since=2026-11-17&until=-3d').set(auth).expect(200);
  assert.ok(rel.body.alerts.length > 0, '"since Tuesday" as a date, until as a relative time');
});

test('/api/alerts/:id: payload, extra data, notes and acks', async () => {
  const res = await request(srv.app).get('/api/alerts?sig=1:3000001').set(auth).expect(200);
  const id = res.body.alerts[0].id as number;
  const d = await request(srv.app).get(`/api/alerts/${id}`).set(auth).expect(200);
  assert.equal(d.body.packets.length, 1);
  assert.equal(d.body.packets[0].payloadOffset, 54);
  assert.match(d.body.packets[0].dump, /GET \/<script>/);
  assert.equal(Buffer.from(d.body.packets[0].data, 'base64').length, d.body.packets[0].captured);
  assert.equal(d.body.extra[0].name, 'HTTP URI');
  assert.deepEqual(Object.keys(d.body.notes), ['src', 'dst', 'sig']);
  await request(srv.app).get('/api/alerts/99999999').set(auth).expect(404);
  await request(srv.app).get('/api/alerts/abc').set(auth).expect(400);
  await request(srv.app).get('/api/alerts/-1').set(auth).expect(400);
});

test('/api/hosts, /api/hosts/:ip, /api/sensors, /api/verdicts, /api/clusters', async () => {
  const h = await request(srv.app).get('/api/hosts?side=src&limit=5').set(auth).expect(200);
  assert.equal(h.body.hosts.length, 5);
  assert.ok(h.body.hosts[0].count >= h.body.hosts[4].count);
  const net = await request(srv.app).get('/api/hosts?side=src&cidr=10.1.2.0/24&limit=1000').set(auth).expect(200);
  assert.ok(net.body.hosts.every((x: { ip: string }) => x.ip.startsWith('10.1.2.')));
  await request(srv.app).get('/api/hosts?side=sideways').set(auth).expect(400);
  const one = await request(srv.app).get('/api/hosts/10.1.2.0').set(auth).expect(200);
  assert.ok(one.body.asSource.count > 0);
  assert.equal(one.body.asDestination.count, 0);
  await request(srv.app).get('/api/hosts/not-an-ip').set(auth).expect(400);
  const s = await request(srv.app).get('/api/sensors').set(auth).expect(200);
  assert.deepEqual(s.body.sensors.map((x: { name: string; alerts: number }) => [x.name, x.alerts]), [['sensor-a', 201], ['sensor-b', 200]]);
  const v = await request(srv.app).get('/api/verdicts').set(auth).expect(200);
  assert.ok(Array.isArray(v.body.hosts));
  const c = await request(srv.app).get('/api/clusters').set(auth).expect(200);
  assert.ok(Array.isArray(c.body.clusters));
});

test('notes and acks through the API are stored and shown on alerts', async () => {
  const n = await request(srv.app).post('/api/notes').set(auth).send({ kind: 'net', target: '10.1.2.77/24', text: 'lab network\u0007' }).expect(201);
  assert.equal(n.body.target, '10.1.2.0/24');
  assert.equal(n.body.text, 'lab network', 'control characters dropped');
  assert.equal(n.body.author, 'token');
  await request(srv.app).post('/api/notes').set(auth).send({ kind: 'ip', target: 'nope', text: 'x' }).expect(400);
  await request(srv.app).post('/api/notes').set(auth).send({ kind: 'sig', target: '1:2000419', text: '' }).expect(400);
  await request(srv.app).post('/api/notes').set(auth).send({ kind: 'sig', target: '1:2000419', text: 'x'.repeat(2001) }).expect(400);
  await request(srv.app).post('/api/notes').set(auth).send([1, 2]).expect(400);
  const list = await request(srv.app).get('/api/notes').set(auth).expect(200);
  assert.equal(list.body.notes.length, 1);
  const host = await request(srv.app).get('/api/hosts/10.1.2.4').set(auth).expect(200);
  assert.equal(host.body.notes[0].text, 'lab network');

  const ack = await request(srv.app).post('/api/acks').set(auth).send({ sig: '1:1000001', src: '10.1.2.0' }).expect(201);
  const acked = await all('sig=1:1000001');
  assert.ok(acked.filter((a) => a.src === '10.1.2.0').every((a) => a.ack === ack.body.id));
  assert.ok(acked.filter((a) => a.src !== '10.1.2.0').every((a) => a.ack === null));
  await request(srv.app).post('/api/acks').set(auth).send({ sig: 'bogus' }).expect(400);
  await request(srv.app).delete(`/api/acks/${ack.body.id}`).set(auth).expect(204);
  await request(srv.app).delete(`/api/acks/${ack.body.id}`).set(auth).expect(404);
  await request(srv.app).delete(`/api/notes/${n.body.id}`).set(auth).expect(204);
  assert.equal((await request(srv.app).get('/api/notes').set(auth)).body.notes.length, 0);
});

test('hostile query strings are 400s naming the parameter, never 500s', async () => {
  const bad: Array<[string, RegExp]> = [
    ['addr=10.1.2.0/24&addr=10.0.0.0/8', /addr/], ['addr[]=1.2.3.4', /unknown parameter/], ['scr=10.0.0.1', /unknown parameter/], ['src=1.2.3.4/99', /src/], ['dst=%00', /dst/],
    ['sig=1:2:3', /sig/], ['since=last%20tuesday', /since/], ['until=-1d&since=now', /until/], ['limit=-5', /limit/],
    ['limit=1e9', /limit/], ['limit=0', /limit/], ['after=1', /after/], ['after=99999999999999999999.1', /after/],
    [`addr=${'9'.repeat(5000)}`, /./], ['priority=abc', /priority/], ['sensor=' + Array(20).fill('a').join('&sensor='), /sensor/],
    ['__proto__[x]=1&constructor=1&src=%zz', /./],
  ];
  for (const [q, re] of bad) {
    const res = await request(srv.app).get(`/api/alerts?${q}`).set(auth);
    assert.ok(res.status === 400 || res.status === 414, `${q}: ${res.status}`);
    assert.match(JSON.stringify(res.body), re);
    assert.doesNotMatch(res.text, /\n\s+at |node_modules|\.js:\d+/, 'no stack trace');
  }
  // SQL-looking values are just values.
  const sql = await request(srv.app).get(`/api/alerts?sensor=${encodeURIComponent("a' OR 1=1 --")}`).set(auth).expect(200);
  assert.equal(sql.body.alerts.length, 0);
});
