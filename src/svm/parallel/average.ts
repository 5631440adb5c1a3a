// SPDX-License-Identifier: MIT
// Model averaging (the Allreduce of data-parallel SGD, docs/svm-solver.md "Data-parallel training"): one pure
// definition used by both transports, so 'shared' and 'message' give the same bits, and MPI can mirror it.
import type { Solver, SolverState } from '../solver.js';

/** What one worker contributes to an average: its weights, bias and (averaged SGD) its averaged model. */
export interface Contribution {
  /** w_p,j = f32(scale_p · v_p,j). */
  w: Float32Array;
  bias: number;
  /** A_p,j = (a_p,j + avgWFrac_p · v_p,j) / avgDiv_p in f64 (same formula as weights()); null without averaging. */
  a: Float64Array | null;
  avgBias: number;
}

/** The average every worker installs: v (with scale 1), bias, and the averaged model as a (avgWFrac 0, avgDiv 1). */
export interface Average {
  v: Float32Array;
  bias: number;
  a: Float64Array | null;
  avgBias: number;
}

/** Writes a solver state's contribution into the given arrays (a slot of shared memory, or fresh arrays). */
export function writeContribution(s: SolverState, w: Float32Array, a: Float64Array | null): { bias: number; avgBias: number } {
  const d = s.v.length;
  for (let j = 0; j < d; j++) w[j] = s.scale * s.v[j];
  if (a && s.avg) {
    for (let j = 0; j < d; j++) a[j] = (s.avg[j] + s.avgWFrac * s.v[j]) / s.avgDiv;
  }
  return { bias: s.bias, avgBias: s.avgBias };
}

/** Fresh-array form of writeContribution (message transport). */
export function contribution(s: SolverState): Contribution {
  const w = new Float32Array(s.v.length);
  const a = s.avg ? new Float64Array(s.v.length) : null;
  return { w, a, ...writeContribution(s, w, a) };
}

/**
 * Averages contributions in worker order: sums in f64 starting from 0, p = 0 … P−1, then divides by P (weights
 * rounded to f32 once, at the end). Every worker and the coordinator run exactly this, hence identical bits.
 */
export function averageContributions(cs: readonly Contribution[]): Average {
  const P = cs.length;
  const d = cs[0].w.length;
  const sw = new Float64Array(d);
  for (const c of cs) for (let j = 0; j < d; j++) sw[j] += c.w[j];
  const v = new Float32Array(d);
  for (let j = 0; j < d; j++) v[j] = sw[j] / P;
  let a: Float64Array | null = null;
  if (cs[0].a) {
    a = new Float64Array(d);
    for (const c of cs) for (let j = 0; j < d; j++) a[j] += c.a![j];
    for (let j = 0; j < d; j++) a[j] = a[j] / P;
  }
  let bias = 0, avgBias = 0;
  for (const c of cs) {
    bias += c.bias;
    avgBias += c.avgBias;
  }
  return { v, bias: bias / P, a, avgBias: avgBias / P };
}

/**
 * Installs the average, keeping the worker's own t, epoch, pos, rng and permutation (setState without perm):
 * the sample counter and the shuffle stay local, only the model is shared.
 */
export function applyAverage(solver: Solver, local: SolverState, m: Average): void {
  const s: SolverState = { ...local, v: m.v, scale: 1, bias: m.bias };
  delete s.perm;
  if (m.a) Object.assign(s, { avg: m.a, avgWFrac: 0, avgDiv: 1, avgBias: m.avgBias });
  solver.setState(s);
}

/**
 * Training objective over all n rows from the shard objectives: reg + Σ_p ((obj_p − reg)·n_p)/n in worker order,
 * where reg = (λ/2)‖w‖² of the common model. obj_p − reg is shard p's mean hinge, so this is the full mean hinge.
 */
export function combineObjectives(objs: readonly number[], reg: number, rows: readonly number[]): number {
  if (objs.length === 1) return objs[0];
  const n = rows.reduce((s, r) => s + r, 0);
  let s = 0;
  for (let p = 0; p < objs.length; p++) s += ((objs[p] - reg) * rows[p]) / n;
  return reg + s;
}

/** (λ/2)·Σ_j w_j² with the engine's expression tree (f64 squares of the f32 weights, summed in index order). */
export function regulariser(lambda: number, w: Float32Array): number {
  let reg = 0;
  for (let j = 0; j < w.length; j++) reg += w[j] * w[j];
  return (lambda / 2) * reg;
}
