// SPDX-License-Identifier: MIT
// threeSliceFrom: a 3-slice generator that computes what the 1-slice one does on the middle slice, whatever the
// neighbours hold (the start of tomogan-sim-v2-3slice's fine-tune).
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/tomogan/backends/index.js';
import { threeSliceFrom } from '../../../src/tomogan/depth.js';
import { createGenerator } from '../../../src/tomogan/model.js';
import { tf } from '../../../src/tomogan/tf.js';
import { randomImage } from '../../helpers/tomogan.js';

beforeAll(async () => {
  await useBackend('wasm');
});

async function forward(gen: ReturnType<typeof createGenerator>, nhwc: Float32Array, w: number, h: number): Promise<Float32Array> {
  const x = tf.tensor4d(nhwc, [1, h, w, gen.depth]);
  const y = gen.forward(x);
  const out = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return out;
}

describe('threeSliceFrom', () => {
  it('gives the 1-slice output of the middle slice bit for bit, with random neighbours', async () => {
    const g1 = createGenerator({ depth: 1, seed: 11 });
    const g3 = threeSliceFrom(g1);
    expect([g3.depth, g3.widths, g3.paramCount]).toEqual([3, 'repo', 694_913]);
    const [w, h] = [24, 32];
    const img = randomImage(w, h, 3, 5);
    const n = w * h;
    const nhwc = new Float32Array(3 * n);
    for (let z = 0; z < 3; z++) for (let i = 0; i < n; i++) nhwc[i * 3 + z] = img.data[z * n + i];
    const mid = img.data.slice(n, 2 * n);
    const [a, b] = [await forward(g1, mid, w, h), await forward(g3, nhwc, w, h)];
    expect(Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer))).toBe(0);
    expect(a.some((v) => v !== 0)).toBe(true);
  });

  it('copies the weights (training the 3-slice one leaves the source alone) and refuses a 3-slice source', () => {
    const g1 = createGenerator({ depth: 1, seed: 2 });
    const g3 = threeSliceFrom(g1);
    g3.weights.get('conv2d_1')!.kernel[0] += 1;
    expect(g3.weights.get('conv2d_1')!.kernel[0]).not.toBe(g1.weights.get('conv2d_1')!.kernel[0]);
    expect(() => threeSliceFrom(g3)).toThrow(/threeSliceFrom: gen\.depth.*3.*1-slice/);
  });
});
