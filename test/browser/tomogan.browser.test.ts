// SPDX-License-Identifier: MIT
// In Chromium (--enable-unsafe-webgpu → SwiftShader fallback adapter): TomoGAN on 'webgpu' and
// 'wasm' agrees with 'cpu' within test/parity/tomogan_tolerance.ts, and 'auto' refuses the software adapter (wasm + a warning).
import { describe, expect, it } from 'vitest';
import { webgpuAdapterInfo } from '../../src/tomogan/backends/index.js';
import { denoise } from '../../src/tomogan/denoise.js';
import { createGenerator } from '../../src/tomogan/model.js';
import { TOMOGAN_PARITY_CASE as CASE, TOMOGAN_TOLERANCE as TOL, tomoganRelErr } from '../parity/tomogan_tolerance.js';
import { randomImage } from '../helpers/tomogan.js';

declare const __ANYML_CI__: boolean;

// No setWasmPaths here: anyml hands tfjs-backend-wasm the binaries it ships (vendor/tfjs) itself.
const info = await webgpuAdapterInfo();
if (!info) {
  if (__ANYML_CI__) throw new Error('CI=true requires a WebGPU adapter in Chromium (--enable-unsafe-webgpu gives SwiftShader)');
  console.warn('skipping the Chromium WebGPU tests: navigator.gpu gave no adapter');
}

const model = createGenerator({ seed: CASE.modelSeed });
const img = randomImage(CASE.width, CASE.height, 1, CASE.imageSeed);

describe('TomoGAN in Chromium', () => {
  it.skipIf(!info)(`webgpu (SwiftShader) and wasm agree with cpu on a seeded ${CASE.width}×${CASE.height} image`, async () => {
    console.log('webgpu adapter:', JSON.stringify(info));
    const cpu = await denoise(img, { model, backend: 'cpu' });
    const wasm = await denoise(img, { model, backend: 'wasm' });
    const gpu = await denoise(img, { model, backend: 'webgpu' });
    expect([cpu.backend, wasm.backend, gpu.backend]).toEqual(['cpu', 'wasm', 'webgpu']);
    const d = { wasm: tomoganRelErr(wasm.image.data, cpu.image.data), webgpu: tomoganRelErr(gpu.image.data, cpu.image.data) };
    console.log(`Chromium parity vs cpu: wasm ${d.wasm.toExponential(2)}, webgpu ${d.webgpu.toExponential(2)}, webgpu vs wasm ${tomoganRelErr(gpu.image.data, wasm.image.data).toExponential(2)}; webgpu ${gpu.ms.toFixed(0)} ms`);
    expect(cpu.image.data.some((v) => v !== 0)).toBe(true);
    expect(d.wasm).toBeLessThanOrEqual(TOL.wasm);
    expect(d.webgpu).toBeLessThanOrEqual(TOL.webgpu);
    expect(tomoganRelErr(gpu.image.data, wasm.image.data)).toBeLessThanOrEqual(TOL.webgpu);
  });

  it.skipIf(!info)("'auto' does not pick the SwiftShader fallback adapter: it runs wasm and says why", async () => {
    expect(info!.software).toMatch(/fallback adapter|swiftshader/i);
    const r = await denoise(randomImage(16, 16), { model });
    expect(r.backend).toBe('wasm');
    expect(r.warnings.join('\n')).toMatch(/skipped webgpu \(its adapter is a (fallback adapter|software rasteriser).*swiftshader/i);
  });
});
