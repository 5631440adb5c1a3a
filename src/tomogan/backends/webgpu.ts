// SPDX-License-Identifier: MIT
// The webgpu TomoGAN backend (tfjs-backend-webgpu): adapter discovery, the software-adapter rule for 'auto', and
// device-loss handling (a lost device fails the run, which denoise reruns on wasm).
import { platform } from '#platform';
import { tomoganPlatform } from '#tomogan-platform';
import type { BackendEntry } from '../../backends/registry.js';
import type { AdapterInfo } from '../platform/types.js';
import { tf } from '../tf.js';
import { DEFAULT_TILE, type WebgpuAdapterInfo } from '../types.js';
import type { TomoganBackend } from './registry.js';
import { activeTfBackend, setTfBackend, tfForward } from './tfjs.js';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

/** Why `info` is a software adapter (fallback flag or a known software rasteriser's name), or null. */
export function softwareAdapterReason(info: Omit<WebgpuAdapterInfo, 'software'>): string | null {
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ');
  if (info.isFallbackAdapter) return `fallback adapter (${name || 'no name'})`;
  const m = SOFTWARE.exec(name);
  return m ? `software rasteriser ${m[0]} (${name})` : null;
}

function describe(i: AdapterInfo, source: string): WebgpuAdapterInfo {
  const base = {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    device: i.device ?? '',
    description: i.description ?? '',
    isFallbackAdapter: !!i.isFallbackAdapter,
    source,
  };
  return { ...base, software: softwareAdapterReason(base) };
}

let probed: Promise<{ info: WebgpuAdapterInfo | null; reason: string }> | undefined;

/** The adapter, found once without side effects on this process (in Node: a quiet child process; #tomogan-platform). */
function probe(): Promise<{ info: WebgpuAdapterInfo | null; reason: string }> {
  probed ??= tomoganPlatform.probeGpu().then((p) => ('info' in p ? { info: describe(p.info, p.source), reason: '' } : { info: null, reason: p.reason }));
  return probed;
}

/** The WebGPU adapter anyml would use (null when there is none), without starting the tfjs webgpu backend. */
export async function webgpuAdapterInfo(): Promise<WebgpuAdapterInfo | null> {
  return (await probe()).info;
}

let lost: string | undefined;
const watched = new WeakSet<object>();

type Device = { lost: Promise<{ reason?: string; message?: string }>; destroy: () => void };
function device(): Device | undefined {
  if (activeTfBackend() !== 'webgpu') return undefined;
  return (tf.backend() as unknown as { device?: Device }).device;
}

/**
 * Internal test hooks (not public API). `webgpuFault`: on the next webgpu tile, 'throw' throws from the run;
 * 'lose-device' destroys the real GPUDevice (so `device.lost` resolves, as on a driver reset).
 */
export const __testHooks: { webgpuFault?: 'throw' | 'lose-device' } = {};

/** Applies a test fault, then throws if the device has been lost (before a tile, and after the last readback). */
async function check(): Promise<void> {
  const fault = __testHooks.webgpuFault;
  __testHooks.webgpuFault = undefined;
  if (fault === 'throw') throw new Error('test hook: forced webgpu failure');
  if (fault === 'lose-device') {
    const d = device();
    d?.destroy();
    if (d) await d.lost;
  }
  if (lost) throw new Error(`WebGPU device lost (${lost})`);
}

let imported: Promise<void> | undefined;

/**
 * Sets WebGPU up in this process (navigator.gpu, or Dawn in Node) and imports tfjs-backend-webgpu, which registers
 * itself at import only when navigator.gpu exists; tensors may be created only after some backend is ready.
 */
function importWebgpu(): Promise<void> {
  imported ??= (async () => {
    const found = await tomoganPlatform.findGpu();
    if (!found.gpu) throw new Error(found.reason);
    if (!activeTfBackend()) await tf.setBackend('cpu');
    await import('@tensorflow/tfjs-backend-webgpu');
  })();
  imported.catch(() => (imported = undefined));
  return imported;
}

async function activate(): Promise<void> {
  if (lost) throw new Error(`the WebGPU device was lost earlier in this process (${lost}); restart to use webgpu again`);
  await setTfBackend('webgpu', importWebgpu);
  const d = device();
  if (d && !watched.has(d)) {
    watched.add(d);
    void d.lost.then((i) => void (lost = `${i?.reason ?? 'unknown'}: ${i?.message || 'no message'}`));
  }
}

const webgpuBackend: TomoganBackend = {
  tile: DEFAULT_TILE.webgpu,
  fallback: 'wasm',
  activate,
  async forward(model, windows, n, th, tw) {
    await check();
    const out = await tfForward(model, windows, n, th, tw);
    await check(); // a device lost during the readback may have returned garbage
    return out;
  },
};

/**
 * 'auto' takes WebGPU only for a hardware adapter: software rasterisers (SwiftShader, llvmpipe) run tfjs-webgpu far
 * slower than wasm SIMD (docs/benchmarks.md), so they are refused with a warning; by name they run.
 */
export const webgpuEntry: BackendEntry<TomoganBackend> = {
  name: 'webgpu',
  priority: 40,
  async isAvailable({ auto }) {
    if (lost) return { reason: `device lost earlier (${lost})`, warn: true };
    if (!auto) return true;
    const { info, reason } = await probe();
    if (!info) return reason;
    if (info.software) return { reason: `its adapter is a ${info.software} (${info.source}), slower than ${platform.isNode ? 'native/wasm' : 'wasm'}`, warn: true };
    return true;
  },
  load: async () => {
    await activate(); // fails here when tfjs-webgpu cannot start, where 'auto' can still pass it over
    return webgpuBackend;
  },
};
