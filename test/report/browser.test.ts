/**
 * The site in a real browser: Debian's chromium (/usr/bin/chromium) driven by playwright-core,
 * opening index.html from disk (file://), following a signature link and a source link, sorting
 * the signature table (the CSP must let sort.js run), and opening a hostile host page without
 * any script running. A screenshot of the index is kept under test-artifacts/.
 * Set SNARF_CHROMIUM to use another binary. CI installs the package (see docs/report.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { corpusPath, ROOT } from '../helpers/corpus.js';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { importFiles } from '../../src/import/import-files.js';
import { loadCatalog } from '../../src/cli/catalog.js';
import { buildSite } from '../../src/report/build-site.js';
import { EVIL_MSG, fillHostileStore, hostileCatalog } from './hostile-store.js';

const CHROMIUM = process.env.SNARF_CHROMIUM ?? '/usr/bin/chromium';

/** A fresh profile per test (playwright passes it as --user-data-dir). */
async function launch(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

test('index.html from disk: signature and source links, sorting, no foreign requests', async () => {
  const { store } = freshSqlite();
  const out = tempDir('snarf-site-');
  const profile = tempDir('snarf-chromium-');
  let browser: BrowserContext | undefined;
  try {
    const rules = corpusPath('snort', 'rules');
    const catalog = await loadCatalog([rules], true, () => {});
    const dir = corpusPath('snort', 'out', 'sensor-a', 'irc');
    const u2 = fs.readdirSync(dir).filter((n) => n.startsWith('snort.u2.')).map((n) => path.join(dir, n));
    await importFiles(store, u2, { sensor: 'sensor-a', catalog, warn: () => {} });
    await buildSite(store, { outDir: out, catalog });

    browser = await launch(profile);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file://')) problems.push(`request to ${r.url()}`); });
    await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
    assert.equal(await page.title(), 'Snort alerts · Snarf');
    assert.equal(await page.locator('#total-alerts').textContent(), '71');
    assert.equal(await page.locator('svg.chart rect').count() > 0, true);

    const artifacts = path.join(ROOT, 'test-artifacts');
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'report-index.png'), fullPage: true });

    // Sorting by the alerts column (numeric), both ways: sort.js ran under the CSP.
    const counts = async (): Promise<number[]> =>
      (await page.locator('#signatures tbody td.c-count').allTextContents()).map(Number);
    await page.locator('#signatures thead th', { hasText: 'alerts' }).click();
    const asc = await counts();
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    await page.locator('#signatures thead th', { hasText: 'alerts' }).click();
    const desc = await counts();
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    assert.equal(desc[0], 16);

    // A signature link: the page shows the message, id and count.
    await page.locator('#signatures a', { hasText: 'BOT IRC bot-style nickname' }).click();
    assert.match(page.url(), /\/sig\/1-1000032\.html$/);
    assert.equal(await page.locator('h1').textContent(), 'BOT IRC bot-style nickname');
    assert.equal(await page.locator('#sig-id').textContent(), '1:1000032:1');
    assert.equal(await page.locator('#sig-count').textContent(), '9');
    assert.match(await page.locator('pre.rule').textContent() ?? '', /sid:1000032/);

    // A source link from there: the bot has few alerts, so the link opens its /24's page at
    // the bot's section, which shows its alerts and payloads and links back.
    await page.locator('#sources a', { hasText: '163.221.10.17' }).click();
    assert.match(page.url(), /\/src\/net\/163\.221\.10\.0-24\.html#h17$/);
    assert.equal(await page.locator('h1 .net').textContent(), '163.221.10.0/24');
    const section = page.locator('#h17');
    assert.match(await section.textContent() ?? '', /^163\.221\.10\.17/);
    assert.ok(await section.isVisible());
    const box = await section.boundingBox();
    assert.ok(box !== null && box.y >= 0 && box.y < 900, `the section is scrolled into view (y = ${box?.y})`);
    assert.ok(await page.locator('dl.al dd').count() > 0);
    await page.locator('details summary').first().click();
    assert.match(await page.locator('pre.hex').first().textContent() ?? '', /NICK/);
    await page.locator('#net-sigs a').first().click();
    assert.match(page.url(), /\/sig\/1-\d+\.html$/);

    // A host with its own pages (20 alerts or more: the C&C server as destination).
    await page.goto(pathToFileURL(path.join(out, 'top-destinations.html')).href);
    await page.locator('#hosts tbody a', { hasText: '203.0.113.66' }).first().click();
    assert.match(page.url(), /\/dst\/203\.0\.113\.66\.html$/);
    assert.equal(await page.locator('h1 .host-ip').textContent(), '203.0.113.66');
    assert.equal(Number(await page.locator('.host-count').textContent()), 33);
    // One line per alert, as the browser lays them out.
    const lines = (await page.locator('dl.al dd:not(.x)').allInnerTexts()).join('\n').split('\n');
    assert.equal(lines.filter((l) => /^\d\d:\d\d:\d\d\.\d{6} \d+:\d+:\d+ +[A-Z]/.test(l)).length, 33);
    await page.locator('#host-sigs a').first().click();
    assert.match(page.url(), /\/sig\/1-\d+\.html$/);
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    await store.close();
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test('hostile pages run no script in the browser and show the text', async () => {
  const { store } = freshSqlite();
  const out = tempDir('snarf-evil-');
  const profile = tempDir('snarf-chromium-');
  let browser: BrowserContext | undefined;
  try {
    await fillHostileStore(store);
    await buildSite(store, { outDir: out, catalog: hostileCatalog() });
    browser = await launch(profile);
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    for (const rel of ['index.html', 'sig/1-9000001.html', 'src/net/192.0.2.0-24.html', 'dst/net/163.221.0.0-24.html']) {
      await page.goto(pathToFileURL(path.join(out, rel)).href);
      assert.equal(await page.locator('img').count(), 0, rel);
      assert.ok(await page.locator('script:not([src$="sort.js"])').count() === 0, rel);
    }
    await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
    assert.equal(await page.locator('#signatures tbody a').first().textContent(), EVIL_MSG);
    assert.deepEqual(dialogs, []);
  } finally {
    await browser?.close();
    await store.close();
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
