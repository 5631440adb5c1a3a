// SPDX-License-Identifier: MIT
// The raw, unscaled public sets (shared data, libsvm/unscaled) and LIBLINEAR 2.3.0's default (-s 1, C = 1) test
// accuracy on each, measured on the same split (the data folder's README).
import { join } from 'node:path';
import { readDataset } from '../../src/io/node.js';
import { SHARED_DATA } from './shared_data.js';

export const raw = (f: string) => join(SHARED_DATA, 'libsvm', 'unscaled', f);

export const UNSCALED_BINARY = [
  { name: 'pima', train: 'pima.train', liblinear: 0.6581 },
  { name: 'musk', train: 'musk.train.gz', liblinear: 0.8737 },
  { name: 'sonar', train: 'sonar.train', liblinear: 0.7857 },
  { name: 'ticdata', train: 'ticdata.train.gz', liblinear: 0.9344 },
];

export const UNSCALED_MULTICLASS = [
  { name: 'satellite', train: 'satellite.train.gz', liblinear: 0.6227 },
  { name: 'vehicle', train: 'vehicle.train', liblinear: 0.7 },
  { name: 'vowel', train: 'vowel.train', liblinear: 0.3939 },
  { name: 'glass', train: 'glass.train', liblinear: 0.4318 },
];

/** A training file and its test file, the test file coded with the training file's labels. */
export async function loadPair(train: string, test: string, features?: number) {
  const tr = await readDataset(train, { features });
  const te = await readDataset(test, { features: tr.features, labels: tr.dataset.labels });
  return { train: tr.dataset, test: te.dataset };
}
