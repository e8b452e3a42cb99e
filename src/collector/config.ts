/**
 * The collector's configuration file (YAML or JSON; JSON is YAML, so one parser reads both).
 * Validated by hand rather than with a schema library so that every error names the key path
 * and the bad value (`inputs[1].format: "fastt" is not one of ...`) and unknown keys, the
 * usual typo, are rejected instead of silently ignored. Schema and example: docs/collector.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SnarfError } from '../errors.js';
import { TimePlacer } from '../inputs/snort-text/time.js';
import { validateMailConfig, type MailConfig } from '../mail/mail-config.js';
import { cidrRange } from '../model/ip.js';
import { KeyChecker, type Obj } from '../config/key-checker.js';

export type TextInputFormat = 'auto' | 'alert_fast' | 'alert_full' | 'alert_csv' | 'syslog' | 'eve' | 'snort3_json' | 'winny_log';
export const TEXT_FORMATS: readonly TextInputFormat[] = ['auto', 'alert_fast', 'alert_full', 'alert_csv', 'syslog', 'eve', 'snort3_json', 'winny_log'];

export interface Unified2InputConfig {
  type: 'unified2';
  name: string;
  /** Spool directory (absolute after loading). */
  directory: string;
  /** File base: follows `<base>.<digits>` and a fixed file named `<base>` (Snort 3 nostamp). */
  base: string;
  sensor: string;
}

export interface TextInputConfig {
  type: 'text';
  name: string;
  /** The file Snort writes (absolute after loading). */
  path: string;
  format: TextInputFormat;
  /** Unset: syslog lines name their host, other formats use "default" (as `snarf import`). */
  sensor?: string;
  tz: string;
  year?: number;
}

export type InputConfig = Unified2InputConfig | TextInputConfig;

/** The sFlow listener: datagrams from the routers into the per-host flow rollups. */
export interface SflowConfig {
  address: string;
  port: number;
  /** Internal networks that split flows into hosts and peers (required: see docs/p2p.md). */
  homeNets: string[];
}

export interface CollectorConfig {
  /** Source file of the config, for messages. */
  file: string;
  db: string;
  rules: string[];
  defaultRules: boolean;
  pollMs: number;
  /** How long a unified2 event waits for its packets and extra data. */
  eventTimeoutMs: number;
  /** Alerts per transaction at most. */
  batchSize: number;
  inputs: InputConfig[];
  sflow?: SflowConfig;
  /** The nightly summary mail (docs/mail.md); absent: no mail is scheduled. */
  mail?: MailConfig;
}


/** Builds the error for one key; the value is shown as JSON so its type is visible. */
/** The collector's checker is the shared one (src/config/key-checker.ts). */
class Checker extends KeyChecker {}

const TOP_KEYS = ['db', 'rules', 'default_rules', 'poll_ms', 'event_timeout_ms', 'batch_size', 'inputs', 'sflow', 'mail'] as const;
const SFLOW_KEYS = ['listen', 'home_net'] as const;
const U2_KEYS = ['type', 'name', 'directory', 'base', 'sensor'] as const;
const TEXT_KEYS = ['type', 'name', 'path', 'format', 'sensor', 'tz', 'year'] as const;

function dbSpec(db: string, abs: (p: string) => string): string {
  return /^postgres(ql)?:\/\//i.test(db) ? db : abs(db);
}

/** Reads and validates a config file; relative paths in it are relative to the file's directory. */
export function loadConfig(file: string): CollectorConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `cannot read the config file: ${(err as Error).message}`, { file });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new SnarfError('SNARF_CONFIG_INVALID', `not valid YAML/JSON: ${(err as Error).message}`, { file });
  }
  return validateConfig(doc, file);
}

export function validateConfig(doc: unknown, file: string): CollectorConfig {
  const c = new Checker(file);
  const base = path.dirname(path.resolve(file));
  const abs = (p: string): string => path.resolve(base, p);
  const top = c.object('', doc, TOP_KEYS);

  const rulesRaw = top.rules ?? [];
  if (!Array.isArray(rulesRaw)) c.fail('rules', `expected a list of paths, got ${c.show(rulesRaw)}`);
  const rules = (rulesRaw as unknown[]).map((r, i) => abs(c.string(`rules[${i}]`, r)));

  // An sFlow-only collector needs no file inputs.
  const inputsRaw = top.sflow !== undefined && top.inputs === undefined ? [] : c.required('', top, 'inputs');
  if (!Array.isArray(inputsRaw) || (inputsRaw.length === 0 && top.sflow === undefined)) c.fail('inputs', `expected a non-empty list of inputs, got ${c.show(inputsRaw)}`);
  const inputs = (inputsRaw as unknown[]).map((v, i) => validateInput(c, `inputs[${i}]`, v, abs));

  // Two inputs on one file would fight over one bookmark; two names would confuse the logs.
  const seen = new Map<string, number>();
  const names = new Map<string, number>();
  inputs.forEach((inp, i) => {
    const key = inputKey(inp);
    const prev = seen.get(key);
    if (prev !== undefined) c.fail(`inputs[${i}]`, `follows the same files as inputs[${prev}] (${key})`);
    seen.set(key, i);
    const prevName = names.get(inp.name);
    if (prevName !== undefined) c.fail(`inputs[${i}].name`, `${c.show(inp.name)} is already the name of inputs[${prevName}]`);
    names.set(inp.name, i);
  });

  const cfg: CollectorConfig = {
    file,
    // A postgres:// URL (one central database for several collectors) is kept as written.
    db: top.db === undefined ? abs('snarf.db') : dbSpec(c.string('db', top.db), abs),
    rules,
    defaultRules: top.default_rules === undefined ? true : c.bool('default_rules', top.default_rules),
    pollMs: top.poll_ms === undefined ? 1000 : c.int('poll_ms', top.poll_ms, 10, 600_000),
    eventTimeoutMs: top.event_timeout_ms === undefined ? 2000 : c.int('event_timeout_ms', top.event_timeout_ms, 0, 600_000),
    batchSize: top.batch_size === undefined ? 5000 : c.int('batch_size', top.batch_size, 1, 1_000_000),
    inputs,
  };
  if (top.sflow !== undefined) cfg.sflow = validateSflow(c, top.sflow);
  if (top.mail !== undefined) cfg.mail = validateMailConfig(top.mail, file);
  return cfg;
}

/** `sflow: { listen: "0.0.0.0:6343", home_net: [163.221.0.0/16, ...] }` */
function validateSflow(c: Checker, v: unknown): SflowConfig {
  const o = c.object('sflow', v, SFLOW_KEYS);
  const listen = o.listen === undefined ? '0.0.0.0:6343' : c.string('sflow.listen', o.listen);
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[3]) : -1;
  if (!m || port > 65535) c.fail('sflow.listen', `${c.show(listen)} is not HOST:PORT (e.g. 0.0.0.0:6343, [::]:6343)`);
  const netsRaw = c.required('sflow', o, 'home_net');
  if (!Array.isArray(netsRaw) || netsRaw.length === 0) c.fail('sflow.home_net', `expected a non-empty list of CIDRs, got ${c.show(netsRaw)}`);
  const homeNets = (netsRaw as unknown[]).map((n, i) => {
    const cidr = c.string(`sflow.home_net[${i}]`, n);
    try {
      cidrRange(cidr);
    } catch {
      c.fail(`sflow.home_net[${i}]`, `${c.show(cidr)} is not a CIDR`);
    }
    return cidr;
  });
  return { address: m![1] ?? m![2]!, port, homeNets };
}

function validateInput(c: Checker, key: string, v: unknown, abs: (p: string) => string): InputConfig {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) c.fail(key, `expected a mapping, got ${c.show(v)}`);
  const type = c.required(key, v as Obj, 'type');
  if (type === 'unified2') {
    const o = c.object(key, v, U2_KEYS);
    const directory = abs(c.string(`${key}.directory`, c.required(key, o, 'directory')));
    const fileBase = c.string(`${key}.base`, c.required(key, o, 'base'));
    if (fileBase.includes('/') || fileBase.includes(path.sep)) c.fail(`${key}.base`, `a file name without directories, got ${c.show(fileBase)}`);
    return {
      type, directory, base: fileBase,
      name: o.name === undefined ? `${path.basename(directory)}/${fileBase}` : c.string(`${key}.name`, o.name),
      sensor: o.sensor === undefined ? 'default' : c.string(`${key}.sensor`, o.sensor),
    };
  }
  if (type === 'text') {
    const o = c.object(key, v, TEXT_KEYS);
    const p = abs(c.string(`${key}.path`, c.required(key, o, 'path')));
    const format = o.format === undefined ? 'auto' : o.format;
    if (!TEXT_FORMATS.includes(format as TextInputFormat)) {
      c.fail(`${key}.format`, `${c.show(format)} is not one of ${TEXT_FORMATS.join(', ')}`);
    }
    const tz = o.tz === undefined ? 'UTC' : c.string(`${key}.tz`, o.tz);
    try {
      TimePlacer.validateZone(tz);
    } catch {
      c.fail(`${key}.tz`, `${c.show(tz)} is not an IANA time zone (e.g. UTC, Asia/Tokyo)`);
    }
    const cfg: TextInputConfig = {
      type, path: p, format: format as TextInputFormat, tz,
      name: o.name === undefined ? path.basename(p) : c.string(`${key}.name`, o.name),
    };
    if (o.sensor !== undefined) cfg.sensor = c.string(`${key}.sensor`, o.sensor);
    if (o.year !== undefined) cfg.year = c.int(`${key}.year`, o.year, 1970, 2200);
    return cfg;
  }
  return c.fail(`${key}.type`, `${c.show(type)} is not one of unified2, text`);
}

/**
 * The bookmark key of an input: built from what it follows, not from its display name, so a
 * renamed input keeps its place and `snarf status` can find the files without the config.
 */
export function inputKey(inp: InputConfig): string {
  return inp.type === 'unified2' ? `spool:${path.join(inp.directory, inp.base)}` : `text:${inp.path}`;
}
