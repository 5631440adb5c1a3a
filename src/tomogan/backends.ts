// SPDX-License-Identifier: MIT
// tfjs backend selection for TomoGAN (TOOLCHAIN.md §4 wasm in Node, §5a WebGPU in Node). Only src/tomogan/ imports tfjs.
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../errors.js';

export type TfBackendName = 'cpu' | 'wasm' | 'webgpu';
export type BackendChoice = 'auto' | TfBackendName;

export { tf };

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
let wasmImported: Promise<unknown> | undefined;
let webgpuImported: Promise<unknown> | undefined;

async function registerWasm(): Promise<void> {
  // Node entry = dist/tf-backend-wasm.node.js, finds its .wasm next to itself (TOOLCHAIN.md §4).
  wasmImported ??= import('@tensorflow/tfjs-backend-wasm');
  await wasmImported;
}

/**
 * Registers tfjs-backend-webgpu. In Node the backend only registers itself when `navigator.gpu` exists at import time,
 * so the npm `webgpu` package (Dawn) is installed as `navigator.gpu` first (TOOLCHAIN.md §5a: GL ES backend,
 * compatibility feature level, EGL_PLATFORM=surfaceless).
 */
async function registerWebgpu(): Promise<void> {
  webgpuImported ??= (async () => {
    const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
    if (isNode && !g.navigator?.gpu) {
      const name = 'webgpu';
      const mod = (await import(/* @vite-ignore */ name)) as {
        create: (flags: string[]) => { requestAdapter: (o?: object) => Promise<unknown> };
        globals: object;
      };
      process.env.EGL_PLATFORM ??= 'surfaceless';
      Object.assign(globalThis, mod.globals);
      const flags = (process.env.ANYML_DAWN_FLAGS ?? 'backend=opengles').split(',').filter(Boolean);
      const gpu = mod.create(flags);
      const orig = gpu.requestAdapter.bind(gpu);
      const compat = flags.some((f) => f.startsWith('backend=opengl'));
      gpu.requestAdapter = (o: object = {}) => orig(compat ? { ...o, featureLevel: 'compatibility' } : o);
      if (!g.navigator) (globalThis as unknown as { navigator: object }).navigator = {};
      (g.navigator as { gpu?: unknown }).gpu = gpu;
    }
    // tensors must be created only after some backend is ready (§5a).
    if (!tf.getBackend()) await tf.setBackend('cpu');
    await import('@tensorflow/tfjs-backend-webgpu');
  })();
  await webgpuImported;
}

/** Makes `name` the active tfjs backend; throws BackendUnavailableError with the reason when it cannot start. */
export async function useBackend(name: TfBackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  try {
    if (name === 'wasm') await registerWasm();
    if (name === 'webgpu') await registerWebgpu();
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
    await tf.ready();
  } catch (e) {
    throw new BackendUnavailableError('TomoGAN inference', [{ backend: name, reason: (e as Error).message ?? String(e) }]);
  }
}

/** True when `navigator.gpu` gives a hardware adapter (not a fallback such as SwiftShader or llvmpipe). Browser only. */
async function hardwareWebgpu(): Promise<boolean> {
  const gpu = (globalThis as unknown as { navigator?: { gpu?: { requestAdapter: () => Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return false;
  try {
    const a = (await gpu.requestAdapter()) as { isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean; device?: string; description?: string; vendor?: string } } | null;
    if (!a) return false;
    if (a.isFallbackAdapter || a.info?.isFallbackAdapter) return false;
    const txt = `${a.info?.vendor ?? ''} ${a.info?.device ?? ''} ${a.info?.description ?? ''}`.toLowerCase();
    return !/swiftshader|llvmpipe|lavapipe|software/.test(txt);
  } catch {
    return false;
  }
}

/**
 * Resolves `auto`: WebGPU on a hardware adapter (browser only for now), else wasm, else cpu.
 * In Node, `auto` does not probe Dawn for a hardware adapter (not implemented) and picks wasm.
 */
export async function resolveBackend(choice: BackendChoice): Promise<{ backend: TfBackendName; warnings: string[] }> {
  const warnings: string[] = [];
  if (choice !== 'auto') {
    await useBackend(choice);
    return { backend: choice, warnings };
  }
  const order: TfBackendName[] = [];
  if (!isNode && (await hardwareWebgpu())) order.push('webgpu');
  order.push('wasm', 'cpu');
  const reasons: { backend: string; reason: string }[] = [];
  for (const b of order) {
    try {
      await useBackend(b);
      if (reasons.length) warnings.push(`backend auto: ${reasons.map((r) => `${r.backend} failed (${r.reason})`).join('; ')}; using ${b}`);
      return { backend: b, warnings };
    } catch (e) {
      reasons.push({ backend: b, reason: (e as Error).message });
    }
  }
  throw new BackendUnavailableError('TomoGAN inference', reasons);
}
