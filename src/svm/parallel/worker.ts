// SPDX-License-Identifier: MIT
// The worker side of data-parallel training: owns one engine instance and one shard, runs rounds, averages.
// Started by pool.ts (Node: worker_threads, through src/platform/tsx_worker_boot.mjs from .ts sources; browsers: a module Worker).
import * as Comlink from 'comlink';
import { platform } from '#platform';
import { svmBackends } from '../backends/index.js';
import { seconds } from '../convergence.js';
import { runEpochs } from '../epochs.js';
import type { Solver, SolverState, SvmBackend } from '../solver.js';
import type { Matrix } from '../../types.js';
import { applyAverage, averageContributions, contribution, regulariser, writeContribution, type Average, type Contribution } from './average.js';
import { barrier, CTL, SharedLayout, type ClassFitJob, type EpochTimes, type WorkerSetup } from './protocol.js';


let solver: Solver | undefined;
let setup: WorkerSetup | undefined;
let layout: SharedLayout | undefined;
let rounds = 0;
/** Class-parallel training: all rows, and the engine that fits them. */
let held: { x: Matrix; engine: SvmBackend } | undefined;

function live(): Solver {
  if (!solver) throw new Error('no shard: setup() was not called');
  return solver;
}

/** Test-only fault injection (FailHook), honoured only when the coordinator passed it. */
function maybeFail(): void {
  const f = setup?.fail;
  if (!f || f.index !== setup!.index) return;
  if (f.at === 'run') throw new Error(`test hook: worker ${f.index} throws in run`);
  if (f.at === 'exit') {
    platform.exitWorker(3);
  }
  if (f.at === 'hang') for (;;);
}

/** Shared transport, one sync: publish my contribution, wait for all, average every slot myself, install it. */
function syncShared(s: SolverState): void {
  const su = setup!, L = layout!, sab = su.sab!;
  const ctl = L.ctl(sab);
  const mine = L.slot(sab, su.index);
  const sc = writeContribution(s, mine.w, mine.a);
  mine.scalars[0] = sc.bias;
  mine.scalars[1] = sc.avgBias;
  Atomics.add(ctl, CTL.PROGRESS + su.index, 1);
  barrier(ctl, su.workers);
  const cs: Contribution[] = [];
  for (let p = 0; p < su.workers; p++) {
    const sl = L.slot(sab, p);
    cs.push({ w: sl.w, a: sl.a, bias: sl.scalars[0], avgBias: sl.scalars[1] });
  }
  applyAverage(live(), s, averageContributions(cs));
  // Second barrier: nobody overwrites its slot for the next round while a peer still reads it.
  barrier(ctl, su.workers);
}

const api = {
  async setup(s: WorkerSetup): Promise<number> {
    solver?.dispose();
    solver = undefined;
    setup = s;
    layout = s.sab ? new SharedLayout(s.workers, s.x.cols, s.options.averaged) : undefined;
    const { impl } = await svmBackends.resolve(s.backend, 'trainSvm (worker)');
    solver = impl.createSolver(s.x, s.y, s.options);
    rounds = 0;
    return solver.rows;
  },

  /** Shared transport: a whole epoch of `count` rounds of run(b) + sync, with no coordinator round-trip. */
  epoch(b: number, count: number): EpochTimes {
    const sv = live();
    const t = { updateSeconds: 0, syncSeconds: 0 };
    sv.beginEpoch();
    for (let r = 0; r < count; r++) {
      const t0 = seconds();
      if (rounds++ === 0) maybeFail();
      sv.run(b);
      const t1 = seconds();
      if (setup!.workers > 1) syncShared(sv.getState());
      t.updateSeconds += t1 - t0;
      t.syncSeconds += seconds() - t1;
    }
    return t;
  },

  beginEpoch(): void {
    live().beginEpoch();
  },

  /** Message transport: one round; returns this worker's contribution (null when P = 1: nothing to average). */
  round(b: number): { c: Contribution | null; seconds: number } {
    const t0 = seconds();
    if (rounds++ === 0) maybeFail();
    live().run(b);
    const took = seconds() - t0;
    if (setup!.workers === 1) return { c: null, seconds: took };
    const c = contribution(live().getState());
    return Comlink.transfer({ c, seconds: took }, [c.w.buffer as ArrayBuffer, ...(c.a ? [c.a.buffer as ArrayBuffer] : [])]);
  },

  apply(m: Average): void {
    applyAverage(live(), live().getState(), m);
  },

  /** This shard's objective and (λ/2)‖w‖² of the (common) model, for the combined convergence check. */
  objective(): { objective: number; reg: number } {
    const sv = live();
    return { objective: sv.objective(), reg: regulariser(setup!.options.lambda, sv.weights().w) };
  },

  weights(): { w: Float32Array; bias: number } {
    return live().weights();
  },

  /** Class-parallel one-vs-rest: keeps every row for the fitClass calls that follow. */
  async loadRows(job: { backend: string; x: Matrix }): Promise<void> {
    const { impl } = await svmBackends.resolve(job.backend, 'trainSvm (worker)');
    held = { x: job.x, engine: impl };
  },

  /** One class's whole fit on the rows loadRows gave, with the calling thread's epoch loop. */
  fitClass(job: ClassFitJob) {
    if (!held) throw new Error('no rows: loadRows() was not called');
    const r = runEpochs(held.engine, held.x, job.y, { solver: job.solver, epochs: job.epochs, tol: job.tol });
    return Comlink.transfer(r, [r.w.buffer as ArrayBuffer]);
  },

  release(): void {
    solver?.dispose();
    solver = undefined;
    held = undefined;
  },
};

export type WorkerApi = typeof api;

// Node: parentPort (through comlink's adapter); browsers: the worker global. Node's port queues messages until
// comlink listens. No top-level await: browser worker bundles may be classic scripts.
Comlink.expose(api, platform.workerEndpoint());
