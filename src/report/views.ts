/**
 * Templates (views/*.ejs) and static files (assets/) of the site, found next to package.json:
 * walking up from this module works from src/ (ts tooling), dist/src/ (the build) and any other
 * output directory that sits inside the project; otherwise the current directory is tried.
 * `<%= %>` escapes (ejs's default); `<%- %>` is kept for HTML Snarf built itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';

function isProjectRoot(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'views', 'index.ejs'));
}

/** The directory holding views/ and assets/ ($SNARF_HOME wins when set). */
export function projectRoot(): string {
  const env = process.env.SNARF_HOME;
  if (env && isProjectRoot(env)) return path.resolve(env);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (isProjectRoot(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (isProjectRoot(process.cwd())) return process.cwd();
  throw new Error('cannot find views/index.ejs: run from the Snarf directory or set SNARF_HOME');
}

export type Render = (data: Record<string, unknown>) => string;

export class Views {
  readonly root: string;
  readonly viewsDir: string;
  readonly assetsDir: string;
  private readonly compiled = new Map<string, Render>();

  /** `defaults`: data every render sees unless it passes its own (what the whole site shares). */
  constructor(root = projectRoot(), private readonly defaults: Readonly<Record<string, unknown>> = {}) {
    this.root = root;
    this.viewsDir = path.join(root, 'views');
    this.assetsDir = path.join(root, 'assets');
  }

  /** Compiles once; `include` of partials resolves in views/ and is cached too. */
  get(name: string): Render {
    let fn = this.compiled.get(name);
    if (!fn) {
      const filename = path.join(this.viewsDir, `${name}.ejs`);
      const tpl = ejs.compile(fs.readFileSync(filename, 'utf8'), { filename, cache: true, rmWhitespace: false });
      fn = (data) => tpl(data) as string;
      this.compiled.set(name, fn);
    }
    return fn;
  }

  render(name: string, data: Record<string, unknown>): string {
    return this.get(name)({ ...this.defaults, ...data });
  }

  /** The static files copied into every site. */
  assets(): Array<{ name: string; content: Buffer }> {
    return filesIn(this.assetsDir).map((name) => ({ name, content: fs.readFileSync(path.join(this.assetsDir, name)) }));
  }

  /** Digest of every template and asset: a new Snarf re-renders pages an old one wrote. */
  digest(): string {
    const h = crypto.createHash('sha1');
    for (const dir of [this.viewsDir, this.assetsDir]) {
      for (const name of filesIn(dir)) {
        h.update(name);
        h.update(fs.readFileSync(path.join(dir, name)));
      }
    }
    return h.digest('hex');
  }
}

/** Plain files directly in a directory (views/ also holds other components' subdirectories). */
function filesIn(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
}
