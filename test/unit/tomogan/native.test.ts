// SPDX-License-Identifier: MIT
// The `native` backend (issue 5 "Native CPU path in Node"): anyml's ONNX export in onnxruntime-node gives the same
// output as cpu / wasm (test/parity/tomogan-tolerance.ts), tiles like the tfjs backends, and `auto` prefers it in Node.
// onnxruntime-node is an optional dependency: without it these tests skip with the reason, except under CI=true.
import { describe, expect, it } from 'vitest';
import { denoise } from '../../../src/tomogan/denoise.js';
import { createGenerator } from '../../../src/tomogan/model.js';
import { importOrt, loadOrtNode } from '../../../src/tomogan/native.js';
import { TOMOGAN_PARITY_CASE as CASE, TOMOGAN_TOLERANCE as TOL, tomoganRelErr } from '../../parity/tomogan-tolerance.js';
import { randomImage } from './helpers.js';

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
  nativeIt(`matches cpu on the seeded ${CASE.width}×${CASE.height} parity case (tolerance ${TOL.native})`, async () => {
    const model = createGenerator({ seed: CASE.modelSeed });
    const img = randomImage(CASE.width, CASE.height, 1, CASE.imageSeed);
    const cpu = await denoise(img, { model, backend: 'cpu' });
    const nat = await denoise(img, { model, backend: 'native' });
    expect(nat.backend).toBe('native');
    expect(nat.warnings).toEqual([]);
    const d = tomoganRelErr(nat.image.data, cpu.image.data);
    console.log(`parity vs cpu (max |Δ| / max |cpu|): native ${d.toExponential(2)}`);
    expect(cpu.image.data.some((v) => v !== 0)).toBe(true);
    expect(d).toBeLessThanOrEqual(TOL.native);
  });

  nativeIt('3-slice paper-width model: same as wasm (NHWC windows transposed to NCHW)', async () => {
    const model = createGenerator({ depth: 3, widths: 'paper', seed: 32 });
    const img = randomImage(40, 48, 3, 6);
    const wasm = await denoise(img, { model, backend: 'wasm' });
    const nat = await denoise(img, { model, backend: 'native', threads: 1 });
    expect(tomoganRelErr(nat.image.data, wasm.image.data)).toBeLessThanOrEqual(TOL.native);
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
    expect(tomoganRelErr(tiled.image.data, full.image.data)).toBeLessThanOrEqual(1e-5);
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
