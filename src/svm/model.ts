// SPDX-License-Identifier: MIT
// SvmModel: a trained linear classifier — sign(wᵀx + b) for two labels, the largest of K one-vs-rest decision
// values w_kᵀx + b_k for three or more — its metrics and its file formats.

import { InvalidInputError } from '../errors.js';
import type { Dataset, Matrix } from '../types.js';
import { checkDataset, checkMatrix, decisionValues } from './data.js';
import { evaluateScored, predictedLabel } from './evaluate.js';
import { formatLiblinear, parseLiblinear } from './liblinear.js';
import { modelFromJson, modelToJson } from './model_json.js';
import type { EpochRecord, SvmEvaluation, SvmModelJson, TrainTiming } from './types.js';

export interface SvmModelInit {
  /** Binary: the `features` weights; multiclass: K·features, class k's at [k·features, (k+1)·features). */
  weights: Float64Array;
  /** Binary: the bias; multiclass: one per class. */
  bias: number | Float64Array;
  /** Binary: [neg, pos]; multiclass: the K classes. */
  labels: number[];
  lambda: number;
  backend?: string;
  history?: EpochRecord[];
  timing?: TrainTiming;
  trainedWith?: Record<string, unknown>;
}

/**
 * A linear SVM. Weights are kept in f64: models read from LIBLINEAR keep their exact values, so predictions match
 * `liblinear-predict` (anyml's own solver produces f32 weights, which f64 holds exactly).
 *
 * @example
 * const model = await trainSvm(train);
 * const { accuracy } = model.evaluate(test);
 * const again = SvmModel.fromJSON(JSON.stringify(model));
 */
export class SvmModel {
  /** Binary: one weight per feature; multiclass: K rows of `features` weights, class k's at [k·features, (k+1)·features). */
  readonly weights: Float64Array;
  /** One bias per weight vector (binary: one). */
  readonly biases: Float64Array;
  /** Binary: [neg, pos] (decision > 0 predicts `labels[1]`); multiclass: the K classes, in weight-row order. */
  readonly labels: number[];
  readonly lambda: number;
  /** Number of features the model knows; features beyond it are ignored at prediction. */
  readonly features: number;
  /** The backend that trained it ('liblinear' or 'json' when loaded from a file). */
  readonly backend: string;
  readonly history: EpochRecord[];
  readonly timing: TrainTiming;
  readonly trainedWith: Record<string, unknown>;

  constructor(init: SvmModelInit) {
    const K = init.labels.length;
    const vectors = K === 2 ? 1 : K;
    if (K < 2 || init.weights.length % vectors !== 0) {
      throw new InvalidInputError('SvmModel: init', `${init.weights.length} weights for ${K} labels`, 'two labels and one weight vector, or K ≥ 3 labels and K vectors');
    }
    this.weights = init.weights;
    this.biases = typeof init.bias === 'number' ? Float64Array.of(init.bias) : init.bias;
    if (this.biases.length !== vectors) throw new InvalidInputError('SvmModel: init.bias', `${this.biases.length} biases`, `${vectors} (one per weight vector)`);
    this.labels = init.labels;
    this.features = init.weights.length / vectors;
    this.lambda = init.lambda;
    this.backend = init.backend ?? 'unknown';
    this.history = init.history ?? [];
    this.timing = init.timing ?? { lambdaSearchSeconds: 0, trainSeconds: 0, updateSeconds: 0, checkSeconds: 0 };
    this.trainedWith = init.trainedWith ?? {};
  }

  /** True for a one-vs-rest model of three or more classes. */
  get multiclass(): boolean {
    return this.labels.length > 2;
  }

  /** The bias of a binary model (a multiclass model has one per class: `biases`). */
  get bias(): number {
    if (this.multiclass) throw new InvalidInputError('SvmModel.bias', `a ${this.labels.length}-class model`, 'a binary model (multiclass models have one bias per class: use biases)');
    return this.biases[0];
  }

  /** Binary: wᵀx_i + b for every row. Multiclass: w_kᵀx_i + b_k for every row i and class k, row-major (n × K). */
  decisionFunction(x: Matrix | Dataset): Float64Array {
    const m = 'x' in x ? x.x : x;
    checkMatrix(m, 'SvmModel.decisionFunction: x');
    if (!this.multiclass) return decisionValues(this.weights, this.biases[0], m);
    const K = this.labels.length, d = this.features;
    const out = new Float64Array(m.rows * K);
    for (let k = 0; k < K; k++) {
      const dec = decisionValues(this.weights.subarray(k * d, (k + 1) * d), this.biases[k], m);
      for (let i = 0; i < m.rows; i++) out[i * K + k] = dec[i];
    }
    return out;
  }

  /** Predicted label values (the user's own labels, e.g. 0/1 or -1/+1, or the classes). */
  predict(x: Matrix | Dataset): Float64Array {
    const dec = this.decisionFunction(x);
    const n = this.multiclass ? dec.length / this.labels.length : dec.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = predictedLabel(this.labels, dec, i);
    return out;
  }

  /** Accuracy, precision/recall/F1 (per class, and overall: see SvmEvaluation), confusion matrix and objective. */
  evaluate(data: Dataset): SvmEvaluation {
    checkDataset(data, 'SvmModel.evaluate: data');
    const vectors = this.biases.length, d = this.features;
    const norms = new Float64Array(vectors);
    for (let k = 0; k < vectors; k++) {
      let ww = 0;
      for (let j = k * d; j < (k + 1) * d; j++) ww += this.weights[j] * this.weights[j];
      norms[k] = ww;
    }
    return evaluateScored({ labels: this.labels, lambda: this.lambda, norms, decisions: this.decisionFunction(data.x) }, data);
  }

  /** The versioned JSON document (`JSON.stringify(model)` uses it). */
  toJSON(): SvmModelJson {
    return modelToJson(this);
  }

  /** Reads a model written by {@link SvmModel.toJSON} (an object or its JSON text). */
  static fromJSON(json: SvmModelJson | string, name = 'model JSON'): SvmModel {
    return new SvmModel(modelFromJson(json, name));
  }

  /** LIBLINEAR `.model` text (solver L2R_L1LOSS_SVC_DUAL: the same L2-regularised hinge-loss model). */
  toLiblinear(): string {
    return formatLiblinear(this.weights, this.biases, this.labels);
  }

  /** Reads a LIBLINEAR `.model` file's text (2 classes or more). `name` is used in error messages (file:line). */
  static fromLiblinear(text: string, name = 'LIBLINEAR model'): SvmModel {
    const m = parseLiblinear(text, name);
    return new SvmModel({ weights: m.weights, bias: m.biases, labels: m.labels, lambda: 0, backend: 'liblinear', trainedWith: { solverType: m.solverType } });
  }
}
