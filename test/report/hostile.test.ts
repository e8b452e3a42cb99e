/**
 * Hostile input: everything from the wire renders as text on every page where it appears.
 * Messages, classifications, references, sensor names, URIs, hostnames, XFF, SMTP fields,
 * payloads and rule text carry `<script>`, `"><img src=x onerror=...>`, `javascript:` URLs and
 * `</title>`; no page may contain any of them as markup.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freshSqlite, tempDir } from '../helpers/store.js';
import { buildSite } from '../../src/report/build-site.js';
import { checkLinks, decodeEntities, hostSection, htmlFiles } from './site-check.js';
import { EVIL_MSG, EVIL_SENSOR, EVIL_URI, fillHostileStore, hostileCatalog } from './hostile-store.js';

test('hostile messages, URIs, hostnames, payloads and references render as text everywhere', async () => {
  const { store } = freshSqlite();
  const out = tempDir('snarf-evil-');
  try {
    await fillHostileStore(store);
    await buildSite(store, { outDir: out, catalog: hostileCatalog() });
    const files = htmlFiles(out);
    assert.ok(files.length >= 8);
    for (const file of files) {
      // Snarf's own SVG charts carry <title> tooltips; the page title is counted outside them.
      const html = fs.readFileSync(file, 'utf8').replace(/<svg[\s\S]*?<\/svg>/g, '<svg></svg>');
      const name = path.relative(out, file);
      // Markup: only Snarf's own script tag, no images, one title, no javascript: anywhere in a tag.
      const scripts = html.match(/<script\b[^>]*>/gi) ?? [];
      for (const s of scripts) assert.match(s, /^<script src=(?:"(?:\.\.\/)*sort\.js"|(?:\.\.\/)*sort\.js) defer>$/, `${name}: ${s}`);
      assert.equal((html.match(/<\/script>/gi) ?? []).length, scripts.length, `${name}: stray </script>`);
      assert.doesNotMatch(html, /<img/i, `${name}: <img`);
      assert.equal((html.match(/<\/title>/gi) ?? []).length, 1, `${name}: </title>`);
      assert.equal((html.match(/<title>/gi) ?? []).length, 1, `${name}: <title>`);
      for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) {
        // Escaped text inside a quoted attribute value is data, not markup: only what stands
        // outside the quotes can be an attribute, and no URL attribute may hold javascript:.
        const bare = tag.replace(/"[^"]*"|'[^']*'/g, '""');
        assert.doesNotMatch(bare, /onerror|\son[a-z]+=/i, `${name}: ${tag}`);
        assert.doesNotMatch(tag, /\s(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:/i, `${name}: ${tag}`);
        assert.ok(!/[<>]/.test(tag.slice(1, -1)), `${name}: raw < or > inside a tag: ${tag}`);
      }
    }
    const text = (rel: string): string => decodeEntities(fs.readFileSync(path.join(out, rel), 'utf8'));
    // And the text is all there, readable.
    assert.ok(text('index.html').includes(EVIL_MSG));
    assert.ok(text('index.html').includes(EVIL_SENSOR));
    assert.ok(text('index.html').includes('</title><script>alert(3)</script>'));
    const sig = text('sig/1-9000001.html');
    assert.ok(sig.includes(EVIL_MSG));
    assert.ok(sig.includes('javascript:alert(4)'), 'a javascript: reference is shown as text');
    assert.ok(sig.includes('cve,"><img src=x onerror=alert(5)>'));
    assert.ok(sig.includes('content:"<img src=x onerror=alert(17)>"'), 'rule text shown as text');
    // Few alerts per host: each is a section of its network's page.
    const host = decodeEntities(hostSection(out, 'src', '192.0.2.66'));
    assert.ok(host.includes(EVIL_URI));
    assert.ok(host.includes('"><img src=x onerror=alert(9)>.example'));
    assert.ok(host.includes('javascript:alert(14)'));
    assert.ok(host.includes('</title><script>alert(15)</script>'));
    assert.ok(host.includes('<script>alert(10)</script></title>"><img src=x onerror=alert(12)>'.slice(0, 16)), 'payload ASCII column');
    assert.ok(decodeEntities(hostSection(out, 'src', '2001:db8::bad')).includes(`${EVIL_MSG} (appended)`));
    // One sensor: named once in the page header, not in every row.
    assert.ok(text('dst/net/163.221.0.0-24.html').includes(EVIL_SENSOR));
    assert.ok(text('src/net/192.0.2.0-24.html').includes(EVIL_SENSOR));
    const links = checkLinks(out);
    assert.deepEqual(links.problems, []);
    assert.ok(links.anchors > 0);

    // The same with a page per address (SnortSnarf's layout): the host pages' own tables.
    const own = tempDir('snarf-evil-');
    try {
      await buildSite(store, { outDir: own, catalog: hostileCatalog(), limits: { minHostPage: 1 } });
      for (const file of htmlFiles(own)) {
        const html = fs.readFileSync(file, 'utf8').replace(/<svg[\s\S]*?<\/svg>/g, '<svg></svg>');
        assert.doesNotMatch(html, /<img|<script>|javascript:alert\(4\)"/i, path.relative(own, file));
      }
      const page = decodeEntities(fs.readFileSync(path.join(own, 'src/192.0.2.66.html'), 'utf8'));
      assert.ok(page.includes(EVIL_URI) && page.includes(EVIL_MSG) && page.includes(EVIL_SENSOR));
      assert.deepEqual(checkLinks(own).problems, []);
    } finally {
      fs.rmSync(own, { recursive: true, force: true });
    }
  } finally {
    await store.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
});
