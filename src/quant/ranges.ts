// SPDX-License-Identifier: MIT
// Activation ranges for calibration: per tensor the exact min/max over every value seen, and a seeded uniform
// reservoir sample (Vitter 1985, Algorithm R) from which percentile ranges are read without keeping the tensors.
import { InvalidInputError } from '../errors.js';
import { bounded, seedState } from '../rng.js';

export type RangeMethod = 'minmax' | 'percentile';

export interface TensorRange {
  min: number;
  max: number;
}

const RESERVOIR = 1 << 18;

class Tracked {
  min = Infinity;
  max = -Infinity;
  seen = 0;
  readonly sample = new Float32Array(RESERVOIR);
}

/** Accumulates the values of each tensor index over calibration passes. */
export class RangeStats {
  private readonly t = new Map<number, Tracked>();
  private readonly rng: Uint32Array;

  constructor(seed = 1) {
    this.rng = seedState(seed);
  }

  add(index: number, values: ArrayLike<number>): void {
    let s = this.t.get(index);
    if (!s) this.t.set(index, (s = new Tracked()));
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < s.min) s.min = v;
      if (v > s.max) s.max = v;
      if (s.seen < RESERVOIR) s.sample[s.seen] = v;
      else {
        const j = s.seen < 2 ** 31 ? bounded(this.rng, s.seen + 1) : RESERVOIR;
        if (j < RESERVOIR) s.sample[j] = v;
      }
      s.seen++;
    }
  }

  /** How many values of tensor `index` were seen. */
  count(index: number): number {
    return this.t.get(index)?.seen ?? 0;
  }

  /**
   * The range of tensor `index`: exact min/max, or the (100 − p)th and pth percentiles of the sample (p = 99.99 by
   * default), which ignores the rare outliers that would otherwise stretch the int8 grid.
   */
  range(index: number, method: RangeMethod, percentile = 99.99): TensorRange {
    const s = this.t.get(index);
    if (!s || s.seen === 0) throw new InvalidInputError(`calibration: tensor ${index}`, 'no values', 'at least one calibration pass');
    if (method === 'minmax') return { min: s.min, max: s.max };
    const n = Math.min(s.seen, RESERVOIR);
    const sorted = s.sample.slice(0, n).sort();
    const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.round((q / 100) * (n - 1))))];
    return { min: at(100 - percentile), max: at(percentile) };
  }
}
