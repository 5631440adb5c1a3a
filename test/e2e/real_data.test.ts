// SPDX-License-Identifier: MIT
// Real LIBSVM data from ../shared/data: accuracy bounds with default options, and LIBLINEAR interop both ways.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { readDataset } from '../../src/io/node.js';
import { SvmModel } from '../../src/svm/model.js';
import { trainSvm } from '../../src/svm/train.js';
import { describeWithSharedData, SHARED_DATA } from '../helpers/shared_data.js';
import { missingTool } from '../helpers/tools.js';

const lib = (f: string) => join(SHARED_DATA, 'libsvm', f);

describeWithSharedData('real data, default options', () => {
  it('ijcnn1: test accuracy ≥ 92.5%', async () => {
    const train = (await readDataset(lib('ijcnn1.gz'))).dataset;
    const test = (await readDataset(lib('ijcnn1.t.gz'), { labels: train.labels })).dataset;
    const model = await trainSvm(train);
    const acc = model.evaluate(test).accuracy;
    console.log(`ijcnn1: λ=${model.lambda} epochs=${model.history.length} backend=${model.backend} test accuracy ${(acc * 100).toFixed(2)}%`);
    expect(acc).toBeGreaterThanOrEqual(0.925);
  });

  it('a9a: test accuracy ≥ 84.8%', async () => {
    const train = (await readDataset(lib('a9a.gz'), { features: 123 })).dataset;
    const test = (await readDataset(lib('a9a.t'), { features: 123, labels: train.labels })).dataset;
    const model = await trainSvm(train);
    const acc = model.evaluate(test).accuracy;
    console.log(`a9a: λ=${model.lambda} epochs=${model.history.length} backend=${model.backend} test accuracy ${(acc * 100).toFixed(2)}%`);
    expect(acc).toBeGreaterThanOrEqual(0.848);
  });
});

describeWithSharedData('LIBLINEAR interop (a9a)', () => {
  const skip = missingTool('/usr/bin/liblinear-train', 'apt-get install liblinear-tools');
  const dir = mkdtempSync(join(tmpdir(), 'anyml-ll-'));
  const trainPath = join(dir, 'a9a');
  const testPath = lib('a9a.t');
  const labelsOf = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map(Number);

  it.skipIf(skip)('a liblinear-train model loads in anyml and predicts the same labels', async () => {
    writeFileSync(trainPath, gunzipSync(readFileSync(lib('a9a.gz'))));
    execFileSync('liblinear-train', ['-s', '3', '-B', '1', '-q', trainPath, join(dir, 'll.model')]);
    execFileSync('liblinear-predict', [testPath, join(dir, 'll.model'), join(dir, 'll.out')], { stdio: 'ignore' });
    const model = SvmModel.fromLiblinear(readFileSync(join(dir, 'll.model'), 'utf8'), 'll.model');
    const test = (await readDataset(testPath, { features: 123 })).dataset;
    const ours = Array.from(model.predict(test));
    const theirs = labelsOf(join(dir, 'll.out'));
    expect(ours.length).toBe(16281);
    expect(ours).toEqual(theirs);
  });

  it.skipIf(skip)('an anyml model saved as .model gives the same labels in liblinear-predict', async () => {
    const train = (await readDataset(lib('a9a.gz'), { features: 123 })).dataset;
    const model = await trainSvm(train, { lambda: 1e-4, seed: 2 });
    writeFileSync(join(dir, 'anyml.model'), model.toLiblinear());
    execFileSync('liblinear-predict', [testPath, join(dir, 'anyml.model'), join(dir, 'anyml.out')], { stdio: 'ignore' });
    const test = (await readDataset(testPath, { features: 123, labels: train.labels })).dataset;
    expect(labelsOf(join(dir, 'anyml.out'))).toEqual(Array.from(model.predict(test)));
  });
});
