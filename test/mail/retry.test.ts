/**
 * A mail always arrives or says why not: sends are retried with capped exponential backoff, a
 * permanent refusal stops at once, a failure after every retry is logged with its code and kept
 * in the state file, and a summary that cannot be built becomes a short mail saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { freshSqlite } from '../helpers/store.js';
import { DAY, TZ, fillMailStore } from './fixture.js';
import { startSmtp } from './smtp.js';
import { runNightly, type NightlyOptions } from '../../src/mail/nightly.js';
import { backoffMs, smtpSender } from '../../src/mail/send.js';
import { memoryLogger } from '../../src/log.js';

const mail = (attempts: number): NightlyOptions['mail'] => ({
  from: 'snarf@example.ac.jp', to: ['noc@example.ac.jp'], timeZone: TZ, baseUrl: null, top: 10,
  retry: { attempts, baseMs: 1000, maxMs: 3000 },
});

test('backoff doubles up to the cap', () => {
  const p = { attempts: 6, baseMs: 1000, maxMs: 3000 };
  assert.deepEqual([2, 3, 4, 5, 6].map((n) => backoffMs(p, n)), [1000, 2000, 3000, 3000, 3000]);
});

test('a temporary refusal (451) is retried with backoff, then the mail goes out', async () => {
  const { store, path: db } = freshSqlite();
  await fillMailStore(store);
  const smtp = await startSmtp({ refuse: 2 });
  const sender = smtpSender(smtp.url);
  const waits: number[] = [];
  const logger = memoryLogger();
  try {
    const r = await runNightly({ store, db, day: DAY, mail: mail(5), logger, sender, trigger: 'schedule', sleep: async (ms) => { waits.push(ms); } });
    assert.equal(r.status, 'sent');
    assert.deepEqual(waits, [1000, 2000]);
    assert.equal(smtp.received.length, 1);
    const warns = logger.lines.filter((l) => l.level === 'warn' && l.fields?.code === 'SNARF_MAIL_SEND_FAILED');
    assert.equal(warns.length, 2);
    assert.match(String(warns[0]!.fields?.error), /451/);
    const state = JSON.parse(fs.readFileSync(`${db}.state.json`, 'utf8'));
    assert.equal(state.mail.lastSent.attempts, 3);
  } finally {
    sender.close();
    await store.close();
    await smtp.close();
  }
});

test('a permanent refusal (550) is not retried; the failure is logged and recorded', async () => {
  const { store, path: db } = freshSqlite();
  await fillMailStore(store);
  const smtp = await startSmtp({ permanent: true });
  const sender = smtpSender(smtp.url);
  const logger = memoryLogger();
  const waits: number[] = [];
  try {
    const r = await runNightly({ store, db, day: DAY, mail: mail(5), logger, sender, trigger: 'schedule', sleep: async (ms) => { waits.push(ms); } });
    assert.equal(r.status, 'failed');
    assert.deepEqual(waits, []);
    const err = logger.lines.find((l) => l.level === 'error');
    assert.equal(err?.fields?.code, 'SNARF_MAIL_SEND_FAILED');
    assert.match(String(err?.fields?.error), /550/);
    const state = JSON.parse(fs.readFileSync(`${db}.state.json`, 'utf8'));
    assert.equal(state.mail.lastRun.status, 'failed');
    assert.match(state.mail.lastRun.error.code, /^SNARF_MAIL_SEND_FAILED \(.*550\)$/);
    assert.equal(state.mail.failures.length, 1);
    assert.equal(state.mail.lastSent, undefined);
  } finally {
    sender.close();
    await store.close();
    await smtp.close();
  }
});

test('no server at all: every attempt fails, logged with the connection error code', async () => {
  const { store, path: db } = freshSqlite();
  await fillMailStore(store);
  const smtp = await startSmtp();
  const url = smtp.url;
  await smtp.close(); // nothing listens there now
  const sender = smtpSender(url, { timeoutMs: 2000 });
  const logger = memoryLogger();
  try {
    const r = await runNightly({ store, db, day: DAY, mail: mail(3), logger, sender, trigger: 'schedule', sleep: async () => undefined });
    assert.equal(r.status, 'failed');
    assert.equal(logger.lines.filter((l) => l.fields?.code === 'SNARF_MAIL_SEND_FAILED').length, 3);
    assert.match(String(logger.lines.at(-1)?.fields?.error), /ECONNECTION|ESOCKET/);
    const state = JSON.parse(fs.readFileSync(`${db}.state.json`, 'utf8'));
    assert.equal(state.mail.lastRun.attempts, 3);
  } finally {
    sender.close();
    await store.close();
  }
});

test('a summary that cannot be built is retried, then a "could not be built" mail says why', async () => {
  const { store, path: db } = freshSqlite();
  const smtp = await startSmtp();
  const sender = smtpSender(smtp.url);
  const logger = memoryLogger();
  let builds = 0;
  try {
    const r = await runNightly({
      store, db, day: DAY, mail: mail(2), logger, sender, trigger: 'schedule', sleep: async () => undefined,
      buildRetry: { attempts: 2, baseMs: 10, maxMs: 10 },
      build: async () => { builds++; throw new Error('database disk image is malformed\r\nBcc: x@evil.example'); },
    });
    assert.equal(builds, 2);
    assert.equal(r.status, 'sent-build-failure');
    assert.equal(smtp.received.length, 1);
    const p = smtp.received[0]!.parsed;
    assert.equal(p.subject, `Snarf ${DAY} (${TZ}): the nightly summary could not be built: database disk image is malformed Bcc: x@evil.example`);
    assert.equal(p.headers.get('bcc'), undefined);
    assert.equal(p.headers.get('x-snarf-mail'), 'build-failure');
    assert.match(p.text ?? '', /could not be built after 2 attempts\.\nReason: database disk image is malformed Bcc: x@evil\.example/);
    assert.equal(logger.lines.filter((l) => l.fields?.code === 'SNARF_MAIL_BUILD_FAILED').length, 2);
    const state = JSON.parse(fs.readFileSync(`${db}.state.json`, 'utf8'));
    assert.equal(state.mail.lastRun.status, 'sent-build-failure');
    assert.equal(state.mail.lastRun.error.code, 'SNARF_MAIL_BUILD_FAILED');
  } finally {
    sender.close();
    await store.close();
    await smtp.close();
  }
});

test('snarf mail on a missing database sends the failure mail and exits 1', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
  const smtp = await startSmtp();
  try {
    const err = await promisify(execFile)(process.execPath, [CLI, 'mail', '--db', '/nonexistent/snarf.db', '--smtp', smtp.url, '--to', 'noc@example.ac.jp', '--date', DAY, '-q'])
      .then(() => null, (e: { code: number; stderr: string }) => e);
    assert.equal(err?.code, 1);
    assert.match(err!.stderr, /SNARF_MAIL_BUILD_FAILED: the summary for 2026-11-20 could not be built \(.*no such database/);
    assert.equal(smtp.received.length, 1);
    assert.match(smtp.received[0]!.parsed.subject ?? '', /could not be built: .*no such database/);
  } finally {
    await smtp.close();
  }
});
