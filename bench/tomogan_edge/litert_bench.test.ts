// SPDX-License-Identifier: MIT
// The LiteRT.js vs tfjs timing run (bench/tomogan_edge/litert.browser.ts) as one browser "test", so vitest serves
// the page: npx vitest run --config bench/tomogan_edge/litert.vitest.config.ts (sizes: see that file).
import { expect, it } from 'vitest';
import { useBackend } from '../../src/tomogan/backends/index.js';
import { type BenchConfig, formatRows, runLiteRtBench } from './litert.browser.js';
import { loadLiteRtBrowser } from './litert_load.browser.js';
import { calibrateInt8, tomoganGraph } from './litert_models.js';

declare const __LITERT_BENCH__: BenchConfig;

it('times TomoGAN on LiteRT.js and tfjs', async () => {
  const loaded = await loadLiteRtBrowser();
  if (typeof loaded === 'string') throw new Error(loaded);
  const g = await tomoganGraph();
  await useBackend('wasm');
  const q = calibrateInt8(g, 64, 64);
  const c = __LITERT_BENCH__;
  console.log(`@litertjs/core ${loaded.version} (${loaded.wasmFile}), ${navigator.userAgent}, hardwareConcurrency ${navigator.hardwareConcurrency}, crossOriginIsolated ${crossOriginIsolated}; ${JSON.stringify(c)}`);
  const rows = await runLiteRtBench(loaded.lr, g, q, c);
  console.log(formatRows(rows));
  expect(rows.length).toBeGreaterThan(0);
});
