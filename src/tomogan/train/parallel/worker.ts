// SPDX-License-Identifier: MIT
// The worker side of data-parallel TomoGAN training (docs/tomogan.md "Data-parallel training"): its own tfjs
// (single-threaded wasm), a copy of G's and D's parameters, and per step the gradient of its share of the batch.
// Started by ./pool.ts (Node: worker_threads through src/platform/tsx_worker_boot.mjs from .ts sources; browsers:
// a module Worker).
import * as Comlink from 'comlink';
import { platform } from '#platform';
import { createGenerator, layerSpecs, weightShapes } from '../../model.js';
import { tf } from '../../tf.js';
import { discriminatorShapes } from '../discriminator.js';
import { discriminatorGrads, generatorGrads, type LossModel } from '../losses.js';
import { prepareBackend } from '../prepare.js';
import { fromFlat, toFlat } from './flat.js';
import { CTL, flatSize, type StepJob, type StepResult, TomoganLayout, type TomoganWorkerSetup } from './protocol.js';

interface Held {
  setup: TomoganWorkerSetup;
  model: LossModel;
  shapes: { g: number[][]; d: number[][] };
  layout?: TomoganLayout;
  params: { g: tf.Tensor[]; d: tf.Tensor[] };
  steps: number;
}
let held: Held | undefined;

function live(): Held {
  if (!held) throw new Error('no model: setup() was not called');
  return held;
}

/** Test-only fault injection (FailHook), honoured only when the coordinator passed it. */
function maybeFail(s: TomoganWorkerSetup): void {
  const f = s.fail;
  if (!f || f.index !== s.index) return;
  if (f.at === 'run') throw new Error(`test hook: worker ${f.index} throws in step`);
  if (f.at === 'exit') platform.exitWorker(3);
  if (f.at === 'hang') for (;;);
}

/** Replaces the `kind` parameters: from the message, or (shared) from the buffer the coordinator just wrote. */
function load(h: Held, kind: 'g' | 'd', src: Float32Array | true): void {
  let flat: Float32Array;
  if (src === true) {
    const sab = h.setup.sab!;
    Atomics.load(h.layout!.ctl(sab), CTL.GEN); // orders this read after the coordinator's write (it bumps GEN after)
    flat = h.layout!.params(sab, kind);
  } else flat = src;
  for (const t of h.params[kind]) t.dispose();
  h.params[kind] = fromFlat(flat, h.shapes[kind]);
}

const api = {
  async setup(s: TomoganWorkerSetup): Promise<void> {
    await prepareBackend(s.backend);
    const specs = layerSpecs(s);
    const useD = s.st.lambdaAdv > 0;
    const shapes = { g: weightShapes(specs).map((n) => n.shape), d: useD ? discriminatorShapes(s.crop).map((n) => n.shape) : [] };
    const layout = s.sab ? new TomoganLayout(s.workers, flatSize(shapes.g), flatSize(shapes.d)) : undefined;
    // The shell only gives forward() its layer structure: its seeded weights are never read.
    const model: LossModel = { specs, shell: createGenerator({ depth: s.depth, widths: s.widths }), useD, st: s.st };
    held = { setup: s, model, shapes, layout, params: { g: [], d: [] }, steps: 0 };
    load(held, 'g', s.g ?? true);
    load(held, 'd', s.d ?? true);
  },

  /** One step's gradient of this worker's share: in the shared buffer's slot, or returned (transferred). */
  async step(job: StepJob): Promise<StepResult> {
    const h = live();
    const { crop, depth } = h.setup;
    if (h.steps++ === 0) maybeFail(h.setup);
    if (job.g) load(h, 'g', job.g);
    if (job.d) load(h, 'd', job.d);
    const x = tf.tensor4d(job.x, [job.n, crop, crop, depth]);
    const y = tf.tensor4d(job.y, [job.n, crop, crop, 1]);
    const f = job.kind === 'g' ? generatorGrads : discriminatorGrads;
    const r = f(h.model, h.params.g, h.params.d, x, y, job.scale);
    try {
      const value = (await r.value.data())[0];
      const parts: number[] = [];
      for (const t of r.parts) parts.push((await t.data())[0]);
      const sab = h.setup.sab;
      const out = sab ? h.layout!.grad(sab, h.setup.index, job.kind) : new Float32Array(flatSize(h.shapes[job.kind]));
      await toFlat(r.grads, out);
      if (sab) {
        Atomics.add(h.layout!.ctl(sab), CTL.PROGRESS + h.setup.index, 1); // publishes the slot before the reply
        return { value, parts };
      }
      return Comlink.transfer({ value, parts, grad: out }, [out.buffer as ArrayBuffer]);
    } finally {
      for (const t of [x, y, r.value, ...r.parts, ...r.grads]) t.dispose();
    }
  },
};

export type TomoganWorkerApi = typeof api;

// Node: parentPort (through comlink's adapter); browsers: the worker global. No top-level await (see
// src/svm/parallel/worker.ts: browser worker bundles may be classic scripts).
Comlink.expose(api, platform.workerEndpoint());
