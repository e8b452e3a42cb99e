/**
 * The text/plain part: fixed-width tables an operator reads in any mail client, in the spirit of
 * the daily "Suspected p2p traffic" report (a title line, then `--- section ---` blocks). Every
 * string from the data goes through cell()/oneLine(): no line break can split a row and no
 * control character reaches the reader's terminal.
 */
import { formatLocal } from '../inputs/sflow/zone.js';
import { REPORT_COLUMNS } from '../inputs/sflow/daily-report.js';
import { cell, oneLine } from './sanitize.js';
import { fmt, pctText, type DailySummary, type Trend } from './daily-summary.js';
import { links } from './links.js';

type Align = 'l' | 'r';

/** Columns padded to their widest cell (each capped by `max`), two spaces apart. */
export function table(head: string[], rows: string[][], align: Align[], max: number[] = []): string[] {
  const clip = rows.map((r) => r.map((c, i) => cell(c, max[i] ?? 60)));
  const widths = head.map((h, i) => Math.max(h.length, ...clip.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
    .join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...clip.map(line)];
}

const trendCells = (t: Trend): string[] => [fmt(t.count), fmt(t.prevDay), pctText(t.count, t.prevDay), fmt(t.avg7), pctText(t.count, t.avg7)];

export function textPart(s: DailySummary): string {
  const L = links(s.baseUrl);
  const when = (us: number | null): string => (us === null ? 'never' : formatLocal(us, s.timeZone));
  const out: string[] = [
    `Snarf nightly summary ${s.day} (${oneLine(s.timeZone)})`,
    `${formatLocal(s.startUs, s.timeZone, '/')} - ${formatLocal(s.endUs, s.timeZone, '/')}`,
    'THIS REPORT MAY CONTAIN FALSE POSITIVES!',
  ];
  const section = (title: string): void => { out.push('', `--- ${title} ---`); };

  section('totals');
  out.push(...table(['', 'today', 'prev day', 'change', '7-day avg', 'change'], [
    ['alerts', ...trendCells(s.totals)],
  ], ['l', 'r', 'r', 'r', 'r', 'r']));
  out.push(`signatures ${fmt(s.totals.signatures)}, sources ${fmt(s.totals.sources)}, destinations ${fmt(s.totals.destinations)}, ` +
    `sensors reporting ${s.totals.sensorsActive} of ${s.totals.sensorsKnown}`);

  section(`top signatures (${s.topSignatures.length})`);
  if (s.topSignatures.length === 0) out.push('no alerts in this day');
  else out.push(...table(['count', 'prev day', 'change', '7-day avg', 'change', 'gid:sid', 'message'],
    s.topSignatures.map((g) => [...trendCells(g), `${g.gid}:${g.sid}`, `${g.isNew ? '[NEW] ' : ''}${g.message}`]),
    ['r', 'r', 'r', 'r', 'r', 'l', 'l'], [12, 12, 8, 12, 8, 16, 70]));

  section(`signatures never seen before (${s.newSignatures.length})`);
  if (s.newSignatures.length === 0) out.push('none');
  else out.push(...table(['count', 'gid:sid:rev', 'priority', 'classification', 'message'],
    s.newSignatures.map((g) => [fmt(g.count), `${g.gid}:${g.sid}:${g.rev}`, g.priority === null ? '-' : String(g.priority), g.classification ?? '-', g.message]),
    ['r', 'l', 'r', 'l', 'l'], [12, 20, 8, 30, 70]));

  section(`suspected P2P hosts (${s.p2pHosts.length + s.p2pMore})`);
  if (s.p2pHosts.length === 0) out.push('none');
  for (const h of s.p2pHosts) {
    const policy = h.policy ? `  policy: ${h.policy.toUpperCase()}` : '';
    out.push(`${h.level.toUpperCase().padEnd(9)} ${cell(h.host, 45)}  ${cell(h.protocols.join(',') || '-', 40)}  (${cell(h.sources.join(', '), 40)})${policy}`);
    for (const r of h.reasons.slice(0, 4)) out.push(`    - ${cell(r, 200)}`);
    if (h.reasons.length > 4) out.push(`    - and ${h.reasons.length - 4} more reasons`);
  }
  if (s.p2pMore) out.push(`... and ${s.p2pMore} more hosts (snarf hosts)`);

  if (s.sflow) {
    section('Daily Report of Suspected p2p traffic (sFlow)');
    for (const sec of s.sflow.sections) {
      out.push(`- ${oneLine(sec.title)}`);
      if (sec.rows.length === 0) { out.push('  none'); continue; }
      out.push(...table([...REPORT_COLUMNS], sec.rows.map((r) => [
        r.dstAddr, r.fqdn || '-', formatLocal(r.firstUs, s.timeZone), formatLocal(r.lastUs, s.timeZone),
        String(r.flows), String(r.totalBytes), String(r.uniqSrcs),
      ]), ['l', 'l', 'l', 'l', 'r', 'r', 'r'], [45, 50]).map((l) => `  ${l}`));
    }
  }

  section(`IRC-bot clusters (${s.clusters.length})`);
  if (s.clusters.length === 0) out.push('none');
  for (const c of s.clusters) {
    const fresh = c.newMembers.length ? `, ${c.newMembers.length} NEW` : '';
    out.push(`${c.level.toUpperCase().padEnd(9)} C&C ${cell(c.server, 45)} port ${c.ports.join(',')}  ${c.members.length} member${c.members.length === 1 ? '' : 's'}${fresh}${c.known ? '' : '  [new server]'}`);
    for (const why of c.reasons.slice(0, 3)) out.push(`    why: ${cell(why, 160)}`);
    const fresh2 = new Set(c.newMembers);
    for (const m of c.members.slice(0, 30)) out.push(`    ${fresh2.has(m) ? 'NEW ' : '    '}${cell(m, 45)}`);
    if (c.members.length > 30) out.push(`    ... and ${c.members.length - 30} more members`);
  }

  section(`sensors (${s.sensors.length})`);
  if (s.sensors.length === 0) out.push('no sensors in the store');
  else out.push(...table(['sensor', 'today', 'prev day', 'change', '7-day avg', 'change', 'last alert', ''],
    s.sensors.map((x) => [x.name, ...trendCells(x), when(x.lastUs), x.wentSilent ? 'WENT SILENT' : x.silent ? 'SILENT' : '']),
    ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'l'], [30]));

  if (s.notes.length) {
    section('missing sections');
    for (const n of s.notes) out.push(`* ${cell(n.text, 300)}`);
  }
  const idx = L.index();
  out.push('', idx ? `Report site: ${idx}` : 'Report site: not configured (mail.base_url)');
  for (const g of s.topSignatures.slice(0, 5)) {
    const u = L.sig(g.gid, g.sid);
    if (u) out.push(`  ${g.gid}:${g.sid} ${u}`);
  }
  out.push('', `generated ${formatLocal(s.generatedUs, s.timeZone)} ${oneLine(s.timeZone)} by snarf mail`);
  return `${out.join('\n')}\n`;
}
