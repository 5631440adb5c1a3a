// SPDX-License-Identifier: MIT
// The coordinator of data-parallel TomoGAN training (docs/tomogan.md "Data-parallel training"). Per step: split the
// global batch (drawn by the caller exactly as in-thread) into P contiguous shares, let each worker compute the
// gradient of its share's mean loss × share/batch, sum the P gradients in worker order, apply Adam here (so the
// checkpointed state lives in one place: ../state.ts) and hand the new parameters to the workers before their next step.
import * as Comlink from 'comlink';
import { resolveTransport, WorkerPool } from '../../../svm/parallel/pool.js';
import type { Transport } from '../../../svm/parallel/protocol.js';
import type { TrainSettings } from '../options.js';
import type { TrainState } from '../state.js';
import { fromFlat, toFlat } from './flat.js';
import { tomoganWorkerEntry } from './pool.js';
import { CTL, flatSize, shareRange, type StepJob, type StepResult, takeHooks, TomoganLayout } from './protocol.js';
import type { TomoganWorkerApi } from './worker.js';

type Kind = 'g' | 'd';

export class ParallelTrainer {
  /** Parameters Adam changed since the workers last received them. */
  private readonly dirty = { g: false, d: false };
  private readonly shapes: Record<Kind, number[][]>;

  private constructor(
    private readonly pool: WorkerPool<TomoganWorkerApi>,
    private readonly s: TrainSettings,
    private readonly state: TrainState,
    private readonly layout?: TomoganLayout,
    private readonly sab?: SharedArrayBuffer,
  ) {
    this.shapes = { g: state.gNames.map((n) => n.shape), d: state.dNames.map((n) => n.shape) };
  }

  /** Starts s.workers workers and sends each the settings and the state's current parameters. */
  static async start(s: TrainSettings, state: TrainState, transport: 'auto' | Transport, signal?: AbortSignal): Promise<ParallelTrainer> {
    const P = s.workers;
    const hooks = takeHooks();
    const t = resolveTransport(transport);
    const pool = await WorkerPool.start<TomoganWorkerApi>({ workers: P, transport: t, timeoutMs: hooks.timeoutMs, signal, entry: tomoganWorkerEntry });
    try {
      const gSize = flatSize(state.gNames.map((n) => n.shape)), dSize = flatSize(state.dNames.map((n) => n.shape));
      const layout = t === 'shared' ? new TomoganLayout(P, gSize, dSize) : undefined;
      const sab = layout ? new SharedArrayBuffer(layout.bytes) : undefined;
      const g = await toFlat(state.gP, sab ? layout!.params(sab, 'g') : new Float32Array(gSize));
      const d = await toFlat(state.dP, sab ? layout!.params(sab, 'd') : new Float32Array(dSize));
      if (sab) Atomics.add(layout!.ctl(sab), CTL.GEN, 1);
      const { depth, widths, crop, backend, st } = s;
      const base = { workers: P, backend, depth, widths, crop, st, transport: t, fail: hooks.fail, sab };
      await pool.all('setup', (api, index) => api.setup(sab ? { ...base, index } : { ...base, index, g, d }));
      return new ParallelTrainer(pool, s, state, layout, sab);
    } catch (e) {
      await pool.close();
      throw e;
    }
  }

  /** The parameters of `kind` for the next step's message, after writing them to the shared buffer if there is one. */
  private async outgoing(kind: Kind): Promise<Float32Array | true | undefined> {
    if (!this.dirty[kind]) return undefined;
    this.dirty[kind] = false;
    const ps = kind === 'g' ? this.state.gP : this.state.dP;
    const size = flatSize(this.shapes[kind]);
    if (!this.sab) return toFlat(ps, new Float32Array(size));
    await toFlat(ps, this.layout!.params(this.sab, kind));
    Atomics.add(this.layout!.ctl(this.sab), CTL.GEN, 1); // publishes the write to the workers' Atomics.load
    return true;
  }

  /** The workers' gradients summed in worker order 0, 1, …, P − 1 (f32 adds: the order fixes the rounding). */
  private gradientSum(kind: Kind, res: StepResult[]): Float32Array {
    const grad = (p: number): Float32Array => {
      if (!this.sab) return res[p].grad!;
      Atomics.load(this.layout!.ctl(this.sab), CTL.PROGRESS + p); // orders the read after the worker's write
      return this.layout!.grad(this.sab, p, kind);
    };
    if (res.length === 1) return grad(0);
    const sum = Float32Array.from(grad(0));
    for (let p = 1; p < res.length; p++) {
      const g = grad(p);
      for (let i = 0; i < sum.length; i++) sum[i] += g[i];
    }
    return sum;
  }

  /**
   * One generator ('g') or discriminator ('d') step on the global batch (x, y: NHWC, s.st.batch crops). Returns the
   * full-batch loss (the sum of the workers' scaled losses) and the parts, weighted by share/batch.
   */
  async step(kind: Kind, x: Float32Array, y: Float32Array): Promise<{ value: number; parts: number[] }> {
    const { crop, depth, workers: P } = this.s;
    const B = this.s.st.batch, px = crop * crop;
    const g = await this.outgoing('g'), d = await this.outgoing('d');
    const shares = Array.from({ length: P }, (_, p) => shareRange(p, P, B));
    const res = await this.pool.all('step', (api, p) => {
      const [lo, hi] = shares[p];
      const job: StepJob = { kind, x: x.slice(lo * px * depth, hi * px * depth), y: y.slice(lo * px, hi * px), n: hi - lo, scale: (hi - lo) / B, g, d };
      return api.step(Comlink.transfer(job, [job.x.buffer as ArrayBuffer, job.y.buffer as ArrayBuffer]));
    });
    const grads = fromFlat(this.gradientSum(kind, res), this.shapes[kind]);
    if (kind === 'g') this.state.gP = this.state.adamG.apply(this.state.gP, grads);
    else this.state.dP = this.state.adamD.apply(this.state.dP, grads);
    this.dirty[kind] = true;
    const w = shares.map(([lo, hi]) => (hi - lo) / B);
    const value = res.reduce((a, r) => a + r.value, 0);
    const parts = res[0].parts.map((_, j) => res.reduce((a, r, p) => a + w[p] * r.parts[j], 0));
    return { value, parts };
  }

  /** Terminates every worker (idempotent). */
  close(): Promise<void> {
    return this.pool.close();
  }
}
