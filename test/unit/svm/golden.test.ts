// SPDX-License-Identifier: MIT
// heart_scale golden models (shared with the browser test): Node must reproduce them exactly.
// Regenerate after an intended solver change with: UPDATE_GOLDEN=1 npx vitest run test/unit/svm/golden.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readDataset } from '../../../src/io/node.js';
import { trainSvm } from '../../../src/svm/train.js';
import { GOLDEN_OPTIONS } from '../../fixtures/heart_scale.options.js';
import { describeWithSharedData, SHARED_DATA } from '../../helpers/shared_data.js';

const GOLDEN = new URL('../../fixtures/heart_scale.golden.json', import.meta.url);

describeWithSharedData('heart_scale golden', () => {
  it('wasm-simd, wasm and js reproduce the committed golden models', async () => {
    const data = (await readDataset(join(SHARED_DATA, 'libsvm', 'heart_scale'))).dataset;
    const simd = await trainSvm(data, { ...GOLDEN_OPTIONS, backend: 'wasm-simd' });
    const js = await trainSvm(data, { ...GOLDEN_OPTIONS, backend: 'js' });
    const wasm = await trainSvm(data, { ...GOLDEN_OPTIONS, backend: 'wasm' });
    const now = {
      options: GOLDEN_OPTIONS,
      'wasm-simd': { weights: Array.from(simd.weights), bias: simd.bias },
      js: { weights: Array.from(js.weights), bias: js.bias },
    };
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, JSON.stringify(now, null, 1) + '\n');
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8'));
    expect(now).toEqual(golden);
    expect(Array.from(wasm.weights)).toEqual(golden.js.weights);
    expect(wasm.bias).toBe(golden.js.bias);
  });
});
