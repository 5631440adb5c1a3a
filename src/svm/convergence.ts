// SPDX-License-Identifier: MIT
// What every SVM epoch loop (in this thread, on workers) does after an epoch: refuse a non-finite objective with
// the likely cause, and decide convergence by one rule.
import { InvalidInputError } from '../errors.js';
import type { Matrix } from '../types.js';

/** Wall-clock seconds (performance.now exists in Node, browsers and workers). */
export const seconds = (): number => performance.now() / 1000;

/** Converged: the objective's relative change since the last epoch is at most `tol` (tol 0: never). */
export function converged(prev: number, objective: number, tol: number): boolean {
  return tol > 0 && Math.abs(prev - objective) <= tol * Math.max(Math.abs(objective), 1e-12);
}

/** The largest |value| in `x` and where it is (0-based row and column). */
export function largestValue(x: Matrix): { value: number; row: number; col: number } {
  let best = { value: 0, row: 0, col: 0 };
  if (x.kind === 'dense') {
    for (let i = 0; i < x.data.length; i++)
      if (Math.abs(x.data[i]) > Math.abs(best.value)) best = { value: x.data[i], row: Math.floor(i / x.cols), col: i % x.cols };
    return best;
  }
  for (let r = 0; r < x.rows; r++)
    for (let k = x.indptr[r]; k < x.indptr[r + 1]; k++) if (Math.abs(x.values[k]) > Math.abs(best.value)) best = { value: x.values[k], row: r, col: x.indices[k] };
  return best;
}

/** Training went non-finite (thrown by the epoch loops; trainSvm turns it into an InvalidInputError on the user's data). */
export class Diverged extends Error {
  constructor(readonly objective: number, readonly epoch: number, readonly lambda: number) {
    super(`training diverged to an objective of ${objective} in epoch ${epoch} (λ = ${lambda})`);
  }
}

/** Throws Diverged when the objective is not finite: float32 arithmetic overflowed (max ≈ 3.4e38). */
export function checkObjective(objective: number, epoch: number, lambda: number): void {
  if (!Number.isFinite(objective)) throw new Diverged(objective, epoch, lambda);
}

/** |x| at or above 2^64 (≈ 1.8e19) squares past float32's largest value: the solver cannot train on it at all. */
export const MAX_FEATURE_MAGNITUDE = 2 ** 64;

const SCALE_HINT = 'feature values small enough for float32 arithmetic: scale the features (e.g. to [-1, 1]) and train again';

/** The error for data whose largest value makes (or made) training overflow; names the value and where it is. */
export function magnitudeError(x: Matrix, diverged?: Diverged): InvalidInputError {
  const m = largestValue(x);
  const at = `the largest feature value is ${m.value} at row ${m.row + 1}, column ${m.col + 1}`;
  return new InvalidInputError('trainSvm: data', diverged ? `${diverged.message}; ${at}` : `a feature value of ${m.value} at row ${m.row + 1}, column ${m.col + 1}`, SCALE_HINT);
}
