/**
 * classification.config parser: `config classification: shortname,description,priority`.
 *
 * Order matters: Snort numbers classifications 1, 2, 3... in the order it accepts these lines,
 * and unified2 events carry that number (classification_id). Lines Snort would not have
 * accepted (malformed, or a shortname seen before, which Snort ignores) get no number.
 */
import type { Warning } from '../errors.js';
import type { Classification } from './types.js';
import { badLine, isSkippable, numberedLines, parseUint } from './sid-msg-map.js';

export interface ClassificationTable {
  /** Accepted classifications in file order: element i has unified2 classification_id i + 1. */
  classifications: Classification[];
  warnings: Warning[];
}

const CLASSIFICATION_LINE = /^config\s+classification\s*:\s*(.*)$/i;

export function parseClassificationConfig(text: string, file = 'classification.config'): ClassificationTable {
  const classifications: Classification[] = [];
  const seen = new Set<string>();
  const warnings: Warning[] = [];
  for (const { line, text: raw } of numberedLines(text)) {
    if (isSkippable(raw)) continue;
    const m = CLASSIFICATION_LINE.exec(raw.trim());
    if (!m) {
      warnings.push(badLine(file, line, 'expected "config classification: shortname,description,priority"'));
      continue;
    }
    const parts = (m[1] ?? '').split(',');
    // Name first, priority last; a description with commas keeps them (more lenient than Snort).
    const shortname = (parts.shift() ?? '').trim();
    const priority = parseUint((parts.pop() ?? '').trim());
    const description = parts.join(',').trim();
    if (shortname === '' || description === '' || priority === null || parts.length === 0) {
      warnings.push(badLine(file, line, 'expected "shortname,description,priority" with an integer priority'));
      continue;
    }
    const key = shortname.toLowerCase();
    if (seen.has(key)) {
      warnings.push(badLine(file, line, `duplicate classification "${shortname}" ignored (it gets no id)`));
      continue;
    }
    seen.add(key);
    classifications.push({ shortname, description, priority });
  }
  return { classifications, warnings };
}
