// SPDX-License-Identifier: MIT
// The plain-TS SGD-SVM solver (the test oracle): docs/svm-solver.md operation for operation, so it is bit-identical
// to cpp/svm/sgd_svm.cc built without SIMD. Keep the two in step: same expressions, same evaluation order.
//
// Pegasos-style SGD for the L2-regularised hinge loss:
//   min_{w,b}  (λ/2)·‖w‖² + (1/n)·Σ_i max(0, 1 − y_i·(wᵀx_i + b)),   step η_t = 1/(λ·t)
// Shalev-Shwartz, Singer & Srebro, ICML 2007, Alg. 1, with w = scale·v (lazy shrink, O(nnz) sparse steps) and
// averaged SGD (Polyak & Juditsky 1992) in Bottou's lazy svmasgd form: avg = (a + avgWFrac·v) / avgDiv.
import { AnymlError } from '../../../errors.js';
import { f32Axpy } from '../../../kernels/f32_axpy.js';
import { f32Dot } from '../../../kernels/f32_dot.js';
import { f32Spaxpy } from '../../../kernels/f32_spaxpy.js';
import { f32Spdot } from '../../../kernels/f32_spdot.js';
import type { Matrix } from '../../../types.js';
import {
  checkCount, checkSolverData, checkSolverOptions, checkSolverState,
  type Solver, type SolverOptions, type SolverState,
} from '../../solver.js';
import { bounded, seedState } from '../../../rng.js';

const fround = Math.fround;
const PEGASOS = 0, SEED_ALPHA = 1, PAPER = 2;

export class JsSgdSvm implements Solver {
  readonly rows: number;
  readonly cols: number;
  private readonly indptr: Int32Array | null;
  private readonly indices: Int32Array;
  private readonly values: Float32Array;
  private readonly dense: Float32Array;
  private readonly y: Float32Array;
  private readonly lambda: number;
  private readonly batch: number;
  private readonly schedule: number;
  private readonly shuffle: boolean;
  private readonly averageStart: number;
  private readonly biasScale: number;
  private v: Float32Array;
  private avg: Float64Array | null;
  private perm: Int32Array;
  private rng: Uint32Array;
  private scale = 1;
  private bias = 0;
  private t = 0;
  private epoch = 0;
  private pos = 0;
  private avgDiv = 1;
  private avgWFrac = 0;
  private avgBias = 0;
  private readonly violates: Uint8Array;
  private disposed = false;

  /** Keeps references to x and y (no copy): do not modify them while the solver lives. */
  constructor(x: Matrix, y: Float32Array, opts: SolverOptions) {
    checkSolverOptions('createSolver', opts);
    checkSolverData('createSolver', x, y);
    this.rows = x.rows;
    this.cols = x.cols;
    this.indptr = x.kind === 'csr' ? x.indptr : null;
    this.indices = x.kind === 'csr' ? x.indices : new Int32Array(0);
    this.values = x.kind === 'csr' ? x.values : new Float32Array(0);
    this.dense = x.kind === 'dense' ? x.data : new Float32Array(0);
    this.y = y;
    this.lambda = opts.lambda;
    this.batch = opts.batchSize;
    this.schedule = opts.schedule === 'seed-alpha' ? SEED_ALPHA : opts.schedule === 'paper' ? PAPER : PEGASOS;
    this.shuffle = opts.shuffle;
    this.averageStart = opts.averageStart;
    this.biasScale = opts.biasScale;
    this.v = new Float32Array(this.cols);
    this.avg = opts.averaged ? new Float64Array(this.cols) : null;
    this.perm = new Int32Array(this.rows);
    for (let i = 0; i < this.rows; i++) this.perm[i] = i;
    this.rng = seedState(opts.seed);
    this.violates = new Uint8Array(this.batch);
  }

  beginEpoch(): void {
    this.live();
    this.epoch += 1;
    this.pos = 0;
    if (!this.shuffle) return;
    const p = this.perm, s = this.rng;
    for (let i = this.rows - 1; i >= 1; i--) {
      const j = bounded(s, i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
  }

  run(count: number): number {
    this.live();
    checkCount('Solver.run', count);
    if (this.epoch < 1) throw new AnymlError('STATE', 'Solver.run: no epoch begun: call beginEpoch() first');
    const todo = Math.min(count, this.rows - this.pos);
    for (let done = 0; done < todo; ) {
      const k = Math.min(this.batch, todo - done);
      this.step(k);
      done += k;
    }
    return todo;
  }

  runEpoch(): void {
    this.beginEpoch();
    this.run(this.rows);
  }

  weights(): { w: Float32Array; bias: number } {
    this.live();
    const w = new Float32Array(this.cols);
    return { w, bias: this.model(w) };
  }

  objective(): number {
    const { w, bias } = this.weights();
    let reg = 0;
    for (let j = 0; j < this.cols; j++) reg += w[j] * w[j];
    let loss = 0;
    for (let i = 0; i < this.rows; i++) {
      const h = 1 - this.y[i] * (this.rowDot(i, w) + bias);
      if (h > 0) loss += h;
    }
    return (this.lambda / 2) * reg + loss / this.rows;
  }

  getState(): SolverState {
    this.live();
    return {
      v: this.v.slice(), scale: this.scale, bias: this.bias, t: this.t, epoch: this.epoch, pos: this.pos,
      rng: this.rng.slice(), avg: this.avg ? this.avg.slice() : null,
      avgDiv: this.avgDiv, avgWFrac: this.avgWFrac, avgBias: this.avgBias, perm: this.perm.slice(),
    };
  }

  setState(s: SolverState): void {
    this.live();
    checkSolverState('Solver.setState', s, this.rows, this.cols, this.avg !== null);
    this.v.set(s.v);
    if (this.avg && s.avg) this.avg.set(s.avg);
    if (s.perm) this.perm.set(s.perm);
    this.rng.set(s.rng);
    ({ scale: this.scale, bias: this.bias, t: this.t, epoch: this.epoch, pos: this.pos } = s);
    ({ avgDiv: this.avgDiv, avgWFrac: this.avgWFrac, avgBias: this.avgBias } = s);
  }

  dispose(): void {
    this.disposed = true;
  }

  private live(): void {
    if (this.disposed) throw new AnymlError('DISPOSED', 'Solver: used after dispose()');
  }

  /** dot(w, x_r) with the f32 kernel twins (f32_spdot for CSR rows, f32_dot for dense rows). */
  private rowDot(r: number, w: Float32Array): number {
    const ip = this.indptr;
    if (ip) return f32Spdot(ip[r + 1] - ip[r], this.indices, this.values, w, ip[r]);
    return f32Dot(this.cols, this.dense, w, r * this.cols, 0);
  }

  /** v ← v + alpha·x_r; while avgWFrac ≠ 0, a_j ← a_j − avgWFrac·(v_new − v_old) keeps the average fixed. */
  private addRow(r: number, alpha: number): void {
    const v = this.v, a = this.avg, f = this.avgWFrac, ip = this.indptr;
    if (ip) {
      const b = ip[r], e = ip[r + 1];
      if (a === null || f === 0) return f32Spaxpy(e - b, alpha, this.indices, this.values, v, b);
      for (let p = b; p < e; p++) {
        const j = this.indices[p];
        const old = v[j], nw = fround(old + fround(alpha * this.values[p]));
        v[j] = nw;
        a[j] = a[j] - f * (nw - old);
      }
      return;
    }
    const off = r * this.cols, x = this.dense;
    if (a === null || f === 0) return f32Axpy(this.cols, alpha, x, v, off);
    for (let j = 0; j < this.cols; j++) {
      const old = v[j], nw = fround(old + fround(alpha * x[off + j]));
      v[j] = nw;
      a[j] = a[j] - f * (nw - old);
    }
  }

  /** Fold the averaged share of v into a, then v_j ← f32(v_j·(scale·shrink)) and scale ← 1. */
  private materialise(shrink: number): void {
    const v = this.v, a = this.avg;
    if (a !== null && this.avgWFrac !== 0) {
      for (let j = 0; j < this.cols; j++) a[j] = a[j] + this.avgWFrac * v[j];
      this.avgWFrac = 0;
    }
    const f = this.scale * shrink;
    for (let j = 0; j < this.cols; j++) v[j] = v[j] * f;
    this.scale = 1;
  }

  /** One mini-batch of k samples from perm[pos] (docs/svm-solver.md steps 1–8). */
  private step(k: number): void {
    const p = this.perm, base = this.pos, y = this.y, viol = this.violates;
    for (let i = 0; i < k; i++) {
      const r = p[base + i];
      viol[i] = y[r] * (this.scale * this.rowDot(r, this.v) + this.bias) < 1 ? 1 : 0;
    }
    const t = this.t, lambda = this.lambda, sched = this.schedule;
    let shrink = 1;
    for (let i = 1; i <= k; i++) {
      const tau = t + i;
      shrink *= sched === SEED_ALPHA ? 1 - lambda / tau : sched === PAPER ? 1 - 1 / this.epoch : 1 - 1 / tau;
    }
    const c = sched === SEED_ALPHA ? 1 / (t + k) : sched === PAPER ? 1 / (lambda * this.epoch) : 1 / (lambda * (t + k));
    // Bias: plain subgradient rate for the non-strongly-convex b (docs/svm-solver.md step 4).
    const cb = this.biasScale / Math.sqrt(k * (t + k));
    if (shrink <= 0) {
      this.materialise(shrink);
    } else {
      this.scale *= shrink;
      if (this.scale < 1e-9) this.materialise(1);
    }
    for (let i = 0; i < k; i++) {
      if (!viol[i]) continue;
      const r = p[base + i], yi = y[r];
      this.addRow(r, fround((c * yi) / this.scale));
      this.bias = this.bias + cb * yi;
    }
    this.t = t + k;
    this.pos = base + k;
    const a = this.avg;
    if (a !== null && this.t > this.averageStart) {
      const mu = k / (this.t - this.averageStart);
      if (mu >= 1) {
        a.fill(0);
        this.avgWFrac = this.scale;
        this.avgDiv = 1;
        this.avgBias = this.bias;
      } else {
        this.avgDiv = this.avgDiv / (1 - mu);
        this.avgWFrac = this.avgWFrac + mu * this.scale * this.avgDiv;
        this.avgBias = (1 - mu) * this.avgBias + mu * this.bias;
      }
    }
  }

  /** The current model, or the averaged one once t > averageStart; writes w and returns the bias. */
  private model(w: Float32Array): number {
    const v = this.v, a = this.avg;
    if (a !== null && this.t > this.averageStart) {
      for (let j = 0; j < this.cols; j++) w[j] = (a[j] + this.avgWFrac * v[j]) / this.avgDiv;
      return this.avgBias;
    }
    for (let j = 0; j < this.cols; j++) w[j] = this.scale * v[j];
    return this.bias;
  }
}
