// SPDX-License-Identifier: MIT
// The `native` TomoGAN backend (issue 5 "Native CPU path in Node"): anyml's ONNX export run by onnxruntime-node, an
// optional dependency loaded only when installed. In Node, tfjs-wasm uses one SIMD thread (≈40 GFLOP/s here) while
// onnxruntime's MLAS kernels use AVX2/AVX-512 and every core (TOOLCHAIN.md §4, issue 5 figures).
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { Generator } from './model.js';
import { ONNX_INPUT, ONNX_OUTPUT, exportOnnx } from './onnx.js';

interface OrtNode {
  InferenceSession: typeof InferenceSession;
  Tensor: typeof Tensor;
  env: { versions?: Record<string, string> };
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
let ortLoad: Promise<OrtNode> | undefined;

/** Why onnxruntime-node cannot load here: written so that the user knows what to install. */
function notInstalled(e: unknown): Error {
  return new Error(
    `the optional dependency onnxruntime-node is not installed or does not load (${(e as Error)?.message ?? String(e)}). ` +
      'Install it with: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node (the variable skips its CUDA download, ' +
      'which fails offline; the CPU runtime ships inside the package)',
  );
}

/** Imports the onnxruntime-node API from module `name` (a parameter so that tests can name a missing package). */
export async function importOrt(name: string): Promise<OrtNode> {
  if (!isNode) throw new Error('the native backend needs Node (onnxruntime-node); in a browser use webgpu or wasm');
  try {
    // A variable specifier keeps bundlers from resolving onnxruntime-node for the browser build.
    const m = (await import(/* @vite-ignore */ name)) as OrtNode & { default?: OrtNode };
    return m.InferenceSession ? m : m.default!;
  } catch (e) {
    throw notInstalled(e);
  }
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

export interface NativeOptions {
  /** onnxruntime intra-op threads; 0 or undefined = onnxruntime's default (one per physical core). */
  threads?: number;
}

/** One session per (generator, thread count). Generator weights are immutable, so a session never goes stale. */
const sessions = new WeakMap<Generator, Map<number, Promise<InferenceSession>>>();

async function session(gen: Generator, threads: number): Promise<InferenceSession> {
  let byThreads = sessions.get(gen);
  if (!byThreads) sessions.set(gen, (byThreads = new Map()));
  let s = byThreads.get(threads);
  if (!s) {
    const p = (async () => {
      const ort = await loadOrtNode();
      return ort.InferenceSession.create(exportOnnx(gen), {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
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
export async function runNative(gen: Generator, buf: Float32Array, n: number, th: number, tw: number, opts: NativeOptions = {}): Promise<Float32Array> {
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
