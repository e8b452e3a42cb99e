/**
 * Fills in what an input format did not carry from the signature metadata: alert_csv has no
 * classification or priority, unified2 has no message, none of the one-line formats has
 * references.
 */
import type { Alert } from '../model/alert.js';
import type { SignatureResolver } from '../rules/types.js';

export function enrichAlert(a: Alert, catalog: SignatureResolver): void {
  const info = catalog.lookup(a.gid, a.sid, a.rev);
  if (!info) return;
  if (a.message === '') a.message = info.message;
  if (a.classification === null && info.classtype !== undefined) {
    a.classification = catalog.classificationByName(info.classtype)?.description ?? null;
  }
  if (a.priority === null) {
    a.priority = info.priority ?? (info.classtype !== undefined ? catalog.classificationByName(info.classtype)?.priority ?? null : null);
  }
  if (a.references.length === 0 && info.references.length > 0) {
    a.references = info.references.map((r) => {
      const url = catalog.referenceUrl(r);
      return url === null ? { ...r } : { ...r, url };
    });
  }
}
