// SPDX-License-Identifier: MIT
// trainTomogan: the TomoGAN training loop (docs/tomogan.md "Training") in tfjs, browser-safe. Per iteration: `itg`
// generator steps, then `itd` discriminator steps, each on a fresh minibatch of random crops. Generator loss
// λ_mse·MSE(G(x), y) + λ_adv·BCE(1, D(G(x))) [+ λ_perc·MSE(F(G(x)), F(y)) with a user feature net F]; discriminator
// loss BCE(1, D(y)) + BCE(0, D(G(x))). Adam (own, ./adam.ts) so the whole state goes into checkpoints.
import { AbortError } from '../../errors.js';
import { useBackend, useGradients } from '../backends/index.js';
import { tf } from '../tf.js';
import { drawBatch, validateData } from './batch.js';
import { discriminatorForward } from './discriminator.js';
import { type TrainSettings, resolveTrainOptions } from './options.js';
import { TrainState } from './state.js';
import type { TrainCheckpoint, TrainRecord, TrainResult, TrainTomoganOptions } from './types.js';
import { registerWasmTrainingKernels } from './wasm_kernels.js';

export { decodeCheckpoint, encodeCheckpoint, generatorFromCheckpoint } from './checkpoint.js';
export { resolveTrainOptions } from './options.js';
export type { TrainCheckpoint, TrainingPair, TrainRecord, TrainResult, TrainTomoganOptions } from './types.js';

const BCE = (logits: tf.Tensor, target: 0 | 1): tf.Scalar =>
  tf.losses.sigmoidCrossEntropy(target ? tf.onesLike(logits) : tf.zerosLike(logits), logits) as tf.Scalar;

/** One run's fixed parts: settings, state, data and the forward of G with the state's parameters. */
interface Run {
  s: TrainSettings;
  state: TrainState;
  opts: TrainTomoganOptions;
}

const G = (run: Run, p: readonly tf.Tensor[], x: tf.Tensor4D): tf.Tensor4D => {
  const params = new Map(run.state.specs.map((sp, i) => [sp.name, { k: p[2 * i] as tf.Tensor4D, b: p[2 * i + 1] as tf.Tensor1D }]));
  return run.state.shell.forward(x, { params, keep: true });
};

function batchTensors(run: Run): { x: tf.Tensor4D; y: tf.Tensor4D } {
  const { st, crop, depth } = run.s;
  const { x, y } = drawBatch(run.opts.data, run.state.rng, st.batch, crop, depth, st.augment);
  return { x: tf.tensor4d(x, [st.batch, crop, crop, depth]), y: tf.tensor4d(y, [st.batch, crop, crop, 1]) };
}

/** One generator step on a fresh batch; records the loss and its parts (unweighted) into `rec`. */
async function generatorStep(run: Run, rec: TrainRecord): Promise<void> {
  const { st } = run.s;
  const { state, opts } = run;
  const { x, y } = batchTensors(run);
  const parts: tf.Scalar[] = [];
  const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => {
    const out = G(run, p, x);
    const mse = tf.losses.meanSquaredError(y, out) as tf.Scalar;
    let loss = tf.mul(mse, st.lambdaMse) as tf.Scalar;
    parts.push(tf.keep(mse));
    if (state.useD) {
      const adv = BCE(discriminatorForward(state.dP, out), 1);
      loss = tf.add(loss, tf.mul(adv, st.lambdaAdv));
      parts.push(tf.keep(adv));
    }
    if (st.lambdaPerc > 0) {
      const perc = tf.losses.meanSquaredError(opts.perceptual!(y) as tf.Tensor, opts.perceptual!(out) as tf.Tensor) as tf.Scalar;
      loss = tf.add(loss, tf.mul(perc, st.lambdaPerc));
      parts.push(tf.keep(perc));
    }
    return loss;
  })(state.gP);
  state.gP = state.adamG.apply(state.gP, grads);
  rec.gLoss = (await value.data())[0];
  rec.mse = (await parts[0].data())[0];
  if (state.useD) rec.adv = (await parts[1].data())[0];
  if (st.lambdaPerc > 0) rec.perc = (await parts[parts.length - 1].data())[0];
  for (const t of [value, x, y, ...parts]) t.dispose();
}

/** One discriminator step on a fresh batch (real crops vs the generator's restorations); adds loss/itd to `rec`. */
async function discriminatorStep(run: Run, rec: TrainRecord): Promise<void> {
  const { state } = run;
  const { x, y } = batchTensors(run);
  const fake = tf.tidy(() => G(run, state.gP, x));
  const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => tf.add(BCE(discriminatorForward(p, y), 1), BCE(discriminatorForward(p, fake), 0)) as tf.Scalar)(state.dP);
  state.dP = state.adamD.apply(state.dP, grads);
  rec.dLoss += (await value.data())[0] / run.s.st.itd;
  for (const t of [value, x, y, fake]) t.dispose();
}

/** Makes the tfjs backend current, with gradients and (on wasm) anyml's training kernels. */
async function prepareBackend(backend: TrainSettings['backend']): Promise<void> {
  await useBackend(backend);
  await useGradients();
  // Conv2DBackpropFilter is missing on wasm; the stride-1 Conv2DBackpropInput route makes steps ~3.5× faster and the
  // cpu-exact MaxPoolGrad routes ties and non-positive maxima as the reference does (wasm_kernels.ts).
  if (backend === 'wasm') registerWasmTrainingKernels({ fastConv2DBackpropInput: true, fixMaxPoolGrad: true });
}

/** Trains (or fine-tunes) the TomoGAN generator; see TrainTomoganOptions. The result's generator is a plain Generator. */
export async function trainTomogan(opts: TrainTomoganOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const s = resolveTrainOptions(opts);
  validateData(opts.data, s.depth, s.crop);
  await prepareBackend(s.backend);
  const run: Run = { s, state: new TrainState(s, opts.init, opts.resume), opts };
  const { state } = run;
  let last: TrainCheckpoint | undefined;
  try {
    for (let it = (opts.resume?.iteration ?? 0) + 1; it <= s.iterations; it++) {
      if (opts.signal?.aborted) throw new AbortError(`trainTomogan aborted before iteration ${it}`);
      const ti = performance.now();
      const rec: TrainRecord = { iteration: it, gLoss: 0, mse: 0, adv: 0, perc: 0, dLoss: 0, ms: 0 };
      for (let k = 0; k < s.st.itg; k++) await generatorStep(run, rec);
      if (state.useD) for (let k = 0; k < s.st.itd; k++) await discriminatorStep(run, rec);
      rec.ms = performance.now() - ti;
      state.history.push(rec);
      opts.onProgress?.(rec);
      if (it % s.checkpointEvery === 0 || it === s.iterations) {
        last = await state.snapshot(it);
        await opts.onCheckpoint?.(last);
      }
    }
    return { generator: await state.generator(), history: state.history, backend: s.backend, seconds: (performance.now() - t0) / 1000, checkpoint: last! };
  } finally {
    state.dispose();
  }
}
