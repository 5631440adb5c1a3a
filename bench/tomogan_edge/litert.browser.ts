// SPDX-License-Identifier: MIT
// TomoGAN inference timings in one Chromium page: LiteRT.js (wasm/XNNPACK and webgpu) next to tfjs-wasm and
// tfjs-webgpu on the same float graph, plus the int8 .tflite on LiteRT.js wasm (64² tiles and one full frame).
// Each case: one warm-up run, then the median of `reps`; a run is input array → output array (upload and read-back
// included), on a model compiled beforehand. Run: bench/tomogan_edge/litert_bench.test.ts.
import type { Graph } from '../../src/quant/graph.js';
import type { QuantizedGraph } from '../../src/quant/quantize.js';
import { quantizeArray } from '../../src/quant/reference.js';
import { useBackend } from '../../src/tomogan/backends/index.js';
import { disposeGraphTf } from '../../src/tomogan/graph_tf.js';
import { compileInt8 } from './litert_int8.js';
import { median, relErr, seededImage, tfjsRun, tfliteBytes } from './litert_models.js';
import { compile, type LiteRtAccel, runModel } from './litert_run.js';

type LiteRtModule = typeof import('@litertjs/core');

export interface BenchConfig {
  /** Float frame size for the wasm engines (and the int8 full-frame file). */
  size: number;
  /** Float frame size for the webgpu engines (SwiftShader is ~100× slower than wasm here). */
  gpuSize: number;
  reps: number;
  /** 64² int8 tiles per timed run (256 = one 1024² frame's pixels). */
  tiles: number;
}

export interface Row {
  engine: string;
  size: number;
  runs: number[];
  median: number;
  /** max |y − tfjs-wasm| / max |tfjs-wasm| at this size, when known. */
  err?: number;
  error?: string;
}

/** One warm-up, then `reps` timed calls; the last output. */
async function timed<T>(reps: number, run: () => Promise<T>): Promise<{ runs: number[]; out: T }> {
  let out = await run();
  const runs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    out = await run();
    runs.push(performance.now() - t0);
  }
  return { runs, out };
}

/** A row from `work`, or one that carries the error text. */
async function row(engine: string, size: number, work: () => Promise<{ runs: number[]; err?: number }>): Promise<Row> {
  try {
    const { runs, err } = await work();
    const r: Row = { engine, size, runs, median: median(runs), err };
    console.log(`${engine} ${size}²: median ${r.median.toFixed(0)} ms of [${runs.map((v) => v.toFixed(0)).join(', ')}]`);
    return r;
  } catch (e) {
    console.log(`${engine} ${size}²: ${(e as Error).name}: ${(e as Error).message}`);
    return { engine, size, runs: [], median: NaN, error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

export function benchTfjs(g: Graph, backend: 'wasm' | 'webgpu', size: number, reps: number, ref?: Float32Array): Promise<Row & { out?: Float32Array }> {
  const x = seededImage(size, size, 7);
  let out: Float32Array | undefined;
  return row(`tfjs-${backend}`, size, async () => {
    await useBackend(backend);
    const t = await timed(reps, () => tfjsRun(g, x, size, size));
    disposeGraphTf(g);
    out = t.out;
    return { runs: t.runs, err: ref ? relErr(t.out, ref) : undefined };
  }).then((r) => ({ ...r, out }));
}

export function benchLiteRt(lr: LiteRtModule, g: Graph, accel: LiteRtAccel, size: number, reps: number, ref?: Float32Array): Promise<Row> {
  const x = seededImage(size, size, 7);
  return row(`LiteRT.js ${accel}`, size, async () => {
    const { model, fully } = await compile(lr, tfliteBytes(g, size, size), accel);
    if (!fully) console.log(`LiteRT.js ${accel} ${size}²: not every op is on ${accel}`);
    try {
      const t = await timed(reps, () => runModel(lr, model, x, size, size));
      return { runs: t.runs, err: ref ? relErr(t.out, ref) : undefined };
    } finally {
      model.delete();
    }
  });
}

/** The int8 model at 64² run on `tiles` tiles, or (tiles = 0) one int8 file of size². */
export function benchInt8(lr: LiteRtModule, q: QuantizedGraph, size: number, tiles: number, reps: number): Promise<Row> {
  const g = q.graph;
  const s = tiles ? 64 : size;
  const xi = quantizeArray(seededImage(s, s, 7), q.params[g.input]);
  const name = tiles ? `LiteRT.js wasm int8, ${tiles} × 64² tiles` : 'LiteRT.js wasm int8';
  return row(name, tiles ? 64 * Math.sqrt(tiles) : size, async () => {
    const m = await compileInt8(lr, tfliteBytes(g, s, s, q), s, s);
    try {
      const one = () => m.run(xi);
      const all = async () => {
        for (let i = 0; i < Math.max(1, tiles); i++) await one();
      };
      return { runs: (await timed(reps, all)).runs };
    } finally {
      m.delete();
    }
  });
}

/** Every case of the brief, in one page; rows in the order run. */
export async function runLiteRtBench(lr: LiteRtModule, g: Graph, q: QuantizedGraph, c: BenchConfig): Promise<Row[]> {
  const rows: Row[] = [];
  const tw = await benchTfjs(g, 'wasm', c.size, c.reps);
  rows.push(tw, await benchLiteRt(lr, g, 'wasm', c.size, c.reps, tw.out));
  rows.push(await benchInt8(lr, q, c.size, c.tiles, c.reps), await benchInt8(lr, q, c.size, 0, c.reps));
  await useBackend('wasm');
  const ref = c.gpuSize === c.size ? tw.out : await tfjsRun(g, seededImage(c.gpuSize, c.gpuSize, 7), c.gpuSize, c.gpuSize);
  rows.push(await benchTfjs(g, 'webgpu', c.gpuSize, c.reps, ref), await benchLiteRt(lr, g, 'webgpu', c.gpuSize, c.reps, ref));
  return rows;
}

/** The rows as a markdown table. */
export function formatRows(rows: readonly Row[]): string {
  const lines = ['| engine | size | median ms | runs ms | rel err vs tfjs-wasm |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const runs = r.error ?? r.runs.map((v) => v.toFixed(0)).join(', ');
    lines.push(`| ${r.engine} | ${r.size}² | ${Number.isNaN(r.median) ? '—' : r.median.toFixed(0)} | ${runs} | ${r.err?.toExponential(2) ?? ''} |`);
  }
  return lines.join('\n');
}
