// SPDX-License-Identifier: MIT
// The TomoGAN discriminator (docs/tomogan.md "Discriminator", TomoGAN's tf2/models.py L7–28): six 3×3 'same' ReLU convs with
// strides 1, 2, 1, 2, 1, 2 and widths 64, 64, 128, 128, 128, 4, then flatten → dense 64 (ReLU) → dense 1 (a logit).
// 673,477 parameters for a 256² input. Only training uses it.
import { InvalidInputError } from '../../errors.js';
import { nextU32, seedState } from '../../rng.js';
import { tf } from '../tf.js';
import type { ParamArray } from '../types.js';

export type { ParamArray };

const CONVS = [
  { cout: 64, stride: 1 },
  { cout: 64, stride: 2 },
  { cout: 128, stride: 1 },
  { cout: 128, stride: 2 },
  { cout: 128, stride: 1 },
  { cout: 4, stride: 2 },
] as const;

/** Parameter names and shapes for a crop of `size` px (a multiple of 8: three stride-2 convs) and `depth` 1. */
export function discriminatorShapes(size: number): { name: string; shape: number[] }[] {
  if (!Number.isInteger(size) || size < 8 || size % 8 !== 0)
    throw new InvalidInputError('discriminator: crop size', String(size), 'a multiple of 8, at least 8 (three stride-2 convolutions)');
  const out: { name: string; shape: number[] }[] = [];
  let cin = 1;
  CONVS.forEach((c, i) => {
    out.push({ name: `d_conv${i}/kernel`, shape: [3, 3, cin, c.cout] }, { name: `d_conv${i}/bias`, shape: [c.cout] });
    cin = c.cout;
  });
  const flat = 4 * (size / 8) * (size / 8);
  out.push({ name: 'd_dense0/kernel', shape: [flat, 64] }, { name: 'd_dense0/bias', shape: [64] });
  out.push({ name: 'd_dense1/kernel', shape: [64, 1] }, { name: 'd_dense1/bias', shape: [1] });
  return out;
}

/** Seeded glorot-uniform kernels and zero biases (Keras defaults), as for the generator. */
export function createDiscriminator(size: number, seed: number): ParamArray[] {
  const s = seedState(seed);
  return discriminatorShapes(size).map(({ name, shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    if (name.endsWith('/kernel')) {
      const recept = shape.length === 4 ? shape[0] * shape[1] : 1;
      const fanIn = recept * shape[shape.length - 2];
      const fanOut = recept * shape[shape.length - 1];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let j = 0; j < n; j++) values[j] = (((nextU32(s) + 0.5) / 4294967296) * 2 - 1) * limit;
    }
    return { name, shape, values };
  });
}

/** Logits [B, 1] for NHWC images [B, size, size, 1]; `p` holds tensors in discriminatorShapes order. */
export function discriminatorForward(p: readonly tf.Tensor[], x: tf.Tensor4D): tf.Tensor2D {
  let y: tf.Tensor4D = x;
  CONVS.forEach((c, i) => {
    y = tf.fused.conv2d({ x: y, filter: p[2 * i] as tf.Tensor4D, bias: p[2 * i + 1], strides: c.stride, pad: 'same', activation: 'relu' });
  });
  const flat = tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D;
  const h = tf.fused.matMul({ a: flat, b: p[12] as tf.Tensor2D, bias: p[13], activation: 'relu' }) as tf.Tensor2D;
  return tf.fused.matMul({ a: h, b: p[14] as tf.Tensor2D, bias: p[15] }) as tf.Tensor2D;
}
