// SPDX-License-Identifier: MIT
// q8_conv2d speed: the wasm core's int8 convolution (SIMD and scalar builds) vs its TS oracle convInt8, on TomoGAN-
// sized layers, in GMAC/s (multiply-accumulates h·w·k²·cin·cout per second, best of --reps runs after a warm-up).
// Every result is checked against convInt8 first. Usage: npx tsx bench/q8_conv2d/run.ts [--reps 7]
import { loadCore } from '../../src/backends/wasm/loader.js';
import { convInt8Wasm } from '../../src/kernels/q8_conv2d.js';
import { type ConvInt8, convInt8 } from '../../src/quant/kernels.js';
import { nextU32, seedState } from '../../src/rng.js';

const arg = (k: string, d: number) => (process.argv.includes(k) ? Number(process.argv[process.argv.indexOf(k) + 1]) : d);
const reps = arg('--reps', 7);

function layer(seed: number, h: number, w: number, k: 1 | 3, cin: number, cout: number) {
  const s = seedState(seed);
  const i8 = (n: number) => Int8Array.from({ length: n }, () => (nextU32(s) << 24) >> 24);
  const p: ConvInt8 = {
    k, cin, cout, weights: i8(cout * k * k * cin),
    bias: new Int32Array(cout).fill(1000),
    multiplier: new Int32Array(cout).fill(1518500250), // 2^30.5: a typical Q31 mantissa
    shift: new Int32Array(cout).fill(-10),
    inZero: -3, outZero: 5, actMin: 5, actMax: 127, // ReLU
  };
  return { x: i8(h * w * cin), h, w, p };
}

function best(run: () => void, n: number): number {
  run();
  let b = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    run();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

const [simd, scalar] = await Promise.all([loadCore('simd'), loadCore('scalar')]);
const f = (ms: number, gmac: number) => `${ms.toFixed(2).padStart(8)} ms ${(gmac / (ms / 1e3)).toFixed(2).padStart(6)} GMAC/s`;

/** Times one layer on the three engines (after checking both wasm builds against convInt8); returns the times. */
function measure(h: number, w: number, cin: number, k: 1 | 3, cout: number, print: boolean): [number, number, number] {
  const c = layer(h + cin + cout, h, w, k, cin, cout);
  const ref = convInt8(c.x, c.h, c.w, c.p);
  for (const core of [simd, scalar]) {
    const got = convInt8Wasm(core, c.x, c.h, c.w, c.p);
    if (got.some((v, i) => v !== ref[i])) throw new Error(`${h}x${w}x${cin}: wasm differs from convInt8`);
  }
  const ts = best(() => convInt8(c.x, c.h, c.w, c.p), Math.min(reps, 3));
  const sc = best(() => convInt8Wasm(scalar, c.x, c.h, c.w, c.p), reps);
  const sm = best(() => convInt8Wasm(simd, c.x, c.h, c.w, c.p), reps);
  if (print) {
    const gmac = (h * w * k * k * cin * cout) / 1e9;
    console.log(`${h}x${w}x${cin} k${k} -> ${cout} (${(gmac * 1e3).toFixed(1)} MMAC)`);
    console.log(`  TS convInt8   ${f(ts, gmac)}\n  wasm scalar   ${f(sc, gmac)}\n  wasm SIMD     ${f(sm, gmac)}   ${(ts / sm).toFixed(0)}x TS`);
  }
  return [ts, sc, sm];
}

// [h, w, cin, k, cout]: the two asked-for shapes, then TomoGAN's bottleneck, first 3×3 and head 1×1 on a 64² tile.
const shapes: Array<[number, number, number, 1 | 3, number]> = [
  [64, 64, 32, 3, 32], [128, 128, 64, 3, 64], [64, 64, 128, 3, 128], [64, 64, 8, 3, 32], [64, 64, 32, 1, 16],
];
for (const [h, w, cin, k, cout] of shapes) measure(h, w, cin, k, cout, true);

// The generator's 16 convolutions on one 64² tile (depth 1, 'repo' decoder widths 64/32/32; src/tomogan/model.ts
// layerSpecs, at the resolution each row runs: pools halve it to 8², the up blocks double it back).
const tomogan: Array<[number, number, 1 | 3, number]> = [
  [64, 1, 1, 8], [64, 8, 3, 32], [64, 32, 3, 32], [32, 32, 3, 64], [32, 64, 3, 64], [16, 64, 3, 128], [16, 128, 3, 128],
  [8, 128, 3, 128], [16, 256, 3, 64], [16, 64, 3, 64], [32, 128, 3, 32], [32, 32, 3, 32], [64, 64, 3, 32],
  [64, 32, 3, 32], [64, 32, 1, 16], [64, 16, 1, 1],
];
const total = [0, 0, 0];
let macs = 0;
for (const [r, cin, k, cout] of tomogan) {
  measure(r, r, cin, k, cout, false).forEach((t, i) => (total[i] += t));
  macs += r * r * k * k * cin * cout;
}
const g = macs / 1e9;
console.log(`TomoGAN's 16 convolutions on a 64² tile (${(g * 1e3).toFixed(0)} MMAC), sum of per-layer bests`);
console.log(`  TS convInt8   ${f(total[0], g)}\n  wasm scalar   ${f(total[1], g)}\n  wasm SIMD     ${f(total[2], g)}   ${(total[0] / total[2]).toFixed(0)}x TS`);
