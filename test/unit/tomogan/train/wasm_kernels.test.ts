// SPDX-License-Identifier: MIT
// TomoGAN gradients on the tfjs wasm backend. Which backward kernels wasm lacks, and parity of ours with cpu.
import { beforeAll, describe, expect, it } from 'vitest';
import { nextU32, seedState } from '../../../../src/rng.js';
import { useBackend, useGradients } from '../../../../src/tomogan/backends/index.js';
import { tf } from '../../../../src/tomogan/tf.js';
import type { TfBackendName } from '../../../../src/tomogan/types.js';
import { createGenerator, upsample2x, type Generator } from '../../../../src/tomogan/model.js';
import { __testHooks, registerWasmTrainingKernels } from '../../../../src/tomogan/train/wasm_kernels.js';
import { upsample2xExactGrad } from '../../../../src/tomogan/upsample.js';
import { relErr } from '../../../helpers/tomogan.js';

/** Gradient parity wasm vs cpu: max|Δ| / max|ref| . */
const TOL = 1e-4;

/** Seeded uniform values in [lo, hi), from anyml's xoshiro128** stream. */
function seeded(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  const s = seedState(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + ((nextU32(s) + 0.5) / 2 ** 32) * (hi - lo);
  return tf.tensor(v, shape);
}

/** Runs `f` on cpu and on wasm; returns each output's values per backend. */
async function onBoth(f: () => tf.Tensor[]): Promise<Record<TfBackendName, Float32Array[]>> {
  const out = {} as Record<TfBackendName, Float32Array[]>;
  for (const b of ['cpu', 'wasm'] as const) {
    await useBackend(b);
    const ts = tf.tidy(f);
    out[b] = ts.map((t) => t.dataSync() as Float32Array);
    tf.dispose(ts);
  }
  await useBackend('wasm');
  return out;
}

/** tf.grad / tf.grads with rank-typed parameters (tfjs types them as plain Tensor). */
const grad4 = (f: (x: tf.Tensor4D) => tf.Tensor) => tf.grad(f as (x: tf.Tensor) => tf.Tensor);
const grads3 = (f: (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor) => tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor);

const worst = (r: Record<TfBackendName, Float32Array[]>) => Math.max(...r.cpu.map((ref, i) => relErr(r.wasm[i], ref)));
const missingKernel = (e: unknown) => /Kernel '(\w+)' not registered for backend 'wasm'/.exec(String((e as Error).message))?.[1];

/** Backward graphs TomoGAN training runs (docs/tomogan.md "Generator", "Discriminator", "Training"), one op each. */
const PROBES: [string, () => unknown][] = [
  ['fused conv 3×3 s1 bias+relu', () => grads3((x, w, b) => tf.sum(tf.fused.conv2d({ x, filter: w, bias: b, pad: 'same', strides: 1, activation: 'relu' })))([seeded([2, 7, 7, 3], 1), seeded([3, 3, 3, 4], 2), seeded([4], 3)])],
  ['fused conv 3×3 s2 bias+relu', () => grads3((x, w, b) => tf.sum(tf.fused.conv2d({ x, filter: w, bias: b, pad: 'same', strides: 2, activation: 'relu' })))([seeded([2, 7, 7, 3], 1), seeded([3, 3, 3, 4], 2), seeded([4], 3)])],
  ['fused conv 1×1 linear', () => grads3((x, w, b) => tf.sum(tf.fused.conv2d({ x, filter: w, bias: b, pad: 'valid', strides: 1 })))([seeded([2, 7, 7, 3], 1), seeded([1, 1, 3, 4], 2), seeded([4], 3)])],
  ['maxPool 2×2 same', () => grad4((x) => tf.sum(tf.maxPool(x, 2, 2, 'same')))(seeded([2, 7, 7, 3], 1))],
  ['resizeBilinear half-pixel', () => grad4((x) => tf.sum(tf.image.resizeBilinear(x, [14, 14], false, true)))(seeded([2, 7, 7, 3], 1))],
  ['concat', () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.concat([a, b], 3))))([seeded([2, 4, 4, 3], 1), seeded([2, 4, 4, 2], 2)])],
  ['dense + sigmoid cross-entropy', () => tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.losses.sigmoidCrossEntropy(tf.ones([2, 1]), tf.matMul(tf.relu(x), w)))([seeded([2, 5], 1), seeded([5, 1], 2)])],
  ['mean squared error', () => tf.grad((x: tf.Tensor) => tf.losses.meanSquaredError(tf.zerosLike(x), x))(seeded([2, 4, 4, 1], 1))],
  ['Adam minimize through a conv', () => {
    const w = tf.variable(seeded([3, 3, 3, 4], 2));
    const opt = tf.train.adam(1e-3);
    opt.minimize(() => tf.losses.meanSquaredError(tf.zeros([2, 7, 7, 4]), tf.conv2d(seeded([2, 7, 7, 3], 1) as tf.Tensor4D, w as tf.Variable<tf.Rank.R4>, 1, 'same')) as tf.Scalar);
    opt.dispose();
    w.dispose();
  }],
];

let missingBefore: Map<string, string>;
beforeAll(async () => {
  await useBackend('wasm');
  await useGradients();
  missingBefore = new Map();
  for (const [name, f] of PROBES) {
    try {
      tf.tidy(() => void f());
    } catch (e) {
      missingBefore.set(name, missingKernel(e) ?? `other error: ${(e as Error).message}`);
    }
  }
  registerWasmTrainingKernels();
});

describe('wasm backward kernels (tfjs-backend-wasm 4.22)', () => {
  it('lacks only Conv2DBackpropFilter on the TomoGAN training path; registering it fixes every probe', () => {
    console.log('missing on wasm before registerWasmTrainingKernels:', Object.fromEntries(missingBefore));
    expect(new Set(missingBefore.values())).toEqual(new Set(['Conv2DBackpropFilter']));
    for (const [name, f] of PROBES) expect(() => tf.tidy(() => void f()), name).not.toThrow();
  });

  it('registerWasmTrainingKernels is idempotent and leaves tfjs kernels alone', () => {
    const before = tf.getKernel('MaxPoolGrad', 'wasm');
    expect(registerWasmTrainingKernels()).toEqual([]);
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBe(before);
  });
});

describe('Conv2DBackpropFilter on wasm vs cpu (fused conv2d with bias + relu)', () => {
  const cases: { k: 1 | 3; s: 1 | 2; h: number; w: number; cin: number; cout: number; pad: 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] }[] = [
    { k: 3, s: 1, h: 7, w: 9, cin: 3, cout: 5, pad: 'same' },
    { k: 3, s: 2, h: 7, w: 9, cin: 3, cout: 5, pad: 'same' },
    { k: 3, s: 2, h: 9, w: 7, cin: 6, cout: 4, pad: 'same' },
    { k: 1, s: 1, h: 7, w: 9, cin: 5, cout: 2, pad: 'valid' },
    { k: 1, s: 2, h: 9, w: 7, cin: 3, cout: 8, pad: 'same' },
    { k: 3, s: 1, h: 11, w: 5, cin: 4, cout: 7, pad: 'valid' },
    { k: 3, s: 2, h: 8, w: 10, cin: 2, cout: 3, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
    { k: 3, s: 1, h: 33, w: 35, cin: 16, cout: 24, pad: 'same' },
  ];
  for (const c of cases) {
    it(`k=${c.k} stride ${c.s} ${c.h}×${c.w} ${c.cin}→${c.cout} pad ${JSON.stringify(c.pad)}: dx, dW, db within ${TOL}`, async () => {
      const f = () => {
        const x = seeded([2, c.h, c.w, c.cin], 1);
        const conv = (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.fused.conv2d({ x, filter: w, bias: b, strides: c.s, pad: c.pad, activation: 'relu' });
        const y = conv(x as tf.Tensor4D, seeded([c.k, c.k, c.cin, c.cout], 2) as tf.Tensor4D, seeded([c.cout], 3, -0.2, 0.2) as tf.Tensor1D);
        const dy = seeded(y.shape, 4);
        return grads3((x, w, b) => tf.sum(tf.mul(conv(x, w, b), dy)))([x, seeded([c.k, c.k, c.cin, c.cout], 2), seeded([c.cout], 3, -0.2, 0.2)]);
      };
      const r = await onBoth(f);
      console.log(`conv k${c.k} s${c.s} ${c.h}x${c.w}: rel err dx ${relErr(r.wasm[0], r.cpu[0]).toExponential(1)} dW ${relErr(r.wasm[1], r.cpu[1]).toExponential(1)} db ${relErr(r.wasm[2], r.cpu[2]).toExponential(1)}`);
      expect(worst(r)).toBeLessThanOrEqual(TOL);
    });
  }

  it('gives the same dW when the im2col block is split into many chunks, and frees every intermediate', async () => {
    const f = () => [grad4((w) => tf.sum(tf.mul(tf.conv2d(seeded([2, 9, 7, 6], 1) as tf.Tensor4D, w, 2, 'same'), seeded([2, 5, 4, 5], 4))))(seeded([3, 3, 6, 5], 2))];
    const whole = await onBoth(f);
    const saved = __testHooks.maxColFloats;
    __testHooks.maxColFloats = 54 * 4 * 2; // 2 output rows of 4 columns per chunk → 5 chunks
    try {
      const b = tf.backend() as unknown as { numDataIds(): number };
      tf.tidy(f); // warm
      const ids = b.numDataIds();
      const chunked = tf.tidy(() => f()[0].dataSync() as Float32Array);
      expect(b.numDataIds()).toBe(ids);
      expect(relErr(chunked, whole.cpu[0])).toBeLessThanOrEqual(TOL);
    } finally {
      __testHooks.maxColFloats = saved;
    }
  });
});

describe('resizeBilinear half-pixel gradient', () => {
  /** <R x, dy> − <x, Rᵀ dy> relative to |<R x, dy>|: zero when the gradient is the true adjoint. */
  const adjointGap = (up: (x: tf.Tensor4D) => tf.Tensor4D) =>
    tf.tidy(() => {
      const x = seeded([2, 5, 5, 3], 1) as tf.Tensor4D;
      const dy = seeded([2, 10, 10, 3], 2);
      const lhs = tf.sum(tf.mul(up(x), dy)).dataSync()[0];
      const rhs = tf.sum(tf.mul(grad4((x) => tf.sum(tf.mul(up(x), dy)))(x), x)).dataSync()[0];
      return Math.abs(lhs - rhs) / Math.abs(lhs);
    });

  it('wasm and cpu agree, but tfjs ResizeBilinearGrad ignores halfPixelCenters on both; upsample2xExactGrad is exact', async () => {
    const r = await onBoth(() => [grad4((x) => tf.sum(tf.mul(upsample2x(x), seeded([2, 10, 10, 3], 2))))(seeded([2, 5, 5, 3], 1))]);
    expect(worst(r)).toBeLessThanOrEqual(TOL);
    const gaps: Record<string, number> = {};
    for (const b of ['cpu', 'wasm'] as const) {
      await useBackend(b);
      gaps[`${b} tf.grad(upsample2x)`] = adjointGap(upsample2x);
      gaps[`${b} upsample2xExactGrad`] = adjointGap(upsample2xExactGrad);
    }
    await useBackend('wasm');
    console.log('adjoint gap |<Rx,dy> - <x,R^T dy>| / |<Rx,dy>|:', gaps);
    expect(gaps['cpu tf.grad(upsample2x)']).toBeGreaterThan(1e-2); // tfjs bug: if this fails, tfjs fixed it upstream
    expect(gaps['wasm tf.grad(upsample2x)']).toBeGreaterThan(1e-2);
    expect(gaps['cpu upsample2xExactGrad']).toBeLessThan(1e-5);
    expect(gaps['wasm upsample2xExactGrad']).toBeLessThan(1e-5);
  });

  it('cpu ResizeBilinearGrad also swaps height and width (non-square input throws); wasm and upsample2xExactGrad do not', async () => {
    const g = (up: (x: tf.Tensor4D) => tf.Tensor4D) => () => tf.tidy(() => grad4((x) => tf.sum(up(x)))(seeded([1, 3, 5, 2], 1)).shape);
    await useBackend('cpu');
    expect(g(upsample2x)).toThrow(/has shape '1,5,3,2'/); // tfjs bug: if this fails, tfjs fixed it upstream
    expect(g(upsample2xExactGrad)()).toEqual([1, 3, 5, 2]);
    await useBackend('wasm');
    expect(g(upsample2x)()).toEqual([1, 3, 5, 2]);
  });

  it('upsample2xExactGrad: same forward as upsample2x, 1×1 and odd sizes, wasm = cpu', async () => {
    for (const [h, w] of [[1, 1], [1, 4], [3, 5]]) {
      const r = await onBoth(() => {
        const x = seeded([2, h, w, 2], 1) as tf.Tensor4D;
        const dy = seeded([2, 2 * h, 2 * w, 2], 2);
        return [upsample2xExactGrad(x), upsample2x(x), grad4((x) => tf.sum(tf.mul(upsample2xExactGrad(x), dy)))(x)];
      });
      expect(relErr(r.wasm[0], r.wasm[1])).toBe(0);
      expect(worst(r)).toBeLessThanOrEqual(TOL);
    }
  });
});

/** The generator graph of model.ts Generator.forward, on explicit weight tensors (variables) so that tf.grads sees them. */
function genForward(gen: Generator, vars: tf.Tensor[], x: tf.Tensor4D, up = upsample2x): tf.Tensor4D {
  let i = 0;
  const conv = (t: tf.Tensor4D) => {
    const s = gen.specs[i];
    const [w, b] = [vars[2 * i], vars[2 * i + 1]] as [tf.Tensor4D, tf.Tensor1D];
    i++;
    return tf.fused.conv2d({ x: t, filter: w, bias: b, strides: 1, pad: s.k === 1 ? 'valid' : 'same', activation: s.relu ? 'relu' : 'linear' });
  };
  const pool = (t: tf.Tensor4D) => tf.maxPool(t, 2, 2, 'same');
  const skip1 = conv(conv(conv(x)));
  const skip2 = conv(conv(pool(skip1)));
  const skip3 = conv(conv(pool(skip2)));
  let y = conv(pool(skip3));
  for (const skip of [skip3, skip2, skip1]) y = conv(conv(tf.concat([skip, up(y)], 3)));
  return conv(conv(y));
}

const genWeights = (gen: Generator) => gen.specs.flatMap((s) => [tf.tensor4d(gen.weights.get(s.name)!.kernel, [s.k, s.k, s.cin, s.cout]), tf.tensor1d(gen.weights.get(s.name)!.bias)]);

/**
 * MSE(G(x), target) and, in one backward pass, its gradient w.r.t. x, every bias and the filters of the layers `filters`
 * (indices into gen.specs). tfjs only differentiates along paths from the requested inputs, so leaving most filters out
 * keeps the cpu reference (its Conv2DBackpropFilter is a plain loop, ~3 MMAC/s) to a few seconds.
 */
function genGrads(gen: Generator, x: tf.Tensor4D, target: tf.Tensor, filters: number[]): tf.Tensor[] {
  const w = genWeights(gen);
  const wrt = [x, ...w.filter((_, i) => i % 2 === 1 || filters.includes(i / 2))];
  const f = (...args: tf.Tensor[]) => {
    const ws = w.map((t) => (wrt.includes(t) ? args[wrt.indexOf(t)] : t));
    return tf.losses.meanSquaredError(target, genForward(gen, ws, args[0] as tf.Tensor4D));
  };
  return tf.grads(f)(wrt);
}

/** One training step's gradients (all 32 weights as tf.variables, MSE) on `shape`; returns them in spec order. */
function genVariableGrads(gen: Generator, shape: number[]): tf.Tensor[] {
  const vars = genWeights(gen).map((t) => tf.variable(t));
  const x = seeded(shape, 11, 0, 1) as tf.Tensor4D;
  const t = seeded(shape, 12, 0, 1);
  const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(t, genForward(gen, vars, x)) as tf.Scalar, vars);
  const out = vars.map((v) => grads[v.name]);
  tf.dispose(vars);
  return out;
}

/** Mean ms of `reps` generator fwd+bwd steps (all 32 weight gradients) on `shape`, after one warm-up step when reps > 1. */
async function timeStep(gen: Generator, b: TfBackendName, shape: number[], reps: number): Promise<number> {
  await useBackend(b);
  const step = () => tf.tidy(() => genVariableGrads(gen, shape).forEach((g) => g.dataSync()));
  if (reps > 1) step(); // wasm: XNNPACK operators are created on first use
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) step();
  return (performance.now() - t0) / reps;
}

describe('TomoGAN generator end to end on wasm', () => {
  const gen = createGenerator({ seed: 7 });
  /** Filters of rows 1, 8 (bottleneck 128→128), 15 and 16: first, deepest and last layers; every other filter is in the 8×8 case. */
  const FILTERS = [0, 7, 14, 15];

  it(`genForward = Generator.forward; MSE gradients w.r.t. input, 16 biases and 4 filters on 2×32×32 match cpu within ${TOL}`, async () => {
    const r = await onBoth(() => {
      const x = seeded([2, 32, 32, 1], 11, 0, 1) as tf.Tensor4D;
      const w = genWeights(gen);
      const out = [genForward(gen, w, x), gen.forward(x), ...genGrads(gen, x, seeded([2, 32, 32, 1], 12, 0, 1), FILTERS)];
      gen.dispose();
      return out;
    });
    expect(relErr(r.wasm[0], r.wasm[1])).toBeLessThan(1e-6);
    const errs = r.cpu.slice(2).map((ref, i) => relErr(r.wasm[i + 2], ref));
    console.log(`generator 2×32² grads wasm vs cpu: worst rel err ${Math.max(...errs).toExponential(2)} (input ${errs[0].toExponential(2)})`);
    expect(Math.max(...errs)).toBeLessThanOrEqual(TOL);
  });

  it(`all 32 weight gradients (tf.variableGrads) on 2×8×8 match cpu within ${TOL}`, async () => {
    const r = await onBoth(() => genVariableGrads(gen, [2, 8, 8, 1]));
    console.log(`generator 2×8² variableGrads wasm vs cpu: worst rel err ${worst(r).toExponential(2)}`);
    expect(worst(r)).toBeLessThanOrEqual(TOL);
  });

  it('times one forward+backward of all weights: wasm on [4,64,64,1], cpu on [1,16,16,1] (1/64 of the pixels)', async () => {
    const wasm = await timeStep(gen, 'wasm', [4, 64, 64, 1], 3);
    const wasmSmall = await timeStep(gen, 'wasm', [1, 16, 16, 1], 3);
    const cpuSmall = await timeStep(gen, 'cpu', [1, 16, 16, 1], 1);
    await useBackend('wasm');
    console.log(
      `generator fwd+bwd: wasm [4,64,64,1] ${wasm.toFixed(0)} ms; [1,16,16,1] wasm ${wasmSmall.toFixed(0)} ms vs cpu ${cpuSmall.toFixed(0)} ms ` +
        `(×${(cpuSmall / wasmSmall).toFixed(0)}); cpu [4,64,64,1] ≈ ${((64 * cpuSmall) / 1000).toFixed(0)} s by pixel count (×${((64 * cpuSmall) / wasm).toFixed(0)})`,
    );
    expect(wasmSmall).toBeLessThan(cpuSmall);
  });
});

describe('opt-in fastConv2DBackpropInput (stride 1 through XNNPACK Conv2D)', () => {
  const gen = createGenerator({ seed: 7 });

  it('replaces the tfjs kernel once, and dx matches cpu for k 1/3, same/valid/explicit pads, stride 1 and 2 (fallback)', async () => {
    await useBackend('wasm');
    expect(registerWasmTrainingKernels({ fastConv2DBackpropInput: true })).toEqual(['Conv2DBackpropInput']);
    expect(registerWasmTrainingKernels({ fastConv2DBackpropInput: true })).toEqual([]);
    const cases: [number, number, number, number, number, number, 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]]][] = [
      [3, 1, 7, 9, 3, 5, 'same'], [1, 1, 9, 7, 5, 2, 'valid'], [3, 1, 11, 5, 4, 7, 'valid'], [3, 1, 8, 6, 2, 3, [[0, 0], [2, 0], [1, 2], [0, 0]]],
      [3, 2, 9, 7, 6, 4, 'same'], [3, 1, 33, 35, 16, 24, 'same'],
    ];
    for (const [k, s, h, w, cin, cout, pad] of cases) {
      const r = await onBoth(() => {
        const x = seeded([2, h, w, cin], 1);
        const f = seeded([k, k, cin, cout], 2);
        const dy = seeded(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad).shape, 4);
        return [grad4((x) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, s, pad), dy)))(x)];
      });
      expect(worst(r), `k${k} s${s} ${h}×${w} ${JSON.stringify(pad)}`).toBeLessThanOrEqual(TOL);
    }
  });

  it(`generator: all 32 weight gradients on 2×8×8 still match cpu within ${TOL}; [4,64,64,1] step timed`, async () => {
    registerWasmTrainingKernels({ fastConv2DBackpropInput: true });
    const r = await onBoth(() => genVariableGrads(gen, [2, 8, 8, 1]));
    expect(worst(r)).toBeLessThanOrEqual(TOL);
    const ms = await timeStep(gen, 'wasm', [4, 64, 64, 1], 3);
    console.log(`generator fwd+bwd [4,64,64,1] with fastConv2DBackpropInput: wasm ${ms.toFixed(0)} ms (2×8² grads rel err ${worst(r).toExponential(2)})`);
  });
});

describe('discriminator path on wasm: stride-2 convs, dense, sigmoid cross-entropy + MSE, Adam', () => {
  /** docs/tomogan.md "Discriminator" at 16×16 with narrower widths: 3×3 convs s1/s2 relu 'same', flatten, dense relu, dense logit. */
  const disc = (vars: tf.Tensor[], x: tf.Tensor4D) => {
    let y = x;
    for (let i = 0; i < 6; i++) y = tf.fused.conv2d({ x: y, filter: vars[2 * i] as tf.Tensor4D, bias: vars[2 * i + 1] as tf.Tensor1D, strides: i % 2 ? 2 : 1, pad: 'same', activation: 'relu' });
    const h = tf.relu(tf.add(tf.matMul(tf.reshape(y, [x.shape[0], -1]), vars[12] as tf.Tensor2D), vars[13]));
    return tf.add(tf.matMul(h, vars[14] as tf.Tensor2D), vars[15]);
  };
  const widths = [1, 8, 8, 16, 16, 16, 4];
  const makeVars = () => [
    ...widths.slice(1).flatMap((c, i) => [tf.variable(seeded([3, 3, widths[i], c], 20 + i, -0.4, 0.4)), tf.variable(seeded([c], 40 + i, -0.05, 0.05))]),
    tf.variable(seeded([2 * 2 * 4, 8], 60, -0.4, 0.4)), tf.variable(seeded([8], 61, -0.05, 0.05)),
    tf.variable(seeded([8, 1], 62, -0.4, 0.4)), tf.variable(seeded([1], 63, -0.05, 0.05)),
  ];
  const loss = (vars: tf.Tensor[]) => {
    const real = seeded([2, 16, 16, 1], 1, 0, 1) as tf.Tensor4D;
    const fake = seeded([2, 16, 16, 1], 2, 0, 1) as tf.Tensor4D;
    const bce = tf.add(tf.losses.sigmoidCrossEntropy(tf.ones([2, 1]), disc(vars, real)), tf.losses.sigmoidCrossEntropy(tf.zeros([2, 1]), disc(vars, fake)));
    return tf.add(bce, tf.mul(0.5, tf.losses.meanSquaredError(real, fake))) as tf.Scalar;
  };

  it(`gradients of BCE(D(real),1) + BCE(D(fake),0) w.r.t. all 16 weights match cpu within ${TOL}; Adam steps on wasm`, async () => {
    const r = await onBoth(() => {
      const vars = makeVars();
      const { grads } = tf.variableGrads(() => loss(vars), vars as tf.Variable[]);
      const out = vars.map((v) => grads[(v as tf.Variable).name]);
      tf.dispose(vars);
      return out;
    });
    console.log(`discriminator grads wasm vs cpu: worst rel err ${worst(r).toExponential(2)}`);
    expect(worst(r)).toBeLessThanOrEqual(TOL);
    const vars = makeVars() as tf.Variable[];
    const before = vars.map((v) => v.dataSync().slice());
    const opt = tf.train.adam(1e-3);
    for (let i = 0; i < 2; i++) tf.tidy(() => void opt.minimize(() => loss(vars), false, vars));
    const moved = vars.map((v, i) => relErr(v.dataSync() as Float32Array, before[i] as Float32Array));
    expect(moved.every((m) => Number.isFinite(m) && m > 0)).toBe(true);
    opt.dispose();
    tf.dispose(vars);
  });
});

describe('MaxPoolGrad: tfjs-backend-wasm 4.22 routes differently from cpu; fixMaxPoolGrad makes it cpu-exact', () => {
  /** Ties (integers), zeros, negatives and padded edges; 2×2/2 'same' (TomoGAN), 3×3/2 overlapping, and 'valid'. */
  const pools: [number, number, 'same' | 'valid', number, number][] = [[2, 2, 'same', 7, 9], [2, 2, 'same', 8, 8], [3, 2, 'same', 9, 7], [3, 1, 'valid', 6, 5]];
  const poolGrads = (q: number) => () =>
    pools.map(([k, s, pad, h, w], i) => {
      const x = tf.round(tf.mul(seeded([2, h, w, 3], 30 + i, -2.5, 2.5), q)) as tf.Tensor4D;
      const dy = seeded(tf.maxPool(x, k, s, pad).shape, 50 + i);
      return grad4((x) => tf.sum(tf.mul(tf.maxPool(x, k, s, pad), dy)))(x);
    });

  it('agrees only on positive distinct inputs before the fix (tfjs drops windows with max ≤ 0, ties go to the last max)', async () => {
    const positive = await onBoth(() => [grad4((x) => tf.sum(tf.mul(tf.maxPool(x, 2, 2, 'same'), seeded([2, 4, 5, 3], 5))))(seeded([2, 7, 9, 3], 6, 0.01, 1))]);
    expect(worst(positive)).toBeLessThanOrEqual(TOL);
    const signed = await onBoth(poolGrads(1));
    console.log(`tfjs wasm MaxPoolGrad vs cpu on signed/tied inputs: rel err ${worst(signed).toExponential(2)}`);
    expect(worst(signed)).toBeGreaterThan(0.1); // tfjs bug: if this fails, tfjs fixed MaxPoolGrad and fixMaxPoolGrad can go
  });

  it('after registerWasmTrainingKernels({ fixMaxPoolGrad: true }) matches cpu exactly, ties included; idempotent', async () => {
    expect(registerWasmTrainingKernels({ fixMaxPoolGrad: true })).toEqual(['MaxPoolGrad']);
    expect(registerWasmTrainingKernels({ fixMaxPoolGrad: true })).toEqual([]);
    for (const q of [1, 1000]) {
      const r = await onBoth(poolGrads(q));
      r.cpu.forEach((ref, i) => expect(relErr(r.wasm[i], ref), `pool case ${i}, q=${q}`).toBe(0));
    }
  });
});
