// SPDX-License-Identifier: MIT
// trainTomogan: the TomoGAN training loop (docs/tomogan.md "Training") in tfjs, browser-safe. Per iteration: `itg`
// generator steps, then `itd` discriminator steps, each on a fresh minibatch of random crops. Losses in ./losses.ts.
// Adam (own, ./adam.ts) so the whole state goes into checkpoints. With options.workers, each step's gradient is
// computed by worker threads on shares of the same batch (./parallel/coordinator.ts); Adam still runs here.
import { AbortError } from '../../errors.js';
import { tf } from '../tf.js';
import { drawBatch, validateData } from './batch.js';
import { discriminatorGrads, generatorGrads, type LossModel } from './losses.js';
import { type TrainSettings, resolveTrainOptions } from './options.js';
import { ParallelTrainer } from './parallel/coordinator.js';
import { prepareBackend } from './prepare.js';
import { TrainState } from './state.js';
import type { TrainCheckpoint, TrainRecord, TrainResult, TrainTomoganOptions } from './types.js';

export { decodeCheckpoint, encodeCheckpoint, generatorFromCheckpoint } from './checkpoint.js';
export { resolveTrainOptions } from './options.js';
export type { TrainCheckpoint, TrainingPair, TrainRecord, TrainResult, TrainTomoganOptions } from './types.js';

/** One run's fixed parts: settings, state, data, the losses' view of the model, and the workers if any. */
interface Run {
  s: TrainSettings;
  state: TrainState;
  opts: TrainTomoganOptions;
  model: LossModel;
  workers?: ParallelTrainer;
}

/** One step's loss and gradient: here, or summed over the workers; Adam applied in both cases. */
async function step(run: Run, kind: 'g' | 'd'): Promise<{ value: number; parts: number[] }> {
  const { st, crop, depth } = run.s;
  const { state } = run;
  const b = drawBatch(run.opts.data, state.rng, st.batch, crop, depth, st.augment);
  if (run.workers) return run.workers.step(kind, b.x, b.y);
  const x = tf.tensor4d(b.x, [st.batch, crop, crop, depth]);
  const y = tf.tensor4d(b.y, [st.batch, crop, crop, 1]);
  const f = kind === 'g' ? generatorGrads : discriminatorGrads;
  const { value, grads, parts } = f(run.model, state.gP, state.dP, x, y);
  if (kind === 'g') state.gP = state.adamG.apply(state.gP, grads);
  else state.dP = state.adamD.apply(state.dP, grads);
  const out = { value: (await value.data())[0], parts: [] as number[] };
  for (const t of parts) out.parts.push((await t.data())[0]);
  for (const t of [value, x, y, ...parts]) t.dispose();
  return out;
}

/** One iteration: `itg` generator steps (the record keeps the last one's loss parts), then `itd` discriminator steps. */
async function iteration(run: Run, it: number): Promise<TrainRecord> {
  const { st } = run.s;
  const ti = performance.now();
  const rec: TrainRecord = { iteration: it, gLoss: 0, mse: 0, adv: 0, perc: 0, dLoss: 0, ms: 0 };
  for (let k = 0; k < st.itg; k++) {
    const { value, parts } = await step(run, 'g');
    rec.gLoss = value;
    rec.mse = parts[0];
    if (run.state.useD) rec.adv = parts[1];
    if (st.lambdaPerc > 0) rec.perc = parts[parts.length - 1];
  }
  if (run.state.useD) for (let k = 0; k < st.itd; k++) rec.dLoss += (await step(run, 'd')).value / st.itd;
  rec.ms = performance.now() - ti;
  return rec;
}

/** Trains (or fine-tunes) the TomoGAN generator; see TrainTomoganOptions. The result's generator is a plain Generator. */
export async function trainTomogan(opts: TrainTomoganOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const s = resolveTrainOptions(opts);
  validateData(opts.data, s.depth, s.crop);
  await prepareBackend(s.backend);
  const state = new TrainState(s, opts.init, opts.resume);
  const run: Run = { s, state, opts, model: { specs: state.specs, shell: state.shell, useD: state.useD, st: s.st, perceptual: opts.perceptual } };
  let last: TrainCheckpoint | undefined;
  try {
    if (s.workers > 0) run.workers = await ParallelTrainer.start(s, state, s.transport, opts.signal);
    for (let it = (opts.resume?.iteration ?? 0) + 1; it <= s.iterations; it++) {
      if (opts.signal?.aborted) throw new AbortError(`trainTomogan aborted before iteration ${it}`);
      const rec = await iteration(run, it);
      state.history.push(rec);
      opts.onProgress?.(rec);
      if (it % s.checkpointEvery === 0 || it === s.iterations) {
        last = await state.snapshot(it);
        await opts.onCheckpoint?.(last);
      }
    }
    return { generator: await state.generator(), history: state.history, backend: s.backend, seconds: (performance.now() - t0) / 1000, checkpoint: last! };
  } finally {
    await run.workers?.close();
    state.dispose();
  }
}
