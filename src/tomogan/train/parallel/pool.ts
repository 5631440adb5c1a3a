// SPDX-License-Identifier: MIT
// The TomoGAN training worker as an entry of the shared worker pool (src/svm/parallel/pool.ts).
import { platform } from '#platform';
import type { WorkerEntry } from '../../../svm/parallel/pool.js';

export const tomoganWorkerEntry: WorkerEntry = {
  label: 'trainTomogan',
  node: () => platform.spawnTomoganTrainWorker(),
  // The literal form bundlers recognise (they emit the worker chunk).
  browser: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
};
