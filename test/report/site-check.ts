/**
 * Helpers for report tests: walk a generated site, check that every internal link resolves to
 * a file, that nothing is loaded from another host, and pull numbers out of pages.
 */
import fs from 'node:fs';
import path from 'node:path';

export function htmlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function unescapeAttr(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Problems found: broken internal links, absolute or foreign loads. Empty when the site is sound. */
export function checkLinks(dir: string): { problems: string[]; links: number } {
  const problems: string[] = [];
  let links = 0;
  for (const file of htmlFiles(dir)) {
    const html = fs.readFileSync(file, 'utf8');
    const rel = path.relative(dir, file);
    for (const m of html.matchAll(/<([a-z]+)\b[^>]*?\s(href|src)="([^"]*)"/g)) {
      const [, tag, attr, raw] = m;
      const url = unescapeAttr(raw!);
      if (/^https?:\/\//i.test(url)) {
        // External reference links are fine to click, never to load.
        if (tag !== 'a' || attr !== 'href') problems.push(`${rel}: loads ${url} from another host`);
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('/') || url.startsWith('//')) {
        problems.push(`${rel}: non-relative ${attr} ${url}`);
        continue;
      }
      links++;
      const target = url.split('#')[0]!;
      if (target === '') continue;
      if (!fs.existsSync(path.resolve(path.dirname(file), target))) problems.push(`${rel}: broken ${attr} ${url}`);
    }
  }
  return { problems, links };
}

export function read(dir: string, rel: string): string {
  return fs.readFileSync(path.join(dir, rel), 'utf8');
}

/** Index rows: gid:sid:rev → { count, sources, destinations }. */
export function indexSignatures(html: string): Map<string, { count: number; sources: number; destinations: number; message: string }> {
  const out = new Map<string, { count: number; sources: number; destinations: number; message: string }>();
  for (const m of html.matchAll(/<tr data-sig="([^"]+)">([\s\S]*?)<\/tr>/g)) {
    const row = m[2]!;
    const num = (cls: string): number => Number(new RegExp(`class="n ${cls}"[^>]*>(\\d+)<`).exec(row)?.[1]);
    const message = /<a href="sig\/[^"]+">(.*?)<\/a>/.exec(row)?.[1] ?? '';
    out.set(m[1]!, { count: num('c-count'), sources: num('c-src'), destinations: num('c-dst'), message });
  }
  return out;
}

/** Rows of a host table (`<a href=...>ip</a>` then a count cell) on a page, within the table of that id. */
export function hostRows(html: string, tableId: string): Map<string, number> {
  const start = html.indexOf(`id="${tableId}"`);
  if (start < 0) return new Map();
  const table = html.slice(start, html.indexOf('</table>', start));
  const out = new Map<string, number>();
  for (const m of table.matchAll(/<tr><td><a href="[^"]+">([^<]+)<\/a><\/td><td class="n c-count">(\d+)</g)) out.set(m[1]!, Number(m[2]));
  return out;
}

export function decodeEntities(s: string): string {
  return unescapeAttr(s);
}
