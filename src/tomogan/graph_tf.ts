// SPDX-License-Identifier: MIT
// A quant/graph.ts Graph run in float32 on the active tfjs backend: the float reference that calibration reads its
// ranges from (every tensor is shown to `onTensor` once), and the float path of the fine-tune network.
import { type Graph, type GraphOp, opInputs } from '../quant/graph.js';
import { upsample2x } from './model.js';
import { tf } from './tf.js';

type Weights = Map<number, { k: tf.Tensor4D; b: tf.Tensor1D }>;
const cache = new WeakMap<Graph, { backend: string; w: Weights }>();

/** The graph's conv weights as tensors on the active backend, made once per graph and backend. */
function weights(g: Graph): Weights {
  const backend = tf.getBackend();
  const hit = cache.get(g);
  if (hit?.backend === backend) return hit.w;
  const w: Weights = new Map();
  g.ops.forEach((op, i) => {
    if (op.kind !== 'conv') return;
    const cin = g.tensors[op.input].channels;
    const cout = g.tensors[op.output].channels;
    w.set(i, { k: tf.tensor4d(op.kernel, [op.k, op.k, cin, cout]), b: tf.tensor1d(op.bias) });
  });
  cache.set(g, { backend, w });
  return w;
}

/** Frees the weight tensors `runGraphTf` made for this graph. */
export function disposeGraphTf(g: Graph): void {
  const hit = cache.get(g);
  if (!hit) return;
  for (const { k, b } of hit.w.values()) k.dispose(), b.dispose();
  cache.delete(g);
}

function apply(op: GraphOp, x: tf.Tensor4D[], w: { k: tf.Tensor4D; b: tf.Tensor1D } | undefined): tf.Tensor4D {
  switch (op.kind) {
    case 'conv':
      return tf.fused.conv2d({ x: x[0], filter: w!.k, bias: w!.b, strides: 1, pad: op.k === 1 ? 'valid' : 'same', activation: op.relu ? 'relu' : 'linear' });
    case 'maxpool':
      return tf.maxPool(x[0], 2, 2, 'same');
    case 'upsample':
      return upsample2x(x[0]);
    case 'concat':
      return tf.concat(x, 3);
    case 'add':
      return tf.tidy(() => (op.relu ? tf.relu(tf.add(x[0], x[1])) : tf.add(x[0], x[1])) as tf.Tensor4D);
  }
}

/**
 * Runs `g` on NHWC `x` [B, H, W, channels] (H, W multiples of the graph's largest stride). Every intermediate is
 * disposed after its last reader; `onTensor(index, tensor)` sees each one (the input too) while it is alive. The
 * input is not disposed; the returned output is the caller's.
 */
export function runGraphTf(g: Graph, x: tf.Tensor4D, onTensor?: (index: number, t: tf.Tensor4D) => void): tf.Tensor4D {
  const w = weights(g);
  const last = new Map<number, number>();
  g.ops.forEach((op, i) => opInputs(op).forEach((j) => last.set(j, i)));
  const live = new Map<number, tf.Tensor4D>([[g.input, x]]);
  onTensor?.(g.input, x);
  g.ops.forEach((op, i) => {
    const ins = opInputs(op).map((j) => live.get(j)!);
    const y = apply(op, ins, w.get(i));
    live.set(op.output, y);
    onTensor?.(op.output, y);
    if (!last.has(op.output) && op.output !== g.output) y.dispose(), live.delete(op.output); // read by nothing
    for (const j of opInputs(op)) {
      if (last.get(j) !== i || j === g.input || j === g.output) continue;
      live.get(j)!.dispose();
      live.delete(j);
    }
  });
  return live.get(g.output)!;
}
