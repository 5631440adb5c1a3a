// SPDX-License-Identifier: MIT
// TomoGAN's training losses and their gradients (docs/tomogan.md "Training"), shared by in-thread training
// (./train.ts) and the data-parallel workers (./parallel/worker.ts) so both run the very same graph.
// Generator: λ_mse·MSE(G(x), y) + λ_adv·BCE(1, D(G(x))) [+ λ_perc·MSE(F(G(x)), F(y))];
// discriminator: BCE(1, D(y)) + BCE(0, D(G(x))).
import type { ConvSpec, Generator } from '../model.js';
import { tf } from '../tf.js';
import type { TensorLike } from '../types.js';
import { discriminatorForward } from './discriminator.js';
import type { TrainCheckpoint } from './types.js';

/** What the losses need of a run: the generator's layers and shell, whether D is on, the weights. */
export interface LossModel {
  specs: readonly ConvSpec[];
  /** A generator of the run's shape that gives forward(); its own weights are never read (params are passed). */
  shell: Generator;
  useD: boolean;
  st: TrainCheckpoint['settings'];
  perceptual?(x: TensorLike): TensorLike;
}

const BCE = (logits: tf.Tensor, target: 0 | 1): tf.Scalar =>
  tf.losses.sigmoidCrossEntropy(target ? tf.onesLike(logits) : tf.zerosLike(logits), logits) as tf.Scalar;

/** G(x) with the parameters `p` (kernel, bias per layer, in layer order). */
export function generatorForward(m: LossModel, p: readonly tf.Tensor[], x: tf.Tensor4D): tf.Tensor4D {
  const params = new Map(m.specs.map((sp, i) => [sp.name, { k: p[2 * i] as tf.Tensor4D, b: p[2 * i + 1] as tf.Tensor1D }]));
  return m.shell.forward(x, { params, keep: true });
}

/** The loss value and gradients of one step, and (generator) the unweighted loss parts: mse, [adv], [perc]. */
export interface StepGrads {
  value: tf.Scalar;
  grads: tf.Tensor[];
  parts: tf.Scalar[];
}

/**
 * The generator loss's value and gradients on (x, y). `scale` multiplies the loss: a worker's share of the global
 * batch passes n_share/batch so that the workers' gradients sum to the full-batch mean's; 1 (in-thread training)
 * leaves the graph unchanged, op for op.
 */
export function generatorGrads(m: LossModel, gP: tf.Tensor[], dP: readonly tf.Tensor[], x: tf.Tensor4D, y: tf.Tensor4D, scale = 1): StepGrads {
  const { st } = m;
  const parts: tf.Scalar[] = [];
  const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => {
    const out = generatorForward(m, p, x);
    const mse = tf.losses.meanSquaredError(y, out) as tf.Scalar;
    let loss = tf.mul(mse, st.lambdaMse) as tf.Scalar;
    parts.push(tf.keep(mse));
    if (m.useD) {
      const adv = BCE(discriminatorForward(dP, out), 1);
      loss = tf.add(loss, tf.mul(adv, st.lambdaAdv));
      parts.push(tf.keep(adv));
    }
    if (st.lambdaPerc > 0) {
      const perc = tf.losses.meanSquaredError(m.perceptual!(y) as tf.Tensor, m.perceptual!(out) as tf.Tensor) as tf.Scalar;
      loss = tf.add(loss, tf.mul(perc, st.lambdaPerc));
      parts.push(tf.keep(perc));
    }
    return scale === 1 ? loss : (tf.mul(loss, scale) as tf.Scalar);
  })(gP);
  return { value, grads, parts };
}

/** The discriminator loss's value and gradients: real crops y vs the generator's restorations of x; `scale` as above. */
export function discriminatorGrads(m: LossModel, gP: readonly tf.Tensor[], dP: tf.Tensor[], x: tf.Tensor4D, y: tf.Tensor4D, scale = 1): StepGrads {
  const fake = tf.tidy(() => generatorForward(m, gP, x));
  const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => {
    const loss = tf.add(BCE(discriminatorForward(p, y), 1), BCE(discriminatorForward(p, fake), 0)) as tf.Scalar;
    return scale === 1 ? loss : (tf.mul(loss, scale) as tf.Scalar);
  })(dP);
  fake.dispose();
  return { value, grads, parts: [] };
}
