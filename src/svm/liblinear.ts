// SPDX-License-Identifier: MIT
// LIBLINEAR `.model` text format (linear.cpp save_model/load_model), 2-class linear models only.
//
// Format: header lines `solver_type S`, `nr_class 2`, `label L0 L1`, `nr_feature n`, `bias B`, then `w` and one
// weight per line. When B >= 0 an extra weight w[n] multiplies the constant feature B, so the decision is
// wᵀx + w[n]·B; LIBLINEAR predicts label L0 when the decision is > 0.

import { InvalidInputError } from '../errors.js';

/** Solvers whose model is sign(wᵀx + b) with one weight vector (LIBLINEAR's 2-class primal/dual SVM and LR). */
const LINEAR_SOLVERS = new Set([
  'L2R_LR', 'L2R_L2LOSS_SVC_DUAL', 'L2R_L2LOSS_SVC', 'L2R_L1LOSS_SVC_DUAL', 'MCSVM_CS', 'L1R_L2LOSS_SVC', 'L1R_LR', 'L2R_LR_DUAL',
]);

export interface LiblinearModel {
  solverType: string;
  weights: Float64Array;
  bias: number;
  /** [neg, pos] in anyml's convention (pos = LIBLINEAR's first label). */
  labels: [number, number];
}

export function formatLiblinear(w: Float64Array, bias: number, labels: [number, number]): string {
  const lines = ['solver_type L2R_L1LOSS_SVC_DUAL', 'nr_class 2', `label ${labels[1]} ${labels[0]}`, `nr_feature ${w.length}`, 'bias 1', 'w'];
  for (let j = 0; j < w.length; j++) lines.push(`${fmt(w[j])} `);
  lines.push(`${fmt(bias)} `);
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
    throw new InvalidInputError(`${name}:${solver.line}:13`, JSON.stringify(solver.value), `a 2-class linear solver (${[...LINEAR_SOLVERS].join(', ')})`);
  }
  const nrClass = get('nr_class', 'nr_class 2');
  if (nrClass.value !== '2') throw new InvalidInputError(`${name}:${nrClass.line}:10`, nrClass.value, '2 (anyml reads binary models only)');
  const labelLine = get('label', 'label L0 L1');
  const labels = labelLine.value.split(/\s+/).map(Number);
  if (labels.length !== 2 || labels.some((v) => !Number.isFinite(v))) {
    throw new InvalidInputError(`${name}:${labelLine.line}:7`, JSON.stringify(labelLine.value), 'two numeric labels');
  }
  const nf = get('nr_feature', 'nr_feature n');
  const n = Number(nf.value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidInputError(`${name}:${nf.line}:12`, nf.value, 'a non-negative integer');
  const bl = get('bias', 'bias B');
  const biasFeature = Number(bl.value);
  if (!Number.isFinite(biasFeature)) throw new InvalidInputError(`${name}:${bl.line}:6`, bl.value, 'a number (-1 = no bias)');
  const count = biasFeature >= 0 ? n + 1 : n;
  const w = new Float64Array(count);
  let k = 0;
  for (i = i + 1; i < lines.length && k < count; i++) {
    const tok = lines[i].trim();
    if (tok === '') continue;
    const v = Number(tok);
    if (!Number.isFinite(v)) throw new InvalidInputError(`${name}:${i + 1}:1`, JSON.stringify(tok), 'a finite weight');
    w[k++] = v;
  }
  if (k < count) throw new InvalidInputError(`${name}:${lines.length}:1`, `${k} weights`, `${count} weights (nr_feature${biasFeature >= 0 ? ' + 1 for the bias' : ''})`);
  const bias = biasFeature >= 0 ? w[n] * biasFeature : 0;
  return { solverType: solver.value, weights: w.slice(0, n), bias, labels: [labels[1], labels[0]] };
}
