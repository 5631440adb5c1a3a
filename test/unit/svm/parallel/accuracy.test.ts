// SPDX-License-Identifier: MIT
// Data-parallel accuracy on real data (default λ search, default syncEvery): P = 2 and 4 within 0.5 point of P = 1.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readDataset } from '../../../../src/io/node.js';
import { trainSvm } from '../../../../src/svm/train.js';
import { describeWithSharedData, SHARED_DATA } from '../../../helpers/shared_data.js';
import { expectNoLiveWorkers } from './helpers.js';

const lib = (f: string) => join(SHARED_DATA, 'libsvm', f);

describeWithSharedData('data-parallel accuracy on real data', () => {
  expectNoLiveWorkers();
  const cases = [
    { name: 'ijcnn1', train: 'ijcnn1.gz', test: 'ijcnn1.t.gz', features: undefined },
    { name: 'a9a', train: 'a9a.gz', test: 'a9a.t', features: 123 },
  ];
  for (const c of cases) {
    it(`${c.name}: P = 2 and 4 within 0.5 point of P = 1`, async () => {
      const train = (await readDataset(lib(c.train), { features: c.features })).dataset;
      const test = (await readDataset(lib(c.test), { features: c.features, labels: train.labels })).dataset;
      // P = 1 is the in-thread engine bit for bit (equality.test.ts), so the reference runs in this thread.
      const one = await trainSvm(train, { seed: 1 });
      const ref = one.evaluate(test).accuracy;
      for (const workers of [2, 4]) {
        const m = await trainSvm(train, { seed: 1, workers, transport: 'shared' });
        const acc = m.evaluate(test).accuracy;
        console.log(`${c.name} P=${workers}: test accuracy ${(acc * 100).toFixed(2)}% (λ ${m.lambda}) vs P=1 ${(ref * 100).toFixed(2)}% (λ ${one.lambda})`);
        expect(Math.abs(acc - ref)).toBeLessThanOrEqual(0.005);
      }
    }, 240_000);
  }
});
