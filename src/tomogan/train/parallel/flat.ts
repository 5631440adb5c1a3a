// SPDX-License-Identifier: MIT
// Flat f32 vectors ⇄ lists of tensors: how parameters and gradients travel between coordinator and workers.
import { tf } from '../../tf.js';

/** Tensors of `shapes` cut from `flat` in order (copies: the vector may be a shared buffer that is rewritten). */
export function fromFlat(flat: Float32Array, shapes: readonly number[][]): tf.Tensor[] {
  let off = 0;
  return shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const t = tf.tensor(flat.slice(off, off + n), s);
    off += n;
    return t;
  });
}

/** The values of `ts` written one after the other into `out` (which it returns). */
export async function toFlat(ts: readonly tf.Tensor[], out: Float32Array): Promise<Float32Array> {
  let off = 0;
  for (const t of ts) {
    const v = (await t.data()) as Float32Array;
    out.set(v, off);
    off += v.length;
  }
  return out;
}
