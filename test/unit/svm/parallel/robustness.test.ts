// SPDX-License-Identifier: MIT
// Abort and failure paths of data-parallel training: the right error, promptly, and no worker left alive.
import { describe, expect, it } from 'vitest';
import { AbortError, AnymlError } from '../../../../src/errors.js';
import { liveWorkerCount } from '../../../../src/svm/parallel/pool.js';
import { trainSvm } from '../../../../src/svm/train.js';
import { expectNoLiveWorkers, fixed, small } from './helpers.js';
import { __testHooks } from '../../../../src/svm/parallel/protocol.js';

expectNoLiveWorkers();

const transports = ['shared', 'message'] as const;

describe('data-parallel training: abort and worker failures', () => {
  for (const transport of transports) {
    it(`${transport}: an abort after the first epoch rejects with AbortError`, async () => {
      const ac = new AbortController();
      const run = trainSvm(small(), { ...fixed, epochs: 5, workers: 2, syncEvery: 10, transport, signal: ac.signal, onEpoch: () => ac.abort() });
      await expect(run).rejects.toBeInstanceOf(AbortError);
      expect(liveWorkerCount()).toBe(0);
    });

    it(`${transport}: an abort in the middle of an epoch ends the run within a round`, async () => {
      const ac = new AbortController();
      // b = 1 on 40k rows: thousands of rounds per epoch, so the abort lands mid-epoch.
      const run = trainSvm(small(40000), { ...fixed, epochs: 50, workers: 2, syncEvery: 1, transport, signal: ac.signal });
      setTimeout(() => ac.abort(), 1500);
      const t0 = Date.now();
      await expect(run).rejects.toBeInstanceOf(AbortError);
      expect(Date.now() - t0).toBeLessThan(10000);
      expect(liveWorkerCount()).toBe(0);
    });

    it(`${transport}: a worker that throws ends the run with an error naming it`, async () => {
      __testHooks.failWorker = { index: 1, at: 'run' };
      const run = trainSvm(small(), { ...fixed, epochs: 2, workers: 3, transport });
      await expect(run).rejects.toThrow(/worker 1 failed in (epoch|round): test hook/);
      await expect(run).rejects.toMatchObject({ code: 'WORKER' });
      expect(liveWorkerCount()).toBe(0);
    });

    it(`${transport}: a worker that exits ends the run with an error naming it`, async () => {
      __testHooks.failWorker = { index: 2, at: 'exit' };
      const run = trainSvm(small(), { ...fixed, epochs: 2, workers: 3, transport });
      await expect(run).rejects.toThrow(/worker 2 exited unexpectedly \(exit code 3\)/);
      expect(liveWorkerCount()).toBe(0);
    });

    it(`${transport}: a worker that hangs ends the run after workerTimeoutMs, naming it`, async () => {
      const t0 = Date.now();
      __testHooks.failWorker = { index: 0, at: 'hang' };
      const err = await trainSvm(small(), { ...fixed, epochs: 2, workers: 2, transport, workerTimeoutMs: 400 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AnymlError);
      expect((err as AnymlError).code).toBe('WORKER');
      expect((err as Error).message).toMatch(transport === 'shared' ? /worker 0 made no progress in epoch for 400 ms/ : /worker 0 did not answer round within 400 ms/);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(liveWorkerCount()).toBe(0);
    });
  }

  it('rejects bad options before starting any worker', async () => {
    await expect(trainSvm(small(), { workers: 0 })).rejects.toThrow(/options.workers.*an integer in \[1, 64\]/);
    await expect(trainSvm(small(), { workers: 2, syncEvery: 0 })).rejects.toThrow(/options.syncEvery/);
    await expect(trainSvm(small(), { workers: 2, transport: 'carrier-pigeon' as 'auto' })).rejects.toThrow(/options.transport/);
    await expect(trainSvm(small(3), { ...fixed, workers: 4 })).rejects.toThrow(/options.workers.*at most the rows/);
  });
});
