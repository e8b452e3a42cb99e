/**
 * One inline SVG chart with the hourly alert rates of two sensors (sensors.html): bars of A and
 * B side by side in each bucket, on one scale, so a sensor that went quiet or lags shows as a
 * gap next to the other's bars. Buckets widen like svg-chart.ts (same bucketHoursFor), so a
 * long store still fits. Colours are inline `style` (site.css paints `svg.chart rect` one
 * colour, and the CSP allows inline styles); only numbers and escaped names go into the markup.
 */
import { esc, fmtNum, fmtTime } from '../format.js';
import { bucketHoursFor } from '../svg-chart.js';

export interface DualPoint { hour: number; a: number; b: number }

export const SERIES_COLOURS = ['#4a78a8', '#d08a2c'] as const;

export function dualHourlyChart(points: readonly DualPoint[], names: readonly [string, string], opts: { width?: number; height?: number } = {}): string {
  if (points.length === 0) return '<p class="muted">Neither sensor has alerts in the window.</p>';
  const width = opts.width ?? 720;
  const height = opts.height ?? 160;
  const sorted = [...points].sort((x, y) => x.hour - y.hour);
  const first = sorted[0]!.hour;
  const last = sorted[sorted.length - 1]!.hour;
  const bh = bucketHoursFor(first, last);
  const start = Math.floor(first / bh) * bh;
  const buckets = new Map<number, [number, number]>();
  for (const p of sorted) {
    const k = Math.floor((p.hour - start) / bh);
    const v = buckets.get(k) ?? [0, 0];
    v[0] += p.a;
    v[1] += p.b;
    buckets.set(k, v);
  }
  const n = Math.floor((last - start) / bh) + 1;
  const max = Math.max(1, ...[...buckets.values()].flat());
  const top = 26;
  const bottom = 18;
  const plotH = height - top - bottom;
  const slot = width / Math.max(n, 24);
  const barW = Math.max(0.5, (slot - 1) / 2);
  const unit = bh === 1 ? 'hour' : bh < 24 ? `${bh} hours` : `${Math.round(bh / 24)} days`;
  const bars: string[] = [];
  for (const [k, counts] of [...buckets].sort((x, y) => x[0] - y[0])) {
    const when = fmtTime((start + k * bh) * 3_600_000_000).slice(0, 16);
    counts.forEach((c, i) => {
      if (c === 0) return;
      const h = Math.max(1, Math.round((c / max) * plotH));
      const x = (k * slot + i * barW).toFixed(1);
      const label = `${names[i]}, ${when} UTC: ${fmtNum(c)} alerts`;
      bars.push(`<rect class="s${i}" x="${x}" y="${top + plotH - h}" width="${barW.toFixed(1)}" height="${h}" style="fill:${SERIES_COLOURS[i]}"><title>${esc(label)}</title></rect>`);
    });
  }
  const legend = names.map((name, i) => {
    const x = i * 220;
    return `<rect x="${x}" y="14" width="10" height="8" style="fill:${SERIES_COLOURS[i]}"></rect><text x="${x + 14}" y="22" class="axis">${esc(name)}</text>`;
  }).join('');
  const from = fmtTime(start * 3_600_000_000).slice(0, 16);
  const to = fmtTime((start + n * bh) * 3_600_000_000).slice(0, 16);
  const title = `alerts per ${unit} of ${names[0]} and ${names[1]}`;
  return `<svg class="chart dual" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">` +
    `<text x="0" y="10" class="axis">${esc(`alerts per ${unit}, max ${fmtNum(max)}`)}</text>${legend}${bars.join('')}` +
    `<text x="0" y="${height - 4}" class="axis">${esc(from)}</text>` +
    `<text x="${width}" y="${height - 4}" class="axis" text-anchor="end">${esc(to)} UTC</text></svg>`;
}
