// SPDX-License-Identifier: MIT
// trainSvm: option checking, λ selection on a seeded validation split, and the epoch loop with convergence check.

import { checkBoolean, checkInt, checkKeys, checkNumber, checkOneOf, fail as fail_, isInt, show } from '../check.js';
import { InvalidInputError } from '../errors.js';
import { permutation } from '../rng.js';
import type { Dataset } from '../types.js';
import { svmBackends } from './backends/index.js';
import { optimalBias } from './bias.js';
import { compactColumns, expandWeights } from './compact.js';
import { Diverged, MAX_FEATURE_MAGNITUDE, largestValue, magnitudeError, seconds } from './convergence.js';
import { runEpochs } from './epochs.js';
import { checkEveryClass, stackFits, classProblem, fitOnPool, type Fitted, validateFits } from './multiclass.js';
import { checkDataset, decisionValues, rowRanges, subsetDataset } from './data.js';
import { SCHEDULES, type SolverOptions, type SvmBackend } from './solver.js';
import { SvmModel } from './model.js';
import { applyScaling, foldScaling, learnScaling, resolveScaleMode, SCALE_MODES, type ScaleMode } from './scale.js';
import { parallelFit } from './parallel/fit.js';
import { resolveTransport, WorkerPool } from './parallel/pool.js';
import { type FailHook, type Transport, takeFailHook } from './parallel/protocol.js';
import type { SvmOptions } from './types.js';

export const DEFAULT_LAMBDA_GRID = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2];

interface LambdaScore {
  lambda: number;
  accuracy: number;
  hinge: number;
  /** Present (1) when the race dropped this λ after the first fold. */
  folds?: number;
}


interface Resolved {
  lambda: number | 'auto';
  scale: ScaleMode;
  lambdaGrid: number[];
  folds: number;
  validationFraction: number;
  epochs: number;
  searchEpochs: number;
  searchRows: number;
  tol: number;
  seed: number;
  refitBias: boolean;
  solver: Omit<SolverOptions, 'lambda' | 'averageStart'>;
  /** Data-parallel training; undefined = the in-thread path. */
  parallel?: { workers: number; syncEvery: number | 'epoch'; transport: Transport; timeoutMs: number; fail?: FailHook };
}

/** Default samples per worker between two model averages (syncEvery). */
export const DEFAULT_SYNC_EVERY = 1000;

/** Every SvmOptions key (the compiler keeps this list complete), for checkKeys. */
const OPTION_KEYS = Object.keys({
  lambda: 1, lambdaGrid: 1, validationFraction: 1, lambdaSearchEpochs: 1, lambdaSearchRows: 1, epochs: 1, tol: 1, batchSize: 1,
  schedule: 1, averaged: 1, biasScale: 1, refitBias: 1, shuffle: 1, seed: 1, backend: 1, signal: 1, onEpoch: 1, workers: 1,
  syncEvery: 1, transport: 1, workerTimeoutMs: 1, scale: 1, lambdaFolds: 1,
} satisfies Record<keyof SvmOptions, 1>);

const TRANSPORTS = ['auto', 'shared', 'message'] as const;

function resolveParallel(o: SvmOptions): Resolved['parallel'] {
  const w = (k: string) => `trainSvm: options.${k}`;
  const fail = takeFailHook();
  if (o.workers === undefined) {
    // Without workers these would be silently ignored: say so instead.
    for (const k of ['syncEvery', 'transport', 'workerTimeoutMs'] as const)
      if (o[k] !== undefined) throw new InvalidInputError(w(k), show(o[k]), 'no value unless options.workers is set (they apply to data-parallel training)');
    return undefined;
  }
  const workers = checkInt(w('workers'), o.workers, 1, 64);
  const syncEvery = o.syncEvery ?? DEFAULT_SYNC_EVERY;
  if (syncEvery !== 'epoch' && !isInt(syncEvery, 1, 0x7fffffff)) fail_(w('syncEvery'), syncEvery, "an integer ≥ 1 or 'epoch'");
  const t = checkOneOf(w('transport'), o.transport ?? 'auto', TRANSPORTS);
  const transport = resolveTransport(t);
  if (transport === 'shared' && typeof SharedArrayBuffer !== 'function') fail_(w('transport'), t, "'message' (SharedArrayBuffer is not available here)");
  const timeoutMs = checkNumber(w('workerTimeoutMs'), o.workerTimeoutMs ?? 60000, 'a finite number > 0', (x) => x > 0 && Number.isFinite(x));
  return { workers, syncEvery, transport, timeoutMs, ...(fail ? { fail } : {}) };
}

/**
 * Pegasos' guarantee is in the number of updates, not of passes (Shalev-Shwartz, Singer, Srebro & Cotter 2011,
 * Math. Program. 127): ten passes over 50,000 rows are 500,000 updates, over 200 rows only 2,000, too few to
 * converge (musk, 381 rows: 83 % after 10 epochs, 90 % after 50). So small data gets more passes: at least
 * 100,000 updates in the final fit and 30,000 in each λ-search fit, at least 10 and 3 passes, at most 1000. The
 * tolerance still stops a fit that has converged.
 */
const MIN_UPDATES = 100_000;

/**
 * 5 folds below 10,000 rows, 3 from there: with many rows a third of them is already a precise validation set
 * (ijcnn1 and a9a choose the same λ for seeds 1–10 with 3 folds as with 5, at 40 % / 33 % of the search time),
 * while small sets need the extra folds (musk, 381 rows: 85.3 % with 3 folds, 90.5 % with 5).
 */
export function defaultFolds(rows: number): number {
  return rows >= 10_000 ? 3 : 5;
}
const MIN_SEARCH_UPDATES = 30_000;
export function defaultEpochs(rows: number): number {
  return Math.min(1000, Math.max(10, Math.ceil(MIN_UPDATES / Math.max(1, rows))));
}
function defaultSearchEpochs(rows: number, folds: number, searchRows: number, epochs: number): number {
  const fitRows = Math.min(searchRows, folds > 1 ? Math.floor((rows * (folds - 1)) / folds) : rows);
  return Math.min(epochs, Math.max(3, Math.min(1000, Math.ceil(MIN_SEARCH_UPDATES / Math.max(1, fitRows)))));
}

function resolveOptions(o: SvmOptions, rows: number): Resolved {
  checkKeys('trainSvm: options', o, OPTION_KEYS);
  const w = (k: string) => `trainSvm: options.${k}`;
  const num = (k: keyof SvmOptions, v: unknown, ok: (x: number) => boolean, expected: string) => checkNumber(w(k), v, expected, ok);
  const lambda = o.lambda ?? 'auto';
  if (lambda !== 'auto') num('lambda', lambda, (x) => Number.isFinite(x) && x > 0, "a finite number > 0 or 'auto'");
  const lambdaGrid = o.lambdaGrid ?? DEFAULT_LAMBDA_GRID;
  if (!Array.isArray(lambdaGrid) || lambdaGrid.length === 0 || lambdaGrid.some((x) => !(x > 0) || !Number.isFinite(x))) fail_(w('lambdaGrid'), lambdaGrid, 'a non-empty array of finite numbers > 0');
  const epochs = checkInt(w('epochs'), o.epochs ?? defaultEpochs(rows), 1, 1e6);
  const folds = checkInt(w('lambdaFolds'), o.lambdaFolds ?? defaultFolds(rows), 1, 20);
  const searchRows = checkInt(w('lambdaSearchRows'), o.lambdaSearchRows ?? 50000, 1);
  return {
    lambda,
    scale: checkOneOf(w('scale'), o.scale ?? 'auto', SCALE_MODES),
    lambdaGrid,
    folds,
    validationFraction: num('validationFraction', o.validationFraction ?? 0.2, (x) => x > 0 && x < 1, 'a number in (0, 1)'),
    epochs,
    searchEpochs: checkInt(w('lambdaSearchEpochs'), o.lambdaSearchEpochs ?? defaultSearchEpochs(rows, folds, searchRows, epochs), 1, 1e6),
    searchRows,
    tol: num('tol', o.tol ?? 1e-3, (x) => x >= 0 && Number.isFinite(x), 'a finite number ≥ 0'),
    seed: checkInt(w('seed'), o.seed ?? 1, 0, 0xffffffff),
    refitBias: checkBoolean(w('refitBias'), o.refitBias ?? true),
    parallel: resolveParallel(o),
    solver: {
      batchSize: checkInt(w('batchSize'), o.batchSize ?? 1, 1, 1 << 24),
      schedule: checkOneOf(w('schedule'), o.schedule ?? 'pegasos', SCHEDULES),
      shuffle: checkBoolean(w('shuffle'), o.shuffle ?? true),
      averaged: checkBoolean(w('averaged'), o.averaged ?? true),
      biasScale: num('biasScale', o.biasScale ?? 1, (x) => x >= 0 && Number.isFinite(x), 'a finite number ≥ 0 (0 = no bias)'),
      seed: o.seed ?? 1,
    },
  };
}

/** Where fits run: the engine in this thread, or a pool of workers (options.workers). */
interface Runner {
  name: string;
  engine: SvmBackend;
  pool?: WorkerPool;
}

/** Runs the epoch loop on one engine in this thread. Returns the solver's weights and per-epoch history. */
function fitInThread(engine: SvmBackend, data: Dataset, lambda: number, r: Resolved, o: SvmOptions, phase: 'lambda-search' | 'train', label?: number) {
  const epochs = phase === 'train' ? r.epochs : r.searchEpochs;
  const onEpoch = o.onEpoch && ((epoch: number, objective: number) => o.onEpoch!({ phase, epoch, epochs, objective, lambda, ...(label === undefined ? {} : { label }) }));
  return runEpochs(engine, data.x, data.y, { solver: { ...r.solver, lambda }, epochs, tol: r.tol, signal: o.signal, onEpoch });
}

/** One fit (in-thread or on the workers), then the exact bias refit on this thread over all of `data`. */
async function fit(run: Runner, data: Dataset, lambda: number, r: Resolved, o: SvmOptions, phase: 'lambda-search' | 'train'): Promise<Fitted> {
  const epochs = phase === 'train' ? r.epochs : r.searchEpochs;
  const par = r.parallel;
  // The λ search's fits are whole fits even with workers (fitLambdas runs them task-parallel), so the chosen λ does
  // not depend on P (data-parallel 3-epoch search fits are noisier: they picked λ = 1e-4 instead of 1e-5 on ijcnn1
  // at P = 4, 91.99% vs 92.81%).
  const { w, bias, history } = run.pool && par && phase === 'train'
    ? await parallelFit(run.pool, data, { backend: run.name, solver: r.solver, lambda, epochs, tol: r.tol, syncEvery: par.syncEvery, phase, signal: o.signal, onEpoch: o.onEpoch, fail: par.fail })
    : fitInThread(run.engine, data, lambda, r, o, phase);
  return refit(Float64Array.from(w), bias, history, data, r);
}

function refit(weights: Float64Array, bias: number, history: Fitted['history'], data: Dataset, r: Resolved): Fitted {
  const b = r.refitBias && r.solver.biasScale > 0 ? optimalBias(decisionValues(weights, 0, data.x), data.y) : bias;
  return { weights, bias: b, history };
}

/**
 * The model's fits for each λ of `lambdas`: one fit for binary data, one per class for K ≥ 3 (one-vs-rest,
 * src/svm/multiclass.ts). In this thread, or with workers task-parallel on them (whole fits, the same weights bit
 * for bit) — except a binary final fit, which is data-parallel (parallelFit).
 */
async function fitLambdas(run: Runner, data: Dataset, lambdas: number[], r: Resolved, o: SvmOptions, phase: 'lambda-search' | 'train'): Promise<Fitted[][]> {
  const K = data.labels.length;
  const problems = K === 2 ? [data] : data.labels.map((_, k) => classProblem(data, k));
  const label = (k: number) => (K === 2 ? {} : { label: data.labels[k] });
  if (run.pool && !(phase === 'train' && K === 2)) {
    const epochs = phase === 'train' ? r.epochs : r.searchEpochs;
    const jobs = lambdas.flatMap((lambda) => problems.map((p) => ({ y: p.y, solver: { ...r.solver, lambda }, epochs, tol: r.tol })));
    const fits = await fitOnPool(run.pool, data.x, jobs, run.name);
    return lambdas.map((lambda, i) => problems.map((p, k) => {
      const f = fits[i * problems.length + k];
      f.history.forEach((h) => o.onEpoch?.({ phase, epoch: h.epoch, epochs, objective: h.objective, lambda, ...label(k) }));
      return refit(Float64Array.from(f.w), f.bias, f.history, p, r);
    }));
  }
  const out: Fitted[][] = [];
  for (const lambda of lambdas) {
    if (K === 2) {
      out.push([await fit(run, data, lambda, r, o, phase)]);
      continue;
    }
    out.push(problems.map((p, k) => {
      const f = fitInThread(run.engine, p, lambda, r, o, phase, data.labels[k]);
      return refit(Float64Array.from(f.w), f.bias, f.history, p, r);
    }));
  }
  return out;
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
  if (data.labels.length === 2) checkBothClasses(data);
  else checkEveryClass(data);
  const r = resolveOptions(options, data.x.rows);
  const largest = largestValue(data.x).value;
  const mode = resolveScaleMode(r.scale, data.x, largest, 'trainSvm: options.scale');
  // Scaled features are at most 1 in magnitude (max-abs) or a few standard deviations: only raw ones can overflow.
  if (mode === 'none' && Math.abs(largest) >= MAX_FEATURE_MAGNITUDE) throw magnitudeError(data.x);
  const { name, impl } = await svmBackends.resolve(options.backend ?? 'auto', 'trainSvm');
  const scaling = mode === 'none' ? undefined : learnScaling(data.x, mode);
  const x = scaling ? applyScaling(data.x, scaling) : data.x;
  const c = compactColumns(x);
  const work = { ...data, x: c ? c.x : x };
  const toRaw = (w: Float64Array, b: number) => {
    const wide = c ? expandWeights(w, c.columns, data.x.cols) : w;
    return scaling ? foldScaling(wide, b, scaling) : { weights: wide, bias: b };
  };
  const par = r.parallel;
  // One pool for every fit of this call (λ search and final fit); terminated on every path.
  const pool = par ? await WorkerPool.start({ workers: par.workers, transport: par.transport, timeoutMs: par.timeoutMs, signal: options.signal }) : undefined;
  try {
    return await trainWith({ name, engine: impl, pool }, work, r, options, toRaw, mode);
  } catch (e) {
    throw e instanceof Diverged ? magnitudeError(data.x, e) : e;
  } finally {
    await pool?.close();
  }
}

/** A binary SVM needs rows of both classes: one class would train to a model that invents the other label. */
function checkBothClasses(data: Dataset): void {
  const y0 = data.y[0];
  for (let i = 1; i < data.y.length; i++) if (data.y[i] !== y0) return;
  const label = data.labels[y0 > 0 ? 1 : 0];
  throw new InvalidInputError('trainSvm: data.y', `only label ${label} (all ${data.y.length} rows)`, 'rows of both classes (a binary SVM separates two labels)');
}

type ToRaw = (w: Float64Array, b: number) => { weights: Float64Array; bias: number };

async function trainWith(run: Runner, data: Dataset, r: Resolved, options: SvmOptions, toRaw: ToRaw, scale: string): Promise<SvmModel> {
  let lambda = r.lambda;
  let searchSeconds = 0;
  const scores: LambdaScore[] = [];
  if (lambda === 'auto') {
    const t0 = seconds();
    lambda = await chooseLambda(run, data, r, options, scores);
    searchSeconds = seconds() - t0;
  }
  const t0 = seconds();
  const [fits] = await fitLambdas(run, data, [lambda], r, options, 'train');
  const trainSeconds = seconds() - t0;
  const history = fits.length === 1 ? fits[0].history : fits.flatMap((f, k) => f.history.map((h) => ({ ...h, label: data.labels[k] })));
  const sum = (k: 'updateSeconds' | 'checkSeconds' | 'syncSeconds') => history.reduce((s, h) => s + (h[k] ?? 0), 0);
  const par = r.parallel;
  const epochs = fits.length === 1 ? fits[0].history.length : fits.map((f) => f.history.length);
  return new SvmModel({
    ...stackFits(fits.map((f) => ({ ...f, ...toRaw(f.weights, f.bias) }))),
    labels: data.labels,
    lambda,
    backend: run.name,
    history,
    timing: {
      lambdaSearchSeconds: searchSeconds, trainSeconds, updateSeconds: sum('updateSeconds'), checkSeconds: sum('checkSeconds'),
      ...(par ? { syncSeconds: sum('syncSeconds') } : {}),
    },
    trainedWith: {
      ...r.solver, scale, refitBias: r.refitBias, epochs, maxEpochs: r.epochs, lambdaSearchEpochs: r.searchEpochs, tol: r.tol,
      ...(fits.length > 1 ? { multiclass: 'one-vs-rest' } : {}),
      ...(par ? { workers: par.workers, syncEvery: par.syncEvery, transport: par.transport } : {}),
      ...(scores.length ? { lambdaSearch: scores } : {}),
    },
  });
}

/**
 * λ by k-fold cross-validation (k = lambdaFolds; 1: one split of validationFraction). Each fold's fit uses at most
 * lambdaSearchRows of the other folds' rows; every row is validated once, so the accuracy estimate rests on all n
 * rows instead of a fifth of them, and a single lucky split cannot decide (a single 80/20 split picked λ 1e-5 or
 * 1e-4 on ijcnn1 depending on the seed). Accuracy is the target but noisy: differences below one binomial standard
 * error sqrt(p(1−p)/n_validated) are not significant (the one-standard-error idea, Hastie, Tibshirani & Friedman,
 * ESL §7.10). Among the λ within one standard error of the best accuracy, take the one with the lowest validation
 * hinge loss, a smoother estimate of the same fit (ties → larger λ).
 */
async function chooseLambda(run: Runner, data: Dataset, r: Resolved, o: SvmOptions, scores: LambdaScore[]): Promise<number> {
  const folds = lambdaFolds(data, r);
  if (!folds.length) return r.lambdaGrid[Math.floor(r.lambdaGrid.length / 2)];
  const grid = [...r.lambdaGrid].sort((a, b) => a - b);
  const tally = new Map(grid.map((lambda) => [lambda, { correct: 0, hinge: 0, rows: 0 }]));
  let alive = grid;
  for (let f = 0; f < folds.length; f++) {
    const fits = await fitLambdas(run, folds[f].tr, alive, r, o, 'lambda-search');
    for (const [i, lambda] of alive.entries()) {
      const v = validateFits(fits[i], folds[f].shuffled, folds[f].lo, folds[f].hi);
      const t = tally.get(lambda)!;
      const m = folds[f].hi - folds[f].lo;
      (t.correct += v.accuracy * m), (t.hinge += v.hinge * m), (t.rows += m);
    }
    // A race (Maron & Moore's Hoeffding races): after the first fold, a λ more than 3 standard errors below that
    // fold's best cannot come back; the other folds are spent on the rest.
    if (f === 0 && folds.length > 1) alive = race(alive, tally);
  }
  for (const lambda of grid) {
    const t = tally.get(lambda)!;
    scores.push({ lambda, accuracy: t.correct / t.rows, hinge: t.hinge / t.rows, ...(t.rows < tally.get(alive[0])!.rows ? { folds: 1 } : {}) });
  }
  const validated = tally.get(alive[0])!.rows;
  const contenders = scores.filter((s) => alive.includes(s.lambda));
  const best = Math.max(...contenders.map((s) => s.accuracy));
  const se = Math.sqrt((best * (1 - best)) / validated);
  let pick = contenders[0];
  for (const s of contenders) {
    if (s.accuracy < best - se - 1e-12) continue;
    if (pick.accuracy < best - se - 1e-12 || s.hinge <= pick.hinge) pick = s;
  }
  return pick.lambda;
}

function race(alive: number[], tally: Map<number, { correct: number; rows: number }>): number[] {
  const acc = (l: number) => tally.get(l)!.correct / tally.get(l)!.rows;
  const best = Math.max(...alive.map(acc));
  const se = Math.sqrt((best * (1 - best)) / tally.get(alive[0])!.rows);
  return alive.filter((l) => acc(l) >= best - 3 * se - 1e-12);
}

/**
 * The folds from one seeded permutation: the data is shuffled once, fold f validates rows [lo, hi) of the shuffled
 * rows in place and trains on the others in order (a copy of two contiguous ranges). None when n is too small to
 * split.
 */
function lambdaFolds(data: Dataset, r: Resolved): { tr: Dataset; shuffled: Dataset; lo: number; hi: number }[] {
  const n = data.x.rows;
  const k = r.folds;
  const perm = permutation(n, (r.seed ^ 0x5bd1e995) >>> 0);
  const bounds = k === 1 ? [0, Math.max(1, Math.round(n * r.validationFraction))] : Array.from({ length: k + 1 }, (_, f) => Math.round((f * n) / k));
  if (n < 2 || bounds[1] >= n || (k > 1 && bounds[1] === 0)) return [];
  const shuffled = subsetDataset(data, perm);
  return Array.from({ length: k }, (_, f) => ({ lo: bounds[f], hi: bounds[f + 1] })).map(({ lo, hi }) => {
    // Large data: each fold fits on at most lambdaSearchRows rows (the final fit uses every row).
    const first = Math.min(lo, r.searchRows);
    const ranges: [number, number][] = [[0, first], [hi, hi + Math.min(n - hi, r.searchRows - first)]];
    return { tr: rowRanges(shuffled, ranges), shuffled, lo, hi };
  });
}
