// SPDX-License-Identifier: MIT
// The built-in TomoGAN backends, registered by priority: webgpu 40 (hardware adapters under 'auto'), native 30
// (onnxruntime-node, Node), wasm 20 (tfjs-wasm SIMD), cpu 10 (tfjs pure JS, the reference).
import type { BackendEntry } from '../../backends/registry.js';
import { DEFAULT_TILE, type TfBackendName } from '../types.js';
import { nativeEntry } from './native.js';
import { type TomoganBackend, tomoganBackends } from './registry.js';
import { registerTfWasm, setTfBackend, tfForward } from './tfjs.js';
import { webgpuEntry } from './webgpu.js';

function tfjsEntry(name: 'wasm' | 'cpu', priority: number, prepare?: () => Promise<void>): BackendEntry<TomoganBackend> {
  return {
    name,
    priority,
    load: async () => {
      const b: TomoganBackend = { tile: DEFAULT_TILE[name], activate: () => setTfBackend(name, prepare), forward: tfForward };
      await b.activate(); // a backend that cannot start fails here, where 'auto' can still pass it over
      return b;
    },
  };
}

tomoganBackends.register(webgpuEntry);
tomoganBackends.register(nativeEntry);
tomoganBackends.register(tfjsEntry('wasm', 20, registerTfWasm));
tomoganBackends.register(tfjsEntry('cpu', 10));

export { registerTomoganBackend, tomoganBackends } from './registry.js';
export type { ForwardOptions, TomoganBackend } from './registry.js';
export { setWasmThreads, useGradients } from './tfjs.js';
export { webgpuAdapterInfo } from './webgpu.js';

/** Makes the tfjs backend `name` active (training and tests run tfjs ops directly); BackendUnavailableError if it cannot start. */
export async function useBackend(name: TfBackendName): Promise<void> {
  const { impl } = await tomoganBackends.resolve(name, 'TomoGAN (tfjs)');
  await impl.activate();
}
