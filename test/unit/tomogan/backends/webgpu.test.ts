// SPDX-License-Identifier: MIT
// The webgpu backend in Node (Dawn; without a GPU: OpenGL ES on Mesa llvmpipe, docs/toolchain.md): adapter info,
// `auto` refusing software adapters, fallback to wasm when a run fails or the device is lost. Parity with cpu is in
// test/parity/tomogan.parity.test.ts. Without an adapter these tests skip with the reason, except under CI=true.
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../../../src/errors.js';
import { useBackend } from '../../../../src/tomogan/backends/index.js';
import { nativeAvailable } from '../../../../src/tomogan/backends/native.js';
import { __testHooks, softwareAdapterReason, webgpuAdapterInfo } from '../../../../src/tomogan/backends/webgpu.js';
import { denoise } from '../../../../src/tomogan/denoise.js';
import { createGenerator } from '../../../../src/tomogan/model.js';
import { randomImage, relErr } from '../../../helpers/tomogan.js';

const CI = process.env.CI === 'true';
const info = await webgpuAdapterInfo();
let unavailable: string | null = null;
if (!info) {
  try {
    await useBackend('webgpu');
  } catch (e) {
    unavailable = (e as Error).message;
  }
  if (CI) throw new Error(`CI=true requires a WebGPU adapter in Node (Dawn GL ES on llvmpipe): ${unavailable}`);
  console.warn(`skipping the WebGPU tests: ${unavailable}`);
}
const gpuIt = it.skipIf(!info);

const model = createGenerator({ seed: 41 });
const img = randomImage(48, 40, 1, 42);

describe('softwareAdapterReason', () => {
  const base = { vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false, source: 'test' };
  it('refuses SwiftShader (fallback flag), llvmpipe and lavapipe; accepts a hardware adapter', () => {
    expect(softwareAdapterReason({ ...base, vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true })).toMatch(/fallback adapter \(google \/ swiftshader\)/);
    expect(softwareAdapterReason({ ...base, vendor: 'google', architecture: 'swiftshader' })).toMatch(/software rasteriser swiftshader/);
    expect(softwareAdapterReason({ ...base, device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6' })).toMatch(/llvmpipe/);
    expect(softwareAdapterReason({ ...base, description: 'lavapipe' })).toMatch(/lavapipe/);
    expect(softwareAdapterReason({ ...base, vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' })).toBeNull();
  });
});

describe('WebGPU in Node (Dawn)', () => {
  gpuIt('exposes the adapter (vendor, architecture, device, description, isFallbackAdapter, software reason)', () => {
    console.log('webgpu adapter:', JSON.stringify(info));
    expect(info).toMatchObject({ isFallbackAdapter: expect.any(Boolean), source: expect.stringMatching(/^Dawn/) });
    expect(typeof info!.description).toBe('string');
    if (/llvmpipe/.test(info!.device + info!.description)) expect(info!.software).toMatch(/llvmpipe/);
  });

  gpuIt("'auto' refuses a software adapter and says why in warnings", async () => {
    const r = await denoise(randomImage(16, 16), { model });
    if (info!.software) {
      expect(r.backend).toBe((await nativeAvailable()) ? 'native' : 'wasm');
      expect(r.warnings.join('\n')).toMatch(/backend auto: skipped webgpu \(its adapter is a .*(llvmpipe|swiftshader|fallback).*\); using (native|wasm)/i);
    } else expect(r.backend).toBe('webgpu');
  });

  gpuIt('a webgpu run that throws reruns on wasm with a warning (test hook)', async () => {
    const wasm = await denoise(img, { model, backend: 'wasm' });
    __testHooks.webgpuFault = 'throw';
    const r = await denoise(img, { model, backend: 'webgpu' });
    expect(r.backend).toBe('wasm');
    expect(r.warnings.join('\n')).toMatch(/webgpu failed \(test hook: forced webgpu failure\); reran on wasm/);
    expect(relErr(r.image.data, wasm.image.data)).toBe(0);
    // webgpu still works afterwards
    expect((await denoise(randomImage(16, 16), { model, backend: 'webgpu' })).backend).toBe('webgpu');
  });

  // Last: it really destroys the GPUDevice, and a lost backend stays lost in this process.
  gpuIt('a lost device falls back to wasm with a warning, and later runs do not pick webgpu', async () => {
    const wasm = await denoise(img, { model, backend: 'wasm' });
    __testHooks.webgpuFault = 'lose-device';
    const r = await denoise(img, { model, backend: 'webgpu' });
    expect(r.backend).toBe('wasm');
    expect(r.warnings.join('\n')).toMatch(/webgpu failed \(WebGPU device lost \(destroyed: .*\)\); reran on wasm/);
    expect(relErr(r.image.data, wasm.image.data)).toBe(0);
    const auto = await denoise(randomImage(16, 16), { model });
    expect(auto.backend).toBe((await nativeAvailable()) ? 'native' : 'wasm');
    expect(auto.warnings.join('\n')).toMatch(/skipped webgpu \(device lost earlier \(destroyed/);
    await expect(useBackend('webgpu')).rejects.toThrow(BackendUnavailableError);
    await expect(useBackend('webgpu')).rejects.toThrow(/\[webgpu\] device lost earlier/);
  });
});
