/**
 * The UDP listener over loopback with real corpus datagrams (a bounded count): exporters are
 * keyed by the agent field (192.0.2.1/1402), not the UDP source (127.0.0.1); samples carry the
 * receive time; a garbage datagram is one warning; the flow sink stores the rest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { listenSflow, type ReceivedDatagram } from '../../../src/inputs/sflow/listener.js';
import { flowSink } from '../../../src/import/flow-sink.js';
import { freshSqlite } from '../../helpers/store.js';
import { corpusDatagrams } from './fixtures.js';
import type { Warning } from '../../../src/errors.js';

test('20 corpus datagrams and 1 garbage datagram over loopback', async () => {
  const dgs = (await corpusDatagrams()).slice(0, 20);
  const { store } = freshSqlite();
  const sink = flowSink(store, { homeNets: ['192.0.2.0/24', '2001:db8:1::/48'], flushMs: 60_000 });
  const got: ReceivedDatagram[] = [];
  const warnings: Warning[] = [];
  const now = Date.parse('2005-12-08T01:00:00Z') * 1000;
  const l = await listenSflow({
    address: '127.0.0.1', port: 0, nowUs: () => now,
    onDatagram: (d) => { got.push(d); sink.datagram(d); },
    onWarning: (w) => warnings.push(w),
  });
  const tx = dgram.createSocket('udp4');
  for (const d of dgs) await new Promise<void>((ok, ko) => tx.send(d.data, l.port, '127.0.0.1', (e) => (e ? ko(e) : ok())));
  await new Promise<void>((ok, ko) => tx.send(Buffer.from('not sflow at all, just text'), l.port, '127.0.0.1', (e) => (e ? ko(e) : ok())));
  const deadline = Date.now() + 5000;
  while (l.stats.received < 21 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  tx.close();
  await l.close();
  await sink.close();

  assert.deepEqual(l.stats, { received: 21, rejected: 1 });
  assert.equal(got.length, 20);
  assert.deepEqual(warnings.map((w) => w.code), ['SNARF_SFLOW_BAD_VERSION']);
  assert.match(warnings[0]!.message, /from 127\.0\.0\.1:\d+/);
  assert.equal(got[0]!.from.address, '127.0.0.1');
  assert.equal(got[0]!.decoded.header!.agent, '192.0.2.1');
  assert.ok(got.every((d) => d.decoded.flows.every((s) => s.timeUs === now)));
  const samples = got.reduce((n, d) => n + d.decoded.flows.length, 0);
  const [ex] = await store.flowExporters();
  assert.deepEqual([ex!.agent, ex!.subAgentId, ex!.datagrams, ex!.samples, ex!.lost, ex!.firstUs], ['192.0.2.1', 1402, 20, samples, 0, now]);
  await store.close();
});
