/**
 * What the nightly mail says, as data: the day's totals and their change against the day before
 * and the 7-day average, top and new signatures, P2P hosts and the three sFlow sections, IRC-bot
 * clusters, per-sensor counts and silent sensors. Built by collect-day.ts from the store;
 * rendered by text-part.ts and html-part.ts; the subject is derived here (subjectLine) so both
 * parts and the header agree on the headline numbers.
 *
 * Pure: no store, no clock.
 */
import type { DailyP2pReport } from '../inputs/sflow/daily-report.js';
import type { VerdictLevel } from '../model/verdict.js';
import type { MailCluster } from './clusters.js';
import { headerText } from './sanitize.js';

/** A count beside the previous day's and the average of the 7 days before the reported one. */
export interface Trend {
  count: number;
  prevDay: number;
  /** Mean per day over the 7 days before the reported day (one decimal). */
  avg7: number;
}

export interface SignatureLine extends Trend {
  gid: number;
  sid: number;
  rev: number;
  message: string;
  classification: string | null;
  priority: number | null;
  /** First alert ever of this signature falls in the reported day. */
  isNew: boolean;
}

export interface SensorLine extends Trend {
  name: string;
  lastUs: number | null;
  /** Nothing from this sensor in the reported day. */
  silent: boolean;
  /** Silent today but it sent something in the 7 days before: it just stopped (news). */
  wentSilent: boolean;
}

export interface P2pHostLine {
  host: string;
  level: VerdictLevel;
  protocols: string[];
  sources: string[];
  reasons: string[];
  /** State under the campus policy, when a policy file exists (violation, registered, ...). */
  policy?: string;
}

/** A section that could not be computed, and why: said in the mail, not silently left out. */
export interface SectionNote {
  section: 'p2p' | 'sflow' | 'irc' | 'hosts';
  text: string;
}

export interface DailySummary {
  /** Local day `YYYY-MM-DD` in `timeZone`, and its [start, end) in µs UTC. */
  day: string;
  timeZone: string;
  startUs: number;
  endUs: number;
  generatedUs: number;
  totals: Trend & { signatures: number; sources: number; destinations: number; sensorsActive: number; sensorsKnown: number };
  /** Busiest signatures of the day (at most `top`). */
  topSignatures: SignatureLine[];
  /** Signatures seen for the first time ever in the day (all of them). */
  newSignatures: SignatureLine[];
  sensors: SensorLine[];
  p2pHosts: P2pHostLine[];
  /** P2P hosts beyond those listed. */
  p2pMore: number;
  sflow: DailyP2pReport | null;
  clusters: MailCluster[];
  notes: SectionNote[];
  /** Root of the published report site, without a trailing slash (null: no links). */
  baseUrl: string | null;
}

/** Signed change in percent, rounded; null when there is nothing to compare with. */
export function pct(now: number, before: number): number | null {
  if (before === 0) return null;
  return Math.round(((now - before) / before) * 100);
}

/** `+12%`, `-3%`, `new` (nothing before), `±0%`. */
export function pctText(now: number, before: number): string {
  const p = pct(now, before);
  if (p === null) return now === 0 ? '±0%' : 'new';
  return p === 0 ? '±0%' : p > 0 ? `+${p}%` : `${p}%`;
}

export function deltaText(now: number, before: number): string {
  const d = Math.round((now - before) * 10) / 10;
  return d === 0 ? '±0' : d > 0 ? `+${fmt(d)}` : `-${fmt(-d)}`;
}

/** Thousands separated by commas (locale-independent, so tests and mails read the same everywhere). */
export function fmt(n: number): string {
  const [int, frac] = String(n).split('.');
  const withCommas = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${withCommas}.${frac}` : withCommas;
}

export const avg = (total: number, days: number): number => Math.round((total / days) * 10) / 10;

/**
 * `Snarf 2026-11-20 (Asia/Tokyo): 1,234 alerts (+12% vs prev day, -3% vs 7-day avg), 2 new sigs,
 * 3 P2P hosts, 1 IRC cluster (1 new member), SILENT: sensor-b`. Only numbers, the day, the
 * configured zone and sensor names reach it, and all of it through headerText().
 */
export function subjectLine(s: DailySummary): string {
  const vs = (before: number, label: string): string => (before === 0 ? `${label} 0` : `${pctText(s.totals.count, before)} vs ${label}`);
  const parts = [`${fmt(s.totals.count)} alerts (${vs(s.totals.prevDay, 'prev day')}, ${vs(s.totals.avg7, '7-day avg')})`];
  if (s.newSignatures.length) parts.push(`${s.newSignatures.length} new sig${s.newSignatures.length === 1 ? '' : 's'}`);
  const p2p = s.p2pHosts.length + s.p2pMore;
  if (p2p) parts.push(`${p2p} P2P host${p2p === 1 ? '' : 's'}`);
  if (s.clusters.length) {
    const fresh = s.clusters.reduce((n, c) => n + c.newMembers.length, 0);
    parts.push(`${s.clusters.length} IRC cluster${s.clusters.length === 1 ? '' : 's'}${fresh ? ` (${fresh} new member${fresh === 1 ? '' : 's'})` : ''}`);
  }
  const silent = s.sensors.filter((x) => x.silent).map((x) => headerText(x.name, 40));
  if (silent.length) parts.push(`SILENT: ${silent.slice(0, 3).join(', ')}${silent.length > 3 ? ` +${silent.length - 3}` : ''}`);
  return headerText(`Snarf ${s.day} (${s.timeZone}): ${parts.join(', ')}`, 250);
}

/** The subject of the mail sent when the summary itself could not be built (reason cut short). */
export function failureSubject(day: string, timeZone: string, reason: string): string {
  return headerText(`Snarf ${day} (${timeZone}): the nightly summary could not be built: ${headerText(reason, 120)}`, 250);
}
