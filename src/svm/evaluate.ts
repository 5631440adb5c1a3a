// SPDX-License-Identifier: MIT
// Quality figures of a linear model on labelled data: accuracy, per-class precision/recall/F1, the confusion
// matrix and the training objective, for binary (one weight vector) and one-vs-rest multiclass (K of them) alike.

import type { Dataset } from '../types.js';
import type { ClassMetrics, SvmEvaluation } from './types.js';

/** What evaluate needs of a model: its label values, λ and the per-class decision values. */
export interface Scored {
  labels: number[];
  lambda: number;
  /** ‖w‖² per weight vector (one for binary, K for multiclass). */
  norms: Float64Array;
  /** Binary: n decision values; multiclass: n × K, row-major. */
  decisions: Float64Array;
}

/** The index into labels predicted for row i: sign for binary, the largest decision value for K ≥ 3 (ties: the first). */
function predictedIndex(K: number, dec: Float64Array, i: number): number {
  if (K === 2) return dec[i] > 0 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < K; k++) if (dec[i * K + k] > dec[i * K + best]) best = k;
  return best;
}

/** The predicted label of row i. */
export function predictedLabel(labels: number[], dec: Float64Array, i: number): number {
  return labels[predictedIndex(labels.length, dec, i)];
}

/** Row i's index into data.labels. */
const dataIndex = (data: Dataset, i: number) => (data.labels.length === 2 ? (data.y[i] > 0 ? 1 : 0) : data.y[i]);

/**
 * The confusion matrix over the model's labels followed by any other label the data holds: counts[t][p] is the
 * rows whose true label is labels[t] predicted as labels[p]. Per-class precision/recall/F1 follow from it.
 */
function confusion(s: Scored, data: Dataset) {
  const labels = [...s.labels];
  for (const v of data.labels) if (!labels.includes(v)) labels.push(v);
  // Label indices of the data and of the model, mapped once to rows/columns of the matrix.
  const truth = data.labels.map((v) => labels.indexOf(v));
  const K = s.labels.length;
  const counts = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < data.x.rows; i++) counts[truth[dataIndex(data, i)]][predictedIndex(K, s.decisions, i)]++;
  return { labels, counts };
}

function perClass(labels: number[], counts: number[][]): ClassMetrics[] {
  return labels.map((label, k) => {
    const tp = counts[k][k];
    const support = counts[k].reduce((a, b) => a + b, 0);
    const predicted = counts.reduce((a, row) => a + row[k], 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    return { label, precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
}

/**
 * (λ/2)‖w‖² + mean hinge, with the margin taken against the model's own coding (so it is right even when the
 * data's label order differs); for K ≥ 3 the mean of the K one-vs-rest objectives.
 */
function objective(s: Scored, data: Dataset): number {
  const n = data.x.rows, K = s.labels.length, vectors = K === 2 ? 1 : K;
  let total = 0;
  for (let k = 0; k < vectors; k++) {
    const pos = K === 2 ? s.labels[1] : s.labels[k];
    const sign = data.labels.map((v) => (v === pos ? 1 : -1));
    let hinge = 0;
    for (let i = 0; i < n; i++) {
      const ySign = sign[dataIndex(data, i)];
      hinge += Math.max(0, 1 - ySign * s.decisions[vectors === 1 ? i : i * K + k]);
    }
    total += (s.lambda / 2) * s.norms[k] + (n > 0 ? hinge / n : 0);
  }
  return total / vectors;
}

/**
 * Binary data: precision/recall/F1 of the positive label (the data's labels[1]), as before; multiclass: their
 * macro averages over the model's classes (each class weighs the same, whatever its size).
 */
export function evaluateScored(s: Scored, data: Dataset): SvmEvaluation {
  const n = data.x.rows;
  const c = confusion(s, data);
  const classes = perClass(c.labels, c.counts);
  let correct = 0;
  for (let k = 0; k < c.labels.length; k++) correct += c.counts[k][k];
  const binary = s.labels.length === 2 && data.labels.length === 2;
  const pick = binary ? [classes[c.labels.indexOf(data.labels[1])]] : classes.slice(0, s.labels.length);
  const mean = (key: 'precision' | 'recall' | 'f1') => pick.reduce((a, m) => a + m[key], 0) / pick.length;
  return {
    rows: n,
    accuracy: n > 0 ? correct / n : 0,
    precision: mean('precision'),
    recall: mean('recall'),
    f1: mean('f1'),
    objective: objective(s, data),
    ...(binary ? { positive: data.labels[1] } : {}),
    perClass: classes,
    confusion: c,
  };
}
