// SPDX-License-Identifier: MIT
// The Node side of `#tomogan-platform`: onnxruntime-node (an optional dependency) and Dawn's WebGPU (the npm
// `webgpu` package, which users install themselves), both imported only when asked for.
import { createRequire } from 'node:module';
import { findDawnGpu, probeDawnGpu } from './dawn.js';
import { adapterInfo, navigatorGpu } from './navigator_gpu.js';
import type { OrtNode, TomoganPlatform } from './types.js';

/** Why onnxruntime-node cannot load here: written so that the user knows what to install. */
function notInstalled(e: unknown): Error {
  return new Error(
    `the optional dependency onnxruntime-node is not installed or does not load (${(e as Error)?.message ?? String(e)}). ` +
      'Install it with: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node (the variable skips its CUDA download, ' +
      'which fails offline; the CPU runtime ships inside the package)',
  );
}

async function importOrt(name: string): Promise<OrtNode> {
  try {
    const m = (await import(name)) as OrtNode & { default?: OrtNode };
    return m.InferenceSession ? m : m.default!;
  } catch (e) {
    throw notInstalled(e);
  }
}

export const tomoganPlatform: TomoganPlatform = {
  importOrt,
  openTflite: async (model, opts) => (await import('../../quant/tflite_c.js')).openTflite(model, opts),
  // A global navigator.gpu (Node has none; an app or a test may install one) wins over Dawn.
  findGpu: async () => (await navigatorGpu()) ?? findDawnGpu(),
  async probeGpu() {
    const g = await navigatorGpu();
    if (!g) return probeDawnGpu();
    return g.gpu ? { info: await adapterInfo(g.adapter), source: g.source } : { reason: g.reason };
  },
  // Built by scripts/vendor-tfjs.mjs: tfjs-core's Node build has no gradients. src/ and dist/ are at the same depth.
  registerGradients: async () => void createRequire(import.meta.url)('../../../vendor/tfjs/register-gradients.node.cjs'),
  // tfjs-backend-wasm's Node build reads its .wasm files next to itself.
  configureTfWasm: () => {},
};
