// SPDX-License-Identifier: MIT
// The `native` TomoGAN backend: anyml's ONNX export run by onnxruntime-node, an optional dependency loaded only when
// installed (Node only: #tomogan-platform). In Node, tfjs-wasm uses one SIMD thread while onnxruntime's MLAS kernels
// use AVX2/AVX-512 and every core (docs/benchmarks.md, bench:tomogan).
import { platform } from '#platform';
import { tomoganPlatform } from '#tomogan-platform';
import type { BackendEntry } from '../../backends/registry.js';
import type { Generator } from '../model.js';
import { ONNX_INPUT, ONNX_OUTPUT, exportOnnx } from '../onnx.js';
import type { OrtNode, OrtSession } from '../platform/types.js';
import { DEFAULT_TILE } from '../types.js';
import type { TomoganBackend } from './registry.js';

let ortLoad: Promise<OrtNode> | undefined;

/** Imports the onnxruntime-node API from module `name` (a parameter so that tests can name a missing package). */
export function importOrt(name: string): Promise<OrtNode> {
  return tomoganPlatform.importOrt(name);
}

/** Loads onnxruntime-node once; rejects with an install hint outside Node or when the package is missing. */
export function loadOrtNode(): Promise<OrtNode> {
  ortLoad ??= importOrt('onnxruntime-node');
  // A failed load is retried on the next call (the user may install the package without restarting).
  ortLoad.catch(() => (ortLoad = undefined));
  return ortLoad;
}

/** Whether onnxruntime-node loads in this process (the native backend is usable). */
export async function nativeAvailable(): Promise<boolean> {
  return loadOrtNode().then(
    () => true,
    () => false,
  );
}

interface NativeOptions {
  /** onnxruntime intra-op threads; 0 or undefined = onnxruntime's default (one per physical core). */
  threads?: number;
}

/** One session per (generator, thread count). Generator weights are immutable, so a session never goes stale. */
const sessions = new WeakMap<Generator, Map<number, Promise<OrtSession>>>();

async function session(gen: Generator, threads: number): Promise<OrtSession> {
  let byThreads = sessions.get(gen);
  if (!byThreads) sessions.set(gen, (byThreads = new Map()));
  let s = byThreads.get(threads);
  if (!s) {
    const p = (async () => {
      const ort = await loadOrtNode();
      return ort.InferenceSession.create(exportOnnx(gen), {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        // No memory pattern: onnxruntime would pre-plan and keep one block per input shape (1.6 GB peak RSS for
        // 1024² volumes; 0.99 GB without, at the same speed: docs/benchmarks.md "TomoGAN volumes").
        enableMemPattern: false,
        ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
      });
    })();
    byThreads.set(threads, p);
    p.catch(() => byThreads.delete(threads));
    s = p;
  }
  return s;
}

/**
 * Runs the generator on `n` windows of th × tw × depth in `buf` (NHWC, as denoise extracts them) and returns the
 * n × th × tw outputs. The ONNX graph is NCHW: a depth-3 window is transposed first; depth 1 is the same bytes.
 */
async function runNative(gen: Generator, buf: Float32Array, n: number, th: number, tw: number, opts: NativeOptions = {}): Promise<Float32Array> {
  const ort = await loadOrtNode();
  const s = await session(gen, opts.threads ?? 0);
  const d = gen.depth;
  let nchw = buf;
  if (d > 1) {
    nchw = new Float32Array(buf.length);
    const hw = th * tw;
    for (let b = 0; b < n; b++)
      for (let p = 0; p < hw; p++) for (let c = 0; c < d; c++) nchw[(b * d + c) * hw + p] = buf[(b * hw + p) * d + c];
  }
  const input = new ort.Tensor('float32', nchw, [n, d, th, tw]);
  const out = await s.run({ [ONNX_INPUT]: input });
  const y = out[ONNX_OUTPUT];
  try {
    return y.data as Float32Array;
  } finally {
    input.dispose?.();
  }
}

/**
 * Node only, when the optional dependency is installed; its absence is not worth a warning under 'auto'. Tile 1024:
 * 4 tiles of a 2048² image took 6.0 s; one 2048 tile is 1.2× faster but needs ~4× the memory (docs/benchmarks.md).
 */
export const nativeEntry: BackendEntry<TomoganBackend> = {
  name: 'native',
  priority: 30,
  isAvailable: async () => (platform.isNode ? loadOrtNode().then(() => true as const, (e: Error) => e.message) : 'needs Node (onnxruntime-node)'),
  load: async () => {
    await loadOrtNode();
    return { tile: DEFAULT_TILE.native, activate: async () => {}, forward: (model, windows, n, th, tw, opts) => runNative(model, windows, n, th, tw, opts) };
  },
};
