// SPDX-License-Identifier: MIT
// In Chromium: the loader picks the SIMD build, trains heart_scale, and gets the same model as Node for the same seed.
import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { hasSimd, loadCore } from '../../src/backends/wasm/loader.js';
import { parseLibsvm } from '../../src/io/libsvm.js';
import { trainSvm } from '../../src/svm/train.js';
import golden from '../fixtures/heart_scale.golden.json' with { type: 'json' };
import { GOLDEN_OPTIONS } from '../fixtures/heart_scale.options.js';

declare const __ANYML_CI__: boolean;
declare const __ANYML_SHARED_DATA__: string;

async function heartScale(): Promise<string | null> {
  try {
    return await commands.readFile(`${__ANYML_SHARED_DATA__}/libsvm/heart_scale`) // relative to the project root;
  } catch (err) {
    if (__ANYML_CI__) throw new Error(`CI=true requires ${__ANYML_SHARED_DATA__}/libsvm/heart_scale: ${(err as Error).message}`);
    console.warn(`skipping: ${__ANYML_SHARED_DATA__}/libsvm/heart_scale is missing: ` + (err as Error).message);
    return null;
  }
}

describe('anyml in Chromium', () => {
  it('runs cross-origin isolated with WebAssembly SIMD, and the loader picks the SIMD build', async () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    expect(await hasSimd()).toBe(true);
    const core = await loadCore('simd');
    expect(core).toBeTruthy();
  });

  it('trains heart_scale to the same model as Node (wasm-simd bit for bit; wasm and js agree exactly)', async (ctx) => {
    const text = await heartScale();
    if (text === null) return ctx.skip();
    const data = (await parseLibsvm(text, { name: 'heart_scale' })).dataset;
    expect(data.x.rows).toBe(270);
    const simd = await trainSvm(data, { ...GOLDEN_OPTIONS });
    expect(simd.backend).toBe('wasm-simd');
    expect(Array.from(simd.weights)).toEqual(golden['wasm-simd'].weights);
    expect(simd.bias).toBe(golden['wasm-simd'].bias);
    const wasm = await trainSvm(data, { ...GOLDEN_OPTIONS, backend: 'wasm' });
    const js = await trainSvm(data, { ...GOLDEN_OPTIONS, backend: 'js' });
    expect(Array.from(wasm.weights)).toEqual(golden.js.weights);
    expect(Array.from(js.weights)).toEqual(golden.js.weights);
    expect(js.bias).toBe(golden.js.bias);
    expect(simd.evaluate(data).accuracy).toBeGreaterThan(0.8);
  });
});
