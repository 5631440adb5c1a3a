// SPDX-License-Identifier: MIT
// In Chromium: data-parallel training on Web Workers gives the same model over both transports, and P = 1 equals
// the in-thread engine — the browser side of the Node tests in test/unit/svm/parallel.
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import { makeClassification } from '../../src/svm/synthetic.js';
import { trainSvm } from '../../src/svm/train.js';
import { __testHooks } from '../../src/svm/parallel/protocol.js';

const data = makeClassification({ rows: 1500, features: 30, density: 0.3, seed: 4 });
const base = { lambda: 1e-3, epochs: 2, tol: 0, seed: 2, syncEvery: 50 } as const;

describe('parallel training on Web Workers', () => {
  it('runs cross-origin isolated, so the shared transport is picked', async () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    const m = await trainSvm(data, { ...base, workers: 2 });
    expect(m.trainedWith.transport).toBe('shared');
    expect(m.evaluate(data).accuracy).toBeGreaterThan(0.85);
  });

  it('gives the same model over SharedArrayBuffer and message passing, and P = 1 equals in-thread', async () => {
    const shared = await trainSvm(data, { ...base, workers: 3, transport: 'shared' });
    const message = await trainSvm(data, { ...base, workers: 3, transport: 'message' });
    expect(Array.from(message.weights)).toEqual(Array.from(shared.weights));
    expect(message.bias).toBe(shared.bias);
    const one = await trainSvm(data, { ...base, workers: 1 });
    const { syncEvery: _, ...inThreadOptions } = base; // syncEvery applies to workers only
    const inThread = await trainSvm(data, inThreadOptions);
    expect(Array.from(one.weights)).toEqual(Array.from(inThread.weights));
  });

  it('ends with an error naming the worker when one throws, and with AbortError on abort', async () => {
    __testHooks.failWorker = { index: 1, at: 'run' };
    await expect(trainSvm(data, { ...base, workers: 2 })).rejects.toThrow(/worker 1/);
    const ctl = new AbortController();
    const p = trainSvm(data, { ...base, epochs: 50, workers: 2, signal: ctl.signal, onEpoch: (e) => e.epoch === 1 && ctl.abort() });
    await expect(p).rejects.toThrow(AbortError);
  });

  it('detects a worker that closed itself within workerTimeoutMs', async () => {
    const t0 = performance.now();
    __testHooks.failWorker = { index: 0, at: 'exit' };
    await expect(trainSvm(data, { ...base, workers: 2, workerTimeoutMs: 1500 })).rejects.toThrow(/worker 0/);
    expect(performance.now() - t0).toBeLessThan(40_000);
  });
});
