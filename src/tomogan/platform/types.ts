// SPDX-License-Identifier: MIT
// What TomoGAN needs from its host, by runtime: `#tomogan-platform` is ./node.ts under the `node` export condition
// and ./browser.ts elsewhere, so onnxruntime-node and Dawn's `webgpu` package never reach a browser bundle.

/** An onnxruntime tensor, as far as the native backend reads it. */
export interface OrtTensor {
  readonly data: unknown;
  dispose?(): void;
}

/** An onnxruntime inference session. */
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}

/**
 * The parts of onnxruntime-node's API the native backend uses, written out here so that anyml's types do not
 * depend on onnxruntime's (an optional dependency that may be absent).
 */
export interface OrtNode {
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<OrtSession> };
  Tensor: new (type: 'float32' | 'int8', data: Float32Array | Int8Array, dims: readonly number[]) => OrtTensor;
  env: { versions?: Record<string, string> };
}

/** `navigator.gpu` as far as anyml uses it. */
export interface GpuLike {
  requestAdapter: (o?: object) => Promise<AdapterLike | null>;
}

/** What a WebGPU adapter says about itself (GPUAdapterInfo, plus the adapter's fallback flag). */
export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: AdapterInfo;
  requestAdapterInfo?: () => Promise<AdapterInfo>;
}

/** A WebGPU adapter set up in this process (`navigator.gpu` installed), or why there is none. */
export type GpuFound = { gpu: GpuLike; adapter: AdapterLike; source: string } | { gpu: null; reason: string };

/** A WebGPU adapter's description, found without changing this process, or why there is none. */
export type GpuProbe = { info: AdapterInfo; source: string } | { reason: string };

/** The module namespace of @tensorflow/tfjs-backend-wasm, as far as anyml configures it. */
export interface TfWasmModule {
  setWasmPaths(paths: Record<string, string>, usePlatformFetch?: boolean): void;
}

/** A loaded TFLite model in the TFLite C interpreter (src/quant/tflite_c.ts). */
export interface TfliteRunner {
  readonly version: string;
  run(input: Int8Array | Float32Array): Int8Array | Float32Array;
  close(): void;
}

export interface TomoganPlatform {
  /** The TFLite C library through koffi (Node only; both optional): loads `model`, or rejects with what to install. */
  openTflite(model: Uint8Array, opts?: { threads?: number }): Promise<TfliteRunner>;
  /** onnxruntime-node, imported once it is asked for; rejects with an install hint (or "needs Node"). */
  importOrt(name: string): Promise<OrtNode>;
  /**
   * The WebGPU adapter to use: the page's `navigator.gpu`, or in Node Dawn from the npm `webgpu` package, installed
   * as `navigator.gpu` (tfjs-backend-webgpu registers itself at import only when `navigator.gpu` exists).
   */
  findGpu(): Promise<GpuFound>;
  /**
   * The adapter findGpu would find, described without installing anything or printing: in Node, Dawn is probed in a
   * child process, so its diagnostics on stderr never reach the user's terminal when WebGPU is not chosen.
   */
  probeGpu(): Promise<GpuProbe>;
  /** Registers tfjs-core's gradients (training needs them; inference does not load them). Idempotent. */
  registerGradients(): Promise<void>;
  /** Points tfjs-backend-wasm at its .wasm files before its first use (bundlers do not copy them on their own). */
  configureTfWasm(mod: TfWasmModule): void;
}
