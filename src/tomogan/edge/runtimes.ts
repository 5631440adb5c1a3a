// SPDX-License-Identifier: MIT
// The int8 runtimes of the edge path, a registry by name and priority like the float backends: `reference` is anyml's
// integer arithmetic (src/quant/reference.ts, always there), `tflite` the TFLite C interpreter (Node, optional
// koffi), each running a full-int8 graph on batches of fixed-size tiles. Real runtimes must agree with `reference`
// to within 1 LSB (test/unit/quant/tflite.test.ts).
import { tomoganPlatform } from '#tomogan-platform';
import { type BackendEntry, BackendRegistry } from '../../backends/registry.js';
import type { QuantizedGraph } from '../../quant/quantize.js';
import { type ConvKernel, prepareOps, runInt8 } from '../../quant/reference.js';
import { writeTflite } from '../../quant/tflite.js';
import { convInt8Wasm, loadQ8Core } from '../../kernels/q8_conv2d.js';
import type { OrtNode, OrtSession, TfliteRunner } from '../platform/types.js';
import { QDQ_INPUT, QDQ_OUTPUT, writeOnnxQdq } from '../../quant/onnx_qdq.js';

/** Runs full-int8 graphs: `n` NHWC int8 tiles of h × w packed in `tiles` → `n` outputs packed the same way. */
export interface EdgeRuntime {
  run(q: QuantizedGraph, tiles: Int8Array, n: number, h: number, w: number): Promise<Int8Array>;
}

export const edgeRuntimes = new BackendRegistry<EdgeRuntime>('tomogan edge');

/** Adds or replaces an int8 runtime; built-in priorities: tflite 30, onnxruntime 20, reference 10. */
export function registerEdgeRuntime(entry: BackendEntry<EdgeRuntime>): void {
  edgeRuntimes.register(entry);
}

/** Runs tile after tile through one int8 function of a single tile. */
export async function perTile(tiles: Int8Array, n: number, inPer: number, one: (x: Int8Array) => Int8Array | Promise<Int8Array>): Promise<Int8Array> {
  let out: Int8Array | undefined;
  for (let i = 0; i < n; i++) {
    const y = await one(tiles.subarray(i * inPer, (i + 1) * inPer));
    out ??= new Int8Array(n * y.length);
    out.set(y, i * y.length);
  }
  return out ?? new Int8Array(0);
}

/**
 * The reference runtime: runInt8 with the wasm core's q8_conv2d (C++ → WASM SIMD, bit-identical to the TS kernel,
 * test/unit/kernels/q8_conv2d.test.ts; about 70× faster), or the TS kernel where the core does not load.
 */
function referenceRuntime(fastConv?: ConvKernel): EdgeRuntime {
  const prepared = new WeakMap<QuantizedGraph, ReturnType<typeof prepareOps>>();
  return {
    async run(q, tiles, n, h, w) {
      let p = prepared.get(q);
      if (!p) prepared.set(q, (p = prepareOps(q)));
      const per = h * w * q.graph.tensors[q.graph.input].channels;
      return perTile(tiles, n, per, (x) => runInt8(q, x, h, w, p, fastConv));
    },
  };
}

/**
 * The TFLite C interpreter on anyml's own .tflite file of each graph and tile shape, one interpreter per pair;
 * `open` loads a file (default: the platform's openTflite; the edgetpu runtime passes its library and threads).
 */
export function tfliteRuntime(open: (model: Uint8Array) => Promise<TfliteRunner> = (m) => tomoganPlatform.openTflite(m)): EdgeRuntime {
  const runners = new WeakMap<QuantizedGraph, Map<string, Promise<TfliteRunner>>>();
  const runner = (q: QuantizedGraph, h: number, w: number) => {
    let byShape = runners.get(q);
    if (!byShape) runners.set(q, (byShape = new Map()));
    let r = byShape.get(`${h}x${w}`);
    if (!r) byShape.set(`${h}x${w}`, (r = open(writeTflite(q.graph, { height: h, width: w, quantized: q }))));
    return r;
  };
  return {
    async run(q, tiles, n, h, w) {
      const it = await runner(q, h, w);
      const per = h * w * q.graph.tensors[q.graph.input].channels;
      return perTile(tiles, n, per, (x) => it.run(x) as Int8Array);
    },
  };
}

/** NHWC → NCHW of one h × w image with c channels (a copy only when c > 1). */
function toNchw(x: Int8Array, hw: number, c: number, back = false): Int8Array {
  if (c === 1) return x;
  const out = new Int8Array(x.length);
  for (let i = 0; i < hw; i++) for (let z = 0; z < c; z++) back ? (out[i * c + z] = x[z * hw + i]) : (out[z * hw + i] = x[i * c + z]);
  return out;
}

/**
 * onnxruntime-node on the QDQ export (src/quant/onnx_qdq.ts) with activations stored as uint8, the form its x86
 * QLinearConv kernels take (int8 storage runs 5 of TomoGAN's 16 convolutions in float); one session per graph with
 * symbolic H and W. Its requantization rounds once, in float, where TFLite rounds twice in fixed point: codes differ
 * by 1–4 LSB from `reference` (docs/tomogan-edge.md).
 */
function ortRuntime(ort: OrtNode): EdgeRuntime {
  const sessions = new WeakMap<QuantizedGraph, Promise<OrtSession>>();
  return {
    async run(q, tiles, n, h, w) {
      let s = sessions.get(q);
      if (!s) sessions.set(q, (s = ort.InferenceSession.create(writeOnnxQdq(q, { activations: 'uint8' }), { executionProviders: ['cpu'], graphOptimizationLevel: 'all' })));
      const sess = await s;
      const cin = q.graph.tensors[q.graph.input].channels;
      const cout = q.graph.tensors[q.graph.output].channels;
      return perTile(tiles, n, h * w * cin, async (x) => {
        const y = (await sess.run({ [QDQ_INPUT]: new ort.Tensor('int8', toNchw(x, h * w, cin), [1, cin, h, w]) }))[QDQ_OUTPUT];
        const out = toNchw(y.data as Int8Array, h * w, cout, true);
        y.dispose?.();
        return out;
      });
    },
  };
}

async function wasmConv(): Promise<ConvKernel | undefined> {
  try {
    const core = await loadQ8Core();
    return (x, h, w, p) => convInt8Wasm(core, x, h, w, p);
  } catch {
    return undefined;
  }
}

registerEdgeRuntime({ name: 'reference', priority: 10, load: async () => referenceRuntime(await wasmConv()) });
registerEdgeRuntime({ name: 'onnxruntime', priority: 20, load: async () => ortRuntime(await tomoganPlatform.importOrt('onnxruntime-node')) });
registerEdgeRuntime({
  name: 'tflite',
  priority: 30,
  load: async () => {
    // Fails here, not at the first tile, when koffi or the library is missing: 'auto' then falls back.
    const probe = await tomoganPlatform.openTflite(writeTflite(PROBE, { height: 8, width: 8 }));
    probe.close();
    return tfliteRuntime();
  },
});

/** A one-op float graph whose file any TFLite build loads: opening it proves the runtime is usable. */
const PROBE = {
  name: 'probe',
  tensors: [{ name: 'x', channels: 1, stride: 1 }, { name: 'y', channels: 1, stride: 1 }],
  input: 0,
  output: 1,
  ops: [{ kind: 'conv' as const, name: 'c', input: 0, output: 1, k: 1 as const, relu: false, kernel: Float32Array.of(1), bias: Float32Array.of(0) }],
};
