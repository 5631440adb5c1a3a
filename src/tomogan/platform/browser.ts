// SPDX-License-Identifier: MIT
// The browser side of `#tomogan-platform`: the page's WebGPU, and tfjs-backend-wasm's binaries as assets of anyml.
import { adapterInfo, navigatorGpu } from './navigator_gpu.js';
import type { TomoganPlatform } from './types.js';

/**
 * tfjs-backend-wasm's three binaries, copied into anyml's package at build time (scripts/vendor-tfjs.mjs) from
 * the exact tfjs version anyml depends on, so that a bundler sees them through `new URL(…, import.meta.url)` and
 * emits them: bundlers cannot follow such a URL into another package. src/tomogan/platform and dist/tomogan/platform
 * are both three levels below the package root.
 */
function wasmPaths(): Record<string, string> {
  return {
    'tfjs-backend-wasm.wasm': new URL('../../../vendor/tfjs/tfjs-backend-wasm.wasm', import.meta.url).href,
    'tfjs-backend-wasm-simd.wasm': new URL('../../../vendor/tfjs/tfjs-backend-wasm-simd.wasm', import.meta.url).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL('../../../vendor/tfjs/tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
  };
}

const NO_GPU = 'this browser has no navigator.gpu (WebGPU disabled or unsupported)';

export const tomoganPlatform: TomoganPlatform = {
  importOrt: () => Promise.reject(new Error('the native backend needs Node (onnxruntime-node); in a browser use webgpu or wasm')),
  openTflite: () => Promise.reject(new Error('the tflite runtime needs Node (the TFLite C library through koffi); in a browser use the reference runtime')),
  findGpu: async () => (await navigatorGpu()) ?? { gpu: null, reason: NO_GPU },
  async probeGpu() {
    const f = await this.findGpu();
    return f.gpu ? { info: await adapterInfo(f.adapter), source: f.source } : { reason: f.reason };
  },
  registerGradients: async () => void (await import('@tensorflow/tfjs-core/dist/register_all_gradients.js')),
  configureTfWasm(mod) {
    mod.setWasmPaths(wasmPaths());
  },
};
