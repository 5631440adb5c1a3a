// SPDX-License-Identifier: MIT
// The TomoGAN inference registry: what a backend implements, and the one registry that `denoise` and training
// resolve names in. The built-in entries register in ./index.ts; a new one needs no change to denoise.ts.
import { type BackendEntry, BackendRegistry } from '../../backends/registry.js';
import type { Generator } from '../model.js';

export interface ForwardOptions {
  /** Intra-op threads where the backend has a choice (native: onnxruntime; 0 or undefined = its default). */
  threads?: number;
}

/** A TomoGAN inference backend, as `denoise` drives it: activate once per call, then one forward per tile batch. */
export interface TomoganBackend {
  /** Default core tile size in px (a multiple of 8): the largest that bounds this backend's memory (docs/tomogan.md). */
  readonly tile: number;
  /** The backend that reruns the whole image when this one fails during a run (webgpu → wasm), if any. */
  readonly fallback?: string;
  /** Makes this backend the one that runs (tfjs: the active backend). Called at the start of every denoise. */
  activate(): Promise<void>;
  /**
   * Runs `model` on `n` windows of th × tw × depth, packed NHWC in `windows`, and returns the n × th × tw outputs.
   * Throwing mid-run makes `denoise` rerun on `fallback` (with a warning), or fail.
   */
  forward(model: Generator, windows: Float32Array, n: number, th: number, tw: number, opts: ForwardOptions): Promise<Float32Array>;
}

export const tomoganBackends = new BackendRegistry<TomoganBackend>('tomogan');

/**
 * Adds or replaces a TomoGAN backend; `denoise(…, { backend: name })` and `'auto'` (by priority) find it. Negative
 * priority = opt-in only. Built-in priorities: webgpu 40, native 30, wasm 20, cpu 10.
 * @example registerTomoganBackend({ name: 'mine', priority: 50, load: async () => ({ tile: 512, activate: async () => {}, forward }) });
 */
export function registerTomoganBackend(entry: BackendEntry<TomoganBackend>): void {
  tomoganBackends.register(entry);
}
