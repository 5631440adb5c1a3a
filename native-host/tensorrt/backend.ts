// SPDX-License-Identifier: MIT
// The `tensorrt` TomoGAN backend: denoise's tile batches (NHWC windows) sent to a TensorRT engine runner as the
// exported ONNX graph's NCHW input (src/tomogan/onnx.ts ONNX_INPUT [N, depth, H, W] → ONNX_OUTPUT [N, 1, H, W]).
import { DEFAULT_HALO, registerTomoganBackend, type TomoganBackend } from 'anyml/tomogan';
import type { TrtShapes } from './engine_cache.js';
import type { TrtRunner } from './runner.js';

/** Core tile in px: windows of TRT_TILE + 2·DEFAULT_HALO = 624 px, the engine's opt and max H and W. */
export const TRT_TILE = 512;
/** Windows per engine call: the profile's max N (1 keeps the engine's activation memory small on a Jetson). */
export const TRT_MAX_BATCH = 1;

/**
 * The optimisation profile for a `depth`-channel generator: from one 8 × 8 window (an image padded to 8) to one
 * full window, optimised for the full window, which is what every tile of an image ≥ 624 px is.
 */
export function trtShapes(depth: number): TrtShapes {
  const win = TRT_TILE + 2 * DEFAULT_HALO;
  return { min: [1, depth, 8, 8], opt: [TRT_MAX_BATCH, depth, win, win], max: [TRT_MAX_BATCH, depth, win, win] };
}

/** NHWC (n × h × w × c) → NCHW (n × c × h × w); the identity copy-free case when c = 1. */
export function nhwcToNchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  if (c === 1) return x;
  const out = new Float32Array(x.length);
  const hw = h * w;
  for (let b = 0; b < n; b++)
    for (let p = 0; p < hw; p++) for (let k = 0; k < c; k++) out[(b * c + k) * hw + p] = x[(b * hw + p) * c + k];
  return out;
}

/** The backend over `runner`, for a generator of `depth` channels; `maxBatch` windows per engine call. */
export function tensorrtBackend(runner: Pick<TrtRunner, 'infer'>, depth: number, maxBatch = TRT_MAX_BATCH): TomoganBackend {
  return {
    tile: TRT_TILE,
    activate: async () => {},
    forward: async (_model, windows, n, th, tw) => {
      const per = th * tw * depth;
      const out = new Float32Array(n * th * tw);
      for (let b0 = 0; b0 < n; b0 += maxBatch) {
        const nb = Math.min(maxBatch, n - b0);
        const nchw = nhwcToNchw(windows.subarray(b0 * per, (b0 + nb) * per), nb, th, tw, depth);
        const r = await runner.infer(nchw, [nb, depth, th, tw]);
        if (r.data.length !== nb * th * tw) throw new Error(`tensorrt: the engine answered [${r.shape}] for [${nb}, ${depth}, ${th}, ${tw}]`);
        // [nb, 1, th, tw] is already n × th × tw, the layout denoise stitches.
        out.set(r.data, b0 * th * tw);
      }
      return out;
    },
  };
}

/** Registers `tensorrt` (priority -1: opt-in, `denoise(…, { backend: 'tensorrt' })` only). */
export function registerTensorrtBackend(runner: Pick<TrtRunner, 'infer'>, depth: number): void {
  const impl = tensorrtBackend(runner, depth);
  registerTomoganBackend({ name: 'tensorrt', priority: -1, load: async () => impl });
}
