// SPDX-License-Identifier: MIT
// The SVM backend registry: wasm-simd (20), wasm (10) and the plain-TS js reference (0, always available).

import { jsEngine } from '../backends/js/index.js';
import { BackendRegistry } from '../backends/registry.js';
import { hasSimd } from '../backends/wasm/loader.js';
import { createWasmEngine } from '../backends/wasm/sgd_svm.js';
import type { SvmEngine } from './engine.js';

export const svmBackends = new BackendRegistry<SvmEngine>('svm');

svmBackends.register({
  name: 'wasm-simd',
  priority: 20,
  async load() {
    if (!(await hasSimd())) throw new Error("WebAssembly SIMD is not supported by this runtime; use backend 'wasm'");
    return createWasmEngine('simd');
  },
});
svmBackends.register({ name: 'wasm', priority: 10, load: () => createWasmEngine('scalar') });
svmBackends.register({ name: 'js', priority: 0, load: async () => jsEngine });

/**
 * Adds or replaces an SVM backend. Negative priority = opt-in only (never chosen by 'auto').
 *
 * @example
 * registerSvmBackend({ name: 'my-engine', priority: 30, load: async () => myEngine });
 */
export function registerSvmBackend(entry: { name: string; priority: number; load(): Promise<SvmEngine> }): void {
  svmBackends.register(entry);
}
