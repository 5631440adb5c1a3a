// SPDX-License-Identifier: MIT
// The weights of an anyml-svm JSON document: the full list, or only the non-zero ones (SparseWeights) when that is
// shorter, so a wide model trained on few columns is written and read in memory that follows those columns.

import { InvalidInputError } from '../errors.js';
import type { SparseWeights } from './types.js';

/** The widest model a document may declare: feature indices are 32-bit signed integers everywhere in anyml. */
const MAX_FEATURES = 0x7fffffff;

/** The list form while at least half the weights are non-zero (it is then no longer than the sparse form). */
export function weightsToJson(w: Float64Array): number[] | SparseWeights {
  let nonZero = 0;
  for (let j = 0; j < w.length; j++) if (w[j] !== 0) nonZero++;
  if (2 * nonZero >= w.length) return Array.from(w);
  const indices = new Array<number>(nonZero);
  const values = new Array<number>(nonZero);
  for (let j = 0, k = 0; j < w.length; j++) if (w[j] !== 0) (indices[k] = j), (values[k++] = w[j]);
  return { indices, values };
}

/** Checks `weights` against `features` and returns the dense weights; errors name the field and the bad value. */
export function weightsFromJson(weights: unknown, features: unknown, name: string): Float64Array {
  if (Array.isArray(weights)) {
    const at = weights.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (at >= 0) throw new InvalidInputError(`${name}: weights[${at}]`, JSON.stringify(weights[at]) ?? 'undefined', 'a finite number');
    if (features !== weights.length) throw new InvalidInputError(`${name}: features`, String(features), `the number of weights (${weights.length})`);
    return Float64Array.from(weights as number[]);
  }
  const sparse = weights as Partial<SparseWeights> | null;
  if (!sparse || typeof sparse !== 'object' || !Array.isArray(sparse.indices) || !Array.isArray(sparse.values)) {
    throw new InvalidInputError(`${name}: weights`, JSON.stringify(weights) ?? 'undefined', 'an array of finite numbers or { indices, values }');
  }
  if (typeof features !== 'number' || !Number.isInteger(features) || features < 0 || features > MAX_FEATURES) {
    throw new InvalidInputError(`${name}: features`, String(features), `an integer from 0 to ${MAX_FEATURES}`);
  }
  const { indices, values } = sparse;
  if (indices.length !== values.length) {
    throw new InvalidInputError(`${name}: weights.values`, `${values.length} values`, `one per index (${indices.length})`);
  }
  const w = new Float64Array(features);
  for (let k = 0; k < indices.length; k++) {
    const j = indices[k];
    const low = k > 0 ? indices[k - 1] + 1 : 0;
    if (!Number.isInteger(j) || j < low || j >= features) {
      throw new InvalidInputError(`${name}: weights.indices[${k}]`, JSON.stringify(j), `an integer from ${low} to ${features - 1} (ascending, below features)`);
    }
    const v = values[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidInputError(`${name}: weights.values[${k}]`, JSON.stringify(v), 'a finite number');
    w[j] = v;
  }
  return w;
}
