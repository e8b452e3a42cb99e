/**
 * The whole path in a real browser (Debian's chromium, headless, driven by playwright-core):
 * `snarf serve` started as the CLI on a random loopback port with a user from an auth file;
 * log in, search an address, open an alert, add a note, see it. The page must also raise no
 * CSP violation (everything it needs comes from files, nothing inline).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { hashPassword } from '../../src/server/auth.js';
import { readNotes, notesForIp } from '../../src/state/notes.js';
import { makeFixture, type Fixture } from './fixture.js';

const CHROMIUM = process.env.SNARF_CHROMIUM ?? '/usr/bin/chromium';
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

let fx: Fixture;
let child: ChildProcess;
let base: string;
let browser: BrowserContext;

before(async () => {
  fx = await makeFixture(80);
  const cfg = path.join(fx.dir, 'auth.yaml');
  fs.writeFileSync(cfg, `users:\n  - name: analyst\n    password: "${await hashPassword('browser test pass')}"\n`);
  child = spawn(process.execPath, [CLI, 'serve', '--db', fx.db, '--site', fx.site, '--listen', '127.0.0.1:0', '--auth', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  base = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(err);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  // A fresh profile per run (playwright takes it as the persistent context's directory).
  browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(fx.dir, 'chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  child?.kill('SIGTERM');
});

test('log in, search an address, open an alert, add a note and see it', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));

  await page.goto(`${base}/search`);
  assert.match(page.url(), /\/login\?next=%2Fsearch$/);
  await page.fill('#login-user', 'analyst');
  await page.fill('#login-password', 'browser test pass');
  await Promise.all([page.waitForURL(`${base}/search`), page.click('#login-submit')]);
  assert.equal(await page.textContent('#user'), 'analyst');

  await page.fill('#q-addr', '10.1.2.0');
  await Promise.all([page.waitForURL(/\/search\?addr=10\.1\.2\.0/), page.click('#q-submit')]);
  const links = page.locator('#results a.alert-link');
  assert.ok(await links.count() > 0, 'the search found alerts');

  await Promise.all([page.waitForURL(/\/alert\/\d+\?t=\d+$/), links.first().click()]);
  assert.match(await page.textContent('#alert-src') ?? '', /10\.1\.2\.0/);

  await page.selectOption('#note-about', 'ip:10.1.2.0');
  await page.fill('#note-text', 'seen from the browser <b>test</b>');
  const alertUrl = page.url();
  await Promise.all([page.waitForURL(alertUrl), page.click('#note-submit')]);
  const note = page.locator('li.note .text', { hasText: 'seen from the browser' });
  assert.equal(await note.count(), 1);
  assert.equal(await note.first().textContent(), 'seen from the browser <b>test</b>', 'shown as text');
  assert.equal(await page.locator('li.note .text b').count(), 0, 'never as markup');

  const state = await readNotes(fx.db);
  assert.equal(notesForIp(state, '10.1.2.0')[0]!.author, 'analyst');
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
});
