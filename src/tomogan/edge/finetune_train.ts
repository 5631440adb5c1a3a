// SPDX-License-Identifier: MIT
// Training of the fine-tune network (src/tomogan/edge/finetune.ts) in float on tfjs: inputs are the stitched int8
// tile outputs (dequantized: exactly the values the int8 network will see), targets the float generator's full-frame
// output or the clean image. Loss: mean squared error on random crops; Adam (src/tomogan/train/adam.ts).
import { InvalidInputError } from '../../errors.js';
import { bounded, seedState } from '../../rng.js';
import { useBackend, useGradients } from '../backends/index.js';
import { tf } from '../tf.js';
import { Adam } from '../train/adam.js';
import { registerWasmTrainingKernels } from '../train/wasm_kernels.js';
import { type FinetuneConfig, type FinetuneWeights, createFinetune, finetuneShapes } from './finetune.js';

/** One training image: the stitched int8 output and its target, both single-slice H × W on the 0…255 scale. */
export interface FinetunePair {
  input: Float32Array;
  target: Float32Array;
  width: number;
  height: number;
}

export interface TrainFinetuneOptions {
  config?: Partial<FinetuneConfig>;
  /** Adam steps (default 600). */
  steps?: number;
  /** Crops per step (default 8). */
  batch?: number;
  /** Crop side in px (default 96: every crop crosses a 64-px tile seam). */
  crop?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  seed?: number;
  /** tfjs backend (default 'wasm'). */
  backend?: 'wasm' | 'cpu';
  onStep?: (step: number, loss: number) => void;
}

export interface TrainFinetuneResult {
  weights: FinetuneWeights;
  /** Mean loss of the first and the last 10 % of the steps. */
  loss: { first: number; last: number };
  ms: number;
}

function forward(x: tf.Tensor4D, params: tf.Tensor[], layers: number): tf.Tensor4D {
  let y = x;
  for (let i = 0; i < layers; i++) {
    const last = i === layers - 1;
    y = tf.fused.conv2d({ x: y, filter: params[2 * i] as tf.Tensor4D, bias: params[2 * i + 1], strides: 1, pad: 'same', activation: last ? 'linear' : 'relu' });
  }
  return tf.add(x, y);
}

/** `batch` seeded crops of side `crop` from the pairs, as two [batch, crop, crop, 1] arrays. */
function crops(pairs: FinetunePair[], batch: number, crop: number, rng: Uint32Array): [Float32Array, Float32Array] {
  const xs = new Float32Array(batch * crop * crop);
  const ys = new Float32Array(batch * crop * crop);
  for (let b = 0; b < batch; b++) {
    const p = pairs[bounded(rng, pairs.length)];
    const y0 = bounded(rng, p.height - crop + 1);
    const x0 = bounded(rng, p.width - crop + 1);
    for (let y = 0; y < crop; y++) {
      const s = (y0 + y) * p.width + x0;
      xs.set(p.input.subarray(s, s + crop), (b * crop + y) * crop);
      ys.set(p.target.subarray(s, s + crop), (b * crop + y) * crop);
    }
  }
  return [xs, ys];
}

function check(pairs: FinetunePair[], crop: number): void {
  if (!pairs.length) throw new InvalidInputError('trainFinetune: pairs', 'an empty set', 'at least one pair');
  pairs.forEach((p, i) => {
    if (p.width < crop || p.height < crop) throw new InvalidInputError(`trainFinetune: pairs[${i}]`, `${p.width}×${p.height}`, `at least the ${crop}-px crop`);
    if (p.input.length !== p.width * p.height || p.target.length !== p.input.length)
      throw new InvalidInputError(`trainFinetune: pairs[${i}]`, `${p.input.length} and ${p.target.length} values`, `width·height = ${p.width * p.height} each`);
  });
}

/** Trains the fine-tune network from its seeded initial weights on `pairs`. */
export async function trainFinetune(pairs: FinetunePair[], o: TrainFinetuneOptions = {}): Promise<TrainFinetuneResult> {
  const t0 = performance.now();
  const { steps = 600, batch = 8, crop = 96, lr = 1e-3, seed = 1 } = o;
  check(pairs, crop);
  const backend = o.backend ?? 'wasm';
  await useBackend(backend);
  await useGradients();
  if (backend === 'wasm') registerWasmTrainingKernels();
  const init = createFinetune(o.config, seed);
  const shapes = finetuneShapes(init.config);
  let params: tf.Tensor[] = shapes.flatMap(([cin, cout], i) => [tf.tensor4d(init.kernels[i], [3, 3, cin, cout]), tf.tensor1d(init.biases[i])]);
  const adam = new Adam({ lr }, params.map((p) => p.shape));
  const rng = seedState(seed ^ 0x5f3759df);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const [xs, ys] = crops(pairs, batch, crop, rng);
    const { value, grads } = tf.tidy(() => {
      const x = tf.tensor4d(xs, [batch, crop, crop, 1]);
      const y = tf.tensor4d(ys, [batch, crop, crop, 1]);
      const f = (...ps: tf.Tensor[]) => tf.mean(tf.squaredDifference(forward(x, ps, shapes.length), y)) as tf.Scalar;
      return tf.valueAndGrads(f)(params);
    });
    losses.push(value.dataSync()[0]);
    value.dispose();
    params = adam.apply(params, grads);
    o.onStep?.(s + 1, losses[s]);
  }
  const weights: FinetuneWeights = {
    config: init.config,
    kernels: params.filter((_, i) => i % 2 === 0).map((t) => t.dataSync() as Float32Array),
    biases: params.filter((_, i) => i % 2 === 1).map((t) => t.dataSync() as Float32Array),
  };
  params.forEach((p) => p.dispose());
  adam.dispose();
  const tenth = Math.max(1, Math.floor(steps / 10));
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  return { weights, loss: { first: mean(losses.slice(0, tenth)), last: mean(losses.slice(-tenth)) }, ms: performance.now() - t0 };
}
