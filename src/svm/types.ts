// SPDX-License-Identifier: MIT
// Public option and result types of the SVM API.

import type { Schedule } from './engine.js';

export type { Schedule };

/** Per-epoch record of a training run. Seconds are wall-clock. */
export interface EpochRecord {
  epoch: number;
  /** Full training objective (λ/2)‖w‖² + mean hinge after this epoch: the convergence check. */
  objective: number;
  /** Time in the SGD updates (the epoch itself). */
  updateSeconds: number;
  /** Time computing the objective over the whole training set. */
  checkSeconds: number;
}

/** Where training time went. */
export interface TrainTiming {
  /** Choosing λ on the validation split (0 when λ was given). */
  lambdaSearchSeconds: number;
  /** Final training run: updates + convergence checks + setup. */
  trainSeconds: number;
  updateSeconds: number;
  checkSeconds: number;
}

/** Progress callback payload. */
export interface SvmProgress {
  phase: 'lambda-search' | 'train';
  epoch: number;
  epochs: number;
  objective: number;
  lambda: number;
}

/** Options of {@link trainSvm}. Every field is optional; defaults are given per field. */
export interface SvmOptions {
  /** Regularisation λ, or 'auto' (default) to pick it from `lambdaGrid` on a seeded validation split. */
  lambda?: number | 'auto';
  /** Candidates for lambda 'auto'. Default [1e-6, 1e-5, 1e-4, 1e-3, 1e-2]. */
  lambdaGrid?: number[];
  /** Fraction of rows held out to choose λ. Default 0.2. */
  validationFraction?: number;
  /** Maximum epochs of each lambda-search fit. Default min(3, epochs): the choice is the same as with 5 or 10 epochs on ijcnn1 and a9a (seeds 1–4), at a third of the cost. */
  lambdaSearchEpochs?: number;
  /** At most this many training rows in each lambda-search fit (a seeded subset; validation rows are separate), bounding the search on big data. Default 50000. */
  lambdaSearchRows?: number;
  /** Maximum epochs. Default 10. */
  epochs?: number;
  /** Stop when the objective's relative change between epochs is below this. Default 1e-3 (0 disables). */
  tol?: number;
  /** Mini-batch size k. Default 1 (plain Pegasos). */
  batchSize?: number;
  /** Step-size schedule. Default 'pegasos' (η = 1/(λt)); see docs/svm-solver.md. */
  schedule?: Schedule;
  /** Averaged SGD (average of the iterates after the first epoch). Default true. */
  averaged?: boolean;
  /** Multiplier of the bias step (0 = no bias). Default 1. */
  biasScale?: number;
  /** After SGD, set the bias to the exact hinge-optimal value for the final weights (src/svm/bias.ts). Default true. */
  refitBias?: boolean;
  /** Shuffle rows each epoch. Default true. */
  shuffle?: boolean;
  /** Seed of every random choice (shuffles, validation split). Default 1. */
  seed?: number;
  /** 'auto' (default: wasm-simd, then wasm, then js) or a backend name. */
  backend?: string;
  /** Cancels training between chunks of samples. */
  signal?: AbortSignal;
  /** Called after every epoch. */
  onEpoch?: (p: SvmProgress) => void;
}

/** Quality figures of a model on a labelled dataset. `positive` is the label value counted as positive. */
export interface SvmEvaluation {
  rows: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** (λ/2)‖w‖² + mean hinge loss on this data. */
  objective: number;
  positive: number;
}

/** Serialised model, the same file from browsers, Node and anyml-mpi. */
export interface SvmModelJson {
  format: 'anyml-svm';
  version: 1;
  features: number;
  weights: number[];
  bias: number;
  labels: [number, number];
  lambda: number;
  trainedWith?: Record<string, unknown>;
}
