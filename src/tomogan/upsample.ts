// SPDX-License-Identifier: MIT
// Half-pixel bilinear ×2 with an exact gradient, for training (docs/tomogan.md "Bilinear upsampling").
import { tf } from './tf.js';

/** t[begin, begin+len) along `axis`. */
function sliceAxis(t: tf.Tensor, axis: number, begin: number, len: number): tf.Tensor {
  const b = t.shape.map((_, i) => (i === axis ? begin : 0));
  const s = t.shape.map((d, i) => (i === axis ? len : d));
  return tf.slice(t, b, s);
}

/**
 * Adjoint of half-pixel bilinear ×2 along `axis` (1 = height, 2 = width) of dy [.., 2n, ..]. Forward, per axis:
 * out[2i] = ¾·x[i] + ¼·x[max(i−1, 0)], out[2i+1] = ¾·x[i] + ¼·x[min(i+1, n−1)]. So, with E = dy[0::2], O = dy[1::2]:
 * dx[i] = ¾·(E[i] + O[i]) + ¼·(up[i] + down[i]), up = [E[1..n−1], O[n−1]], down = [E[0], O[0..n−2]].
 */
function halfPixelUp2Adjoint(dy: tf.Tensor, axis: 1 | 2): tf.Tensor {
  return tf.tidy(() => {
    const shape = dy.shape as number[];
    const n = shape[axis] / 2;
    const split = [...shape.slice(0, axis), n, 2, ...shape.slice(axis + 1)];
    const [e, o] = tf.unstack(tf.reshape(dy, split), axis + 1);
    const up = tf.concat([sliceAxis(e, axis, 1, n - 1), sliceAxis(o, axis, n - 1, 1)], axis);
    const down = tf.concat([sliceAxis(e, axis, 0, 1), sliceAxis(o, axis, 0, n - 1)], axis);
    return tf.add(tf.mul(tf.add(e, o), 0.75), tf.mul(tf.add(up, down), 0.25));
  });
}

/**
 * `upsample2x` (half-pixel bilinear ×2, model.ts) with the exact gradient. tfjs 4.22's ResizeBilinearGrad ignores
 * `halfPixelCenters` on cpu and wasm (webgpu not checked), so `tf.grad` through `resizeBilinear(x, s, false, true)` returns
 * the adjoint of the *non*-half-pixel resize; the cpu kernel also swaps H and W (non-square inputs throw). Same forward
 * values; backward O(size) with plain tf ops on any backend. Tested in test/unit/tomogan/train/wasm_kernels.test.ts.
 */
export function upsample2xExactGrad(x: tf.Tensor4D): tf.Tensor4D {
  const f = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => {
    const t = input as tf.Tensor4D;
    const [, h, w] = t.shape;
    const value = tf.image.resizeBilinear(t, [2 * h, 2 * w], false, true);
    return { value, gradFunc: (dy: tf.Tensor) => tf.tidy(() => halfPixelUp2Adjoint(halfPixelUp2Adjoint(dy, 1), 2)) };
  });
  return f(x) as tf.Tensor4D;
}
