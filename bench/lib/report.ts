/** Turns the JSON lines of the scenario scripts into table rows and renders the run's table. */
import { sizeLabel } from './measure.js';

export interface Row {
  scenario: string;
  size: string;
  seconds: string;
  rate: string;
  rssMB: string;
  baseline: string;
  ratio: string;
  target: string;
  met: string;
}

export interface GrowthRow {
  scenario: string;
  sizes: string;
  rssMB: string;
  growth: string;
  target: string;
  flat: boolean;
}

type Json = Record<string, unknown>;

const num = (j: Json, k: string): number => (typeof j[k] === 'number' ? (j[k] as number) : NaN);

/** 71234 -> "71.2k", 1534000 -> "1.53M". */
export function fmtRate(x: number): string {
  if (!Number.isFinite(x)) return '?';
  const trim = (s: string): string => s.replace(/\.0+$/, '');
  if (x >= 1e6) return `${trim((x / 1e6).toFixed(2))}M`;
  if (x >= 1e3) return `${trim((x / 1e3).toFixed(1))}k`;
  return x.toFixed(0);
}

const mb = (bytes: number): string => `${Math.round(bytes / 1e6)} MB`;
const fixed = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : '?');

/** The row under an import: the database's own floor for the same rows (store-floor.ts). */
function floorRow(scenario: string, j: Json, countKey: string): Row {
  const f = j.floor as { rowsSeconds: number; indexSeconds: number; addressRollupSeconds: number };
  return {
    scenario: `  ${scenario} floor (database only)`,
    size: `rows ${fixed(f.rowsSeconds, 2)} + indexes ${fixed(f.indexSeconds, 2)} + address rollups ${fixed(f.addressRollupSeconds, 2)} s`,
    seconds: fixed(num(j, 'floorSeconds'), 2), rate: `${fmtRate(num(j, countKey) / num(j, 'floorSeconds'))} /s`, rssMB: '-',
    baseline: '-', ratio: `${fixed(num(j, 'ratioVsFloor'), 2)}x (import / floor)`, target: '-', met: '-',
  };
}

function met(rateOk: unknown, rssOk: unknown): string {
  const misses = [rateOk === false ? 'rate' : '', rssOk === false ? 'RSS' : ''].filter(Boolean);
  return misses.length ? `NO (${misses.join(', ')})` : 'yes';
}

export function toRows(scenario: string, results: Json[], scenarioRssMB: number): { rows: Row[]; growth: GrowthRow[] } {
  const rows: Row[] = [];
  const growth: GrowthRow[] = [];
  for (const j of results) {
    switch (j.bench) {
      case 'sflow-decode':
        rows.push({
          scenario: 'sflow-decode', size: `${sizeLabel(num(j, 'datagrams'))} dgrams`, seconds: fixed(num(j, 'seconds'), 3),
          rate: `${fmtRate(num(j, 'datagramsPerSec'))} dgram/s`, rssMB: fixed(scenarioRssMB, 0),
          baseline: `${fixed(num(j, 'baselineSeconds'), 3)} (copy)`, ratio: `${fixed(num(j, 'ratioVsBaseline'), 1)}x`,
          target: `>= ${fmtRate(num(j, 'targetDatagramsPerSec'))} dgram/s`, met: j.meetsTarget ? 'yes' : 'NO (rate)',
        });
        break;
      case 'sflow-listener':
        rows.push({
          scenario: 'sflow-listener (collect)', size: `${sizeLabel(num(j, 'sent'))} dgrams @ ${fmtRate(num(j, 'rate'))}/s`,
          seconds: fixed(num(j, 'seconds'), 1), rate: `lost ${num(j, 'lost')}`, rssMB: fixed(scenarioRssMB, 0),
          baseline: `lost ${num(j, 'baselineLost')} (bare socket)`, ratio: '-', target: 'lost 0 at 10k/s', met: j.meetsTarget ? 'yes' : 'NO (loss)',
        });
        break;
      case 'unified2-decode':
        rows.push({
          scenario: `unified2-decode ${String(j.mode)}`, size: `${sizeLabel(num(j, 'events'))} ev, ${mb(num(j, 'bytes'))}`,
          seconds: fixed(num(j, 'seconds'), 3), rate: `${fmtRate(num(j, 'recordsPerSec'))} rec/s`, rssMB: fixed(num(j, 'peakRssMB'), 0),
          baseline: `${fixed(num(j, 'catSeconds'), 4)} (cat)`, ratio: `${fixed(num(j, 'ratioVsCat'), 1)}x`, target: '-', met: '-',
        });
        break;
      case 'unified2-import':
        rows.push({
          scenario: 'unified2-import', size: `${sizeLabel(num(j, 'events'))} ev, ${mb(num(j, 'bytes'))}`,
          seconds: fixed(num(j, 'seconds'), 2), rate: `${fmtRate(num(j, 'eventsPerSec'))} ev/s`, rssMB: fixed(num(j, 'peakRssMB'), 0),
          baseline: `${fixed(num(j, 'catSeconds'), 4)} (cat)`, ratio: `${fixed(num(j, 'ratioVsCat'), 0)}x`,
          target: `>= ${fmtRate(num(j, 'targetEventsPerSec'))} ev/s, <= ${num(j, 'targetMaxRssMB')} MB`, met: met(j.meetsRate, j.meetsRss),
        });
        if (j.floor) rows.push(floorRow('unified2-import', j, 'events'));
        break;
      case 'text-import':
        rows.push({
          scenario: `text-import ${String(j.format)}`, size: `${sizeLabel(num(j, 'alerts'))} al, ${mb(num(j, 'bytes'))}`,
          seconds: fixed(num(j, 'seconds'), 2), rate: `${fmtRate(num(j, 'alertsPerSec'))} al/s`, rssMB: fixed(num(j, 'peakRssMB'), 0),
          baseline: `${fixed(num(j, 'catSeconds'), 4)} (cat)`, ratio: `${fixed(num(j, 'ratioVsCat'), 0)}x`,
          target: j.meetsRate === null ? `<= ${num(j, 'targetMaxRssMB')} MB (rate: at 1M)`
            : `>= ${fmtRate(num(j, 'targetAlertsPerSec'))} al/s, <= ${num(j, 'targetMaxRssMB')} MB`,
          met: met(j.meetsRate, j.meetsRss),
        });
        if (j.floor) rows.push(floorRow('text-import', j, 'alerts'));
        break;
      case 'eve-import':
        rows.push({
          scenario: 'eve-import', size: `${sizeLabel(num(j, 'events'))} ev, ${mb(num(j, 'bytes'))}`,
          seconds: fixed(num(j, 'seconds'), 2), rate: `${fmtRate(num(j, 'eventsPerSec'))} ev/s`, rssMB: fixed(num(j, 'peakRssMB'), 0),
          baseline: `${fixed(num(j, 'jsonParseSeconds'), 3)} (JSON.parse)`, ratio: `${fixed(num(j, 'ratioVsJsonParse'), 1)}x`, target: '-', met: '-',
        });
        break;
      case 'serve-load':
        rows.push({
          scenario: `serve-load ${String(j.phase)}`, size: `${sizeLabel(num(j, 'alerts'))} al, ${num(j, 'requests')} req x${num(j, 'concurrency')}`,
          seconds: fixed(num(j, 'seconds'), 2), rate: `${fixed(num(j, 'rps'), 0)} req/s, p50 ${fixed(num(j, 'p50Ms'), 1)} ms, p99 ${fixed(num(j, 'p99Ms'), 1)} ms`,
          rssMB: fixed(scenarioRssMB, 0), baseline: '-', ratio: '-',
          target: j.targetP99Ms === null ? '-' : `p99 <= ${num(j, 'targetP99Ms')} ms`,
          met: j.meetsTarget === null ? '-' : j.meetsTarget ? 'yes' : `NO (p99${num(j, 'errors') ? ', errors' : ''})`,
        });
        break;
      case 'report-build': {
        const misses = [j.meetsTime === false ? 'time' : '', j.meetsRss === false ? 'RSS' : '', j.meetsBytes === false ? 'bytes' : ''].filter(Boolean);
        rows.push({
          scenario: 'report-build', size: `${sizeLabel(num(j, 'alerts'))} al, ${num(j, 'files')} files`,
          seconds: fixed(num(j, 'seconds'), 1), rate: `${fmtRate(num(j, 'alerts') / num(j, 'seconds'))} al/s, ${fixed(num(j, 'cpuSeconds'), 1)} s CPU`,
          rssMB: fixed(num(j, 'peakRssMB'), 0), baseline: `${mb(num(j, 'inputBytes'))} (alert_full)`,
          ratio: `${fixed(num(j, 'bytesRatio'), 2)}x bytes (${mb(num(j, 'bytes'))})`,
          target: `<= ${num(j, 'targetSeconds')} s, <= ${num(j, 'targetMaxRssMB')} MB, bytes <= input`,
          met: misses.length ? `NO (${misses.join(', ')})` : 'yes',
        });
        rows.push({
          scenario: 'report-build + analysis', size: `${sizeLabel(num(j, 'alerts'))} al`,
          seconds: fixed(num(j, 'withAnalysisSeconds'), 1), rate: '', rssMB: fixed(num(j, 'withAnalysisPeakRssMB'), 0),
          baseline: '-', ratio: '-', target: '-', met: '-',
        });
        break;
      }
      case 'pg-import':
        rows.push({
          scenario: 'pg-import (PostgreSQL)', size: `${sizeLabel(num(j, 'events'))} ev, ${mb(num(j, 'bytes'))}`,
          seconds: fixed(num(j, 'pgSeconds'), 2), rate: `${fmtRate(num(j, 'pgEventsPerSec'))} ev/s`, rssMB: fixed(num(j, 'pgPeakRssMB'), 0),
          baseline: `${fixed(num(j, 'sqliteSeconds'), 2)} (SQLite, ${fmtRate(num(j, 'sqliteEventsPerSec'))} ev/s)`,
          ratio: `${fixed(num(j, 'ratio'), 2)}x`, target: `>= ${fmtRate(num(j, 'targetEventsPerSec'))} ev/s`, met: met(j.meetsRate, true),
        });
        if (j.floor) rows.push(floorRow('pg-import', j, 'events'));
        break;
      case 'pg-report':
        rows.push({
          scenario: 'pg-report (PostgreSQL)', size: `${sizeLabel(num(j, 'alerts'))} al, ${num(j, 'files')} files`,
          seconds: fixed(num(j, 'pgSeconds'), 1), rate: `${fmtRate(num(j, 'alerts') / num(j, 'pgSeconds'))} al/s, ${fixed(num(j, 'pgCpuSeconds'), 1)} s CPU`,
          rssMB: fixed(num(j, 'pgPeakRssMB'), 0), baseline: `${fixed(num(j, 'sqliteSeconds'), 1)} (SQLite, same site)`,
          ratio: `${fixed(num(j, 'ratio'), 2)}x`, target: '-', met: '-',
        });
        break;
      case 'text-import-rss-growth':
      case 'unified2-import-rss-growth': {
        const sizes = (j.sizes as number[]).map(sizeLabel);
        const rss = (j.peakRssMB as number[]).map((x) => x.toFixed(0));
        growth.push({
          scenario: `${String(j.bench).replace('-rss-growth', '')} ${String(j.format)}`,
          sizes: sizes.join(' -> '), rssMB: rss.join(' -> '),
          growth: Array.isArray(j.between)
            ? `${fixed(num(j, 'growth'), 2)}x (${(j.between as number[]).map(sizeLabel).join(' -> ')})${sizes.length > 2 ? `; ${fixed(num(j, 'overall'), 2)}x overall` : ''}`
            : `${fixed(num(j, 'growth'), 2)}x`,
          target: `<= ${num(j, 'targetMaxGrowth')}x`, flat: j.flat === true,
        });
        break;
      }
      default:
        rows.push({ scenario: `${scenario} ${String(j.bench ?? '?')}`, size: '', seconds: fixed(num(j, 'seconds'), 3), rate: '', rssMB: fixed(scenarioRssMB, 0), baseline: '', ratio: '', target: '', met: '' });
    }
  }
  return { rows, growth };
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** A Markdown table (readable in a terminal, pasteable into docs/benchmarks.md). */
export function renderTable(rows: Row[], growth: GrowthRow[]): string {
  let out = table(
    ['scenario', 'size', 'seconds', 'rate', 'peak RSS MB', 'baseline s', 'ratio', 'target', 'met?'],
    rows.map((r) => [r.scenario, r.size, r.seconds, r.rate, r.rssMB, r.baseline, r.ratio, r.target, r.met]),
  );
  if (growth.length) {
    out += `\n\nMemory as the input grows (peak RSS of the import child):\n\n${table(
      ['scenario', 'sizes', 'peak RSS MB', 'growth', 'target', 'flat?'],
      growth.map((g) => [g.scenario, g.sizes, g.rssMB, g.growth, g.target, g.flat ? 'yes' : 'NO']),
    )}`;
  }
  return out;
}

interface ProfileJson { profile: string; thread: number; totalMs: number; functions: { name: string; where: string; selfMs: number; percent: number }[]; files: { name: string; selfMs: number; percent: number }[] }
interface ProfiledResult { bench?: unknown; format?: unknown; alerts?: unknown; events?: unknown; profiles?: ProfileJson[] }

/** Top self-time functions and files of the profiled imports (`--cpu-prof`), per thread. */
export function renderProfiles(results: Json[]): string {
  const parts: string[] = [];
  for (const j of results as ProfiledResult[]) {
    const n = typeof j.alerts === 'number' ? j.alerts : typeof j.events === 'number' ? j.events : NaN;
    for (const p of j.profiles ?? []) {
      const thread = p.thread === 0 ? 'main thread' : `worker thread ${p.thread}`;
      parts.push(`CPU profile, ${String(j.bench)}${j.format ? ` ${String(j.format)}` : ''} ${sizeLabel(n)}, ${thread} ` +
        `(an extra, untimed run; ${p.totalMs} ms sampled; lines are in the compiled .js)\n${p.profile}\n\n` +
        table(['self ms', '%', 'function', 'where'], p.functions.map((f) => [String(f.selfMs), f.percent.toFixed(1), f.name, f.where])) +
        `\n\nBy file:\n\n${table(['self ms', '%', 'file'], p.files.map((f) => [String(f.selfMs), f.percent.toFixed(1), f.name]))}`);
    }
  }
  return parts.join('\n\n');
}
