// SPDX-License-Identifier: MIT
// Shared helpers for the TomoGAN tests: seeded images and relative error.
import { nextU32, seedState } from '../../../src/rng.js';
import type { Image } from '../../../src/tomogan/image.js';

/** A seeded image with values in [0, 255) (TomoGAN's 0…255 input scale, TOMOGAN.md "Training data format"). */
export function randomImage(width: number, height: number, depth = 1, seed = 1): Image {
  const s = seedState(seed);
  const data = new Float32Array(width * height * depth);
  for (let i = 0; i < data.length; i++) data[i] = (nextU32(s) / 2 ** 32) * 255;
  return { width, height, depth, data };
}

/** max |a − b| / max |ref|. */
export function relErr(a: Float32Array, ref: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(a[i] - ref[i]));
    m = Math.max(m, Math.abs(ref[i]));
  }
  return d / m;
}
