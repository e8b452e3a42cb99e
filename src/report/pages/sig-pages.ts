/**
 * sig/<gid>-<sid>.html: one page per reported signature: metadata, references, rule text,
 * timeline, and its sources and destinations (counts for this signature and overall). The host
 * lists are bounded (limits.sigHosts, most alerts first): a ping sweep has a destination per
 * address, and every address is reachable from its network's page or the top lists anyway.
 */
import { ipFromKey } from '../../model/ip.js';
import type { ReportSignature, Side } from '../../store/reads/report-reads.js';
import { fmtTime } from '../format.js';
import { hourlyChart } from '../svg-chart.js';
import { hostListRows, oneDay } from '../rows.js';
import type { PageContext } from './context.js';

export async function writeSigPages(ctx: PageContext, sigs: ReportSignature[]): Promise<void> {
  for (const s of sigs) {
    const m = ctx.sigs.get(s.id)!;
    // Every host's first and last for the signature lie within its own first and last.
    const day = oneDay(s.firstUs, s.lastUs);
    const side = async (which: Side, title: string, total: number) => {
      const rows = (await ctx.q.sigHosts(which, s.id, ctx.limits.sigHosts)).map((h) => {
        const ip = ipFromKey(h.ip);
        return { ip, href: ctx.hosts.href(which, ip, h.ip), count: h.count, total: h.total, firstUs: h.firstUs, lastUs: h.lastUs };
      });
      return {
        id: which === 'src' ? 'sources' : 'destinations', title, rows: hostListRows('../', rows, day), shown: rows.length, total, more: total - rows.length,
        topHref: which === 'src' ? 'top-sources.html' : 'top-destinations.html',
        topText: which === 'src' ? 'top sources' : 'top destinations',
      };
    };
    const html = ctx.views.render('sig', {
      filterText: ctx.filterText,
      sig: {
        id: `${s.gid}:${s.sid}:${s.rev}`, message: s.message, classification: s.classification ?? '', priority: s.priority ?? '',
        count: s.count, sources: s.sources, destinations: s.destinations, first: fmtTime(s.firstUs), last: fmtTime(s.lastUs),
        refs: m.refs, ruleText: m.ruleText, notes: ctx.sigNotes?.(s.gid, s.sid) ?? [],
      },
      chart: hourlyChart(await ctx.q.hourly(s.id)),
      sides: [await side('src', 'Sources', s.sources), await side('dst', 'Destinations', s.destinations)], day,
    });
    await ctx.writer.write(m.href, html);
  }
}
