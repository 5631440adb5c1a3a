// SPDX-License-Identifier: MIT
// What the coordinator and the workers exchange: setup messages, shard slicing and the shared-memory layout.
import type { Dataset, Matrix } from '../../types.js';
import type { SolverOptions } from '../solver.js';

export type Transport = 'shared' | 'message';

/** Test-only fault injection: worker `index` throws in its first round ('run'), exits ('exit') or hangs ('hang'). */
export interface FailHook {
  index: number;
  at: 'run' | 'exit' | 'hang';
}

/**
 * Internal test hooks (not public API, not in any public type). `failWorker`: the next data-parallel run makes
 * worker `index` throw in its first round ('run'), exit ('exit') or hang ('hang'); that run consumes it.
 */
export const __testHooks: { failWorker?: FailHook } = {};

/** The pending failWorker hook, cleared (one run uses it). */
export function takeFailHook(): FailHook | undefined {
  const f = __testHooks.failWorker;
  __testHooks.failWorker = undefined;
  return f;
}

/** One fit's setup for one worker. */
export interface WorkerSetup {
  index: number;
  workers: number;
  backend: string;
  x: Matrix;
  y: Float32Array;
  options: SolverOptions;
  transport: Transport;
  /** Shared transport: the control words and every worker's slot (see SharedLayout). */
  sab?: SharedArrayBuffer;
  fail?: FailHook;
}

/** Class-parallel one-vs-rest: one class's whole fit on the rows a worker holds (loadRows). */
export interface ClassFitJob {
  /** ±1 labels of the class's problem. */
  y: Float32Array;
  /** Everything but averageStart (one epoch when epochs > 1, as in the calling thread). */
  solver: Omit<SolverOptions, 'averageStart'>;
  epochs: number;
  tol: number;
}

/** Timing of one epoch on one worker (seconds). */
export interface EpochTimes {
  updateSeconds: number;
  syncSeconds: number;
}

/** Worker p's rows: [floor(p·n/P), floor((p+1)·n/P)). */
export function shardRange(p: number, P: number, n: number): [number, number] {
  return [Math.floor((p * n) / P), Math.floor(((p + 1) * n) / P)];
}

/** A copy of rows [lo, hi): fresh buffers that can be transferred without detaching the caller's arrays. */
export function sliceRows(data: Dataset, lo: number, hi: number): { x: Matrix; y: Float32Array } {
  const x = data.x;
  const y = data.y.slice(lo, hi);
  if (x.kind === 'dense') return { x: { kind: 'dense', rows: hi - lo, cols: x.cols, data: x.data.slice(lo * x.cols, hi * x.cols) }, y };
  const b = x.indptr[lo], e = x.indptr[hi];
  const indptr = new Int32Array(hi - lo + 1);
  for (let i = 0; i <= hi - lo; i++) indptr[i] = x.indptr[lo + i] - b;
  return { x: { kind: 'csr', rows: hi - lo, cols: x.cols, indptr, indices: x.indices.slice(b, e), values: x.values.slice(b, e) }, y };
}

/** The distinct buffers of a shard, for Comlink.transfer. */
export function shardBuffers(s: { x: Matrix; y: Float32Array }): ArrayBuffer[] {
  const arrays = s.x.kind === 'dense' ? [s.x.data, s.y] : [s.x.indptr, s.x.indices, s.x.values, s.y];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/** Control words at the start of the shared buffer (Int32). */
export const CTL = { ABORT: 0, COUNT: 1, GEN: 2, PROGRESS: 3 } as const;

/**
 * Shared buffer: Int32 control words [abort, barrier count, barrier generation, progress_0 … progress_{P−1}],
 * then per worker a slot: f64 [bias, avgBias], f64 a[d] (averaged only), f32 w[d]. f64 parts first keeps them aligned.
 */
export class SharedLayout {
  readonly ctlWords: number;
  readonly slotBytes: number;
  readonly bytes: number;
  constructor(readonly workers: number, readonly cols: number, readonly averaged: boolean) {
    this.ctlWords = CTL.PROGRESS + workers;
    const head = Math.ceil((this.ctlWords * 4) / 8) * 8;
    this.slotBytes = Math.ceil((16 + (averaged ? 8 * cols : 0) + 4 * cols) / 8) * 8;
    this.bytes = head + workers * this.slotBytes;
  }

  ctl(sab: SharedArrayBuffer): Int32Array {
    return new Int32Array(sab, 0, this.ctlWords);
  }

  slot(sab: SharedArrayBuffer, p: number): { scalars: Float64Array; a: Float64Array | null; w: Float32Array } {
    const off = Math.ceil((this.ctlWords * 4) / 8) * 8 + p * this.slotBytes;
    const d = this.cols;
    const aBytes = this.averaged ? 8 * d : 0;
    return {
      scalars: new Float64Array(sab, off, 2),
      a: this.averaged ? new Float64Array(sab, off + 16, d) : null,
      w: new Float32Array(sab, off + 16 + aBytes, d),
    };
  }
}

/** Thrown inside a worker that left a barrier because the coordinator raised the abort word. */
export const ABORTED_BY_COORDINATOR = 'anyml: run cancelled by the coordinator';

/**
 * Generation barrier over Atomics (workers only: Atomics.wait blocks). Waits in short slices so a raised abort
 * word (another worker failed, the signal fired) releases every waiter even if a peer never arrives.
 */
export function barrier(ctl: Int32Array, workers: number): void {
  const gen = Atomics.load(ctl, CTL.GEN);
  if (Atomics.add(ctl, CTL.COUNT, 1) === workers - 1) {
    Atomics.store(ctl, CTL.COUNT, 0);
    Atomics.add(ctl, CTL.GEN, 1);
    Atomics.notify(ctl, CTL.GEN);
  } else {
    while (Atomics.load(ctl, CTL.GEN) === gen) {
      if (Atomics.load(ctl, CTL.ABORT) !== 0) throw new Error(ABORTED_BY_COORDINATOR);
      Atomics.wait(ctl, CTL.GEN, gen, 20);
    }
  }
  if (Atomics.load(ctl, CTL.ABORT) !== 0) throw new Error(ABORTED_BY_COORDINATOR);
}
