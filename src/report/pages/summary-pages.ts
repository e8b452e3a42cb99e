/**
 * The site-wide pages: index.html (totals, time range, chart, every signature, sensors,
 * inputs), top-sources.html, top-destinations.html and breakdowns.html (sensor,
 * classification, priority, destination port). All read the report's small TEMP tables.
 */
import { ipFromKey } from '../../model/ip.js';
import type { ReportSignature, Side } from '../../store/reads/report-reads.js';
import { fmtNum, fmtTime, proto } from '../format.js';
import { hourlyChart } from '../svg-chart.js';
import type { PageContext } from './context.js';

export async function writeIndex(ctx: PageContext, sigs: ReportSignature[]): Promise<void> {
  const { q } = ctx;
  const hosts = await q.hostTotals();
  const sensors = await q.sensors();
  const alerts = sigs.reduce((t, s) => t + s.count, 0);
  const firsts = sigs.map((s) => s.firstUs).filter((x) => x !== null);
  const lasts = sigs.map((s) => s.lastUs).filter((x) => x !== null);
  const html = ctx.views.render('index', {
    filterText: ctx.filterText,
    fmt: { num: fmtNum },
    totals: { alerts, signatures: sigs.length, sources: hosts.sources, destinations: hosts.destinations, sensors: sensors.length },
    range: firsts.length ? { first: fmtTime(Math.min(...firsts)), last: fmtTime(Math.max(...lasts)) } : null,
    chart: hourlyChart(await q.hourly()),
    sigs: sigs.map((s) => {
      const m = ctx.sigs.get(s.id)!;
      return {
        id: `${s.gid}:${s.sid}:${s.rev}`, href: m.href, message: s.message, classification: s.classification ?? '',
        priority: s.priority ?? '', count: s.count, sources: s.sources, destinations: s.destinations,
        first: fmtTime(s.firstUs), last: fmtTime(s.lastUs), refs: m.refs,
      };
    }),
    sensors: sensors.map((x) => ({ name: x.name, count: x.count, first: fmtTime(x.firstUs), last: fmtTime(x.lastUs) })),
    inputs: await q.inputs(500),
  });
  await ctx.writer.write('index.html', html);
}

export async function writeTopHosts(ctx: PageContext, side: Side): Promise<void> {
  const other: Side = side === 'src' ? 'dst' : 'src';
  const totals = await ctx.q.hostTotals();
  const rows = (await ctx.q.topHosts(side, ctx.limits.topHosts)).map((h) => {
    const ip = ipFromKey(h.ip);
    return {
      ip, href: ctx.hosts.href(side, ip, h.ip), count: h.count, sigs: h.sigs, first: fmtTime(h.firstUs), last: fmtTime(h.lastUs),
      otherHref: h.other ? ctx.hosts.href(other, ip, h.ip) : null,
    };
  });
  const title = side === 'src' ? 'Top sources' : 'Top destinations';
  await ctx.writer.write(side === 'src' ? 'top-sources.html' : 'top-destinations.html', ctx.views.render('top-hosts', {
    title, rows, total: side === 'src' ? totals.sources : totals.destinations, filterText: ctx.filterText,
    otherTitle: side === 'src' ? 'also a destination' : 'also a source', minHostPage: ctx.limits.minHostPage,
  }));
}

interface BreakdownRow { key: string; count: number; share: string; extra?: string }

function rowsOf(map: Map<string, number>, total: number, extra?: Map<string, string>): BreakdownRow[] {
  return [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key, count]) => ({
    key, count, share: total > 0 ? `${((100 * count) / total).toFixed(1)}%` : '', extra: extra?.get(key) ?? '',
  }));
}

export async function writeBreakdowns(ctx: PageContext, sigs: ReportSignature[]): Promise<void> {
  const total = sigs.reduce((t, s) => t + s.count, 0);
  const byClass = new Map<string, number>();
  const byPriority = new Map<string, number>();
  const classSigs = new Map<string, number>();
  for (const s of sigs) {
    const c = s.classification ?? '(none)';
    byClass.set(c, (byClass.get(c) ?? 0) + s.count);
    classSigs.set(c, (classSigs.get(c) ?? 0) + 1);
    const p = s.priority === null ? '(none)' : String(s.priority);
    byPriority.set(p, (byPriority.get(p) ?? 0) + s.count);
  }
  const sensors = await ctx.q.sensors();
  const ports = await ctx.q.destinationPorts(200);
  const portTotal = ports.reduce((t, p) => t + p.count, 0);
  const tables = [
    {
      id: 'sensor', title: 'By sensor', key: 'sensor', extra: 'first – last',
      rows: sensors.map((x) => ({ key: x.name, count: x.count, share: total ? `${((100 * x.count) / total).toFixed(1)}%` : '', extra: `${fmtTime(x.firstUs)} – ${fmtTime(x.lastUs)}` })),
    },
    { id: 'classification', title: 'By classification', key: 'classification', extra: 'signatures', rows: rowsOf(byClass, total, new Map([...classSigs].map(([k, v]) => [k, String(v)]))) },
    { id: 'priority', title: 'By priority', key: 'priority', rows: rowsOf(byPriority, total) },
    {
      id: 'dport', title: 'By destination port', key: 'protocol/port',
      rows: ports.map((p) => ({ key: `${proto(p.proto)}/${p.port}`, count: p.count, share: total ? `${((100 * p.count) / total).toFixed(1)}%` : '' })),
      note: `The 200 busiest ports (${fmtNum(portTotal)} alerts); alerts without ports (ICMP, portscan) are not counted here.`,
    },
  ];
  await ctx.writer.write('breakdowns.html', ctx.views.render('breakdowns', { tables, filterText: ctx.filterText }));
}
