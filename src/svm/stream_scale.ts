// SPDX-License-Identifier: MIT
// Running max-abs feature scaling for createSvmStream (src/svm/stream.ts), and the solver-state rescale that keeps
// the model unchanged in raw space when a column's scale grows.
//
// The stream trains on x'_j = x_j / s_j, so its model in raw space is w_j / s_j (foldScaling, src/svm/scale.ts,
// with μ = 0). A stream cannot know the column maxima up front, so s_j is the largest |x_ij| seen so far and grows
// as batches arrive. When s_j becomes s'_j, the same raw value x_j gives the scaled feature x_j / s'_j, smaller by
// s_j / s'_j; the raw-space decision function Σ_j (w_j / s_j) x_j + b is kept iff w'_j / s'_j = w_j / s_j, i.e.
//   w'_j = w_j · s'_j / s_j,   b' = b.
// Every piece of solver state that is a weight in scaled-feature space is linear in w per column, so it takes the
// same factor: Pegasos's w = scale·v (src/svm/backends/js/sgd_svm.ts) through v (scale is shared by all columns and
// stays), and averaged SGD's w̄ = (avg + avgWFrac·v) / avgDiv through avg (avgWFrac and avgDiv are scalars).
import { InvalidInputError } from '../errors.js';
import type { Matrix } from '../types.js';
import type { FeatureScaling } from './scale.js';
import type { SolverState } from './solver.js';

export const STREAM_SCALE_MODES = ['auto', 'maxabs', 'none'] as const;
export type StreamScaleMode = (typeof STREAM_SCALE_MODES)[number];

/** Checks a stream's `scale` option; 'standard' gets its own reason (a stream cannot centre). */
export function checkStreamScale(where: string, v: unknown): StreamScaleMode {
  if (v === undefined) return 'auto';
  if (v === 'standard') {
    throw new InvalidInputError(where, "'standard'", "'auto', 'maxabs' or 'none'",
      'a stream cannot standardise: the column means and deviations need a first pass over all rows, and centring a column would change every past step');
  }
  if (!(STREAM_SCALE_MODES as readonly unknown[]).includes(v)) {
    throw new InvalidInputError(where, typeof v === 'string' ? `'${v}'` : String(v), "'auto', 'maxabs' or 'none'");
  }
  return v as StreamScaleMode;
}

/**
 * The running max-abs scaling of a stream. 'maxabs' is active from the first batch; 'auto' is inactive (no scaling,
 * so already-scaled data trains bit for bit as without this class) until a value exceeds 1 in magnitude, then
 * active with the true max-abs of every row seen so far (batch 'maxabs' semantics: columns whose maximum is below 1
 * are scaled up too). A column with only zeros so far has s = 1 (its weight is still 0, so any s is exact for it).
 */
export class RunningMaxAbs {
  /** max |x_ij| seen so far per column (0 when none). */
  private max: Float64Array;
  /** The divisors in use: the scaling of the solver state (all 1 while inactive). */
  private s: Float64Array;
  private on: boolean;

  constructor(
    readonly mode: StreamScaleMode,
    cols: number,
  ) {
    this.max = new Float64Array(cols);
    this.s = new Float64Array(cols).fill(1);
    this.on = mode === 'maxabs';
  }

  /** Whether batches are scaled (what `trainedWith.scale` reports: 'maxabs' when true, else 'none'). */
  get active(): boolean {
    return this.on;
  }

  /** Pads to `cols` columns (new columns: maximum 0, divisor 1). */
  grow(cols: number): void {
    if (cols <= this.max.length) return;
    const max = new Float64Array(cols);
    max.set(this.max);
    const s = new Float64Array(cols).fill(1);
    s.set(this.s);
    this.max = max;
    this.s = s;
  }

  /**
   * Takes the batch's column maxima into the scales (the batch is then scaled with scales that include it).
   * Returns the per-column factors s'_j / s_j for the solver state (see the top of this file), or null when no
   * divisor changed.
   */
  update(x: Matrix): Float64Array | null {
    if (this.mode === 'none') return null;
    this.grow(x.cols);
    const largest = takeMaxima(this.max, x);
    if (!this.on && largest > 1) this.on = true;
    if (!this.on) return null;
    let ratio: Float64Array | null = null;
    for (let j = 0; j < this.s.length; j++) {
      const next = this.max[j] > 0 ? this.max[j] : 1;
      if (next === this.s[j]) continue;
      ratio ??= new Float64Array(this.s.length).fill(1);
      ratio[j] = next / this.s[j];
      this.s[j] = next;
    }
    return ratio;
  }

  /** The scaling in use, for applyScaling / foldScaling (src/svm/scale.ts); undefined while inactive. */
  scaling(): FeatureScaling | undefined {
    return this.on ? { kind: 'maxabs', s: this.s.slice() } : undefined;
  }
}

/** Raises `max` to the batch's column maxima of |x|; returns the batch's largest |value|. */
function takeMaxima(max: Float64Array, x: Matrix): number {
  let largest = 0;
  const take = (j: number, v: number) => {
    const a = Math.abs(v);
    if (a > max[j]) max[j] = a;
    if (a > largest) largest = a;
  };
  if (x.kind === 'csr') {
    const nnz = x.indptr[x.rows];
    for (let k = 0; k < nnz; k++) take(x.indices[k], x.values[k]);
  } else {
    for (let i = 0; i < x.data.length; i++) take(i % x.cols, x.data[i]);
  }
  return largest;
}

/**
 * Rescales the scaled-space weights of a solver state in place, w'_j = w_j · ratio[j] (the rule at the top of this
 * file): v_j (the shared factor `scale` stays) and the averaging accumulator avg_j. The bias terms are unchanged.
 * v is f32, so v_j takes one f32 rounding (relative 2⁻²⁴), as every solver step does.
 */
export function rescaleState(state: SolverState, ratio: Float64Array): void {
  const { v, avg } = state;
  const d = Math.min(v.length, ratio.length);
  for (let j = 0; j < d; j++) {
    if (ratio[j] === 1) continue;
    v[j] = v[j] * ratio[j];
    if (avg) avg[j] = avg[j] * ratio[j];
  }
}
