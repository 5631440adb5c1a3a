// SPDX-License-Identifier: MIT
// The `native` backend: anyml's ONNX export in onnxruntime-node, for 3-slice models too; it tiles like the tfjs
// backends and `auto` prefers it in Node. Parity with cpu on the shared case is in test/parity/tomogan.parity.test.ts.
// onnxruntime-node is an optional dependency: without it these tests skip with the reason, except under CI=true.
import { describe, expect, it } from 'vitest';
import { importOrt, loadOrtNode } from '../../../../src/tomogan/backends/native.js';
import { denoise } from '../../../../src/tomogan/denoise.js';
import { createGenerator } from '../../../../src/tomogan/model.js';
import { randomImage, relErr } from '../../../helpers/tomogan.js';
import { TOMOGAN_TOLERANCE as TOL } from '../../../parity/tomogan_tolerance.js';

const missing = await loadOrtNode().then(
  () => null,
  (e: Error) => e.message,
);
if (missing) {
  if (process.env.CI === 'true') throw new Error(`CI=true requires the optional dependency onnxruntime-node: ${missing}`);
  console.warn(`skipping the native-backend tests: ${missing}`);
}
const nativeIt = it.skipIf(!!missing);

describe('native backend (onnxruntime-node)', () => {
  nativeIt('3-slice paper-width model: same as wasm (NHWC windows transposed to NCHW)', async () => {
    const model = createGenerator({ depth: 3, widths: 'paper', seed: 32 });
    const img = randomImage(40, 48, 3, 6);
    const wasm = await denoise(img, { model, backend: 'wasm' });
    const nat = await denoise(img, { model, backend: 'native', threads: 1 });
    expect(relErr(nat.image.data, wasm.image.data)).toBeLessThanOrEqual(TOL.native);
  });

  nativeIt('tiled (odd size, batch 2) equals its own full frame within 1e-5', async () => {
    const model = createGenerator({ seed: 7 });
    const img = randomImage(203, 141, 1, 9);
    const full = await denoise(img, { model, backend: 'native' });
    const calls: number[] = [];
    const tiled = await denoise(img, { model, backend: 'native', tile: 64, halo: 56, batch: 2, onProgress: (d) => calls.push(d) });
    expect(full.tiles).toBe(1);
    expect(tiled.tiles).toBe(12);
    expect(calls).toEqual([2, 4, 6, 8, 10, 12]);
    expect([tiled.image.width, tiled.image.height]).toEqual([203, 141]);
    expect(relErr(tiled.image.data, full.image.data)).toBeLessThanOrEqual(1e-5);
  });

  nativeIt("'auto' in Node picks native when no hardware WebGPU adapter exists", async () => {
    const r = await denoise(randomImage(24, 16), { model: createGenerator({ seed: 1 }) });
    // A hardware GPU would win; CI and this machine have none (llvmpipe is refused, webgpu.test.ts).
    expect(r.backend).toBe('native');
  });

  it('rejects a bad thread count with the value and what is expected', async () => {
    await expect(denoise(randomImage(8, 8), { model: createGenerator(), backend: 'native', threads: -1 })).rejects.toThrow(
      /denoise: options\.threads: got -1, expected an integer ≥ 0/,
    );
  });
});

describe('native backend when onnxruntime-node is missing', () => {
  it('the error names the package and the offline install command', async () => {
    const e = await importOrt('onnxruntime-node-not-installed').then(
      () => new Error('imported'),
      (x: Error) => x,
    );
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toMatch(/optional dependency onnxruntime-node is not installed .*Cannot find (package|module)/);
    expect(e.message).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node/);
  });

});
