// SPDX-License-Identifier: MIT
// One-vs-rest multiclass on the raw public sets: accuracy against LIBLINEAR's default, the mean over all eight
// unscaled sets, .model interop with liblinear-train/liblinear-predict both ways, and workers equal to in-thread.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SvmModel } from '../../src/svm/model.js';
import { trainSvm } from '../../src/svm/train.js';
import { describeWithSharedData } from '../helpers/shared_data.js';
import { missingTool } from '../helpers/tools.js';
import { loadPair, raw, UNSCALED_BINARY, UNSCALED_MULTICLASS } from '../helpers/unscaled.js';

const accuracyOf = async (c: { name: string; train: string }) => {
  const { train, test } = await loadPair(raw(c.train), raw(`${c.name}.test`));
  const m = await trainSvm(train);
  return { m, acc: m.evaluate(test).accuracy };
};

describeWithSharedData('raw multiclass sets with default options (one-vs-rest)', () => {
  for (const c of UNSCALED_MULTICLASS) {
    it(`${c.name}: test accuracy ≥ LIBLINEAR's default (${(c.liblinear * 100).toFixed(2)}%)`, async () => {
      const { m, acc } = await accuracyOf(c);
      console.log(`${c.name}: ${m.labels.length} classes, scale ${m.trainedWith.scale}, λ ${m.lambda}: ${(acc * 100).toFixed(2)}% (LIBLINEAR default ${(c.liblinear * 100).toFixed(2)}%)`);
      expect(m.labels.length).toBeGreaterThanOrEqual(4);
      expect(acc).toBeGreaterThanOrEqual(c.liblinear);
    }, 120_000);
  }

  it('the mean over the eight unscaled sets ≥ LIBLINEAR default mean', async () => {
    const all = [...UNSCALED_BINARY, ...UNSCALED_MULTICLASS];
    const ours: number[] = [];
    for (const c of all) ours.push((await accuracyOf(c)).acc);
    const mean = ours.reduce((a, b) => a + b, 0) / all.length;
    const theirs = all.reduce((a, c) => a + c.liblinear, 0) / all.length;
    console.log(`mean over 8 raw sets: anyml ${(mean * 100).toFixed(2)}%, LIBLINEAR default ${(theirs * 100).toFixed(2)}%`);
    expect(mean).toBeGreaterThanOrEqual(theirs);
  }, 300_000);

  it('workers train the classes in parallel and give the in-thread model bit for bit (λ auto, scaling)', async () => {
    const { train } = await loadPair(raw('vehicle.train'), raw('vehicle.test'));
    const here = await trainSvm(train, { seed: 5 });
    for (const workers of [2, 3]) {
      const there = await trainSvm(train, { seed: 5, workers });
      expect(there.lambda).toBe(here.lambda);
      expect(there.trainedWith.scale).toBe(here.trainedWith.scale);
      expect(Array.from(there.weights)).toEqual(Array.from(here.weights));
      expect(Array.from(there.biases)).toEqual(Array.from(here.biases));
    }
  }, 120_000);

  const skip = missingTool('/usr/bin/liblinear-train', 'apt-get install liblinear-tools');
  it.skipIf(skip)('LIBLINEAR interop: its multiclass .model predicts in anyml as in liblinear-predict, and ours in liblinear-predict as in anyml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyml-ovr-'));
    const { train, test } = await loadPair(raw('vehicle.train'), raw('vehicle.test'));
    const predictWithLiblinear = (model: string) => {
      execFileSync('liblinear-predict', [raw('vehicle.test'), model, join(dir, 'out')], { stdio: 'ignore' });
      return readFileSync(join(dir, 'out'), 'utf8').trim().split('\n').map(Number);
    };
    execFileSync('liblinear-train', ['-q', raw('vehicle.train'), join(dir, 'theirs.model')]);
    const theirs = SvmModel.fromLiblinear(readFileSync(join(dir, 'theirs.model'), 'utf8'));
    expect(theirs.labels.length).toBe(4);
    expect(Array.from(theirs.predict(test))).toEqual(predictWithLiblinear(join(dir, 'theirs.model')));
    const ours = await trainSvm(train, { seed: 2 });
    writeFileSync(join(dir, 'ours.model'), ours.toLiblinear());
    expect(predictWithLiblinear(join(dir, 'ours.model'))).toEqual(Array.from(ours.predict(test)));
    expect(SvmModel.fromLiblinear(ours.toLiblinear()).predict(test)).toEqual(ours.predict(test));
  }, 120_000);
});
