/**
 * The seed's "Daily Report of Suspected p2p traffic" text (shared/formats/sflow.md section 7):
 * a title line, a warning line, then three sections, each a `--- title ---` line, a column header
 * and tab-separated rows. Writing reproduces the seed byte for byte (LF line ends, trailing LF);
 * parsing reads it back (CRLF tolerated) so old reports can be imported and compared.
 */
import { SnarfError, type Warning } from '../../errors.js';
import { canonicalIp } from '../../model/ip.js';
import { dayBoundsUs, formatLocal, parseLocal } from './zone.js';

export interface P2pReportRow {
  /** Internal host (canonical text). */
  dstAddr: string;
  /** Reverse DNS name, '' when none (or not looked up). */
  fqdn: string;
  firstUs: number;
  lastUs: number;
  /** num_of_captured_flows: flow samples (the corpus definition). */
  flows: number;
  totalBytes: number;
  uniqSrcs: number;
}

export interface P2pReportSection {
  /** The text between `--- ` and ` ---`, e.g. `down traffic(BitTorrent(6881-6889/tcp))`. */
  title: string;
  rows: P2pReportRow[];
}

export interface DailyP2pReport {
  /** Local day `YYYY-MM-DD` and the zone its times are printed in. */
  day: string;
  timeZone: string;
  startUs: number;
  endUs: number;
  /** p2p high ports, BitTorrent, mass download — in that order. */
  sections: P2pReportSection[];
}

export const REPORT_TITLE = 'Daily Report of Suspected p2p traffic';
export const REPORT_WARNING = 'THIS REPORT MAY CONTAIN FALSE POSITIVES!';
export const REPORT_COLUMNS = [
  'dst_addr', 'fqdn_dst_addr', 'first_time', 'last_time', 'num_of_captured_flows', 'total_bytes', 'num_of_uniq_srcaddrs',
] as const;

/** An empty report for a local day, with the seed's section titles unless others are given. */
export function emptyReport(day: string, timeZone: string, titles: readonly string[]): DailyP2pReport {
  const { startUs, endUs } = dayBoundsUs(day, timeZone);
  return { day, timeZone, startUs, endUs, sections: titles.map((title) => ({ title, rows: [] })) };
}

/** The report as text, exactly the seed's layout. Fields are cleaned of TAB/CR/LF so rows stay rows. */
export function writeDailyReport(r: DailyP2pReport): string {
  const lines = [
    `${REPORT_TITLE} ${formatLocal(r.startUs, r.timeZone, '/')} - ${formatLocal(r.endUs, r.timeZone, '/')}`,
    REPORT_WARNING,
  ];
  for (const s of r.sections) {
    lines.push(`--- ${clean(s.title)} ---`, REPORT_COLUMNS.join('\t'));
    for (const row of s.rows) {
      lines.push([
        clean(row.dstAddr), clean(row.fqdn), formatLocal(row.firstUs, r.timeZone), formatLocal(row.lastUs, r.timeZone),
        String(row.flows), String(row.totalBytes), String(row.uniqSrcs),
      ].join('\t'));
    }
  }
  return lines.join('\n') + '\n';
}

/** A resolver's answer is attacker-influenced (PTR records): never let it break the TSV layout. */
function clean(s: string): string {
  return s.replace(/[\t\r\n]/g, ' ');
}

export interface ParseReportOptions {
  /** Zone the report's local times are in (default UTC; the corpus is `+09:00`). */
  timeZone?: string;
  file?: string;
}

const titleRe = /^Daily Report of Suspected p2p traffic (\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d) - (\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d)$/;
const sectionRe = /^--- (.*) ---$/;

/**
 * Reads a report back. A file without the title line is not a report (SnarfError); a bad row is
 * a warning naming its line and is skipped.
 */
export function parseDailyReport(text: string, opts: ParseReportOptions = {}): { report: DailyP2pReport; warnings: Warning[] } {
  const tz = opts.timeZone ?? 'UTC';
  const file = opts.file;
  const warnings: Warning[] = [];
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.at(-1) === '') lines.pop();
  const t = titleRe.exec(lines[0] ?? '');
  const startUs = t ? parseLocal(t[1]!, tz) : null;
  const endUs = t ? parseLocal(t[2]!, tz) : null;
  if (startUs === null || endUs === null) {
    throw new SnarfError('SNARF_UNKNOWN_FORMAT', `not a daily p2p report (first line is not "${REPORT_TITLE} <from> - <to>")`, { file, line: 1 });
  }
  const report: DailyP2pReport = { day: t![1]!.slice(0, 10).replaceAll('/', '-'), timeZone: tz, startUs, endUs, sections: [] };
  const bad = (line: number, why: string): void => {
    warnings.push({ code: 'SNARF_TEXT_BAD_LINE', message: why, file, line });
  };
  let section: P2pReportSection | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const n = i + 1;
    if (line === REPORT_WARNING || line === '') continue;
    const sm = sectionRe.exec(line);
    if (sm) {
      section = { title: sm[1]!, rows: [] };
      report.sections.push(section);
      continue;
    }
    if (line === REPORT_COLUMNS.join('\t')) continue;
    if (section === null) {
      bad(n, 'row before any section line');
      continue;
    }
    const row = parseRow(line, tz);
    if (typeof row === 'string') bad(n, row);
    else section.rows.push(row);
  }
  return { report, warnings };
}

function parseRow(line: string, tz: string): P2pReportRow | string {
  const f = line.split('\t');
  if (f.length !== REPORT_COLUMNS.length) return `row has ${f.length} tab-separated fields, expected ${REPORT_COLUMNS.length}`;
  const dstAddr = canonicalIp(f[0]!);
  if (dstAddr === null) return `dst_addr "${f[0]}" is not an IP address`;
  const firstUs = parseLocal(f[2]!, tz);
  const lastUs = parseLocal(f[3]!, tz);
  if (firstUs === null || lastUs === null) return `first_time/last_time "${f[2]}"/"${f[3]}" are not YYYY-MM-DD HH:MM:SS`;
  const nums = [f[4]!, f[5]!, f[6]!].map((s) => (/^\d{1,16}$/.test(s) ? Number(s) : NaN));
  if (nums.some((x) => !Number.isSafeInteger(x))) return `counts "${f[4]}", "${f[5]}", "${f[6]}" are not non-negative integers`;
  return { dstAddr, fqdn: f[1]!, firstUs, lastUs, flows: nums[0]!, totalBytes: nums[1]!, uniqSrcs: nums[2]! };
}
