// SPDX-License-Identifier: MIT
// Node-only entry (`anyml/node`): everything in `anyml` plus file helpers.

export * from './index.js';
export { readDataset } from './io/node.js';
export { writeFileAtomic } from './io/atomic.js';
export { readImage, writeImage, imageFormatFromPath } from './io/node-image.js';
export type { ReadImageOptions, WriteImageOptions } from './io/node-image.js';
