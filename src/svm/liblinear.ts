// SPDX-License-Identifier: MIT
// LIBLINEAR `.model` text format (linear.cpp save_model/load_model) of linear classifiers.
//
// Format: header lines `solver_type S`, `nr_class K`, `label L0 … L(K−1)`, `nr_feature n`, `bias B`, then `w` and
// one line per feature holding nr_w weights (nr_w = 1 when K = 2, except for MCSVM_CS; else K). When B >= 0 an
// extra line multiplies the constant feature B, so decision k is w_kᵀx + w_k[n]·B. Two classes, one vector:
// LIBLINEAR predicts L0 when the decision is > 0; nr_w = K: the label of the largest decision (first on ties).

import { InvalidInputError } from '../errors.js';

/** Solvers whose model is sign(wᵀx + b) with one weight vector (LIBLINEAR's 2-class primal/dual SVM and LR). */
const LINEAR_SOLVERS = new Set([
  'L2R_LR', 'L2R_L2LOSS_SVC_DUAL', 'L2R_L2LOSS_SVC', 'L2R_L1LOSS_SVC_DUAL', 'MCSVM_CS', 'L1R_L2LOSS_SVC', 'L1R_LR', 'L2R_LR_DUAL',
]);

export interface LiblinearModel {
  solverType: string;
  /** Two classes: n weights; K ≥ 3: K·n, class k's at [k·n, (k+1)·n) (anyml's layout, not the file's). */
  weights: Float64Array;
  biases: Float64Array;
  /** Two classes: [neg, pos] in anyml's convention (pos = LIBLINEAR's first label); else the file's label order. */
  labels: number[];
}

/** anyml's layout (one vector, or K class-major rows of n) to the file's: a line per feature, one column per class. */
export function formatLiblinear(w: Float64Array, biases: Float64Array, labels: number[]): string {
  const K = labels.length, vectors = biases.length, n = w.length / vectors;
  const label = K === 2 ? `label ${labels[1]} ${labels[0]}` : `label ${labels.join(' ')}`;
  const lines = ['solver_type L2R_L1LOSS_SVC_DUAL', `nr_class ${K}`, label, `nr_feature ${n}`, 'bias 1', 'w'];
  const row = (at: (k: number) => number) => Array.from({ length: vectors }, (_, k) => `${fmt(at(k))} `).join('');
  for (let j = 0; j < n; j++) lines.push(row((k) => w[k * n + j]));
  lines.push(row((k) => biases[k]));
  return lines.join('\n') + '\n';
}

// %.17g-equivalent: shortest round-trip representation, which LIBLINEAR's strtod reads back exactly.
const fmt = (v: number): string => (Object.is(v, -0) ? '0' : String(v));

export function parseLiblinear(text: string, name: string): LiblinearModel {
  const lines = text.split(/\r?\n/);
  const header = new Map<string, { value: string; line: number }>();
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === 'w') break;
    if (line === '') continue;
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    header.set(key, { value: sp < 0 ? '' : line.slice(sp + 1).trim(), line: i + 1 });
  }
  if (i >= lines.length) throw new InvalidInputError(`${name}:${lines.length}:1`, 'end of file', "a line 'w' followed by the weights");
  const get = (key: string, expected: string) => {
    const h = header.get(key);
    if (!h) throw new InvalidInputError(`${name}:1:1`, `no '${key}' line`, expected);
    return h;
  };
  const solver = get('solver_type', 'a solver_type line');
  if (!LINEAR_SOLVERS.has(solver.value)) {
    throw new InvalidInputError(`${name}:${solver.line}:13`, JSON.stringify(solver.value), `a linear classifier (${[...LINEAR_SOLVERS].join(', ')})`);
  }
  const nrClass = get('nr_class', 'nr_class K');
  const K = Number(nrClass.value);
  if (!Number.isInteger(K) || K < 2) throw new InvalidInputError(`${name}:${nrClass.line}:10`, nrClass.value, 'an integer ≥ 2 (classes)');
  const labelLine = get('label', `label followed by ${K} values`);
  const labels = labelLine.value.split(/\s+/).map(Number);
  if (labels.length !== K || labels.some((v) => !Number.isFinite(v)) || new Set(labels).size !== K) {
    throw new InvalidInputError(`${name}:${labelLine.line}:7`, JSON.stringify(labelLine.value), `${K} distinct numeric labels (nr_class)`);
  }
  const nf = get('nr_feature', 'nr_feature n');
  const n = Number(nf.value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidInputError(`${name}:${nf.line}:12`, nf.value, 'a non-negative integer');
  const bl = get('bias', 'bias B');
  const biasFeature = Number(bl.value);
  if (!Number.isFinite(biasFeature)) throw new InvalidInputError(`${name}:${bl.line}:6`, bl.value, 'a number (-1 = no bias)');
  const nrW = K === 2 && solver.value !== 'MCSVM_CS' ? 1 : K;
  const rows = biasFeature >= 0 ? n + 1 : n;
  const w = readWeights(lines, i + 1, rows * nrW, name, `${rows * nrW} weights (nr_feature${biasFeature >= 0 ? ' + 1 for the bias' : ''}${nrW > 1 ? `, × ${nrW} classes` : ''})`);
  // File layout w[j·nrW + k] → anyml's class-major rows; the bias row's weights multiply the constant B.
  const weights = new Float64Array(nrW * n);
  const biases = new Float64Array(nrW);
  for (let k = 0; k < nrW; k++) {
    for (let j = 0; j < n; j++) weights[k * n + j] = w[j * nrW + k];
    biases[k] = biasFeature >= 0 ? w[n * nrW + k] * biasFeature : 0;
  }
  if (K === 2 && nrW === 2) return { solverType: solver.value, ...difference(weights, biases, n), labels: [labels[1], labels[0]] };
  return { solverType: solver.value, weights, biases, labels: K === 2 ? [labels[1], labels[0]] : labels };
}

/** Crammer-Singer with two classes keeps two vectors: label 0 wins when (w_0 − w_1)ᵀx + (b_0 − b_1) > 0. */
function difference(w: Float64Array, b: Float64Array, n: number): { weights: Float64Array; biases: Float64Array } {
  const weights = new Float64Array(n);
  for (let j = 0; j < n; j++) weights[j] = w[j] - w[n + j];
  return { weights, biases: Float64Array.of(b[0] - b[1]) };
}

/** `count` finite numbers, whitespace-separated, from line index `from` on. */
function readWeights(lines: string[], from: number, count: number, name: string, expected: string): Float64Array {
  const w = new Float64Array(count);
  let k = 0;
  for (let i = from; i < lines.length && k < count; i++) {
    for (const tok of lines[i].trim().split(/\s+/)) {
      if (tok === '') continue;
      const v = Number(tok);
      if (!Number.isFinite(v)) throw new InvalidInputError(`${name}:${i + 1}:${lines[i].indexOf(tok) + 1}`, JSON.stringify(tok), 'a finite weight');
      if (k < count) w[k++] = v;
    }
  }
  if (k < count) throw new InvalidInputError(`${name}:${lines.length}:1`, `${k} weights`, expected);
  return w;
}
