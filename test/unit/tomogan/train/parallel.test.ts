// SPDX-License-Identifier: MIT
// Data-parallel trainTomogan (docs/tomogan.md "Data-parallel training"): one worker equals in-thread training bit
// for bit, two workers equal it within f32 rounding of the split batch mean, resume is exact, and a failing worker
// ends the run with an error naming it and no worker left alive. Tiny crops on wasm: seconds per run.
import { afterEach, describe, expect, it } from 'vitest';
import { nextU32, seedState } from '../../../../src/rng.js';
import type { Image } from '../../../../src/types.js';
import { liveWorkerCount } from '../../../../src/svm/parallel/pool.js';
import { __testHooks } from '../../../../src/tomogan/train/parallel/protocol.js';
import { shareRange } from '../../../../src/tomogan/train/parallel/protocol.js';
import { type TrainCheckpoint, type TrainingPair, type TrainResult, decodeCheckpoint, encodeCheckpoint, trainTomogan } from '../../../../src/tomogan/train/train.js';

/** A smooth seeded 0…255 image plus seeded uniform noise of ±60 (as train.test.ts). */
function pair(size: number, seed: number): TrainingPair {
  const s = seedState(seed);
  const clean = new Float32Array(size * size);
  const noisy = new Float32Array(size * size);
  for (let i = 0; i < size * size; i++) {
    clean[i] = 128 + 100 * Math.cos(Math.hypot(i % size - size / 2, Math.floor(i / size) - size / 3) / 4);
    noisy[i] = clean[i] + 60 * (2 * (nextU32(s) / 2 ** 32) - 1);
  }
  const img = (data: Float32Array): Image => ({ width: size, height: size, depth: 1, data });
  return { noisy: img(noisy), clean: img(clean) };
}
const data = [pair(40, 1), pair(40, 2), pair(40, 3)];
const base = { data, backend: 'wasm' as const, batch: 4, crop: 16, seed: 7 };

afterEach(() => expect(liveWorkerCount()).toBe(0));

/** max over layers of max|a − b| / max|b| (kernels and biases). */
function maxRelDiff(a: TrainResult, b: TrainResult): number {
  let worst = 0;
  for (const [name, w] of b.generator.weights) {
    const v = a.generator.weights.get(name)!;
    for (const [x, ref] of [[v.kernel, w.kernel], [v.bias, w.bias]]) {
      let d = 0, m = 0;
      for (let i = 0; i < ref.length; i++) [d, m] = [Math.max(d, Math.abs(x[i] - ref[i])), Math.max(m, Math.abs(ref[i]))];
      if (m > 0) worst = Math.max(worst, d / m);
    }
  }
  return worst;
}

function expectSameWeights(a: TrainResult, b: TrainResult): void {
  for (const [name, w] of b.generator.weights) {
    expect(a.generator.weights.get(name)!.kernel).toEqual(w.kernel);
    expect(a.generator.weights.get(name)!.bias).toEqual(w.bias);
  }
}

describe('trainTomogan with workers', () => {
  it('splits a batch into contiguous shares of ⌊…⌋ bounds', () => {
    expect([0, 1, 2].map((p) => shareRange(p, 3, 16))).toEqual([[0, 5], [5, 10], [10, 16]]);
  });

  it('one worker equals in-thread training bit for bit (G and D steps, both transports)', async () => {
    const ref = await trainTomogan({ ...base, iterations: 2 });
    for (const transport of ['shared', 'message'] as const) {
      const r = await trainTomogan({ ...base, iterations: 2, workers: 1, transport });
      expect(r.history.map((h) => [h.gLoss, h.mse, h.adv, h.dLoss])).toEqual(ref.history.map((h) => [h.gLoss, h.mse, h.adv, h.dLoss]));
      expectSameWeights(r, ref);
      expect(r.checkpoint.tensors).toEqual(ref.checkpoint.tensors);
    }
  }, 120_000);

  it('two workers equal one within f32 rounding of the split mean (5 iterations)', async () => {
    const ref = await trainTomogan({ ...base, iterations: 5 });
    const r = await trainTomogan({ ...base, iterations: 5, workers: 2 });
    const rel = maxRelDiff(r, ref);
    console.log(`P = 2 vs in-thread after 5 iterations: max relative weight difference ${rel.toExponential(2)}`);
    expect(rel).toBeLessThan(1e-3);
    r.history.forEach((h, i) => expect(Math.abs(h.gLoss - ref.history[i].gLoss)).toBeLessThan(1e-3 * Math.abs(ref.history[i].gLoss)));
  }, 120_000);

  it('resuming a two-worker run from a checkpoint gives the same weights as an uninterrupted one', async () => {
    const ckpts: TrainCheckpoint[] = [];
    const full = await trainTomogan({ ...base, iterations: 3, workers: 2, checkpointEvery: 2, onCheckpoint: (c) => void ckpts.push(c) });
    const { json, bin } = encodeCheckpoint(ckpts[0]);
    const resumed = await trainTomogan({ data, backend: 'wasm', iterations: 3, workers: 2, resume: decodeCheckpoint(json, bin) });
    expect(resumed.history.map((h) => h.gLoss)).toEqual(full.history.map((h) => h.gLoss));
    expectSameWeights(resumed, full);
  }, 120_000);

  for (const transport of ['shared', 'message'] as const)
    for (const at of ['run', 'exit'] as const)
      it(`${transport}: a worker that ${at === 'run' ? 'throws' : 'exits'} ends the run with an error naming it`, async () => {
        __testHooks.failWorker = { index: 1, at };
        const run = trainTomogan({ ...base, iterations: 2, workers: 2, transport });
        await expect(run).rejects.toThrow(at === 'run' ? /trainTomogan: worker 1 failed in step: test hook/ : /trainTomogan: worker 1 exited unexpectedly/);
        await expect(run).rejects.toMatchObject({ code: 'WORKER' });
      }, 60_000);

  it('a hung worker is named after the per-call timeout', async () => {
    __testHooks.failWorker = { index: 0, at: 'hang' };
    __testHooks.timeoutMs = 3000;
    await expect(trainTomogan({ ...base, iterations: 2, workers: 2 })).rejects.toThrow(/trainTomogan: worker 0 did not answer step within 3000 ms/);
  }, 60_000);

  it('rejects workers it cannot use', async () => {
    await expect(trainTomogan({ ...base, workers: 5 })).rejects.toThrow(/options\.workers: got 5, expected at most the batch \(4\)/);
    await expect(trainTomogan({ ...base, workers: 2, lambdaPerc: 1, perceptual: (x) => x })).rejects.toThrow(/options\.workers: got 2, expected 0 when the perceptual term is on/);
  });
});
