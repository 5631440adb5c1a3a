// SPDX-License-Identifier: MIT
// Splits a stream of byte chunks into runs of whole lines, carrying a line that spans chunks without one big string.

/** Largest run of several lines handed to `region` at once (a single longer line is handed over whole). */
const MAX_REGION = 1 << 20;

/**
 * Base of the incremental readers. `push` hands `region` runs of complete lines straight from each chunk (no copy);
 * only a line that spans chunks is copied, into a small carry buffer that is parsed once its newline arrives.
 * In `region(b, i, end)` every line ends with a newline except possibly the last one handed over by `flush`.
 */
export abstract class ChunkedLines {
  private carry = new Uint8Array(4096);
  private carryLen = 0;

  /**
   * Parses the lines of `b[i, end)`: at most 1 MiB of them, or exactly one line when `single` (which may be longer).
   * Positions in `b` are where columns are counted from (lines start inside it).
   */
  protected abstract region(b: Uint8Array, i: number, end: number, single: boolean): void;

  push(chunk: Uint8Array): void {
    let pos = 0;
    if (this.carryLen > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return this.append(chunk);
      this.append(chunk.subarray(0, nl + 1));
      const n = this.carryLen;
      this.carryLen = 0;
      this.region(this.carry, 0, n, true);
      pos = nl + 1;
    }
    while (pos < chunk.length) {
      const window = Math.min(chunk.length, pos + MAX_REGION);
      const last = chunk.lastIndexOf(10, window - 1);
      if (last >= pos) {
        this.region(chunk, pos, last + 1, false);
        pos = last + 1;
        continue;
      }
      const nl = window < chunk.length ? chunk.indexOf(10, window) : -1;
      if (nl < 0) break;
      this.region(chunk, pos, nl + 1, true); // one line longer than MAX_REGION
      pos = nl + 1;
    }
    if (pos < chunk.length) this.append(chunk.subarray(pos));
  }

  /** Parses the last line when the input did not end with a newline. */
  flush(): void {
    const n = this.carryLen;
    this.carryLen = 0;
    if (n > 0) this.region(this.carry, 0, n, true);
  }

  private append(bytes: Uint8Array): void {
    const need = this.carryLen + bytes.length;
    if (need > this.carry.length) {
      const c = new Uint8Array(Math.max(need, this.carry.length * 2));
      c.set(this.carry.subarray(0, this.carryLen));
      this.carry = c;
    }
    this.carry.set(bytes, this.carryLen);
    this.carryLen = need;
  }
}
