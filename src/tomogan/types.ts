// SPDX-License-Identifier: MIT
// TomoGAN's public types that name no tfjs type: the public .d.ts of `anyml/tomogan` import only these, so a
// consumer's strict type check (skipLibCheck: false) never reads tfjs-core's declarations, which need extra globals.

export type TfBackendName = 'cpu' | 'wasm' | 'webgpu';
/** Every TomoGAN backend: the three tfjs ones, and `native` = onnxruntime-node on anyml's ONNX export (Node only). */
export type TomoganBackendName = TfBackendName | 'native';
export type BackendChoice = 'auto' | TomoganBackendName;

/** The built-in backends, highest 'auto' priority first (the registry, backends/index.ts, may hold more). */
export const TOMOGAN_BACKENDS: readonly TomoganBackendName[] = ['webgpu', 'native', 'wasm', 'cpu'];

/**
 * Default core tile size per built-in backend, from `npm run bench:tomogan-tiles` (docs/benchmarks.md): time tracks
 * the pixels computed, (tile + 2·halo)² per tile, so the largest tile that memory allows wins. wasm 1024 runs in
 * ~1.4 GiB of tfjs-wasm's 4 GiB heap; native 1024; webgpu 512, the largest whose 64-channel map fits WebGPU's
 * default 128 MiB storage binding; cpu 512 (not timed: ~0.5 GFLOP/s, progress every few tiles). docs/tomogan.md.
 */
export const DEFAULT_TILE: Readonly<Record<TomoganBackendName, number>> = { wasm: 1024, webgpu: 512, cpu: 512, native: 1024 };

/** What the WebGPU adapter says about itself, and whether `auto` refuses it as a software rasteriser. */
export interface WebgpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** Where it came from: the browser's `navigator.gpu`, or Dawn in Node with these flags. */
  source: string;
  /** Why this is a software adapter (SwiftShader, llvmpipe, …), or null for a hardware adapter. */
  software: string | null;
}

/**
 * A tfjs tensor as anyml's public types name one: structural, so any `tf.Tensor` of the user's tfjs-core fits
 * without anyml's declarations importing tfjs-core's.
 */
export interface TensorLike {
  readonly shape: readonly number[];
  readonly dtype: string;
  dispose(): void;
}

/** One named parameter: values and shape (kernel HWIO [3,3,cin,cout] or dense [in,out], bias [out]). */
export interface ParamArray {
  name: string;
  shape: number[];
  values: Float32Array;
}
