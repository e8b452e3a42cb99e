/**
 * Rollup deltas for one ingest batch, summed in memory and written once per key at commit.
 * Writing them per alert would be six upserts per row; per batch it is one per distinct key.
 */
export interface CountSpan {
  n: number;
  first: number;
  last: number;
}

export class SpanMap<K> {
  readonly entries = new Map<string, { key: K; span: CountSpan }>();

  add(id: string, key: K, ts: number): void {
    const e = this.entries.get(id);
    if (e === undefined) {
      this.entries.set(id, { key, span: { n: 1, first: ts, last: ts } });
    } else {
      e.span.n++;
      if (ts < e.span.first) e.span.first = ts;
      if (ts > e.span.last) e.span.last = ts;
    }
  }
}

export class CountMap<K> {
  readonly entries = new Map<string, { key: K; n: number }>();

  add(id: string, key: K): void {
    const e = this.entries.get(id);
    if (e === undefined) this.entries.set(id, { key, n: 1 });
    else e.n++;
  }
}

export class RollupBatch {
  readonly hour = new CountMap<[number, number, number]>();
  readonly sig = new SpanMap<[number, number]>();
  readonly sigSrc = new SpanMap<[number, Buffer, number]>();
  readonly sigDst = new SpanMap<[number, Buffer, number]>();
  readonly sensor = new SpanMap<number>();
  readonly dport = new CountMap<[number, number, number]>();

  add(sensorId: number, sigId: number, ts: number, src: Buffer | null, dst: Buffer | null, proto: number | null, dport: number | null): void {
    const hour = Math.floor(ts / 3_600_000_000);
    this.hour.add(`${hour}|${sensorId}|${sigId}`, [hour, sensorId, sigId]);
    this.sig.add(`${sigId}|${sensorId}`, [sigId, sensorId], ts);
    this.sensor.add(String(sensorId), sensorId, ts);
    if (src !== null) {
      const hex = src.toString('latin1');
      this.sigSrc.add(`${sigId}|${sensorId}|${hex}`, [sigId, src, sensorId], ts);
    }
    if (dst !== null) {
      const hex = dst.toString('latin1');
      this.sigDst.add(`${sigId}|${sensorId}|${hex}`, [sigId, dst, sensorId], ts);
    }
    if (dport !== null && proto !== null) {
      this.dport.add(`${sensorId}|${proto}|${dport}`, [sensorId, proto, dport]);
    }
  }
}
