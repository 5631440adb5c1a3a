// SPDX-License-Identifier: MIT
// trainSvm: option checking, λ selection on a seeded validation split, and the epoch loop with convergence check.

import { checkBoolean, checkInt, checkKeys, checkNumber, checkOneOf, fail as fail_, isInt, show } from '../check.js';
import { AbortError, InvalidInputError } from '../errors.js';
import { permutation } from '../rng.js';
import type { Dataset } from '../types.js';
import { svmBackends } from './backends/index.js';
import { optimalBias } from './bias.js';
import { compactColumns, expandWeights } from './compact.js';
import { Diverged, MAX_FEATURE_MAGNITUDE, checkObjective, converged, largestValue, magnitudeError, seconds } from './convergence.js';
import { checkDataset, decisionValues, subsetDataset } from './data.js';
import { SCHEDULES, type SolverOptions, type SvmBackend } from './solver.js';
import { SvmModel } from './model.js';
import { applyScaling, foldScaling, learnScaling, resolveScaleMode, SCALE_MODES, type ScaleMode } from './scale.js';
import { parallelFit } from './parallel/fit.js';
import { resolveTransport, WorkerPool } from './parallel/pool.js';
import { type FailHook, type Transport, takeFailHook } from './parallel/protocol.js';
import type { EpochRecord, SvmOptions } from './types.js';

export const DEFAULT_LAMBDA_GRID = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2];

/** Samples per call into the engine: bounds the time between abort checks. */
const CHUNK = 1 << 16;

interface LambdaScore {
  lambda: number;
  accuracy: number;
  hinge: number;
}


interface Resolved {
  lambda: number | 'auto';
  scale: ScaleMode;
  lambdaGrid: number[];
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
  syncEvery: 1, transport: 1, workerTimeoutMs: 1, scale: 1,
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

function resolveOptions(o: SvmOptions): Resolved {
  checkKeys('trainSvm: options', o, OPTION_KEYS);
  const w = (k: string) => `trainSvm: options.${k}`;
  const num = (k: keyof SvmOptions, v: unknown, ok: (x: number) => boolean, expected: string) => checkNumber(w(k), v, expected, ok);
  const lambda = o.lambda ?? 'auto';
  if (lambda !== 'auto') num('lambda', lambda, (x) => Number.isFinite(x) && x > 0, "a finite number > 0 or 'auto'");
  const lambdaGrid = o.lambdaGrid ?? DEFAULT_LAMBDA_GRID;
  if (!Array.isArray(lambdaGrid) || lambdaGrid.length === 0 || lambdaGrid.some((x) => !(x > 0) || !Number.isFinite(x))) fail_(w('lambdaGrid'), lambdaGrid, 'a non-empty array of finite numbers > 0');
  const epochs = checkInt(w('epochs'), o.epochs ?? 10, 1, 1e6);
  return {
    lambda,
    scale: checkOneOf(w('scale'), o.scale ?? 'auto', SCALE_MODES),
    lambdaGrid,
    validationFraction: num('validationFraction', o.validationFraction ?? 0.2, (x) => x > 0 && x < 1, 'a number in (0, 1)'),
    epochs,
    searchEpochs: checkInt(w('lambdaSearchEpochs'), o.lambdaSearchEpochs ?? Math.min(3, epochs), 1, 1e6),
    searchRows: checkInt(w('lambdaSearchRows'), o.lambdaSearchRows ?? 50000, 1),
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

/** Runs the epoch loop on one engine. Returns the solver's weights and per-epoch history. */
function fitInThread(engine: SvmBackend, data: Dataset, lambda: number, r: Resolved, o: SvmOptions, phase: 'lambda-search' | 'train') {
  const rows = data.x.rows;
  const epochs = phase === 'train' ? r.epochs : r.searchEpochs;
  const solver = engine.createSolver(data.x, data.y, { ...r.solver, lambda, averageStart: epochs > 1 ? rows : 0 });
  const history: EpochRecord[] = [];
  try {
    let prev = Infinity;
    for (let e = 1; e <= epochs; e++) {
      const t0 = seconds();
      solver.beginEpoch();
      for (let done = 0; done < rows; ) {
        if (o.signal?.aborted) throw new AbortError('trainSvm: aborted by options.signal');
        done += solver.run(Math.min(CHUNK, rows - done));
      }
      const t1 = seconds();
      const objective = solver.objective();
      const t2 = seconds();
      checkObjective(objective, e, lambda);
      history.push({ epoch: e, objective, updateSeconds: t1 - t0, checkSeconds: t2 - t1 });
      o.onEpoch?.({ phase, epoch: e, epochs, objective, lambda });
      if (converged(prev, objective, r.tol)) break;
      prev = objective;
    }
    return { ...solver.weights(), history };
  } finally {
    solver.dispose();
  }
}

/** One fit (in-thread or on the workers), then the exact bias refit on this thread over all of `data`. */
async function fit(run: Runner, data: Dataset, lambda: number, r: Resolved, o: SvmOptions, phase: 'lambda-search' | 'train') {
  const epochs = phase === 'train' ? r.epochs : r.searchEpochs;
  const par = r.parallel;
  // The λ search runs in this thread even with workers, so the chosen λ does not depend on P (with P workers the
  // 3-epoch search fits are noisier and picked λ = 1e-4 instead of 1e-5 on ijcnn1 at P = 4: 91.99% vs 92.81%).
  const { w, bias, history } = run.pool && par && phase === 'train'
    ? await parallelFit(run.pool, data, { backend: run.name, solver: r.solver, lambda, epochs, tol: r.tol, syncEvery: par.syncEvery, phase, signal: o.signal, onEpoch: o.onEpoch, fail: par.fail })
    : fitInThread(run.engine, data, lambda, r, o, phase);
  const weights = Float64Array.from(w);
  const b = r.refitBias && r.solver.biasScale > 0 ? optimalBias(decisionValues(weights, 0, data.x), data.y) : bias;
  return { weights, bias: b, history };
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
  checkBothClasses(data);
  const r = resolveOptions(options);
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
  const fitted = await fit(run, data, lambda, r, options, 'train');
  const trainSeconds = seconds() - t0;
  const sum = (k: 'updateSeconds' | 'checkSeconds' | 'syncSeconds') => fitted.history.reduce((s, h) => s + (h[k] ?? 0), 0);
  const par = r.parallel;
  return new SvmModel({
    ...toRaw(fitted.weights, fitted.bias),
    labels: data.labels,
    lambda,
    backend: run.name,
    history: fitted.history,
    timing: {
      lambdaSearchSeconds: searchSeconds, trainSeconds, updateSeconds: sum('updateSeconds'), checkSeconds: sum('checkSeconds'),
      ...(par ? { syncSeconds: sum('syncSeconds') } : {}),
    },
    trainedWith: {
      ...r.solver, scale, refitBias: r.refitBias, epochs: fitted.history.length, maxEpochs: r.epochs, lambdaSearchEpochs: r.searchEpochs, tol: r.tol,
      ...(par ? { workers: par.workers, syncEvery: par.syncEvery, transport: par.transport } : {}),
      ...(scores.length ? { lambdaSearch: scores } : {}),
    },
  });
}

/**
 * λ by validation on a seeded split. Accuracy is the target but noisy: differences below one binomial standard error
 * sqrt(p(1−p)/n_val) are not significant (the one-standard-error idea, Hastie, Tibshirani & Friedman, ESL §7.10).
 * Among the λ within one standard error of the best accuracy, take the one with the lowest validation hinge loss,
 * a smoother estimate of the same fit (ties → larger λ).
 */
async function chooseLambda(run: Runner, data: Dataset, r: Resolved, o: SvmOptions, scores: LambdaScore[]): Promise<number> {
  const n = data.x.rows;
  const nVal = Math.max(1, Math.round(n * r.validationFraction));
  if (n - nVal < 1) return r.lambdaGrid[Math.floor(r.lambdaGrid.length / 2)];
  const perm = permutation(n, (r.seed ^ 0x5bd1e995) >>> 0);
  const val = subsetDataset(data, perm.subarray(0, nVal));
  // Large data: the search fits on at most lambdaSearchRows rows (the final fit uses every row).
  const tr = subsetDataset(data, perm.subarray(nVal, Math.min(n, nVal + r.searchRows)));
  for (const lambda of [...r.lambdaGrid].sort((a, b) => a - b)) {
    const f = await fit(run, tr, lambda, r, o, 'lambda-search');
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
