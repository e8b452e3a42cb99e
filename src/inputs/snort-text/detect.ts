/**
 * Recognises which Snort text output a file holds from its first lines. Each file is sniffed
 * on its own, since one log directory often mixes alert.fast, alert.full, csv and syslog.
 */
export type TextFormat = 'alert_fast' | 'alert_full' | 'alert_csv' | 'syslog' | 'portscan_log' | 'eve' | 'snort3_json';

const TS = String.raw`\d\d/\d\d(?:/\d\d)?-\d\d:\d\d:\d\d(?:\.\d+)?`;
const PATTERNS: ReadonlyArray<[TextFormat, RegExp]> = [
  ['alert_fast', new RegExp(`^${TS}\\s+\\[\\*\\*\\] \\[\\d+:\\d+:\\d+\\]`)],
  ['alert_full', /^\[\*\*\] \[\d+:\d+:\d+\]/],
  ['alert_csv', new RegExp(`^${TS} ?,\\d+,\\d+,\\d+,`)],
  ['syslog', /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*) (?:\S+ )?\S*snort\S*: \[\d+:\d+:\d+\]/i],
  ['portscan_log', new RegExp(`^Time: ${TS}`)],
  // JSON lines: EVE names its event_type; Snort 3 alert_json has rule / src_ap / pkt_num.
  ['eve', /^\s*\{.*"event_type"\s*:/],
  ['snort3_json', /^\s*\{.*"(?:rule|src_ap|pkt_num|dst_ap)"\s*:/],
];

/**
 * Votes over the first lines so that one corrupt or truncated leading line does not decide.
 * Returns null when no line looks like any format.
 */
export function detectTextFormat(lines: readonly string[]): TextFormat | null {
  const votes = new Map<TextFormat, number>();
  let looked = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (++looked > 200) break;
    for (const [format, re] of PATTERNS) {
      if (re.test(line)) {
        votes.set(format, (votes.get(format) ?? 0) + 1);
        break;
      }
    }
  }
  let best: TextFormat | null = null;
  let bestVotes = 0;
  for (const [format, n] of votes) {
    if (n > bestVotes) {
      best = format;
      bestVotes = n;
    }
  }
  return best;
}
