// SPDX-License-Identifier: MIT
// The coordinator's epoch loop of data-parallel training (docs/svm-solver.md "Data-parallel training"): shard,
// set up the workers, run epochs of rounds (run b local samples, then average), combined convergence check.
import * as Comlink from 'comlink';
import { AbortError, InvalidInputError } from '../../errors.js';
import type { Dataset } from '../../types.js';
import type { SolverOptions } from '../solver.js';
import type { EpochRecord, SvmProgress } from '../types.js';
import { averageContributions, combineObjectives, type Contribution } from './average.js';
import type { WorkerPool } from './pool.js';
import { checkObjective, converged, seconds } from '../convergence.js';
import { type EpochTimes, shardBuffers, shardRange, SharedLayout, sliceRows, type FailHook } from './protocol.js';


export interface ParallelFitOptions {
  backend: string;
  /** Everything but lambda and averageStart, which are per fit (averageStart = one local epoch when epochs > 1). */
  solver: Omit<SolverOptions, 'lambda' | 'averageStart'>;
  lambda: number;
  epochs: number;
  tol: number;
  syncEvery: number | 'epoch';
  phase: SvmProgress['phase'];
  signal?: AbortSignal;
  onEpoch?: (p: SvmProgress) => void;
  fail?: FailHook;
}

/** Sends each worker a copy of its contiguous shard (transferred: the caller's arrays stay intact). */
async function setupShards(pool: WorkerPool, data: Dataset, f: ParallelFitOptions, sab?: SharedArrayBuffer): Promise<number[]> {
  const P = pool.size, n = data.x.rows;
  return pool.all('setup', (api, p) => {
    const [lo, hi] = shardRange(p, P, n);
    const shard = sliceRows(data, lo, hi);
    const options: SolverOptions = { ...f.solver, lambda: f.lambda, averageStart: f.epochs > 1 ? hi - lo : 0 };
    const setup = { index: p, workers: P, backend: f.backend, ...shard, options, transport: pool.opts.transport, sab, fail: f.fail };
    return api.setup(Comlink.transfer(setup, shardBuffers(shard)));
  });
}

/** Message transport: the coordinator gathers contributions in worker order, averages, and sends the average back. */
async function messageEpoch(pool: WorkerPool, b: number, rounds: number, signal?: AbortSignal): Promise<EpochTimes> {
  await pool.all('beginEpoch', (api) => api.beginEpoch());
  const update = new Array<number>(pool.size).fill(0);
  let sync = 0;
  for (let r = 0; r < rounds; r++) {
    if (signal?.aborted) throw new AbortError('trainSvm: aborted by options.signal');
    const t0 = seconds();
    const res = await pool.all('round', (api) => api.round(b));
    res.forEach((x, p) => (update[p] += x.seconds));
    if (pool.size > 1) {
      const avg = averageContributions(res.map((x) => x.c as Contribution));
      await pool.all('apply', (api) => api.apply(avg));
    }
    sync += seconds() - t0 - Math.max(...res.map((x) => x.seconds));
  }
  return { updateSeconds: Math.max(...update), syncSeconds: sync };
}

/**
 * Runs one fit on the pool's workers and returns worker 0's final model (all workers hold the same one after the
 * last sync) with the per-epoch history.
 */
export async function parallelFit(pool: WorkerPool, data: Dataset, f: ParallelFitOptions): Promise<{ w: Float32Array; bias: number; history: EpochRecord[] }> {
  const P = pool.size, n = data.x.rows;
  if (n < P) throw new InvalidInputError('trainSvm: options.workers', String(P), `at most the rows of every fit (${f.phase} has ${n} rows)`);
  const shared = pool.opts.transport === 'shared' && P > 1;
  const layout = shared ? new SharedLayout(P, data.x.cols, f.solver.averaged) : undefined;
  const sab = layout ? new SharedArrayBuffer(layout.bytes) : undefined;
  pool.control = layout && sab ? layout.ctl(sab) : undefined;
  const rows = await setupShards(pool, data, f, sab);
  const maxRows = Math.max(...rows);
  const b = f.syncEvery === 'epoch' ? maxRows : f.syncEvery;
  const rounds = Math.ceil(maxRows / b);
  const history: EpochRecord[] = [];
  let prev = Infinity;
  for (let e = 1; e <= f.epochs; e++) {
    if (f.signal?.aborted) throw new AbortError('trainSvm: aborted by options.signal');
    let times: EpochTimes;
    if (pool.opts.transport === 'shared') {
      const res = await pool.all('epoch', (api) => api.epoch(b, rounds), pool.control);
      times = { updateSeconds: Math.max(...res.map((x) => x.updateSeconds)), syncSeconds: Math.max(...res.map((x) => x.syncSeconds)) };
    } else {
      times = await messageEpoch(pool, b, rounds, f.signal);
    }
    const t1 = seconds();
    const objs = await pool.all('objective', (api) => api.objective());
    const objective = combineObjectives(objs.map((o) => o.objective), objs[0].reg, rows);
    checkObjective(objective, e, f.lambda);
    history.push({ epoch: e, objective, ...times, checkSeconds: seconds() - t1 });
    f.onEpoch?.({ phase: f.phase, epoch: e, epochs: f.epochs, objective, lambda: f.lambda });
    if (converged(prev, objective, f.tol)) break;
    prev = objective;
  }
  const [{ w, bias }] = await pool.all('weights', (api, p) => (p === 0 ? api.weights() : Promise.resolve({ w: new Float32Array(0), bias: 0 })));
  await pool.all('release', (api) => api.release());
  return { w, bias, history };
}
