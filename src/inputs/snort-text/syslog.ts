/**
 * Snort alerts through syslog (alert_syslog), as a syslog daemon writes them to a file:
 *   `Mon DD hh:mm:ss host snort[pid]: [g:s:r] msg [Classification: c] [Priority: n] {P} a -> b`
 * also without the host field, with RFC 3339 timestamps (rsyslog's high-precision format),
 * and with other program names containing "snort". The syslog time is the wall-clock time of
 * logging, not the packet time: it has second resolution and no year.
 */
import { monthNumber } from './time.js';
import { bodyAlert, parseBody } from './fast.js';
import { rejectLine, type ParseContext, type TextParser } from './parser.js';
import type { InputFormat } from '../../model/alert.js';

interface Header {
  timeUs: number | null;
  host: string | null;
  bodyStart: number;
}

export class SyslogParser implements TextParser {
  readonly format: InputFormat = 'syslog';

  constructor(private readonly ctx: ParseContext) {}

  line(text: string, lineNo: number, offset: number, unterminated: boolean): void {
    if (text.trim() === '') return;
    const reason = this.parse(text, lineNo, offset);
    if (reason !== null) rejectLine(this.ctx, 'a Snort syslog', reason, text, lineNo, offset, unterminated);
  }

  private parse(text: string, lineNo: number, offset: number): string | null {
    const h = this.header(text);
    if (typeof h === 'string') return h;
    if (h === null) return null; // a syslog line that is not an alert (repeat notices, other programs)
    if (h.timeUs === null) return 'bad syslog timestamp';
    const body = parseBody(text, h.bodyStart, false);
    if (typeof body === 'string') return body;
    const sensor = this.ctx.sensorExplicit || !h.host ? this.ctx.sensor : h.host;
    this.ctx.emit(bodyAlert(body, sensor, h.timeUs, 'syslog', this.ctx.file, offset, lineNo));
    return null;
  }

  end(): void {}

  /** Returns the header, null for a line to skip silently, or the reason it is not syslog. */
  private header(text: string): Header | null | string {
    let rest: string;
    let timeUs: number | null;
    const traditional = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d) /.exec(text);
    if (traditional) {
      const month = monthNumber(traditional[1] ?? '');
      if (month === undefined) return 'bad month';
      timeUs = this.ctx.time.toEpochMicros({
        month, day: Number(traditional[2]), hour: Number(traditional[3]),
        minute: Number(traditional[4]), second: Number(traditional[5]), micro: 0,
      });
      rest = text.slice(traditional[0].length);
    } else {
      const iso = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:?\d\d)) /.exec(text);
      if (!iso) return 'no syslog timestamp';
      const ms = Date.parse(iso[1] ?? '');
      const frac = /\.(\d{1,6})/.exec(iso[1] ?? '');
      timeUs = Number.isNaN(ms) ? null : Math.floor(ms / 1000) * 1_000_000 + (frac ? Number((frac[1] ?? '').padEnd(6, '0')) : 0);
      rest = text.slice(iso[0].length);
    }
    // `host prog[pid]: ` or, without a host, `prog[pid]: `.
    if (/^(?:\S+ )?last message repeated \d+ times/.test(rest)) return null;
    const tag = /^(?:(\S+) )?([^\s:[]+)(?:\[\d+\])?: /.exec(rest);
    if (!tag) return 'no program tag';
    // Shared log files (/var/log/messages) carry every program's lines: only Snort's alerts
    // count, and its other messages (start-up, statistics) are not alerts either.
    const prog = tag[2] ?? '';
    const bodyStart = text.length - rest.length + tag[0].length;
    if (!prog.toLowerCase().includes('snort')) return null;
    if (!/^\[\d+:\d+:\d+\]/.test(text.slice(bodyStart, bodyStart + 40))) return null;
    return { timeUs, host: tag[1] ?? null, bodyStart };
  }
}
