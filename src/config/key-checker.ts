/**
 * Hand validation of YAML/JSON documents (the collector config, the campus policy, the mail
 * section): every error names the key path and shows the bad value with its type, and unknown
 * keys, the usual typo, are refused rather than silently ignored.
 */
import { SnarfError } from '../errors.js';

export type Obj = Record<string, unknown>;

export class KeyChecker {
  constructor(readonly file: string) {}

  fail(key: string, message: string): never {
    throw new SnarfError('SNARF_CONFIG_INVALID', `${key ? `${key}: ` : ''}${message}`, { file: this.file });
  }

  /** The value as JSON (so its type shows), cut short. */
  show(v: unknown): string {
    const s = v instanceof Date ? v.toISOString() : JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}...` : s;
  }

  object(key: string, v: unknown, allowed: readonly string[]): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(key, `expected a mapping, got ${this.show(v)}`);
    for (const k of Object.keys(v as Obj)) {
      if (!allowed.includes(k)) this.fail(key ? `${key}.${k}` : k, `unknown key (allowed here: ${allowed.join(', ')})`);
    }
    return v as Obj;
  }

  list(key: string, v: unknown): unknown[] {
    if (!Array.isArray(v)) this.fail(key, `expected a list, got ${this.show(v)}`);
    return v as unknown[];
  }

  string(key: string, v: unknown): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(key, `expected a non-empty string, got ${this.show(v)}`);
    return v as string;
  }

  oneOf<T extends string>(key: string, v: unknown, allowed: readonly T[]): T {
    if (!allowed.includes(v as T)) this.fail(key, `${this.show(v)} is not one of ${allowed.join(', ')}`);
    return v as T;
  }

  int(key: string, v: unknown, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(key, `expected a whole number from ${min} to ${max}, got ${this.show(v)}`);
    }
    return v as number;
  }

  bool(key: string, v: unknown): boolean {
    if (typeof v !== 'boolean') this.fail(key, `expected true or false, got ${this.show(v)}`);
    return v as boolean;
  }

  required(key: string, o: Obj, k: string): unknown {
    if (o[k] === undefined || o[k] === null) this.fail(key ? `${key}.${k}` : k, 'required key is missing');
    return o[k];
  }
}
