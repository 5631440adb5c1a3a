// SPDX-License-Identifier: MIT
// The SVM backend registry: wasm-simd (20), wasm (10) and the plain-TS js reference (0, always available). Each
// backend makes Solvers (one training run each; the C `sgd_svm` handle, docs/svm-solver.md) over one dataset.
import { type BackendEntry, BackendRegistry } from '../../backends/registry.js';
import { hasSimd } from '../../backends/wasm/loader.js';
import type { SvmBackend } from '../solver.js';
import { JsSgdSvm } from './js/sgd_svm.js';
import { createWasmBackend } from './wasm/sgd_svm.js';

/** The plain-TS solver: always available, and the reference the other backends must match. */
export const jsBackend: SvmBackend = { createSolver: (x, y, opts) => new JsSgdSvm(x, y, opts) };

export const svmBackends = new BackendRegistry<SvmBackend>('svm');

svmBackends.register({
  name: 'wasm-simd',
  priority: 20,
  isAvailable: async () => (await hasSimd()) || "WebAssembly SIMD is not supported by this runtime; use backend 'wasm'",
  load: () => createWasmBackend('simd'),
});
svmBackends.register({ name: 'wasm', priority: 10, load: () => createWasmBackend('scalar') });
svmBackends.register({ name: 'js', priority: 0, load: async () => jsBackend });

/**
 * Adds or replaces an SVM backend; `trainSvm(…, { backend: name })` and 'auto' (by priority) find it. Negative
 * priority = opt-in only (never chosen by 'auto').
 *
 * @example
 * registerSvmBackend({ name: 'my-solver', priority: 30, load: async () => ({ createSolver: (x, y, o) => new MySolver(x, y, o) }) });
 */
export function registerSvmBackend(entry: BackendEntry<SvmBackend>): void {
  svmBackends.register(entry);
}
