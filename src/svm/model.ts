// SPDX-License-Identifier: MIT
// SvmModel: a trained linear classifier sign(wᵀx + b), its metrics and its file formats.

import { InvalidInputError } from '../errors.js';
import type { Dataset, Matrix } from '../types.js';
import { checkDataset, checkMatrix, decisionValues } from './data.js';
import { formatLiblinear, parseLiblinear } from './liblinear.js';
import { weightsFromJson, weightsToJson } from './model_json.js';
import type { EpochRecord, SvmEvaluation, SvmModelJson, TrainTiming } from './types.js';

export interface SvmModelInit {
  weights: Float64Array;
  bias: number;
  labels: [number, number];
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
  readonly weights: Float64Array;
  readonly bias: number;
  /** [neg, pos]: decision > 0 predicts `labels[1]`. */
  readonly labels: [number, number];
  readonly lambda: number;
  /** The backend that trained it ('liblinear' or 'json' when loaded from a file). */
  readonly backend: string;
  readonly history: EpochRecord[];
  readonly timing: TrainTiming;
  readonly trainedWith: Record<string, unknown>;

  constructor(init: SvmModelInit) {
    this.weights = init.weights;
    this.bias = init.bias;
    this.labels = init.labels;
    this.lambda = init.lambda;
    this.backend = init.backend ?? 'unknown';
    this.history = init.history ?? [];
    this.timing = init.timing ?? { lambdaSearchSeconds: 0, trainSeconds: 0, updateSeconds: 0, checkSeconds: 0 };
    this.trainedWith = init.trainedWith ?? {};
  }

  /** Number of features the model knows; features beyond it are ignored at prediction. */
  get features(): number {
    return this.weights.length;
  }

  /** wᵀx_i + b for every row. */
  decisionFunction(x: Matrix | Dataset): Float64Array {
    const m = 'x' in x ? x.x : x;
    checkMatrix(m, 'SvmModel.decisionFunction: x');
    return decisionValues(this.weights, this.bias, m);
  }

  /** Predicted label values (the user's own labels, e.g. 0/1 or -1/+1). */
  predict(x: Matrix | Dataset): Float64Array {
    const dec = this.decisionFunction(x);
    const out = new Float64Array(dec.length);
    for (let i = 0; i < dec.length; i++) out[i] = dec[i] > 0 ? this.labels[1] : this.labels[0];
    return out;
  }

  /** Accuracy, precision/recall/F1 (positive = the data's `labels[1]`) and objective on labelled data. */
  evaluate(data: Dataset): SvmEvaluation {
    checkDataset(data, 'SvmModel.evaluate: data');
    const dec = this.decisionFunction(data.x);
    const positive = data.labels[1];
    let correct = 0;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let hinge = 0;
    for (let i = 0; i < dec.length; i++) {
      const truth = data.labels[data.y[i] > 0 ? 1 : 0];
      const pred = dec[i] > 0 ? this.labels[1] : this.labels[0];
      if (pred === truth) correct++;
      if (pred === positive && truth === positive) tp++;
      else if (pred === positive) fp++;
      else if (truth === positive) fn++;
      // Margin relative to the model's positive label, so the loss is right even when label orders differ.
      const ySign = truth === this.labels[1] ? 1 : -1;
      hinge += Math.max(0, 1 - ySign * dec[i]);
    }
    const n = dec.length;
    const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
    const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
    let ww = 0;
    for (let j = 0; j < this.weights.length; j++) ww += this.weights[j] * this.weights[j];
    return {
      rows: n,
      accuracy: n > 0 ? correct / n : 0,
      precision,
      recall,
      f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
      objective: (this.lambda / 2) * ww + (n > 0 ? hinge / n : 0),
      positive,
    };
  }

  /** The versioned JSON document (`JSON.stringify(model)` uses it). */
  toJSON(): SvmModelJson {
    return {
      format: 'anyml-svm',
      version: 1,
      features: this.weights.length,
      weights: weightsToJson(this.weights),
      bias: this.bias,
      labels: [this.labels[0], this.labels[1]],
      lambda: this.lambda,
      trainedWith: { backend: this.backend, ...this.trainedWith },
    };
  }

  /** Reads a model written by {@link SvmModel.toJSON} (an object or its JSON text). */
  static fromJSON(json: SvmModelJson | string, name = 'model JSON'): SvmModel {
    let doc: unknown = json;
    if (typeof json === 'string') {
      try {
        doc = JSON.parse(json);
      } catch (err) {
        throw new InvalidInputError(name, 'text that is not JSON', "an anyml-svm JSON document", (err as Error).message);
      }
    }
    const d = doc as Partial<SvmModelJson>;
    if (!d || d.format !== 'anyml-svm') throw new InvalidInputError(`${name}: format`, JSON.stringify(d?.format), '"anyml-svm"');
    if (d.version !== 1) throw new InvalidInputError(`${name}: version`, JSON.stringify(d.version), '1 (the only version this anyml reads)');
    const weights = weightsFromJson(d.weights, d.features, name);
    if (typeof d.bias !== 'number' || !Number.isFinite(d.bias)) throw new InvalidInputError(`${name}: bias`, String(d.bias), 'a finite number');
    if (!Array.isArray(d.labels) || d.labels.length !== 2 || d.labels[0] === d.labels[1]) {
      throw new InvalidInputError(`${name}: labels`, JSON.stringify(d.labels), 'two distinct label values [neg, pos]');
    }
    if (typeof d.lambda !== 'number' || !(d.lambda >= 0)) throw new InvalidInputError(`${name}: lambda`, String(d.lambda), 'a number >= 0');
    const trainedWith = { ...(d.trainedWith ?? {}) };
    const backend = typeof trainedWith.backend === 'string' ? trainedWith.backend : 'json';
    delete trainedWith.backend;
    return new SvmModel({ weights, bias: d.bias, labels: [d.labels[0], d.labels[1]], lambda: d.lambda, backend, trainedWith });
  }

  /** LIBLINEAR `.model` text (solver L2R_L1LOSS_SVC_DUAL: the same L2-regularised hinge-loss model). */
  toLiblinear(): string {
    return formatLiblinear(this.weights, this.bias, this.labels);
  }

  /** Reads a 2-class LIBLINEAR `.model` file's text. `name` is used in error messages (file:line). */
  static fromLiblinear(text: string, name = 'LIBLINEAR model'): SvmModel {
    const m = parseLiblinear(text, name);
    return new SvmModel({ weights: m.weights, bias: m.bias, labels: m.labels, lambda: 0, backend: 'liblinear', trainedWith: { solverType: m.solverType } });
  }
}
