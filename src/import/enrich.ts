/**
 * Fills in what an input format did not carry from the signature metadata: alert_csv has no
 * classification or priority, unified2 has no message, none of the one-line formats has
 * references.
 */
import type { Alert, Reference } from '../model/alert.js';
import type { SignatureResolver } from '../rules/types.js';
import { F, FIELDS, type AlertRows } from '../store/alert-rows.js';

/** What the catalog says of one gid:sid:rev, in the shape alerts carry. */
interface Resolved {
  message: string;
  classification: string | null;
  priority: number | null;
  references: Reference[];
  refsJson: string | null;
}

function resolve(catalog: SignatureResolver, gid: number, sid: number, rev: number): Resolved | null {
  const info = catalog.lookup(gid, sid, rev);
  if (!info) return null;
  const cls = info.classtype !== undefined ? catalog.classificationByName(info.classtype) : undefined;
  const references = info.references.map((r) => {
    const url = catalog.referenceUrl(r);
    return url === null ? { ...r } : { ...r, url };
  });
  return {
    message: info.message,
    classification: cls?.description ?? null,
    priority: info.priority ?? cls?.priority ?? null,
    references,
    refsJson: references.length > 0 ? JSON.stringify(references) : null,
  };
}

export function enrichAlert(a: Alert, catalog: SignatureResolver): void {
  const r = resolve(catalog, a.gid, a.sid, a.rev);
  if (!r) return;
  if (a.message === '') a.message = r.message;
  if (a.classification === null) a.classification = r.classification;
  if (a.priority === null) a.priority = r.priority;
  if (a.references.length === 0 && r.references.length > 0) a.references = r.references.map((x) => ({ ...x }));
}

/** enrichAlert for row batches, resolving each gid:sid:rev once however many alerts carry it. */
export class RowEnricher {
  private readonly cache = new Map<string, Resolved | null>();

  constructor(private readonly catalog: SignatureResolver) {}

  enrich(rows: AlertRows): void {
    const v = rows.v;
    let lastKey = '';
    let last: Resolved | null = null;
    for (let o = 0; o < v.length; o += FIELDS) {
      const gid = v[o + F.gid] as number;
      const sid = v[o + F.sid] as number;
      const rev = v[o + F.rev] as number;
      const key = `${gid}:${sid}:${rev}`;
      if (key !== lastKey) {
        lastKey = key;
        last = this.cache.get(key) ?? null;
        if (last === null && !this.cache.has(key)) {
          last = resolve(this.catalog, gid, sid, rev);
          this.cache.set(key, last);
        }
      }
      if (last === null) continue;
      if (v[o + F.message] === '') v[o + F.message] = last.message;
      if (v[o + F.classification] === null) v[o + F.classification] = last.classification;
      if (v[o + F.priority] === null) v[o + F.priority] = last.priority;
      if (v[o + F.refs] === null) v[o + F.refs] = last.refsJson;
    }
  }
}
