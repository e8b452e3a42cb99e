/**
 * The 16-byte keys the store binds for addresses, cached by address text: a batch names the
 * same hosts over and over, and parsing each one again costs more than the insert that uses it.
 * Bounded: when full it starts afresh (scan-heavy data has more addresses than any cache).
 */
import { ipKey } from '../../model/ip.js';

export class AddressKeys {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly capacity = 1 << 16) {}

  key(text: string): Buffer {
    let k = this.keys.get(text);
    if (k === undefined) {
      if (this.keys.size >= this.capacity) this.keys.clear();
      k = ipKey(text);
      this.keys.set(text, k);
    }
    return k;
  }
}
