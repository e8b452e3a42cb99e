/**
 * `snarf sensors [--json]`: what each sensor sent; `snarf sensors --compare A B`: where two
 * sensors disagree (signatures, hosts, hourly rates, silent periods, clock offset);
 * `snarf sensors set NAME ...`: the registry of names, descriptions and unified2 ids.
 * The store, state file and comparison are imported when needed (see main.ts).
 */
import { Command, InvalidArgumentError } from 'commander';
import type { TimeWindow } from '../store/reads/sensor-reads.js';
import { DEFAULT_DB, isoMicros, parsePositiveInt } from './options.js';
import { SnarfError } from '../errors.js';

function parseInstant(v: string): number {
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`"${v}" is not a time (ISO 8601 or epoch seconds)`);
  return ms * 1000;
}

const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, '?');

export async function sensorsReport(db: string): Promise<unknown> {
  const { openStore } = await import('../store/open.js');
  const { sensorReadsFor } = await import('../store/reads/reads-for.js');
  const { openState, statePathFor } = await import('../state/state-file.js');
  const store = await openStore(db, { mustExist: true });
  try {
    const reads = sensorReadsFor(store);
    const state = await openState(statePathFor(db));
    const bookmarks = await store.listBookmarks();
    return (await reads.sensorStats()).map((s) => ({
      name: s.name,
      description: state.data.sensors[s.name]?.description ?? null,
      alerts: s.alerts,
      first: isoMicros(s.firstUs),
      last: isoMicros(s.lastUs),
      activeHours: s.activeHours,
      alertsPerHour: s.alertsPerHour,
      inputs: s.inputs.map((i) => ({ path: i.path, format: i.format })),
      followed: bookmarks.filter((b) => b.input.includes(s.name)).map((b) => ({
        input: b.input, file: b.file, offset: b.offset, lastEvent: isoMicros(b.lastEventUs),
        lagSeconds: b.lastEventUs === null ? null : Math.round((Date.now() * 1000 - b.lastEventUs) / 1e6),
      })),
    }));
  } finally {
    await store.close();
  }
}

export async function compareSensors(db: string, a: string, b: string, w: TimeWindow, minSilentHours = 1): Promise<unknown> {
  const { openStore } = await import('../store/open.js');
  const { sensorReadsFor } = await import('../store/reads/reads-for.js');
  const { compareSignatures, estimateClockOffsets, silentPeriods } = await import('../analysis/sensor-compare.js');
  const store = await openStore(db, { mustExist: true });
  try {
    const reads = sensorReadsFor(store);
    const ia = await reads.sensorId(a);
    const ib = await reads.sensorId(b);
    if (ia === undefined) throw new SnarfError('SNARF_CONFIG_INVALID', `no sensor named "${clean(a)}" in ${store.location}`);
    if (ib === undefined) throw new SnarfError('SNARF_CONFIG_INVALID', `no sensor named "${clean(b)}" in ${store.location}`);
    const sigs = compareSignatures(await reads.signatureCounts(ia, ib, w));
    const hours = await reads.hourlyCounts(ia, ib, w);
    const inputs = await reads.inputsById();
    const offsets = estimateClockOffsets(await reads.fingerprints(ia, w), await reads.fingerprints(ib, w), inputs);
    const totals = hours.reduce((t, h) => ({ a: t.a + h.a, b: t.b + h.b }), { a: 0, b: 0 });
    const hourIso = (h: number): string => new Date(h * 3_600_000).toISOString();
    return {
      a, b,
      window: { since: w.sinceUs === undefined ? null : isoMicros(w.sinceUs), until: w.untilUs === undefined ? null : isoMicros(w.untilUs) },
      totals,
      signatures: sigs,
      hosts: await reads.hostsSeen(ia, ib),
      hourly: hours.map((h) => ({ hour: hourIso(h.hour), a: h.a, b: h.b })),
      silent: silentPeriods(hours, minSilentHours).map((p) => ({
        sensor: p.sensor === 'a' ? a : b, from: hourIso(p.fromHour), to: hourIso(p.toHour), hours: p.hours, otherAlerts: p.otherAlerts,
      })),
      clockOffsets: offsets.map((o) => ({
        compared: `${o.familyA} inputs of ${a} against ${o.familyB} inputs of ${b}`,
        offsetSeconds: o.offsetSeconds,
        matches: o.matches,
        agreeing: o.agreeing,
        inputsA: o.inputsA.map((i) => ({ path: i.path, format: i.format })),
        inputsB: o.inputsB.map((i) => ({ path: i.path, format: i.format })),
      })),
    };
  } finally {
    await store.close();
  }
}

function compareText(r: any): string {
  const out: string[] = [];
  out.push(`${clean(r.a)}: ${r.totals.a} alerts   ${clean(r.b)}: ${r.totals.b} alerts`);
  for (const o of r.clockOffsets) {
    out.push(`clock offset ${o.offsetSeconds >= 0 ? '+' : ''}${o.offsetSeconds} s (${o.agreeing}/${o.matches} matched packets agree): ${o.compared}`);
  }
  out.push('', `${'gid:sid'.padEnd(14)} ${clean(r.a).padStart(8)} ${clean(r.b).padStart(8)}  ratio   message`);
  for (const s of [...r.signatures.both, ...r.signatures.onlyA, ...r.signatures.onlyB]) {
    out.push(`${`${s.gid}:${s.sid}`.padEnd(14)} ${String(s.a).padStart(8)} ${String(s.b).padStart(8)}  ${String(s.ratio ?? '-').padEnd(6)}  ${clean(s.message)}`);
  }
  out.push('', `hosts seen by one sensor only: ${clean(r.a)} ${r.hosts.onlyA}, ${clean(r.b)} ${r.hosts.onlyB} (both: ${r.hosts.both})`);
  for (const p of r.silent) out.push(`silent: ${clean(p.sensor)} from ${p.from} to ${p.to} (${p.hours} h, other sensor: ${p.otherAlerts} alerts)`);
  return `${out.join('\n')}\n`;
}

export function sensorsCommand(): Command {
  const cmd = new Command('sensors')
    .description('per-sensor totals and rates; --compare A B for a side-by-side comparison')
    .option('--db <path>', 'SQLite database path or postgres:// URL', DEFAULT_DB)
    .option('--compare <sensors...>', 'compare two sensors: --compare A B')
    .option('--since <time>', 'only from this time (ISO 8601 or epoch seconds)', parseInstant)
    .option('--until <time>', 'only before this time', parseInstant)
    .option('--min-silent-hours <n>', 'shortest silent period reported', parsePositiveInt, 1)
    .option('--json', 'machine-readable output')
    .action(async (o: { db: string; compare?: string[]; since?: number; until?: number; minSilentHours: number; json?: boolean }) => {
      if (o.compare) {
        if (o.compare.length !== 2) throw new SnarfError('SNARF_CONFIG_INVALID', '--compare takes exactly two sensor names');
        const r = await compareSensors(o.db, o.compare[0]!, o.compare[1]!, { sinceUs: o.since, untilUs: o.until }, o.minSilentHours);
        process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : compareText(r));
        return;
      }
      const r = await sensorsReport(o.db) as Array<{ name: string; alerts: number; first: string | null; last: string | null; alertsPerHour: number }>;
      if (o.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      } else {
        for (const s of r) process.stdout.write(`${clean(s.name).padEnd(20)} ${String(s.alerts).padStart(9)} alerts  ${s.alertsPerHour}/h  ${s.first ?? '-'} .. ${s.last ?? '-'}\n`);
      }
    });
  cmd.command('set')
    .description('name a sensor in the registry: description and the unified2 ids that identify it')
    .argument('<name>')
    .option('--description <text>', 'free text shown in reports')
    .option('--log-id <n>', "Snort -G log id: unified2 events with this id in event_id's high 16 bits belong to this sensor", parsePositiveInt)
    .option('--unified2-sensor-id <n>', 'unified2 sensor_id that belongs to this sensor', parsePositiveInt)
    .action(async (name: string, _o: unknown, self: Command) => {
      // --db belongs to `snarf sensors`; the registry sits beside that database.
      const o = self.optsWithGlobals() as { db: string; description?: string; logId?: number; unified2SensorId?: number };
      const { openState, statePathFor } = await import('../state/state-file.js');
      const state = await openState(statePathFor(o.db));
      const entry = state.data.sensors[name] ?? { name, firstSeen: new Date().toISOString() };
      if (o.description !== undefined) entry.description = o.description;
      if (o.logId !== undefined) entry.logId = o.logId;
      if (o.unified2SensorId !== undefined) entry.unified2SensorId = o.unified2SensorId;
      state.data.sensors[name] = entry;
      await state.write();
      process.stdout.write(`${JSON.stringify(entry)}\n`);
    });
  return cmd;
}
