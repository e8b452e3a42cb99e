/**
 * Helpers for report tests: walk a generated site, check that every internal link resolves to
 * a file, that nothing is loaded from another host, and pull numbers out of pages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ipKey } from '../../src/model/ip.js';
import { hostPagePath, netOfKey, netPagePath, sectionAnchor } from '../../src/report/filenames.js';

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

/**
 * The attributes of a start tag, read left to right as a browser does, so that text inside a
 * quoted value (`data-x="&lt;img src=x&gt;"`) is never taken for an attribute of its own.
 */
function attributesOf(tag: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /\s*([^\s=>/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/y;
  re.lastIndex = (/^<[a-z][a-z0-9]*/i.exec(tag)?.[0].length) ?? 1;
  for (let m = re.exec(tag); m !== null && m[0] !== ''; m = re.exec(tag)) {
    out.push([m[1]!.toLowerCase(), unescapeAttr(m[2] ?? m[3] ?? m[4] ?? '')]);
  }
  return out;
}

/** Every element id on a page. */
function idsOf(html: string): Set<string> {
  const out = new Set<string>();
  for (const m of html.matchAll(/<[a-z][a-z0-9]*\b[^>]*>/gi)) {
    for (const [name, value] of attributesOf(m[0])) if (name === 'id') out.add(value);
  }
  return out;
}

/**
 * The directory a page resolves its relative URLs from, as a browser does: its `<base href>`
 * (relative to the page) when it has one, else its own directory. `baseHref` is the raw value.
 */
function baseOf(file: string, html: string): { dir: string; baseHref: string | null } {
  for (const m of html.matchAll(/<base\b[^>]*>/gi)) {
    for (const [name, value] of attributesOf(m[0])) {
      if (name === 'href') return { dir: path.resolve(path.dirname(file), value), baseHref: value };
    }
  }
  return { dir: path.dirname(file), baseHref: null };
}

/**
 * Every link (`<a href>`) on a site page, resolved as a browser resolves it (honouring
 * `<base href>`), as a site-relative path with its `#fragment`.
 */
export function linksOn(dir: string, rel: string): string[] {
  const file = path.join(dir, rel);
  const html = fs.readFileSync(file, 'utf8');
  const { dir: from } = baseOf(file, html);
  const out: string[] = [];
  for (const t of html.matchAll(/<a\b[^>]*>/gi)) {
    for (const [attr, url] of attributesOf(t[0])) {
      if (attr !== 'href' || /^[a-z][a-z0-9+.-]*:/i.test(url)) continue;
      const hash = url.indexOf('#');
      const target = hash < 0 ? url : url.slice(0, hash);
      out.push(`${path.relative(dir, path.resolve(from, target))}${hash < 0 ? '' : url.slice(hash)}`);
    }
  }
  return out;
}

/**
 * Problems found: broken internal links (a missing file, or a `#fragment` no element of the
 * target page has as its id), absolute or foreign loads. URLs resolve as in a browser: from the
 * page's `<base href>` when it has one (a bare `#fragment` then leaves the page). Empty when the
 * site is sound.
 */
export function checkLinks(dir: string): { problems: string[]; links: number; anchors: number } {
  const problems: string[] = [];
  let links = 0;
  let anchors = 0;
  const ids = new Map<string, Set<string>>();
  const idsIn = (file: string): Set<string> => {
    let s = ids.get(file);
    if (!s) ids.set(file, (s = idsOf(fs.readFileSync(file, 'utf8'))));
    return s;
  };
  for (const file of htmlFiles(dir)) {
    const html = fs.readFileSync(file, 'utf8');
    const rel = path.relative(dir, file);
    const base = baseOf(file, html);
    if (base.baseHref !== null && (/^[a-z][a-z0-9+.-]*:/i.test(base.baseHref) || base.baseHref.startsWith('/'))) {
      problems.push(`${rel}: non-relative base ${base.baseHref}`);
    }
    if (!path.resolve(base.dir).startsWith(path.resolve(dir))) problems.push(`${rel}: base ${base.baseHref} outside the site`);
    for (const t of html.matchAll(/<([a-z][a-z0-9]*)\b[^>]*>/gi)) {
      const tag = t[1]!.toLowerCase();
      for (const [attr, url] of attributesOf(t[0])) {
        if ((attr !== 'href' && attr !== 'src') || tag === 'base') continue;
        {
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
          const hash = url.indexOf('#');
          const target = hash < 0 ? url : url.slice(0, hash);
          const fragment = hash < 0 ? '' : decodeURIComponent(url.slice(hash + 1));
          // Without a base, a bare `#fragment` stays on the page; with one, it is the base URL's.
          const targetFile = target === '' && base.baseHref === null ? file : path.resolve(base.dir, target);
          if (targetFile !== file && (!fs.existsSync(targetFile) || !fs.statSync(targetFile).isFile())) {
            problems.push(`${rel}: broken ${attr} ${url}`);
            continue;
          }
          if (fragment !== '' && targetFile.endsWith('.html')) {
            anchors++;
            if (!idsIn(targetFile).has(fragment)) problems.push(`${rel}: ${attr} ${url}: no id "${fragment}" in ${path.relative(dir, targetFile)}`);
          }
        }
      }
    }
  }
  return { problems, links, anchors };
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
  const start = html.search(new RegExp(`<table [^>]*id=(?:"${tableId}"|${tableId}[\\s>])`));
  if (start < 0) return new Map();
  const table = html.slice(start, html.indexOf('</table>', start));
  const out = new Map<string, number>();
  // End tags are left out in these tables; the count is the second cell.
  for (const m of table.matchAll(/<tr><td><a href=[^\s">]+>([^<]+)<\/a><td>(\d+)\s*</g)) out.set(m[1]!, Number(m[2]));
  return out;
}

export function decodeEntities(s: string): string {
  return unescapeAttr(s);
}

/**
 * Where a host is shown on one side: its own page (`src/<ip>.html`) or the part of its network
 * page (`src/net/<net>.html`, `src/net/<net>/<k>.html`) holding its anchor; null when neither.
 */
export function hostLocation(dir: string, side: 'src' | 'dst', ip: string): { file: string; anchor: string | null } | null {
  const own = hostPagePath(side, ip);
  if (fs.existsSync(path.join(dir, own))) return { file: own, anchor: null };
  const key = ipKey(ip);
  const net = netOfKey(key);
  const anchor = sectionAnchor(key);
  const first = netPagePath(side, net.base);
  const candidates = [first];
  const more = path.join(dir, side, 'net', net.base);
  if (fs.existsSync(more)) for (const f of fs.readdirSync(more)) candidates.push(`${side}/net/${net.base}/${f}`);
  for (const c of candidates) {
    const file = path.join(dir, c);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(`<dt id=${anchor}>`)) return { file: c, anchor };
  }
  return null;
}

/** The HTML of a host's section on its network page (or its whole own page). */
export function hostSection(dir: string, side: 'src' | 'dst', ip: string): string {
  const loc = hostLocation(dir, side, ip);
  if (!loc) throw new Error(`${side} ${ip}: no page shows it`);
  const html = read(dir, loc.file);
  if (loc.anchor === null) return html;
  const start = html.indexOf(`<dt id=${loc.anchor}>`);
  const next = html.indexOf('<dt id=', start + 1);
  return html.slice(start, next < 0 ? html.indexOf('</dl>', start) : next);
}
