// SPDX-License-Identifier: MIT
// Real data as users bring it: the raw, unscaled public sets in ../shared/data/libsvm/unscaled (binary ones here),
// default options against LIBLINEAR's default (-s 1, C = 1) figures on the same split, a scaled model read by
// liblinear-predict, and the λ choice over seeds 1–10 on ijcnn1 and a9a.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { trainSvm } from '../../src/svm/train.js';
import { describeWithSharedData, SHARED_DATA } from '../helpers/shared_data.js';
import { missingTool } from '../helpers/tools.js';
import { loadPair, raw, UNSCALED_BINARY } from '../helpers/unscaled.js';

const lib = (f: string) => join(SHARED_DATA, 'libsvm', f);
const load = loadPair;
const BINARY = UNSCALED_BINARY;

describeWithSharedData('raw, unscaled binary sets with default options', () => {
  for (const c of BINARY) {
    it(`${c.name}: test accuracy ≥ LIBLINEAR's default − 0.5 point (${((c.liblinear - 0.005) * 100).toFixed(2)}%)`, async () => {
      const { train, test } = await load(raw(c.train), raw(`${c.name}.test`));
      const m = await trainSvm(train);
      const acc = m.evaluate(test).accuracy;
      console.log(`${c.name}: scale ${m.trainedWith.scale}, λ ${m.lambda}, ${m.history.length} epochs: ${(acc * 100).toFixed(2)}% (LIBLINEAR default ${(c.liblinear * 100).toFixed(2)}%)`);
      expect(acc).toBeGreaterThanOrEqual(c.liblinear - 0.005);
    }, 120_000);
  }

  const skip = missingTool('/usr/bin/liblinear-predict', 'apt-get install liblinear-tools');
  it.skipIf(skip)('a model trained with max-abs scaling, saved as .model, predicts in liblinear-predict exactly as in anyml', async () => {
    const { train, test } = await load(raw('ticdata.train.gz'), raw('ticdata.test'));
    const m = await trainSvm(train, { seed: 3 });
    expect(m.trainedWith.scale).toBe('maxabs');
    const dir = mkdtempSync(join(tmpdir(), 'anyml-scaled-'));
    writeFileSync(join(dir, 'm.model'), m.toLiblinear());
    execFileSync('liblinear-predict', [raw('ticdata.test'), join(dir, 'm.model'), join(dir, 'out')], { stdio: 'ignore' });
    const theirs = readFileSync(join(dir, 'out'), 'utf8').trim().split('\n').map(Number);
    expect(theirs).toEqual(Array.from(m.predict(test)));
  }, 120_000);
});

describeWithSharedData('λ auto does not flip with the seed (seeds 1–10)', () => {
  const cases = [
    { name: 'ijcnn1', train: 'ijcnn1.gz', test: 'ijcnn1.t.gz', features: undefined, seed1: 0.9281, min: 0.924 },
    { name: 'a9a', train: 'a9a.gz', test: 'a9a.t', features: 123, seed1: 0.8504, min: 0.847 },
  ];
  for (const c of cases) {
    it(`${c.name}: median ≥ ${((c.seed1 - 0.001) * 100).toFixed(2)}%, minimum ≥ ${(c.min * 100).toFixed(1)}%`, async () => {
      const { train, test } = await load(lib(c.train), lib(c.test), c.features);
      const accs: number[] = [];
      for (let seed = 1; seed <= 10; seed++) accs.push((await trainSvm(train, { seed })).evaluate(test).accuracy);
      const sorted = [...accs].sort((a, b) => a - b);
      const median = (sorted[4] + sorted[5]) / 2;
      console.log(`${c.name} seeds 1–10: ${accs.map((a) => (a * 100).toFixed(2)).join(' ')}; median ${(median * 100).toFixed(2)}%`);
      expect(median).toBeGreaterThanOrEqual(c.seed1 - 0.001);
      expect(sorted[0]).toBeGreaterThanOrEqual(c.min);
    }, 300_000);
  }
});
