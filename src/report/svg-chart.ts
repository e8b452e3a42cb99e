/**
 * Inline SVG bar charts (no script, nothing fetched). Input is sparse (hour, count) pairs from
 * the rollups; the bucket width grows (1 h, 3 h, 6 h, 1 d, 7 d, 30 d, 365 d) until the span
 * fits in at most MAX_BARS bars, so a store spanning years (the nDPI captures date from 1970)
 * still gives a small chart. Only numbers and Snarf's own labels go into the markup.
 */
import { esc, fmtNum, fmtTime } from './format.js';

const MAX_BARS = 240;
const BUCKET_HOURS = [1, 3, 6, 24, 24 * 7, 24 * 30, 24 * 365];

export interface ChartPoint { key: number; count: number }

export function bucketHoursFor(first: number, last: number): number {
  const span = last - first + 1;
  return BUCKET_HOURS.find((h) => Math.ceil(span / h) <= MAX_BARS) ?? Math.ceil(span / MAX_BARS);
}

function unitName(h: number): string {
  if (h === 1) return 'hour';
  if (h < 24) return `${h} hours`;
  if (h === 24) return 'day';
  if (h === 168) return 'week';
  return `${Math.round(h / 24)} days`;
}

/** The chart as an `<svg>` element string, or a short text when there is nothing to draw. */
export function hourlyChart(points: ChartPoint[], opts: { width?: number; height?: number; title?: string } = {}): string {
  if (points.length === 0) return '<p class="muted">No alerts.</p>';
  const width = opts.width ?? 720;
  const height = opts.height ?? 140;
  const first = points[0]!.key;
  const last = points[points.length - 1]!.key;
  const bh = bucketHoursFor(first, last);
  const start = Math.floor(first / bh) * bh;
  const buckets = new Map<number, number>();
  for (const p of points) {
    const b = Math.floor((p.key - start) / bh);
    buckets.set(b, (buckets.get(b) ?? 0) + p.count);
  }
  const n = Math.floor((last - start) / bh) + 1;
  const max = Math.max(...buckets.values());
  const top = 14;
  const bottom = 18;
  const plotH = height - top - bottom;
  // At least 24 bar slots, so a single busy hour is a bar and not the whole width.
  const barW = width / Math.max(n, 24);
  const bars: string[] = [];
  for (const [b, c] of [...buckets].sort((x, y) => x[0] - y[0])) {
    const h = Math.max(1, Math.round((c / max) * plotH));
    const x = (b * barW).toFixed(1);
    const label = `${fmtTime((start + b * bh) * 3_600_000_000).slice(0, 16)} UTC: ${fmtNum(c)} alerts`;
    bars.push(`<rect x="${x}" y="${top + plotH - h}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${h}"><title>${esc(label)}</title></rect>`);
  }
  const from = fmtTime(start * 3_600_000_000).slice(0, 16);
  const to = fmtTime((start + n * bh) * 3_600_000_000).slice(0, 16);
  const title = opts.title ?? `alerts per ${unitName(bh)}`;
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">` +
    `<text x="0" y="10" class="axis">${esc(`${title}, max ${fmtNum(max)}`)}</text>` +
    bars.join('') +
    `<text x="0" y="${height - 4}" class="axis">${esc(from)}</text>` +
    `<text x="${width}" y="${height - 4}" class="axis" text-anchor="end">${esc(to)} UTC</text></svg>`;
}
