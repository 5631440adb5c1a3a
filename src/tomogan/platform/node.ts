// SPDX-License-Identifier: MIT
// The Node side of `#tomogan-platform`: onnxruntime-node (an optional dependency) and Dawn's WebGPU (the npm
// `webgpu` package, which users install themselves), both imported only when asked for.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { navigatorGpu } from './navigator-gpu.js';
import type { AdapterLike, GpuFound, GpuLike, OrtNode, TomoganPlatform } from './types.js';

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

interface DawnModule {
  create: (flags: string[]) => GpuLike;
  globals: object;
}

/** Dawn's default backend (Vulkan on Linux) prints "Couldn't load Vulkan" when libvulkan.so.1 is missing: skip it then. */
function hasVulkan(): boolean {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return process.platform !== 'linux' || dirs.some((d) => existsSync(`${d}/libvulkan.so.1`));
}

/**
 * Dawn with its default backend first (Vulkan/Metal/D3D12, core), then OpenGL ES in compatibility mode (Mesa
 * llvmpipe on a machine without a GPU; docs/toolchain.md). `ANYML_DAWN_FLAGS` (comma-separated Dawn toggles, e.g.
 * `backend=vulkan`) replaces that order.
 */
async function findDawnGpu(): Promise<GpuFound> {
  // Mesa's EGL needs a platform without a display server; must be in the environment before Dawn initialises EGL.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  let mod: DawnModule;
  try {
    mod = (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    return { gpu: null, reason: `the npm package 'webgpu' (Dawn) is not installed (npm i webgpu): ${(e as Error).message}` };
  }
  const env = process.env.ANYML_DAWN_FLAGS;
  const tries = env !== undefined ? [env.split(',').filter(Boolean)] : [...(hasVulkan() ? [[]] : []), ['backend=opengles']];
  const tried: string[] = [];
  for (const flags of tries) {
    const gpu = mod.create(flags);
    const compat = flags.some((f) => f.startsWith('backend=opengl'));
    const orig = gpu.requestAdapter.bind(gpu);
    gpu.requestAdapter = (o: object = {}) => orig(compat ? { ...o, featureLevel: 'compatibility' } : o); // core → null on GL
    const adapter: AdapterLike | null = await gpu.requestAdapter().catch(() => null);
    const label = `Dawn [${flags.join(',') || 'default'}]${compat ? ' compatibility' : ''}`;
    tried.push(label);
    if (!adapter) continue;
    Object.assign(globalThis, mod.globals); // GPUBufferUsage, GPUMapMode, … used by tfjs-backend-webgpu
    const g = globalThis as unknown as { navigator?: { gpu?: GpuLike } };
    if (!g.navigator) (globalThis as unknown as { navigator: object }).navigator = {};
    g.navigator!.gpu = gpu;
    return { gpu, adapter, source: label };
  }
  return {
    gpu: null,
    reason:
      `no WebGPU adapter from ${tried.join(', then ')}. On Linux without a GPU anyml uses Dawn's OpenGL ES backend on Mesa ` +
      `llvmpipe: install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri (EGL_PLATFORM=${process.env.EGL_PLATFORM})`,
  };
}

export const tomoganPlatform: TomoganPlatform = {
  isNode: true,
  importOrt,
  // A global navigator.gpu (Node has none; an app or a test may install one) wins over Dawn.
  findGpu: async () => (await navigatorGpu()) ?? findDawnGpu(),
  // Built by scripts/vendor-tfjs.mjs: tfjs-core's Node build has no gradients. src/ and dist/ are at the same depth.
  registerGradients: async () => void createRequire(import.meta.url)('../../../vendor/tfjs/register-gradients.node.cjs'),
  // tfjs-backend-wasm's Node build reads its .wasm files next to itself.
  configureTfWasm: () => {},
};
