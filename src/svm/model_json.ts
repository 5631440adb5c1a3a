// SPDX-License-Identifier: MIT
// The weights of an anyml-svm JSON document: the full list, or only the non-zero ones (SparseWeights) when that is
// shorter, so a wide model trained on few columns is written and read in memory that follows those columns.

import { InvalidInputError } from '../errors.js';
import type { SvmModelInit } from './model.js';
import type { SparseWeights, SvmModelJson } from './types.js';

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

/** What modelToJson reads of a model. */
interface ModelFields {
  weights: Float64Array;
  biases: Float64Array;
  labels: number[];
  features: number;
  lambda: number;
  backend: string;
  trainedWith: Record<string, unknown>;
}

/** The anyml-svm document: binary as it always was; multiclass with one weight entry and one bias per class. */
export function modelToJson(m: ModelFields): SvmModelJson {
  const K = m.labels.length, d = m.features;
  const multi = K > 2;
  return {
    format: 'anyml-svm',
    version: 1,
    features: d,
    weights: multi ? Array.from({ length: K }, (_, k) => weightsToJson(m.weights.subarray(k * d, (k + 1) * d))) : weightsToJson(m.weights),
    bias: multi ? Array.from(m.biases) : m.biases[0],
    labels: [...m.labels],
    lambda: m.lambda,
    trainedWith: { backend: m.backend, ...m.trainedWith },
  };
}

function parseDoc(json: SvmModelJson | string, name: string): Partial<SvmModelJson> {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (err) {
      throw new InvalidInputError(name, 'text that is not JSON', 'an anyml-svm JSON document', (err as Error).message);
    }
  }
  const d = doc as Partial<SvmModelJson>;
  if (!d || d.format !== 'anyml-svm') throw new InvalidInputError(`${name}: format`, JSON.stringify(d?.format), '"anyml-svm"');
  if (d.version !== 1) throw new InvalidInputError(`${name}: version`, JSON.stringify(d.version), '1 (the only version this anyml reads)');
  const labels = d.labels;
  if (!Array.isArray(labels) || labels.length < 2 || labels.some((v) => typeof v !== 'number' || !Number.isFinite(v)) || new Set(labels).size !== labels.length) {
    throw new InvalidInputError(`${name}: labels`, JSON.stringify(labels), 'two distinct label values [neg, pos], or three or more classes');
  }
  if (typeof d.lambda !== 'number' || !(d.lambda >= 0)) throw new InvalidInputError(`${name}: lambda`, String(d.lambda), 'a number >= 0');
  return d;
}

/** Checks a document (object or JSON text) and returns the model's fields; errors name the field and value. */
export function modelFromJson(json: SvmModelJson | string, name: string): SvmModelInit {
  const d = parseDoc(json, name);
  const labels = d.labels!;
  const K = labels.length;
  let weights: Float64Array, bias: number | Float64Array;
  if (K === 2) {
    weights = weightsFromJson(d.weights, d.features, name);
    if (typeof d.bias !== 'number' || !Number.isFinite(d.bias)) throw new InvalidInputError(`${name}: bias`, String(d.bias), 'a finite number');
    bias = d.bias;
  } else {
    const rows = d.weights as unknown[];
    if (!Array.isArray(rows) || rows.length !== K) throw new InvalidInputError(`${name}: weights`, Array.isArray(rows) ? `${rows.length} entries` : JSON.stringify(rows) ?? 'undefined', `one weight list per class (${K})`);
    const b = d.bias as unknown;
    if (!Array.isArray(b) || b.length !== K || b.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new InvalidInputError(`${name}: bias`, JSON.stringify(b) ?? 'undefined', `${K} finite numbers (one per class)`);
    }
    const per = rows.map((w, k) => weightsFromJson(w, d.features, `${name}: class ${k} (label ${labels[k]})`));
    weights = new Float64Array(K * per[0].length);
    per.forEach((w, k) => weights.set(w, k * w.length));
    bias = Float64Array.from(b as number[]);
  }
  const trainedWith = { ...(d.trainedWith ?? {}) };
  const backend = typeof trainedWith.backend === 'string' ? trainedWith.backend : 'json';
  delete trainedWith.backend;
  return { weights, bias, labels: [...labels], lambda: d.lambda!, backend, trainedWith };
}
