// SPDX-License-Identifier: MIT
// Does LiteRT.js (@litertjs/core) run in Node 20? `npx tsx bench/tomogan_edge/litert_node.mts [size] [--webgpu]`.
// As shipped, no: loadLiteRt() injects a <script> tag (ReferenceError: document is not defined). With the shims below
// (self, importScripts through node:vm, require and __dirname for the emscripten glue's Node branch) it loads and
// runs on its wasm (XNNPACK) accelerator. Node has no navigator.gpu ("Failed to create default WebGPU device:
// ReferenceError: navigator is not defined" is logged); --webgpu sets one from the npm `webgpu` package (Dawn) first,
// e.g. on SwiftShader: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (needs libvulkan1).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { Graph } from '../../src/quant/graph.js';
import { quantizeArray, runInt8 } from '../../src/quant/reference.js';
import { tf } from '../../src/tomogan/tf.js';
import { calibrateInt8, diffHistogram, relErr, seededImage, tfjsRun, tfliteBytes, tomoganGraph } from './litert_models.js';
import { compileInt8, publicApiInt8Error } from './litert_int8.js';
import { formatOpDiffs, int8OpDiffs } from './litert_int8_ops.js';
import { compile, quietLiteRtLogs, runModel } from './litert_run.js';

const dir = fileURLToPath(new URL('../../node_modules/@litertjs/core/wasm/', import.meta.url));

/** Plain loadLiteRt first (to report its error), then with the shims. */
async function loadInNode(): Promise<typeof import('@litertjs/core')> {
  const lr = await import('@litertjs/core');
  try {
    await lr.loadLiteRt(dir);
    console.log('loadLiteRt in Node without shims: loaded');
    return lr;
  } catch (e) {
    console.log(`loadLiteRt in Node without shims: ${(e as Error).name}: ${(e as Error).message}`);
  }
  const g = globalThis as Record<string, unknown>;
  g.self = globalThis;
  g.require = createRequire(import.meta.url);
  g.__dirname = dir.replace(/\/$/, '');
  g.importScripts = (url: string) => vm.runInThisContext(readFileSync(url, 'utf8'), { filename: url });
  quietLiteRtLogs();
  await lr.loadLiteRt(dir);
  console.log(`loadLiteRt in Node with shims: loaded (relaxed SIMD ${await lr.supportsFeature('relaxedSimd')})`);
  return lr;
}

/** navigator.gpu from Dawn (npm `webgpu`), before LiteRT.js makes its default device. */
async function nodeWebgpu(): Promise<void> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
  g.navigator!.gpu = create([]);
}

/** The float model on `accel` against tfjs-cpu. */
async function floatCheck(lr: typeof import('@litertjs/core'), g: Graph, size: number, accel: 'wasm' | 'webgpu'): Promise<void> {
  const x = seededImage(size, size, 7);
  const { model, fully } = await compile(lr, tfliteBytes(g, size, size), accel);
  await runModel(lr, model, x, size, size); // warm-up
  const t0 = performance.now();
  const y = await runModel(lr, model, x, size, size);
  const ms = performance.now() - t0;
  model.delete();
  const err = relErr(y, await tfjsRun(g, x, size, size));
  console.log(`float ${size}²: LiteRT.js ${accel} (all ops there: ${fully}) vs tfjs-cpu rel err ${err.toExponential(2)} (${ms.toFixed(0)} ms)`);
}

async function main(): Promise<void> {
  const size = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 64);
  const webgpu = process.argv.includes('--webgpu');
  await tf.setBackend('cpu');
  if (webgpu) await nodeWebgpu();
  const lr = await loadInNode();
  const g = await tomoganGraph();
  await floatCheck(lr, g, size, 'wasm');
  if (webgpu) await floatCheck(lr, g, size, 'webgpu');
  const q = calibrateInt8(g, 64, 64);
  const b8 = tfliteBytes(g, 64, 64, q);
  console.log(`int8 via loadAndCompile: ${await publicApiInt8Error(lr, b8)}`);
  const m8 = await compileInt8(lr, b8, 64, 64);
  const xi = quantizeArray(seededImage(64, 64, 7), q.params[g.input]);
  const t0 = performance.now();
  const y8 = await m8.run(xi);
  console.log(`int8 64²: ${(performance.now() - t0).toFixed(0)} ms; LiteRT.js − runInt8 histogram`, JSON.stringify(diffHistogram(y8, runInt8(q, xi, 64, 64))));
  m8.delete();
  console.log(formatOpDiffs(await int8OpDiffs(lr, q)));
}

await main();
