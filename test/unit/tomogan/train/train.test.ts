// SPDX-License-Identifier: MIT
// trainTomogan: the discriminator's size, loss going down, exact resume, checkpoint codec, errors.
// On the `wasm` backend (with anyml's gradient kernels, test/unit/tomogan/train/wasm_kernels.test.ts) and tiny crops: seconds.
// (tfjs `cpu` is the gradient reference there, but its Conv2DBackpropFilter takes ~14 s per step even at 16²).
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../src/errors.js';
import { nextU32, seedState } from '../../../../src/rng.js';
import type { Image } from '../../../../src/types.js';
import { createDiscriminator, discriminatorShapes } from '../../../../src/tomogan/train/discriminator.js';
import { type TrainCheckpoint, type TrainingPair, decodeCheckpoint, encodeCheckpoint, trainTomogan } from '../../../../src/tomogan/train/train.js';

/** A smooth seeded 0…255 image and the same plus seeded uniform noise of ±amp: a toy denoising pair. */
function pair(size: number, seed: number, amp = 60): TrainingPair {
  const s = seedState(seed);
  const cx = size * (0.3 + 0.4 * (nextU32(s) / 2 ** 32));
  const cy = size * (0.3 + 0.4 * (nextU32(s) / 2 ** 32));
  const clean = new Float32Array(size * size);
  const noisy = new Float32Array(size * size);
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) {
      const v = 128 + 100 * Math.cos(Math.hypot(i - cy, j - cx) / 4);
      clean[i * size + j] = v;
      noisy[i * size + j] = v + amp * (2 * (nextU32(s) / 2 ** 32) - 1);
    }
  const img = (data: Float32Array): Image => ({ width: size, height: size, depth: 1, data });
  return { noisy: img(noisy), clean: img(clean) };
}
const data = [pair(40, 1), pair(40, 2), pair(40, 3)];

describe('TomoGAN discriminator', () => {
  it('has the discriminator parameter counts of docs/tomogan.md: 673,477 at 256², 1,459,909 at 512²', () => {
    const count = (n: number) => discriminatorShapes(n).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
    expect(count(256)).toBe(673477);
    expect(count(512)).toBe(1459909);
    expect(createDiscriminator(16, 1).map((p) => p.values.length).reduce((a, b) => a + b)).toBe(count(16));
  });
  it('rejects a crop that is not a multiple of 8', () => {
    expect(() => discriminatorShapes(20)).toThrow(/crop size: got 20, expected a multiple of 8/);
  });
});

describe('trainTomogan (wasm)', () => {
  it('pixel-loss training lowers the MSE on a toy denoising task', async () => {
    const r = await trainTomogan({ data, backend: 'wasm', iterations: 24, batch: 2, crop: 16, lr: 1e-3, lambdaAdv: 0, lambdaMse: 1, seed: 3 });
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const first = mean(r.history.slice(0, 4).map((h) => h.mse));
    const last = mean(r.history.slice(-4).map((h) => h.mse));
    console.log(`toy MSE: first 4 iterations ${first.toFixed(0)}, last 4 ${last.toFixed(0)}`);
    expect(r.history).toHaveLength(24);
    expect(last).toBeLessThan(first * 0.5);
    expect(r.generator.paramCount).toBe(694897);
    expect(r.history.every((h) => h.dLoss === 0 && h.adv === 0)).toBe(true);
  }, 120_000);

  it('with the adversarial term: resuming from a checkpoint gives the same weights as an uninterrupted run', async () => {
    const base = { data, backend: 'wasm' as const, batch: 2, crop: 16, seed: 5, checkpointEvery: 2 };
    const ckpts: TrainCheckpoint[] = [];
    const full = await trainTomogan({ ...base, iterations: 3, onCheckpoint: (c) => void ckpts.push(c) });
    expect(ckpts.map((c) => c.iteration)).toEqual([2, 3]);
    expect(full.history.every((h) => h.dLoss > 0 && h.adv > 0)).toBe(true);
    const { json, bin } = encodeCheckpoint(ckpts[0]);
    const resumed = await trainTomogan({ data, backend: 'wasm', iterations: 3, resume: decodeCheckpoint(json, bin) });
    expect(resumed.history.map((h) => h.gLoss)).toEqual(full.history.map((h) => h.gLoss));
    for (const [name, w] of full.generator.weights) {
      expect(resumed.generator.weights.get(name)!.kernel).toEqual(w.kernel);
      expect(resumed.generator.weights.get(name)!.bias).toEqual(w.bias);
    }
  }, 120_000);

  it('rejects bad options and data with the value and what was expected', async () => {
    await expect(trainTomogan({ data: [], backend: 'wasm' })).rejects.toThrow(InvalidInputError);
    await expect(trainTomogan({ data, backend: 'wasm', crop: 12 })).rejects.toThrow(/options\.crop: got 12, expected a multiple of 8/);
    await expect(trainTomogan({ data, backend: 'wasm', crop: 48 })).rejects.toThrow(/data\[0\]: got 40×40, expected at least the crop size 48×48/);
    await expect(trainTomogan({ data, backend: 'wasm', batch: 0 })).rejects.toThrow(/options\.batch: got 0, expected an integer in \[1, 4096\]/);
    await expect(trainTomogan({ data, backend: 'wasm', lambdaPerc: 1 })).rejects.toThrow(/options\.perceptual: got undefined, expected a feature network/);
    await expect(trainTomogan({ data, backend: 'wasm', itrations: 5 } as never)).rejects.toThrow(/options\.itrations: got an unknown option, .*did you mean 'iterations'/);
    const bad = pair(16, 9);
    bad.noisy.data[5] = NaN;
    await expect(trainTomogan({ data: [bad], backend: 'wasm', crop: 16 })).rejects.toThrow(/data\[0\]\.noisy\.data\[5\]: got NaN/);
    const three = { ...pair(16, 9), noisy: { width: 16, height: 16, depth: 3, data: new Float32Array(768) } };
    await expect(trainTomogan({ data: [three], backend: 'wasm', crop: 16 })).rejects.toThrow(/noisy\.depth: got 3, expected 1/);
  });

  it('a checkpoint buffer of the wrong size is refused', () => {
    const c: TrainCheckpoint = {
      format: 'anyml-tomogan-train-checkpoint', iteration: 1, depth: 1, widths: 'repo', crop: 16, rng: [1, 2, 3, 4],
      settings: { batch: 1, lr: 1, lambdaAdv: 0, lambdaMse: 1, lambdaPerc: 0, itg: 1, itd: 0, augment: false, seed: 0 },
      tensors: [{ name: 'a', shape: [2], values: new Float32Array([1, 2]) }], steps: { g: 1, d: 0 }, history: [],
    };
    const { json, bin } = encodeCheckpoint(c);
    expect(decodeCheckpoint(json, bin).tensors[0].values).toEqual(new Float32Array([1, 2]));
    expect(() => decodeCheckpoint(json, bin.subarray(0, 4))).toThrow(/checkpoint\.bin: got 4 bytes, expected 8 bytes/);
  });
});
