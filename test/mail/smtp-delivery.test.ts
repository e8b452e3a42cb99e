/**
 * The "done when" test: `snarf mail` sends to a real SMTP server on loopback, and what arrives is
 * parsed back: headers, the text and HTML parts, and numbers that match the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshSqlite } from '../helpers/store.js';
import { DAY, TZ, fillMailStore } from './fixture.js';
import { startSmtp, headerLines } from './smtp.js';
import { dayBoundsUs } from '../../src/inputs/sflow/zone.js';

const run = promisify(execFile);
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

test('snarf mail delivers the summary over SMTP: headers, both parts, numbers of the store', async () => {
  const { store, path: db } = freshSqlite();
  const want = await fillMailStore(store);
  // The store's own answer for the day (raw alerts, by the summary's time filter).
  const { startUs, endUs } = dayBoundsUs(DAY, TZ);
  const sum = await store.summary({ sinceUs: startUs, untilUs: endUs });
  await store.close();
  assert.equal(sum.totals.alerts, want.day);

  const smtp = await startSmtp();
  try {
    const r = await run(process.execPath, [CLI, 'mail', '--db', db, '--smtp', smtp.url, '--to', 'noc@example.ac.jp', '--to', 'Ops <ops@example.ac.jp>',
      '--from', 'Snarf <snarf@example.ac.jp>', '--date', DAY, '--tz', TZ, '--base-url', 'https://snarf.example.ac.jp/site/', '--log-format', 'json']);
    assert.match(r.stderr, /nightly summary sent/);
    assert.equal(smtp.received.length, 1);
    const m = smtp.received[0]!;
    // Envelope and headers come from the command line only.
    assert.equal(m.mailFrom, 'snarf@example.ac.jp');
    assert.deepEqual(m.rcptTo, ['noc@example.ac.jp', 'ops@example.ac.jp']);
    const p = m.parsed;
    assert.equal(p.from?.value[0]?.address, 'snarf@example.ac.jp');
    assert.deepEqual((Array.isArray(p.to) ? p.to : [p.to]).flatMap((t) => t!.value.map((v) => v.address)), ['noc@example.ac.jp', 'ops@example.ac.jp']);
    assert.equal(p.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(p.headers.get('x-snarf-day'), DAY);
    assert.ok(p.messageId);
    assert.ok(p.date instanceof Date);
    // Subject: the date and the headline numbers. 19 the day before, 79/7 = 11.3 a day in the week before.
    const prevPct = Math.round(((want.day - want.prevDay) / want.prevDay) * 100);
    const avg7 = Math.round((want.weekTotal / 7) * 10) / 10;
    const avgPct = Math.round(((want.day - avg7) / avg7) * 100);
    assert.equal(p.subject, `Snarf ${DAY} (${TZ}): ${want.day} alerts (+${prevPct}% vs prev day, +${avgPct}% vs 7-day avg), ` +
      '2 new sigs, 1 P2P host, SILENT: dorm');
    assert.ok(headerLines(m.raw).some((l) => l.startsWith('Content-Type: multipart/alternative')));

    // Text part: fixed-width tables with the store's numbers.
    const text = p.text ?? '';
    assert.match(text, new RegExp(`^alerts +${want.day} +${want.prevDay} +\\+${prevPct}% +${avg7} +\\+${avgPct}%$`, 'm'));
    for (const s of sum.signatures) {
      assert.match(text, new RegExp(`^ +${s.count} .* ${s.gid}:${s.sid} +`, 'm'), `${s.gid}:${s.sid} count ${s.count}`);
    }
    assert.match(text, /^border +24 +14 .*$/m);
    assert.match(text, /^dorm +0 +5 .*WENT SILENT$/m);
    assert.match(text, /--- signatures never seen before \(2\) ---/);
    assert.match(text, /LIKELY|CONFIRMED/);
    assert.match(text, /192\.168\.1\.50/);
    assert.match(text, /--- Daily Report of Suspected p2p traffic \(sFlow\) ---/);
    assert.match(text, /Report site: https:\/\/snarf\.example\.ac\.jp\/site\/index\.html/);

    // HTML part: the same numbers, links into the site, nothing remote or active.
    const html = typeof p.html === 'string' ? p.html : '';
    assert.match(html, /<h1[^>]*>Snarf nightly summary 2026-11-20 \(Asia\/Tokyo\)<\/h1>/);
    assert.match(html, new RegExp(`font-weight: bold;">${want.day}</td>`));
    for (const s of sum.signatures) assert.ok(html.includes(`href="https://snarf.example.ac.jp/site/sig/${s.gid}-${s.sid}.html"`));
    // A P2P host links to its row on the site's p2p.html (host pages may be network sections).
    assert.ok(html.includes('href="https://snarf.example.ac.jp/site/p2p.html#h-192-168-1-50"'));
    assert.doesNotMatch(html, /<script|<img|<link|src=|url\(/i);

    // The state file says what went out.
    const state = JSON.parse(fs.readFileSync(`${db}.state.json`, 'utf8'));
    assert.equal(state.mail.lastRun.status, 'sent');
    assert.equal(state.mail.lastSent.messageId, p.messageId);
    assert.equal(state.mail.lastSent.day, DAY);
  } finally {
    await smtp.close();
  }
});

test('--dry-run writes the .eml to standard output and sends nothing', async () => {
  const { store, path: db } = freshSqlite();
  await fillMailStore(store);
  await store.close();
  const r = await run(process.execPath, [CLI, 'mail', '--db', db, '--dry-run', '--date', DAY, '--tz', TZ, '--to', 'noc@example.ac.jp', '-q']);
  assert.match(r.stdout, /^Auto-Submitted: auto-generated\r\n/);
  assert.match(r.stdout, /\r\nSubject: Snarf 2026-11-20 \(Asia\/Tokyo\): 24 alerts/);
  assert.match(r.stdout, /Content-Type: text\/plain; charset=utf-8/);
  assert.match(r.stdout, /Content-Type: text\/html; charset=utf-8/);
  assert.ok(!fs.existsSync(`${db}.state.json`) || !JSON.parse(fs.readFileSync(`${db}.state.json`, 'utf8')).mail, 'a dry run records nothing');
});
