// SPDX-License-Identifier: MIT
// tfjs backend selection for TomoGAN (TOOLCHAIN.md §4 wasm in Node, §5a WebGPU in Node). Only src/tomogan/ imports tfjs.
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../errors.js';
import { loadOrtNode, nativeAvailable } from './native.js';

export type TfBackendName = 'cpu' | 'wasm' | 'webgpu';
/** Every TomoGAN backend: the three tfjs ones, and `native` = onnxruntime-node on anyml's ONNX export (Node only). */
export type TomoganBackendName = TfBackendName | 'native';
export type BackendChoice = 'auto' | TomoganBackendName;

export { tf };

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
let wasmImported: Promise<unknown> | undefined;
let webgpuImported: Promise<unknown> | undefined;

async function registerWasm(): Promise<void> {
  // Node entry = dist/tf-backend-wasm.node.js, finds its .wasm next to itself (TOOLCHAIN.md §4).
  wasmImported ??= import('@tensorflow/tfjs-backend-wasm');
  await wasmImported;
}

/** What the WebGPU adapter says about itself, and whether `auto` refuses it as a software rasteriser. */
export interface WebgpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** Where it came from: the browser's `navigator.gpu`, or Dawn in Node with these flags (TOOLCHAIN.md §5a). */
  source: string;
  /** Why this is a software adapter (SwiftShader, llvmpipe, …), or null for a hardware adapter. */
  software: string | null;
}

interface GpuLike {
  requestAdapter: (o?: object) => Promise<AdapterLike | null>;
}
interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  requestAdapterInfo?: () => Promise<AdapterLike['info']>;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

/** Why `info` is a software adapter (fallback flag or a known software rasteriser's name), or null. */
export function softwareAdapterReason(info: Omit<WebgpuAdapterInfo, 'software'>): string | null {
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ');
  if (info.isFallbackAdapter) return `fallback adapter (${name || 'no name'})`;
  const m = SOFTWARE.exec(name);
  return m ? `software rasteriser ${m[0]} (${name})` : null;
}

async function describeAdapter(a: AdapterLike, source: string): Promise<WebgpuAdapterInfo> {
  const i = a.info ?? (await a.requestAdapterInfo?.().catch(() => undefined)) ?? {};
  const base = {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    device: i.device ?? '',
    description: i.description ?? '',
    isFallbackAdapter: !!(i.isFallbackAdapter ?? a.isFallbackAdapter),
    source,
  };
  return { ...base, software: softwareAdapterReason(base) };
}

let gpuSetup: Promise<{ info: WebgpuAdapterInfo | null; reason: string }> | undefined;

/**
 * Finds the WebGPU adapter once. In the browser: `navigator.gpu`. In Node: the npm `webgpu` package (Dawn), installed
 * as `navigator.gpu` (tfjs-backend-webgpu only registers when `navigator.gpu` exists at its import). Dawn is tried with
 * its default backend first (Vulkan/Metal/D3D12, core), then OpenGL ES in compatibility mode (Mesa llvmpipe in CI),
 * TOOLCHAIN.md §5a. `ANYML_DAWN_FLAGS` (comma-separated Dawn toggles, e.g. `backend=vulkan`) replaces that order.
 */
async function setupGpu(): Promise<{ info: WebgpuAdapterInfo | null; reason: string }> {
  gpuSetup ??= (async () => {
    const g = globalThis as unknown as { navigator?: { gpu?: GpuLike } };
    if (g.navigator?.gpu) {
      const a = await g.navigator.gpu.requestAdapter().catch(() => null);
      return a ? { info: await describeAdapter(a, 'navigator.gpu'), reason: '' } : { info: null, reason: 'navigator.gpu.requestAdapter() returned null' };
    }
    if (!isNode) return { info: null, reason: 'this browser has no navigator.gpu (WebGPU disabled or unsupported)' };
    // Mesa's EGL needs a platform without a display server; must be in the environment before Dawn initialises EGL.
    process.env.EGL_PLATFORM ??= 'surfaceless';
    let mod: { create: (flags: string[]) => GpuLike; globals: object };
    try {
      const name = 'webgpu';
      mod = (await import(/* @vite-ignore */ name)) as typeof mod;
    } catch (e) {
      return { info: null, reason: `the npm package 'webgpu' (Dawn) is not installed (npm i webgpu): ${(e as Error).message}` };
    }
    const env = process.env.ANYML_DAWN_FLAGS;
    // Dawn's default backend (Vulkan on Linux) prints "Couldn't load Vulkan" when libvulkan.so.1 is missing: skip it then.
    const fsName = 'node:fs';
    const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs');
    const vulkan =
      process.platform !== 'linux' ||
      ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'].some((d) => fs.existsSync(`${d}/libvulkan.so.1`));
    const tries = env !== undefined ? [env.split(',').filter(Boolean)] : [...(vulkan ? [[]] : []), ['backend=opengles']];
    const tried: string[] = [];
    for (const flags of tries) {
      const gpu = mod.create(flags);
      const compat = flags.some((f) => f.startsWith('backend=opengl'));
      const orig = gpu.requestAdapter.bind(gpu);
      gpu.requestAdapter = (o: object = {}) => orig(compat ? { ...o, featureLevel: 'compatibility' } : o); // core → null on GL
      const a = await gpu.requestAdapter().catch(() => null);
      const label = `Dawn [${flags.join(',') || 'default'}]${compat ? ' compatibility' : ''}`;
      tried.push(label);
      if (!a) continue;
      Object.assign(globalThis, mod.globals); // GPUBufferUsage, GPUMapMode, … used by tfjs-backend-webgpu
      if (!g.navigator) (globalThis as unknown as { navigator: object }).navigator = {};
      (g.navigator as { gpu?: GpuLike }).gpu = gpu;
      return { info: await describeAdapter(a, label), reason: '' };
    }
    return {
      info: null,
      reason:
        `no WebGPU adapter from ${tried.join(', then ')}. On Linux without a GPU anyml uses Dawn's OpenGL ES backend on Mesa ` +
        `llvmpipe: install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri (EGL_PLATFORM=${process.env.EGL_PLATFORM})`,
    };
  })();
  return gpuSetup;
}

/** The WebGPU adapter anyml would use (null when there is none), without starting the tfjs webgpu backend. */
export async function webgpuAdapterInfo(): Promise<WebgpuAdapterInfo | null> {
  return (await setupGpu()).info;
}

let webgpuLost: string | undefined;
const watchedDevices = new WeakSet<object>();

/** Why the WebGPU device was lost (reason: message), or undefined while it is alive. A lost backend is not restarted. */
export function webgpuLostReason(): string | undefined {
  return webgpuLost;
}

function webgpuDevice(): { lost: Promise<{ reason?: string; message?: string }>; destroy: () => void } | undefined {
  if (activeBackend() !== 'webgpu') return undefined;
  return (tf.backend() as unknown as { device?: ReturnType<typeof webgpuDevice> }).device;
}

/**
 * Internal test hooks (not public API). `webgpuFault`: on the next webgpu tile, 'throw' throws from the run;
 * 'lose-device' destroys the real GPUDevice (so `device.lost` resolves, as on a driver reset).
 */
export const __testHooks: { webgpuFault?: 'throw' | 'lose-device' } = {};

/** Called by denoise before each webgpu tile: applies a test fault, then throws if the device has been lost. */
export async function checkWebgpu(): Promise<void> {
  const fault = __testHooks.webgpuFault;
  __testHooks.webgpuFault = undefined;
  if (fault === 'throw') throw new Error('test hook: forced webgpu failure');
  if (fault === 'lose-device') {
    const d = webgpuDevice();
    d?.destroy();
    if (d) await d.lost;
  }
  if (webgpuLost) throw new Error(`WebGPU device lost (${webgpuLost})`);
}

/**
 * Registers tfjs-backend-webgpu once an adapter exists. The backend registers itself at import time only when
 * `navigator.gpu` exists, so setupGpu() runs first; tensors must be created only after some backend is ready (§5a).
 */
async function registerWebgpu(): Promise<void> {
  if (webgpuLost) throw new Error(`the WebGPU device was lost earlier in this process (${webgpuLost}); restart to use webgpu again`);
  const { info, reason } = await setupGpu();
  if (!info) throw new Error(reason);
  webgpuImported ??= (async () => {
    if (!activeBackend()) await tf.setBackend('cpu');
    await import('@tensorflow/tfjs-backend-webgpu');
  })();
  await webgpuImported;
}

/**
 * The backend set by the last successful setBackend, or null. Unlike tf.getBackend(), it does not start the
 * highest-priority backend on the side (which, after a failed setBackend('wasm'), names a backend that never initialised).
 */
function activeBackend(): string | null {
  return (tf.engine() as unknown as { backendName: string | null }).backendName ?? null;
}

/** Makes `name` the active tfjs backend; throws BackendUnavailableError with the reason when it cannot start. */
export async function useBackend(name: TfBackendName): Promise<void> {
  if (activeBackend() === name && !(name === 'webgpu' && webgpuLost)) return;
  try {
    if (name === 'wasm') await registerWasm();
    if (name === 'webgpu') await registerWebgpu();
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
    await tf.ready();
    const d = webgpuDevice();
    if (d && !watchedDevices.has(d)) {
      watchedDevices.add(d);
      void d.lost.then((i) => {
        webgpuLost = `${i?.reason ?? 'unknown'}: ${i?.message || 'no message'}`;
      });
    }
  } catch (e) {
    throw new BackendUnavailableError('TomoGAN inference', [{ backend: name, reason: (e as Error).message ?? String(e) }]);
  }
}

/** Makes `name` ready: a tfjs backend becomes the active one; `native` loads onnxruntime-node. */
async function prepare(name: TomoganBackendName): Promise<void> {
  if (name !== 'native') return useBackend(name);
  try {
    await loadOrtNode();
  } catch (e) {
    throw new BackendUnavailableError('TomoGAN inference', [{ backend: 'native', reason: (e as Error).message }]);
  }
}

/**
 * Resolves `auto`: WebGPU on a hardware adapter, else `native` (onnxruntime-node, in Node when installed), else wasm,
 * else cpu. A software adapter (SwiftShader, llvmpipe: slower than wasm SIMD, TOOLCHAIN.md §4–5) is refused, and
 * `warnings` says which adapter and why. A missing onnxruntime-node is not a warning: it is an optional dependency.
 */
export async function resolveBackend(choice: BackendChoice): Promise<{ backend: TomoganBackendName; warnings: string[] }> {
  const warnings: string[] = [];
  if (choice !== 'auto') {
    await prepare(choice);
    return { backend: choice, warnings };
  }
  const order: TomoganBackendName[] = [];
  const reasons: { backend: string; reason: string }[] = [];
  if (webgpuLost) reasons.push({ backend: 'webgpu', reason: `device lost earlier (${webgpuLost})` });
  else {
    const info = await webgpuAdapterInfo().catch(() => null);
    if (info && !info.software) order.push('webgpu');
    else if (info) warnings.push(`backend auto: skipped webgpu, its adapter is a ${info.software} (${info.source}), slower than ${isNode ? 'native/wasm' : 'wasm'}`);
  }
  if (isNode && (await nativeAvailable())) order.push('native');
  order.push('wasm', 'cpu');
  for (const b of order) {
    try {
      await prepare(b);
      if (reasons.length) warnings.push(`backend auto: ${reasons.map((r) => `${r.backend} failed (${r.reason})`).join('; ')}; using ${b}`);
      return { backend: b, warnings };
    } catch (e) {
      reasons.push({ backend: b, reason: (e as Error).message });
    }
  }
  throw new BackendUnavailableError('TomoGAN inference', reasons);
}
