// SPDX-License-Identifier: MIT
// The wasm backends ('wasm' = scalar core, 'wasm-simd' = SIMD core): the C++ solver behind the same Solver API.
// The matrix and labels are copied into the heap once at createSolver and freed by dispose().
import { AnymlError } from '../../../errors.js';
import type { Matrix } from '../../../types.js';
import {
  checkCount, checkSolverData, checkSolverOptions, checkSolverState,
  type Solver, type SolverOptions, type SolverState, type SvmBackend,
} from '../../solver.js';
import { SCHEDULE_CODE, STATE_SLOT as S, type AnymlCore } from '../../../backends/wasm/abi.js';
import { check, HeapScope, withHeap } from '../../../backends/wasm/heap.js';
import { loadCore, type CoreFlavour } from '../../../backends/wasm/loader.js';

/**
 * Loads the wasm core of that flavour and returns the backend whose solvers run on it.
 * @example const backend = await createWasmBackend((await hasSimd()) ? 'simd' : 'scalar');
 */
export async function createWasmBackend(flavour: CoreFlavour): Promise<SvmBackend> {
  const core = await loadCore(flavour);
  return { createSolver: (x, y, opts) => new WasmSgdSvm(core, x, y, opts) };
}

export class WasmSgdSvm implements Solver {
  readonly rows: number;
  readonly cols: number;
  private readonly core: AnymlCore;
  /** Solver-lifetime allocations: data copies, the handle, and a scratch block for out-parameters. */
  private readonly heap: HeapScope;
  private readonly averaged: boolean;
  private handle = 0;
  private scratch = 0; // 16 doubles: state scalars (12), or an out double; also used as int32/pointer slots
  private begun = false;

  constructor(core: AnymlCore, x: Matrix, y: Float32Array, opts: SolverOptions) {
    checkSolverOptions('createSolver', opts);
    checkSolverData('createSolver', x, y);
    this.core = core;
    this.rows = x.rows;
    this.cols = x.cols;
    this.averaged = opts.averaged;
    this.heap = new HeapScope(core);
    try {
      this.create(x, y, opts);
    } catch (e) {
      this.heap.free();
      throw e;
    }
  }

  private create(x: Matrix, y: Float32Array, o: SolverOptions): void {
    const h = this.heap, m = this.core;
    const yp = h.copyIn(y);
    this.scratch = h.alloc(16 * 8);
    const op = h.alloc(8 * 8);
    h.f64(op, 8).set([o.lambda, o.batchSize, SCHEDULE_CODE[o.schedule], +o.shuffle, +o.averaged, o.averageStart, o.biasScale, o.seed]);
    const out = this.scratch;
    let rc: number;
    if (x.kind === 'csr') {
      const nnz = x.indptr[x.rows];
      const ip = h.copyIn(x.indptr), ix = h.copyIn(x.indices.subarray(0, nnz)), vp = h.copyIn(x.values.subarray(0, nnz));
      rc = m._sgd_svm_create_csr(x.rows, x.cols, ip, ix, vp, yp, op, out);
    } else {
      rc = m._sgd_svm_create_dense(x.rows, x.cols, h.copyIn(x.data), yp, op, out);
    }
    check(m, x.kind === 'csr' ? 'sgd_svm_create_csr' : 'sgd_svm_create_dense', rc);
    this.handle = h.u32(out, 1)[0];
  }

  beginEpoch(): void {
    check(this.core, 'sgd_svm_begin_epoch', this.core._sgd_svm_begin_epoch(this.live()));
    this.begun = true;
  }

  run(count: number): number {
    const hd = this.live();
    checkCount('Solver.run', count);
    if (!this.begun) throw new AnymlError('STATE', 'Solver.run: no epoch begun: call beginEpoch() first');
    check(this.core, 'sgd_svm_run', this.core._sgd_svm_run(hd, count, this.scratch));
    return this.heap.i32(this.scratch, 1)[0];
  }

  runEpoch(): void {
    this.beginEpoch();
    this.run(this.rows);
  }

  objective(): number {
    check(this.core, 'sgd_svm_objective', this.core._sgd_svm_objective(this.live(), this.scratch));
    return this.heap.f64(this.scratch, 1)[0];
  }

  weights(): { w: Float32Array; bias: number } {
    const hd = this.live();
    return withHeap(this.core, (t) => {
      const wp = t.alloc(4 * this.cols);
      check(this.core, 'sgd_svm_weights', this.core._sgd_svm_weights(hd, wp, this.scratch));
      return { w: t.f32(wp, this.cols).slice(), bias: this.heap.f64(this.scratch, 1)[0] };
    });
  }

  getState(): SolverState {
    const hd = this.live();
    const { v, avg, perm } = this.buffers(hd);
    check(this.core, 'sgd_svm_get_state', this.core._sgd_svm_get_state(hd, this.scratch));
    const sc = this.heap.f64(this.scratch, S.SGD_SVM_STATE_SCALARS).slice();
    const r = S.SGD_SVM_S_RNG0;
    return {
      v: this.heap.f32(v, this.cols).slice(),
      scale: sc[S.SGD_SVM_S_SCALE], bias: sc[S.SGD_SVM_S_BIAS], t: sc[S.SGD_SVM_S_T],
      epoch: sc[S.SGD_SVM_S_EPOCH], pos: sc[S.SGD_SVM_S_POS],
      rng: Uint32Array.of(sc[r], sc[r + 1], sc[r + 2], sc[r + 3]),
      avg: avg ? this.heap.f64(avg, this.cols).slice() : null,
      avgDiv: sc[S.SGD_SVM_S_AVG_DIV], avgWFrac: sc[S.SGD_SVM_S_AVG_WFRAC], avgBias: sc[S.SGD_SVM_S_AVG_BIAS],
      perm: this.heap.i32(perm, this.rows).slice(),
    };
  }

  setState(s: SolverState): void {
    const hd = this.live();
    checkSolverState('Solver.setState', s, this.rows, this.cols, this.averaged);
    const { v, avg, perm } = this.buffers(hd);
    this.heap.f32(v, this.cols).set(s.v);
    if (avg && s.avg) this.heap.f64(avg, this.cols).set(s.avg);
    if (s.perm) this.heap.i32(perm, this.rows).set(s.perm);
    const sc = new Float64Array(S.SGD_SVM_STATE_SCALARS);
    sc[S.SGD_SVM_S_SCALE] = s.scale;
    sc[S.SGD_SVM_S_BIAS] = s.bias;
    sc[S.SGD_SVM_S_T] = s.t;
    sc[S.SGD_SVM_S_EPOCH] = s.epoch;
    sc[S.SGD_SVM_S_POS] = s.pos;
    sc.set(s.rng, S.SGD_SVM_S_RNG0);
    sc[S.SGD_SVM_S_AVG_DIV] = s.avgDiv;
    sc[S.SGD_SVM_S_AVG_WFRAC] = s.avgWFrac;
    sc[S.SGD_SVM_S_AVG_BIAS] = s.avgBias;
    this.heap.f64(this.scratch, S.SGD_SVM_STATE_SCALARS).set(sc);
    check(this.core, 'sgd_svm_set_state', this.core._sgd_svm_set_state(hd, this.scratch));
    this.begun = s.epoch >= 1;
  }

  /** Frees the solver and every heap copy; idempotent. */
  dispose(): void {
    if (this.handle !== 0) this.core._sgd_svm_destroy(this.handle);
    this.handle = 0;
    this.heap.free();
  }

  private live(): number {
    if (this.handle === 0) throw new AnymlError('DISPOSED', 'Solver: used after dispose()');
    return this.handle;
  }

  /** Pointers to the solver's own v, avg (0 unless averaged) and perm buffers. */
  private buffers(hd: number): { v: number; avg: number; perm: number } {
    const p = this.scratch;
    check(this.core, 'sgd_svm_state_buffers', this.core._sgd_svm_state_buffers(hd, p, p + 4, p + 8));
    const [v, avg, perm] = this.heap.u32(p, 3);
    return { v, avg, perm };
  }
}
