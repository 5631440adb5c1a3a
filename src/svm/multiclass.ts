// SPDX-License-Identifier: MIT
// One-vs-rest multiclass (K ≥ 3 labels): K binary problems "class k against the rest" on the same rows, each
// trained exactly as a binary model is; prediction takes the largest decision value (as LIBLINEAR's default
// multiclass, Fan et al. 2008, JMLR 9, and Rifkin & Klautau 2004, JMLR 5, who find it as accurate as the other
// schemes when the binary models are well tuned).

import * as Comlink from 'comlink';
import { InvalidInputError } from '../errors.js';
import type { Dataset } from '../types.js';
import { decisionValues, markLabels, rowView } from './data.js';
import type { WorkerPool } from './parallel/pool.js';
import type { ClassFitJob } from './parallel/protocol.js';
import type { EpochRecord } from './types.js';

/** One fitted weight vector in the trained (scaled, compacted) space, with its bias and history. */
export interface Fitted {
  weights: Float64Array;
  bias: number;
  history: EpochRecord[];
}

/** The binary problem of class k: +1 where the row's class index is k, −1 elsewhere. */
export function classProblem(data: Dataset, k: number): Dataset {
  const y = new Float32Array(data.y.length);
  for (let i = 0; i < y.length; i++) y[i] = data.y[i] === k ? 1 : -1;
  return { x: data.x, y: markLabels(y), labels: [-1, 1] };
}

/** Every class of a multiclass dataset needs rows: a class without any would train a model that never predicts it. */
export function checkEveryClass(data: Dataset): void {
  const count = new Float64Array(data.labels.length);
  for (let i = 0; i < data.y.length; i++) count[data.y[i]]++;
  const missing = data.labels.filter((_, k) => count[k] === 0);
  if (missing.length) {
    throw new InvalidInputError('trainSvm: data.y', `no rows of label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, `rows of every one of the ${data.labels.length} labels`);
  }
}

/** The fits as a model's weights and bias: the binary one as it is, K classes stacked class-major (SvmModelInit). */
export function stackFits(fits: Fitted[]): { weights: Float64Array; bias: number | Float64Array } {
  if (fits.length === 1) return { weights: fits[0].weights, bias: fits[0].bias };
  const d = fits[0].weights.length;
  const weights = new Float64Array(fits.length * d);
  fits.forEach((f, k) => weights.set(f.weights, k * d));
  return { weights, bias: Float64Array.from(fits, (f) => f.bias) };
}

/**
 * Validation accuracy and mean hinge loss of the fits on rows [lo, hi) of `data`: what evaluate() gives for the
 * fits' model on those rows with λ = 0 (its objective is then the plain mean hinge; for K classes the mean of the K
 * problems'), in the same arithmetic, without copying the rows or building the model.
 */
export function validateFits(fits: Fitted[], data: Dataset, lo: number, hi: number): { accuracy: number; hinge: number } {
  const n = hi - lo, K = fits.length;
  if (n === 0) return { accuracy: 0, hinge: 0 };
  const view = rowView(data.x, lo, hi);
  const dec = fits.map((f) => decisionValues(f.weights, f.bias, view));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const y = data.y[lo + i];
    if (K === 1) {
      correct += dec[0][i] > 0 === y > 0 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let k = 1; k < K; k++) if (dec[k][i] > dec[best][i]) best = k;
    correct += best === y ? 1 : 0;
  }
  let total = 0;
  for (let k = 0; k < K; k++) {
    let hinge = 0;
    for (let i = 0; i < n; i++) {
      const y = data.y[lo + i];
      const ySign = K === 1 ? (y > 0 ? 1 : -1) : y === k ? 1 : -1;
      hinge += Math.max(0, 1 - ySign * dec[k][i]);
    }
    total += hinge / n;
  }
  return { accuracy: correct / n, hinge: total / K };
}

/**
 * Whole fits on the workers, task-parallel: every worker holds all rows of `x` (copied once), and in round r worker
 * p runs job r·P + p start to finish with the same code as the calling thread (src/svm/epochs.ts). A job's weights
 * are therefore the in-thread ones bit for bit, whatever P; the bias refit stays with the caller. Used for the
 * classes of a multiclass fit and for the λ search's fits (one job per λ, or per λ and class). With all rows on
 * every worker, memory grows P-fold, the price of no averaging at all (data-parallel fits of the same problem
 * average models every syncEvery samples, and differ from in-thread).
 */
export async function fitOnPool(pool: WorkerPool, x: Dataset['x'], jobs: ClassFitJob[], backend: string): Promise<{ w: Float32Array; bias: number; history: EpochRecord[] }[]> {
  const P = pool.size;
  await pool.all('setup', (api) => api.loadRows({ backend, x }));
  const out: { w: Float32Array; bias: number; history: EpochRecord[] }[] = [];
  for (let first = 0; first < jobs.length; first += P) {
    const round = await pool.all('fit', (api, p) => {
      const job = jobs[first + p];
      if (!job) return Promise.resolve(undefined);
      const y = job.y.slice();
      return api.fitClass(Comlink.transfer({ ...job, y }, [y.buffer as ArrayBuffer]));
    });
    for (const r of round) if (r) out.push(r);
  }
  await pool.all('release', (api) => api.release());
  return out;
}
