// SPDX-License-Identifier: MIT
// Shared helpers for the TomoGAN tests: seeded images, one full-frame forward, relative error.
import { nextU32, seedState } from '../../src/rng.js';
import type { Image } from '../../src/types.js';
import { tf } from '../../src/tomogan/tf.js';
import type { Generator } from '../../src/tomogan/model.js';

/** A seeded image with values in [0, 255) (TomoGAN's 0…255 input scale, docs/tomogan.md "Training"). */
export function randomImage(width: number, height: number, depth = 1, seed = 1): Image {
  const s = seedState(seed);
  const data = new Float32Array(width * height * depth);
  for (let i = 0; i < data.length; i++) data[i] = (nextU32(s) / 2 ** 32) * 255;
  return { width, height, depth, data };
}

/** max |a − b| / max |ref|. */
export function relErr(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(a[i] - ref[i]));
    m = Math.max(m, Math.abs(ref[i]));
  }
  return d / m;
}

/** gen.forward on a seeded w × h image (planar [depth][h][w] → NHWC), on the current tfjs backend; one slice out. */
export async function forwardSeeded(gen: Generator, w: number, h: number, seed: number): Promise<Float32Array> {
  const img = randomImage(w, h, gen.depth, seed);
  const nhwc = new Float32Array(img.data.length);
  for (let z = 0; z < gen.depth; z++) for (let i = 0; i < w * h; i++) nhwc[i * gen.depth + z] = img.data[z * w * h + i];
  const x = tf.tensor4d(nhwc, [1, h, w, gen.depth]);
  const y = gen.forward(x);
  x.dispose();
  if (y.shape[1] !== h || y.shape[2] !== w || y.shape[3] !== 1) throw new Error(`forward gave ${y.shape}, expected [1,${h},${w},1]`);
  const out = (await y.data()) as Float32Array;
  y.dispose();
  return out;
}
