/**
 * The hosts of one side for the host page builder (host-pages.ts), in address order with their
 * signature rows: fetched by keyset a thousand at a time (one await per batch), handed out one by
 * one and synchronously (a host's signature list is built when it is taken, so few are alive).
 */
import type { HostSig, HostSigRow, ReportHost, Side } from '../../store/reads/report-reads.js';
import { sigOrder, type PageContext } from './context.js';

const HOST_BATCH = 1000;

/** Yielded by the planner when its host source needs the next batch. */
export const MORE = Symbol('more hosts');

/** The planner asks take() for each host; fetch() when it answers MORE. */
export class HostSource {
  private hosts: ReportHost[] = [];
  private sigRows: HostSigRow[] = [];
  private at = 0;
  private k = 0;
  private after: Buffer | null = null;
  private ended = false;
  private readonly order: (a: number, b: number) => number;

  constructor(private readonly ctx: PageContext, private readonly side: Side) {
    this.order = sigOrder(ctx.sigs);
  }

  /** The next host, null at the end, or MORE when the next batch must be fetched first. */
  take(): { h: ReportHost; sigs: HostSig[] } | null | typeof MORE {
    if (this.at === this.hosts.length) return this.ended ? null : MORE;
    const h = this.hosts[this.at++]!;
    const rows = this.sigRows;
    const sigs: HostSig[] = [];
    while (this.k < rows.length && rows[this.k]![0].equals(h.ip)) {
      const r = rows[this.k++]!;
      sigs.push({ sigId: r[1], count: r[2], firstUs: r[3], lastUs: r[4] });
    }
    // Most alerts first (then gid:sid): the host table's order, and part of its key.
    sigs.sort((a, b) => b.count - a.count || this.order(a.sigId, b.sigId));
    return { h, sigs };
  }

  async fetch(): Promise<void> {
    const { ctx, side } = this;
    this.hosts = await ctx.q.hostBatch(side, this.after, HOST_BATCH);
    this.at = 0;
    this.k = 0;
    if (this.hosts.length === 0) {
      this.sigRows = [];
      this.ended = true;
      return;
    }
    const last = this.hosts[this.hosts.length - 1]!.ip;
    this.sigRows = await ctx.q.hostSigsRange(side, this.after, last);
    this.after = last;
  }
}
