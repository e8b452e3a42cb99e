/**
 * Structured logging for the CLI and the collector: JSON lines when stderr is not a terminal
 * (machines read them), short readable lines when it is (people read them).
 */
import { formatWarning, type Warning } from './errors.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
  warning(w: Warning): void;
}

export function createLogger(opts: { json?: boolean; stream?: NodeJS.WritableStream; quiet?: boolean } = {}): Logger {
  const stream = opts.stream ?? process.stderr;
  const json = opts.json ?? !(stream as NodeJS.WriteStream).isTTY;
  const write = (level: Level, msg: string, fields: Record<string, unknown> = {}): void => {
    if (opts.quiet && level !== 'error') return;
    if (json) {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
    } else {
      const extra = Object.entries(fields).filter(([k]) => k !== 'code').map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      stream.write(`${level}: ${msg}${extra.length ? ` (${extra.join(' ')})` : ''}\n`);
    }
  };
  return {
    log: write,
    warning(w: Warning): void {
      if (json) {
        const fields: Record<string, unknown> = { code: w.code };
        if (w.file !== undefined) fields.file = w.file;
        if (w.line !== undefined) fields.line = w.line;
        if (w.offset !== undefined) fields.offset = w.offset;
        write('warn', w.message, fields);
      } else if (!opts.quiet) {
        stream.write(`warn: ${formatWarning(w)}\n`);
      }
    },
  };
}

/** A logger that keeps everything, for tests. */
export function memoryLogger(): Logger & { lines: Array<{ level: Level; msg: string; fields?: Record<string, unknown> }>; warnings: Warning[] } {
  const lines: Array<{ level: Level; msg: string; fields?: Record<string, unknown> }> = [];
  const warnings: Warning[] = [];
  return {
    lines,
    warnings,
    log(level, msg, fields) { lines.push({ level, msg, fields }); },
    warning(w) { warnings.push(w); },
  };
}
