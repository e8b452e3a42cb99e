/**
 * SnortSnarf's filters as command-line options, shared by every command that reads alerts
 * (report, export, ...): --since/--until (absolute or relative), --min-priority, --src/--dst,
 * --exclude-sid, --sensor.
 */
import { Command, InvalidArgumentError } from 'commander';
import { buildFilter, parseCidr, parseSigId, parseTimeSpec, type FilterOptions } from '../report/filters.js';
import type { AlertFilter } from '../store/store.js';
import { collect, parsePositiveInt } from './options.js';

function checked<T>(parse: (v: string) => T): (v: string) => string {
  return (v: string) => {
    try {
      parse(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
    return v;
  };
}

export function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--since <time>', 'only alerts at or after this time: ISO date/time (UTC), now, today, yesterday, -2d, -6h, @unix', checked(parseTimeSpec))
    .option('--until <time>', 'only alerts before this time (same forms as --since)', checked(parseTimeSpec))
    .option('--min-priority <n>', 'only alerts at least this severe (priority number <= n; 1 is most severe)', parsePositiveInt)
    .option('--src <cidr>', 'only alerts whose source is in this address or CIDR', checked(parseCidr))
    .option('--dst <cidr>', 'only alerts whose destination is in this address or CIDR', checked(parseCidr))
    .option('--exclude-sid <sid>', 'leave out a signature: SID (gid 1) or GID:SID; repeatable', (v: string, prev: string[] = []) => {
      checked(parseSigId)(v);
      return [...prev, v];
    }, [])
    .option('--sensor <name>', 'only these sensors (repeatable)', collect, []);
}

export function filterFromOptions(o: FilterOptions, nowMs: number = Date.now()): AlertFilter {
  try {
    return buildFilter(o, nowMs);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
