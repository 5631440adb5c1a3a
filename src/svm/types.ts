// SPDX-License-Identifier: MIT
// Public option and result types of the SVM API.

import type { Schedule } from './solver.js';

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
  /** Data-parallel runs only: time spent averaging models and waiting at barriers (max over workers). With
   * workers, updateSeconds is the max over workers of their local SGD time. */
  syncSeconds?: number;
  /** Multiclass (one-vs-rest) only: the label whose class-vs-rest model this epoch trained. */
  label?: number;
}

/** Where training time went. */
export interface TrainTiming {
  /** Choosing λ on the validation split (0 when λ was given). */
  lambdaSearchSeconds: number;
  /** Final training run: updates + convergence checks + setup. */
  trainSeconds: number;
  updateSeconds: number;
  checkSeconds: number;
  /** Data-parallel runs only: sum of the epochs' syncSeconds (final fit). */
  syncSeconds?: number;
}

/** Progress callback payload. */
export interface SvmProgress {
  phase: 'lambda-search' | 'train';
  epoch: number;
  epochs: number;
  objective: number;
  lambda: number;
  /** Multiclass (one-vs-rest) only: the label whose class-vs-rest model this epoch trained. */
  label?: number;
}

/** Options of {@link trainSvm}. Every field is optional; defaults are given per field. */
export interface SvmOptions {
  /**
   * Feature scaling learned on the training rows and folded into the model, so the model takes raw features:
   * 'auto' (default: none when every value is already within [−1, 1], else 'maxabs' for CSR data and 'standard'
   * for dense), 'maxabs' (divide each column by its largest
   * |value|; keeps sparse data sparse), 'standard' (subtract the mean, divide by the standard deviation; dense
   * only), 'none'. See docs/svm-solver.md "Feature scaling".
   */
  scale?: 'auto' | 'maxabs' | 'standard' | 'none';
  /** Regularisation λ, or 'auto' (default) to pick it from `lambdaGrid` by seeded k-fold cross-validation. */
  lambda?: number | 'auto';
  /** Candidates for lambda 'auto'. Default [1e-6, 1e-5, 1e-4, 1e-3, 1e-2]. */
  lambdaGrid?: number[];
  /**
   * Folds of the cross-validation that chooses λ: each row is validated once, by a fit on (at most
   * lambdaSearchRows of) the other folds' rows. Default 5 below 10,000 rows, 3 from there; 1 = a single split of
   * validationFraction.
   */
  lambdaFolds?: number;
  /** With lambdaFolds 1: the fraction of rows held out to choose λ. Default 0.2. */
  validationFraction?: number;
  /** Maximum epochs of each lambda-search fit. Default: enough for 30,000 updates, at least 3 (3 on ijcnn1 and a9a: the choice is the same as with 5 or 10 epochs there, at a third of the cost), at most `epochs`. */
  lambdaSearchEpochs?: number;
  /** At most this many training rows in each lambda-search fit (a seeded subset; validation rows are separate), bounding the search on big data. Default 50000. */
  lambdaSearchRows?: number;
  /** Maximum epochs. Default: enough for 100,000 updates, at least 10, at most 1000 (10 for 10,000 rows or more). */
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
  /**
   * Data-parallel training on this many workers (1–64; Web Workers in browsers, worker_threads in Node), each with
   * a contiguous shard of the rows and its own engine; the final fit runs on them (the λ search, the bias refit and
   * evaluation stay in the calling thread, so λ does not depend on P). Undefined (default): train in this thread.
   * See docs/svm-solver.md "Data-parallel training".
   */
  workers?: number;
  /** With workers: local samples per worker between two model averages, or 'epoch' (once per epoch). Default 1000. */
  syncEvery?: number | 'epoch';
  /** With workers: 'shared' (SharedArrayBuffer + Atomics), 'message' (postMessage via the coordinator), or 'auto'
   * (default: 'shared' in Node and cross-origin-isolated pages, else 'message'). Both give the same model. */
  transport?: 'auto' | 'shared' | 'message';
  /** With workers: a worker that does not answer one round (or a convergence check) within this many milliseconds
   * ends the run with an AnymlError (code 'WORKER'). Setup (worker start, engine load) waits at least 30 s.
   * Default 60000. */
  workerTimeoutMs?: number;
}

/** Precision, recall and F1 of one label value (counted as the positive class), and its rows in the data. */
export interface ClassMetrics {
  label: number;
  precision: number;
  recall: number;
  f1: number;
  /** Rows of the data whose true label is `label`. */
  support: number;
}

/**
 * Quality figures of a model on a labelled dataset. Binary: precision/recall/F1 of `positive` (the data's
 * labels[1]); multiclass: their macro averages over the model's classes.
 */
export interface SvmEvaluation {
  rows: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** (λ/2)‖w‖² + mean hinge loss on this data (multiclass: the mean over the K one-vs-rest problems). */
  objective: number;
  /** Binary data and model: the label value counted as positive. */
  positive?: number;
  /** One entry per label of `confusion.labels`. */
  perClass: ClassMetrics[];
  /**
   * counts[t][p]: rows whose true label is labels[t] that were predicted as labels[p]. `labels`: the model's
   * labels, then any other value the data holds.
   */
  confusion: { labels: number[]; counts: number[][] };
}

/**
 * The non-zero weights of a wide model: `indices` (0-based, strictly ascending, below `features`) and their `values`.
 * Writers use this form when it is shorter than the full list (fewer than half the weights non-zero), so a model's
 * file grows with the columns the data used, not with its width.
 */
export interface SparseWeights {
  indices: number[];
  values: number[];
}

/**
 * The JSON document of a model, the same file from browsers, Node and anyml-mpi. Binary: one weight list and a scalar `bias`, `labels` = [neg, pos]. Multiclass
 * (one-vs-rest, K ≥ 3 labels): `weights` holds K lists (class k's in the k-th), `bias` K numbers, `labels` the K
 * classes in that order.
 */
export interface SvmModelJson {
  format: 'anyml-svm';
  version: 1;
  features: number;
  /** Every weight (`features` of them), or only the non-zero ones; multiclass: one such entry per class. */
  weights: number[] | SparseWeights | (number[] | SparseWeights)[];
  bias: number | number[];
  labels: number[];
  lambda: number;
  trainedWith?: Record<string, unknown>;
}
