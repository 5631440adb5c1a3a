// SPDX-License-Identifier: MIT
// tfjs backend selection for TomoGAN (wasm in Node, WebGPU in Node: docs/toolchain.md). Only src/tomogan/ imports tfjs:
// tfjs-core with the cpu backend always, the wasm and webgpu backends when first chosen.
import { tomoganPlatform } from '#tomogan-platform';
import { BackendUnavailableError, InvalidInputError } from '../errors.js';
import { loadOrtNode, nativeAvailable } from './native.js';
import type { AdapterLike } from './platform/types.js';
import { tf } from './tf.js';
import type { BackendChoice, TfBackendName, TomoganBackendName, WebgpuAdapterInfo } from './types.js';

export type { BackendChoice, TfBackendName, TomoganBackendName, WebgpuAdapterInfo };

const { isNode } = tomoganPlatform;
let wasmImported: Promise<unknown> | undefined;
let webgpuImported: Promise<unknown> | undefined;

let wasmThreads = false;

/**
 * Lets tfjs-wasm use its threaded build in cross-origin-isolated pages (off by default). Only for bundles that are
 * not minified: tfjs starts its pthread workers from the source text of a function (Function.prototype.toString),
 * which minifiers break ("ReferenceError: e is not defined", and the backend never starts). tfjs sizes the pool at
 * half of navigator.hardwareConcurrency. Node has no threaded tfjs-wasm build. Call it before the first wasm use.
 * @example setWasmThreads(true); // a vite app built with build.minify: false, served with COOP/COEP
 */
export function setWasmThreads(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new InvalidInputError('setWasmThreads: enabled', String(enabled), 'true or false');
  if (wasmImported && enabled !== wasmThreads) throw new InvalidInputError('setWasmThreads', String(enabled), 'a call before the wasm backend first runs (it has started already)');
  wasmThreads = enabled;
}

/** Imports tfjs-backend-wasm once, gives it its binaries (#tomogan-platform) and applies setWasmThreads. */
async function registerWasm(): Promise<void> {
  wasmImported ??= import('@tensorflow/tfjs-backend-wasm').then((m) => {
    tomoganPlatform.configureTfWasm(m);
    if (!wasmThreads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  });
  await wasmImported;
}

let gradients: Promise<void> | undefined;

/** Registers tfjs-core's gradient functions once (training needs them; inference pages never load them). */
export function useGradients(): Promise<void> {
  gradients ??= tomoganPlatform.registerGradients();
  return gradients;
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

/** Finds the WebGPU adapter once (#tomogan-platform: the page's navigator.gpu, or Dawn in Node). */
function setupGpu(): Promise<{ info: WebgpuAdapterInfo | null; reason: string }> {
  gpuSetup ??= tomoganPlatform.findGpu().then(async (f) => (f.gpu ? { info: await describeAdapter(f.adapter, f.source), reason: '' } : { info: null, reason: f.reason }));
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
