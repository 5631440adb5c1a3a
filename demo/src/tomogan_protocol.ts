// SPDX-License-Identifier: MIT
// Messages between the TomoGAN tab and tomogan.worker.ts. Types only.
import type { PhantomKind } from 'anyml';
import type { TomoganBackendName, WebgpuAdapterInfo } from 'anyml/tomogan';
import type { WireError } from './ui.js';

/** One slice on TomoGAN's 0…255 working scale (what the network sees), for display and metrics. */
export interface Slice {
  width: number;
  height: number;
  data: Float32Array;
}

export interface Capabilities {
  webgpu: WebgpuAdapterInfo | null;
  /** Why there is no WebGPU adapter (when webgpu is null). */
  webgpuReason: string;
  wasmSimd: boolean;
  /** tfjs-wasm's threaded build (the demo opts in with setWasmThreads: it needs cross-origin isolation and a non-minified bundle). */
  wasmThreads: boolean;
  /** What the weights are and where they came from. */
  weights: string;
  weightsMs: number;
}

export type TomoRequest =
  | { type: 'init' }
  | { type: 'simulate'; kind: PhantomKind; size: number; photons: number; seed: number }
  | { type: 'open'; file: File; reference?: File }
  | { type: 'denoise'; backend: 'auto' | 'host' | TomoganBackendName; tile?: number }
  /** The line `anyml host pair --json` prints: connect to that local host. */
  | { type: 'pair'; pairing: string }
  | { type: 'cancel' }
  | { type: 'encode'; format: 'png16' | 'npy' };

export interface Metrics {
  ssimInput: number;
  ssimResult: number;
  psnrInput: number;
  psnrResult: number;
}

export type TomoEvent =
  | { type: 'ready'; caps: Capabilities }
  | { type: 'input'; label: string; input: Slice; reference?: Slice; ms: number; note?: string }
  | { type: 'progress'; done: number; total: number }
  | { type: 'paired'; url: string; providers: { name: string; available: boolean; reason?: string }[] }
  | {
      type: 'result';
      result: Slice;
      /** The registered backend that ran (the built-ins are TomoganBackendName). */
      backend: string;
      tiles: number;
      warnings: string[];
      /** Milliseconds: denoise() (backend start on first use + tiles), metrics. */
      denoiseMs: number;
      metricsMs: number;
      metrics?: Metrics;
      /** tfjs-wasm threads in use after a wasm run (getThreadsCount), else undefined. */
      wasmThreadsCount?: number;
      /** A host run's milliseconds per stage (transfer, queue, model, …). */
      stages?: Record<string, number>;
    }
  | { type: 'file'; name: string; bytes: Uint8Array; mime: string }
  /** `request`: the request that failed ('weights': loading the weights during init, which still answers 'ready'). */
  | { type: 'error'; request: TomoRequest['type'] | 'weights'; doing: string; error: WireError };
