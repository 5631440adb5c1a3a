// SPDX-License-Identifier: MIT
// The SGD-SVM solver contract (docs/svm-solver.md) that the js, wasm and wasm-simd backends implement, and the input
// checks every solver runs before it touches data (so messages are the same whichever backend runs).
import { checkLabels, checkMatrix } from './data.js';
import { fail, isInt } from '../check.js';
import type { Matrix } from '../types.js';

export type Schedule = 'pegasos' | 'seed-alpha' | 'paper';

export interface SolverOptions {
  /** Regularisation λ > 0. */
  lambda: number;
  /** Samples per mini-batch (integer ≥ 1). */
  batchSize: number;
  schedule: Schedule;
  /** Reshuffle each epoch (false keeps file order). */
  shuffle: boolean;
  /** Averaged SGD. */
  averaged: boolean;
  /** Samples processed before averaging starts (integer ≥ 0). */
  averageStart: number;
  /** Bias step multiplier (0 = no bias). */
  biasScale: number;
  /** RNG seed, integer in [0, 2^32). */
  seed: number;
}

export interface SolverState {
  v: Float32Array;
  scale: number;
  bias: number;
  t: number;
  epoch: number;
  pos: number;
  rng: Uint32Array;
  avg: Float64Array | null;
  avgDiv: number;
  avgWFrac: number;
  avgBias: number;
  /** The epoch's sample order (getState always sets it). setState without it keeps the solver's own order, which
   * is what model averaging across workers wants; with it, a restored solver continues bit for bit. */
  perm?: Int32Array;
}

export interface Solver {
  readonly rows: number;
  readonly cols: number;
  beginEpoch(): void;
  run(count: number): number;
  runEpoch(): void;
  objective(): number;
  weights(): { w: Float32Array; bias: number };
  getState(): SolverState;
  setState(s: SolverState): void;
  dispose(): void;
}

/** What an SVM backend implements: solvers over one dataset (registered in svmBackends, picked by options.backend). */
export interface SvmBackend {
  createSolver(x: Matrix, y: Float32Array, opts: SolverOptions): Solver;
}

/** The step-size schedules (docs/svm-solver.md), the one list the API, the CLI and the checks use. */
export const SCHEDULES: readonly Schedule[] = ['pegasos', 'seed-alpha', 'paper'];
const MAX_I32 = 0x7fffffff;

function need(cond: boolean, where: string, got: unknown, expected: string): void {
  if (!cond) fail(where, got, expected);
}

/** Checks options; `fn` names the caller in messages (e.g. 'createSolver'). */
export function checkSolverOptions(fn: string, o: SolverOptions): void {
  need(typeof o === 'object' && o !== null, `${fn}: options`, o, 'an object');
  need(typeof o.lambda === 'number' && Number.isFinite(o.lambda) && o.lambda > 0, `${fn}: options.lambda`, o.lambda, 'a finite number > 0');
  need(isInt(o.batchSize, 1, MAX_I32), `${fn}: options.batchSize`, o.batchSize, 'an integer >= 1');
  need(SCHEDULES.includes(o.schedule), `${fn}: options.schedule`, o.schedule, `one of ${SCHEDULES.join(', ')}`);
  need(typeof o.shuffle === 'boolean', `${fn}: options.shuffle`, o.shuffle, 'a boolean');
  need(typeof o.averaged === 'boolean', `${fn}: options.averaged`, o.averaged, 'a boolean');
  need(isInt(o.averageStart, 0, Number.MAX_SAFE_INTEGER), `${fn}: options.averageStart`, o.averageStart, 'an integer >= 0');
  need(typeof o.biasScale === 'number' && Number.isFinite(o.biasScale), `${fn}: options.biasScale`, o.biasScale, 'a finite number');
  need(isInt(o.seed, 0, 0xffffffff), `${fn}: options.seed`, o.seed, 'an integer in [0, 2^32)');
}

/** Checks the matrix (shape, CSR structure, index range) and labels (±1, one per row). O(nnz). */
export function checkSolverData(fn: string, x: Matrix, y: Float32Array): void {
  checkMatrix(x, `${fn}: x`);
  need(isInt(x.rows, 1, MAX_I32), `${fn}: x.rows`, x.rows, 'an integer in [1, 2^31)');
  need(isInt(x.cols, 1, MAX_I32), `${fn}: x.cols`, x.cols, 'an integer in [1, 2^31)');
  checkLabels(y, x.rows, `${fn}: y`);
}

/** Checks a state against a solver's shape before setState changes anything. */
export function checkSolverState(fn: string, s: SolverState, rows: number, cols: number, averaged: boolean): void {
  need(s.v instanceof Float32Array && s.v.length === cols, `${fn}: state.v`, s.v?.length, `a Float32Array of length cols = ${cols}`);
  need(s.rng instanceof Uint32Array && s.rng.length === 4, `${fn}: state.rng`, s.rng?.length, 'a Uint32Array of length 4');
  if (averaged) {
    need(s.avg instanceof Float64Array && s.avg.length === cols, `${fn}: state.avg`, s.avg?.length, `a Float64Array of length ${cols} (averaged)`);
  } else {
    need(s.avg === null, `${fn}: state.avg`, s.avg?.length, 'null (solver not averaged)');
  }
  const finite = (v: number) => typeof v === 'number' && Number.isFinite(v);
  need(finite(s.scale) && s.scale > 0, `${fn}: state.scale`, s.scale, 'a finite number > 0');
  need(finite(s.bias), `${fn}: state.bias`, s.bias, 'a finite number');
  need(isInt(s.t, 0, Number.MAX_SAFE_INTEGER), `${fn}: state.t`, s.t, 'an integer >= 0');
  need(isInt(s.epoch, 0, Number.MAX_SAFE_INTEGER), `${fn}: state.epoch`, s.epoch, 'an integer >= 0');
  need(isInt(s.pos, 0, rows), `${fn}: state.pos`, s.pos, `an integer in [0, rows = ${rows}]`);
  need(finite(s.avgDiv) && s.avgDiv > 0, `${fn}: state.avgDiv`, s.avgDiv, 'a finite number > 0');
  need(finite(s.avgWFrac), `${fn}: state.avgWFrac`, s.avgWFrac, 'a finite number');
  need(finite(s.avgBias), `${fn}: state.avgBias`, s.avgBias, 'a finite number');
  if (s.perm !== undefined) {
    need(s.perm instanceof Int32Array && s.perm.length === rows, `${fn}: state.perm`, s.perm?.length, `an Int32Array of length rows = ${rows}`);
    const seen = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      const j = s.perm[i];
      if (!(j >= 0 && j < rows) || seen[j]) need(false, `${fn}: state.perm[${i}]`, j, 'a permutation of 0 .. rows-1');
      seen[j] = 1;
    }
  }
}

/** Checks run()'s count. */
export function checkCount(fn: string, count: number): void {
  need(isInt(count, 0, MAX_I32), `${fn}: count`, count, 'an integer in [0, 2^31)');
}
