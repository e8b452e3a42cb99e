/**
 * The line parser for JSON alert logs (Snort 3 alert_json, Suricata EVE), fitting the same
 * TextParser contract as the Snort 2 text formats so import, the parse worker and the
 * collector handle them alike. A malformed line is a warning naming file:line; the lines
 * around it are kept.
 */
import type { InputFormat } from '../../model/alert.js';
import type { ParseContext, TextParser } from '../snort-text/parser.js';
import { excerpt } from '../snort-text/parser.js';
import { parseJsonLine } from './fields.js';
import { eveAlert } from './eve.js';
import { snort3Alert } from './snort3.js';
import { eveFlowSample } from './eve-flow.js';
import type { FlowSample } from '../../model/flow.js';

export class JsonAlertParser implements TextParser {
  /** Records of other EVE event types (flow, dns, http, stats ...) seen; they are not alerts. */
  otherEvents = 0;

  constructor(
    readonly format: Extract<InputFormat, 'eve' | 'snort3_json'>,
    private readonly ctx: ParseContext,
    /** Receives EVE flow events (as flow samples) when the caller keeps flows. */
    private readonly onFlow?: (f: FlowSample, line: number) => void,
  ) {}

  line(text: string, lineNo: number, offset: number, unterminated: boolean): void {
    if (text.trim() === '') return;
    const o = parseJsonLine(text);
    let result: ReturnType<typeof eveAlert>;
    if (typeof o === 'string') {
      result = o;
    } else if (this.format === 'eve') {
      result = eveAlert(o, { sensor: this.ctx.sensor, sensorExplicit: this.ctx.sensorExplicit, file: this.ctx.file }, offset, lineNo);
    } else {
      result = snort3Alert(o, { sensor: this.ctx.sensor, file: this.ctx.file, time: this.ctx.time }, offset, lineNo);
    }
    if (result === null && this.onFlow && typeof o !== 'string' && o.event_type === 'flow') {
      const f = eveFlowSample(o, this.ctx.file, lineNo);
      if (typeof f === 'string') result = f;
      else this.onFlow(f, lineNo);
    }
    if (result === null) {
      this.otherEvents++;
    } else if (typeof result === 'string') {
      this.ctx.warn({
        code: unterminated ? 'SNARF_TEXT_TRUNCATED' : 'SNARF_TEXT_BAD_LINE',
        message: `${unterminated ? 'truncated last line' : `not a usable ${this.format === 'eve' ? 'EVE' : 'Snort 3 alert_json'} record`}: ${result}: "${excerpt(text)}"`,
        file: this.ctx.file, line: lineNo, offset,
      });
    } else {
      this.ctx.emit(result);
    }
  }

  end(): void {}
}
