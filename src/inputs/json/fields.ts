/**
 * Helpers for JSON alert records: typed reads that never trust a field's type, because
 * pipelines (Logstash, Filebeat, jq scripts) rewrite and drop fields.
 */
export type Json = Record<string, unknown>;

export function str(o: Json, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}

export function num(o: Json, k: string): number | undefined {
  const v = o[k];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

export function obj(o: Json, k: string): Json | undefined {
  const v = o[k];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/** A port field: an integer 0..65535, or null. */
export function port(v: number | undefined): number | null {
  return v !== undefined && Number.isInteger(v) && v >= 0 && v <= 65535 ? v : null;
}

/**
 * Parses one JSON line. Older Snort 3 builds wrote unquoted hex numbers (`"eth_len" : 0x62`),
 * which is not JSON: those values are quoted and the line parsed again.
 */
export function parseJsonLine(text: string): Json | string {
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
    return v as Json;
  } catch (err) {
    if (/:\s*0x[0-9a-fA-F]+/.test(text)) {
      try {
        return JSON.parse(text.replace(/(:\s*)(0x[0-9a-fA-F]+)/g, '$1"$2"')) as Json;
      } catch {
        // fall through to the original error
      }
    }
    return `invalid JSON (${(err as Error).message.replace(/\s+/g, ' ').slice(0, 80)})`;
  }
}
