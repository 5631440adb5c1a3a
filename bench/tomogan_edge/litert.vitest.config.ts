// SPDX-License-Identifier: MIT
// Runs the LiteRT.js timing page (bench/tomogan_edge/litert_bench.test.ts) in the browser test setup of
// vitest.browser.config.ts (Chromium, COOP/COEP, --enable-unsafe-webgpu). Sizes from the environment:
//   LITERT_SIZE=1024 LITERT_GPU_SIZE=256 LITERT_REPS=3 LITERT_TILES=256 \
//   npx vitest run --config bench/tomogan_edge/litert.vitest.config.ts
import { defineConfig } from 'vitest/config';
import base from '../../vitest.browser.config.js';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const bench = { size: env('LITERT_SIZE', 1024), gpuSize: env('LITERT_GPU_SIZE', 256), reps: env('LITERT_REPS', 3), tiles: env('LITERT_TILES', 256) };

export default defineConfig({
  ...base,
  define: { ...base.define, __LITERT_BENCH__: JSON.stringify(bench) },
  test: { ...base.test, include: ['bench/tomogan_edge/litert_bench.test.ts'], testTimeout: 3_600_000 },
});
