// SPDX-License-Identifier: MIT
// trainSvm: option checking, λ selection on a seeded validation split, and the epoch loop with convergence check.

import { AbortError, InvalidInputError } from '../errors.js';
import { permutation } from '../rng.js';
import type { Dataset } from '../types.js';
import { svmBackends } from './backends.js';
import { optimalBias } from './bias.js';
import { checkDataset, decisionValues, subsetDataset } from './data.js';
import type { SolverOptions, SvmEngine } from './engine.js';
import { SvmModel } from './model.js';
import type { EpochRecord, SvmOptions } from './types.js';

export const DEFAULT_LAMBDA_GRID = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2];

/** Samples per call into the engine: bounds the time between abort checks. */
const CHUNK = 1 << 16;

interface LambdaScore {
  lambda: number;
  accuracy: number;
  hinge: number;
}

const now = (): number => (globalThis.performance?.now() ?? Date.now()) / 1000;

interface Resolved {
  lambda: number | 'auto';
  lambdaGrid: number[];
  validationFraction: number;
  epochs: number;
  searchEpochs: number;
  searchRows: number;
  tol: number;
  seed: number;
  refitBias: boolean;
  solver: Omit<SolverOptions, 'lambda' | 'averageStart'>;
}

function resolveOptions(o: SvmOptions): Resolved {
  const w = (k: string) => `trainSvm: options.${k}`;
  const num = (k: keyof SvmOptions, v: unknown, ok: (x: number) => boolean, expected: string) => {
    if (typeof v !== 'number' || !ok(v)) throw new InvalidInputError(w(k), JSON.stringify(v) ?? String(v), expected);
    return v;
  };
  const lambda = o.lambda ?? 'auto';
  if (lambda !== 'auto') num('lambda', lambda, (x) => Number.isFinite(x) && x > 0, "a number > 0 or 'auto'");
  const lambdaGrid = o.lambdaGrid ?? DEFAULT_LAMBDA_GRID;
  if (!Array.isArray(lambdaGrid) || lambdaGrid.length === 0 || lambdaGrid.some((x) => !(x > 0) || !Number.isFinite(x))) {
    throw new InvalidInputError(w('lambdaGrid'), JSON.stringify(lambdaGrid), 'a non-empty array of numbers > 0');
  }
  const schedule = o.schedule ?? 'pegasos';
  if (!['pegasos', 'seed-alpha', 'paper'].includes(schedule)) throw new InvalidInputError(w('schedule'), JSON.stringify(schedule), "'pegasos', 'seed-alpha' or 'paper'");
  return {
    lambda,
    lambdaGrid,
    validationFraction: num('validationFraction', o.validationFraction ?? 0.2, (x) => x > 0 && x < 1, 'a number in (0, 1)'),
    epochs: num('epochs', o.epochs ?? 10, (x) => Number.isInteger(x) && x >= 1 && x <= 1e6, 'an integer in [1, 1e6]'),
    searchEpochs: num('lambdaSearchEpochs', o.lambdaSearchEpochs ?? Math.min(3, o.epochs ?? 10), (x) => Number.isInteger(x) && x >= 1 && x <= 1e6, 'an integer in [1, 1e6]'),
    searchRows: num('lambdaSearchRows', o.lambdaSearchRows ?? 50000, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1'),
    tol: num('tol', o.tol ?? 1e-3, (x) => x >= 0 && Number.isFinite(x), 'a number >= 0'),
    seed: num('seed', o.seed ?? 1, (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff, 'an integer in [0, 2^32)'),
    refitBias: o.refitBias ?? true,
    solver: {
      batchSize: num('batchSize', o.batchSize ?? 1, (x) => Number.isInteger(x) && x >= 1 && x <= 1 << 24, 'an integer >= 1'),
      schedule,
      shuffle: o.shuffle ?? true,
      averaged: o.averaged ?? true,
      biasScale: num('biasScale', o.biasScale ?? 1, (x) => x >= 0 && Number.isFinite(x), 'a number >= 0 (0 = no bias)'),
      seed: o.seed ?? 1,
    },
  };
}

/** Runs the epoch loop on one engine. Returns the weights and per-epoch history. */
function fit(engine: SvmEngine, data: Dataset, lambda: number, r: Resolved, o: SvmOptions, phase: 'lambda-search' | 'train') {
  const rows = data.x.rows;
  const epochs = phase === 'train' ? r.epochs : r.searchEpochs;
  const solver = engine.createSolver(data.x, data.y, { ...r.solver, lambda, averageStart: epochs > 1 ? rows : 0 });
  const history: EpochRecord[] = [];
  try {
    let prev = Infinity;
    for (let e = 1; e <= epochs; e++) {
      const t0 = now();
      solver.beginEpoch();
      for (let done = 0; done < rows; ) {
        if (o.signal?.aborted) throw new AbortError('trainSvm: aborted by options.signal');
        done += solver.run(Math.min(CHUNK, rows - done));
      }
      const t1 = now();
      const objective = solver.objective();
      const t2 = now();
      history.push({ epoch: e, objective, updateSeconds: t1 - t0, checkSeconds: t2 - t1 });
      o.onEpoch?.({ phase, epoch: e, epochs, objective, lambda });
      if (r.tol > 0 && Math.abs(prev - objective) <= r.tol * Math.max(Math.abs(objective), 1e-12)) break;
      prev = objective;
    }
    const { w, bias } = solver.weights();
    const weights = Float64Array.from(w);
    const b = r.refitBias && r.solver.biasScale > 0 ? optimalBias(decisionValues(weights, 0, data.x), data.y) : bias;
    return { weights, bias: b, history };
  } finally {
    solver.dispose();
  }
}

/** Validation accuracy and mean hinge loss (λ = 0 makes evaluate()'s objective the plain mean hinge). */
function validate(weights: Float64Array, bias: number, data: Dataset): { accuracy: number; hinge: number } {
  const e = new SvmModel({ weights, bias, labels: data.labels, lambda: 0 }).evaluate(data);
  return { accuracy: e.accuracy, hinge: e.objective };
}

/**
 * Trains a linear SVM with Pegasos-style SGD: min (λ/2)‖w‖² + (1/n)Σ max(0, 1 − y(wᵀx + b)).
 *
 * @example
 * const train = (await readDataset('ijcnn1.gz')).dataset;
 * const model = await trainSvm(train, { seed: 7 });          // λ chosen on a validation split
 * console.log(model.backend, model.lambda, model.timing);
 */
export async function trainSvm(data: Dataset, options: SvmOptions = {}): Promise<SvmModel> {
  checkDataset(data, 'trainSvm: data');
  if (data.x.rows === 0) throw new InvalidInputError('trainSvm: data', '0 rows', 'at least one row');
  const r = resolveOptions(options);
  const { name, impl } = await svmBackends.resolve(options.backend ?? 'auto', 'trainSvm');
  let lambda = r.lambda;
  let searchSeconds = 0;
  const scores: LambdaScore[] = [];
  if (lambda === 'auto') {
    const t0 = now();
    lambda = chooseLambda(impl, data, r, options, scores);
    searchSeconds = now() - t0;
  }
  const t0 = now();
  const fitted = fit(impl, data, lambda, r, options, 'train');
  const trainSeconds = now() - t0;
  const sum = (k: 'updateSeconds' | 'checkSeconds') => fitted.history.reduce((s, h) => s + h[k], 0);
  return new SvmModel({
    weights: fitted.weights,
    bias: fitted.bias,
    labels: data.labels,
    lambda,
    backend: name,
    history: fitted.history,
    timing: { lambdaSearchSeconds: searchSeconds, trainSeconds, updateSeconds: sum('updateSeconds'), checkSeconds: sum('checkSeconds') },
    trainedWith: { ...r.solver, refitBias: r.refitBias, epochs: fitted.history.length, maxEpochs: r.epochs, lambdaSearchEpochs: r.searchEpochs, tol: r.tol, ...(scores.length ? { lambdaSearch: scores } : {}) },
  });
}

/**
 * λ by validation on a seeded split. Accuracy is the target but noisy: differences below one binomial standard error
 * sqrt(p(1−p)/n_val) are not significant (the one-standard-error idea, Hastie, Tibshirani & Friedman, ESL §7.10).
 * Among the λ within one standard error of the best accuracy, take the one with the lowest validation hinge loss,
 * a smoother estimate of the same fit (ties → larger λ).
 */
function chooseLambda(engine: SvmEngine, data: Dataset, r: Resolved, o: SvmOptions, scores: LambdaScore[]): number {
  const n = data.x.rows;
  const nVal = Math.max(1, Math.round(n * r.validationFraction));
  if (n - nVal < 1) return r.lambdaGrid[Math.floor(r.lambdaGrid.length / 2)];
  const perm = permutation(n, (r.seed ^ 0x5bd1e995) >>> 0);
  const val = subsetDataset(data, perm.subarray(0, nVal));
  // Large data: the search fits on at most lambdaSearchRows rows (the final fit uses every row).
  const tr = subsetDataset(data, perm.subarray(nVal, Math.min(n, nVal + r.searchRows)));
  for (const lambda of [...r.lambdaGrid].sort((a, b) => a - b)) {
    const f = fit(engine, tr, lambda, r, o, 'lambda-search');
    scores.push({ lambda, ...validate(f.weights, f.bias, val) });
  }
  const best = Math.max(...scores.map((s) => s.accuracy));
  const se = Math.sqrt((best * (1 - best)) / nVal);
  let pick = scores[0];
  for (const s of scores) {
    if (s.accuracy < best - se - 1e-12) continue;
    if (pick.accuracy < best - se - 1e-12 || s.hinge <= pick.hinge) pick = s;
  }
  return pick.lambda;
}
