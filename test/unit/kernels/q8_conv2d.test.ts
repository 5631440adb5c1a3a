// SPDX-License-Identifier: MIT
// The wasm int8 convolution (cpp/kernels/q8_conv2d*.cc, both builds) against its oracle convInt8 (TFLite's
// reference ConvPerChannel in TS): bit-identical on seeded random cases and TomoGAN-sized layers; argument errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { ANYML_STATUS, type AnymlCore } from '../../../src/backends/wasm/abi.js';
import { lastError, withHeap } from '../../../src/backends/wasm/heap.js';
import { loadCore } from '../../../src/backends/wasm/loader.js';
import { InvalidInputError, KernelError } from '../../../src/errors.js';
import { convInt8Wasm, loadQ8Core } from '../../../src/kernels/index.js';
import { type ConvInt8, convInt8 } from '../../../src/quant/kernels.js';
import { bounded, nextU32, seedState } from '../../../src/rng.js';

interface Case {
  x: Int8Array;
  h: number;
  w: number;
  p: ConvInt8;
}

/** An integer in [lo, hi] from the shared seeded RNG. */
const int = (s: Uint32Array, lo: number, hi: number): number => lo + bounded(s, hi - lo + 1);
const int8s = (s: Uint32Array, n: number): Int8Array => Int8Array.from({ length: n }, () => (nextU32(s) << 24) >> 24);

/**
 * A seeded conv. Typical: TFLite-like bias, multipliers in [2^30, 2^31), shifts in −12…+2: most near the one that
 * maps the accumulator's spread (≈ √(k²·cin)·74², uniform int8 codes) to ±64, so that many outputs are rounded
 * rather than clamped, and every 4th anywhere in the range. Wild: any int32 bias and multiplier (INT32_MIN for
 * channel 0: the SaturatingRoundingDoublingHighMul overflow) and shifts −31…31.
 */
function makeCase(seed: number, h: number, w: number, k: 1 | 3, cin: number, cout: number, wild = false): Case {
  const s = seedState(seed);
  const fitted = Math.round(Math.log2(64 / (0.75 * 74 * 74 * Math.sqrt(k * k * cin)))); // −6 (k²·cin = 1) … −12
  const int32s = (lo: number, hi: number) =>
    Int32Array.from({ length: cout }, () => (wild ? nextU32(s) | 0 : int(s, lo, hi)));
  const shiftOf = (c: number) =>
    wild ? int(s, -31, 31) : c % 4 === 3 ? int(s, -12, 2) : Math.max(-12, fitted + int(s, -1, 1));
  const multiplier = int32s(2 ** 30, 2 ** 31 - 1);
  if (wild) multiplier[0] = -(2 ** 31);
  const outZero = int(s, -128, 127);
  // A third each: the whole int8 range, ReLU (from the zero point up), a random range around the codes' middle.
  const mode = bounded(s, 3);
  const actMin = mode === 0 ? -128 : mode === 1 ? outZero : int(s, -128, 0);
  const actMax = mode === 2 ? int(s, 0, 127) : 127;
  const p: ConvInt8 = {
    k, cin, cout,
    weights: int8s(s, cout * k * k * cin),
    bias: int32s(-20000, 20000),
    multiplier,
    shift: Int32Array.from({ length: cout }, (_, c) => shiftOf(c)),
    inZero: int(s, -128, 127),
    outZero,
    actMin,
    actMax,
  };
  return { x: int8s(s, h * w * cin), h, w, p };
}

/** Index of the first differing element, or −1 (toEqual on 10^5 int8 values prints an unreadable diff). */
function firstDiff(a: Int8Array, b: Int8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

let scalar: AnymlCore;
let simd: AnymlCore;
beforeAll(async () => {
  [scalar, simd] = await Promise.all([loadCore('scalar'), loadCore('simd')]);
});

function expectSame(c: Case, label: string): void {
  const ref = convInt8(c.x, c.h, c.w, c.p);
  for (const [name, core] of [['simd', simd], ['scalar', scalar]] as const) {
    const got = convInt8Wasm(core, c.x, c.h, c.w, c.p);
    const i = firstDiff(got, ref);
    expect(i, `${label} (${name}): out[${i}] = ${got[i]}, convInt8 ${ref[i]}`).toBe(-1);
  }
}

const SIZES: ReadonlyArray<readonly [number, number]> = [[1, 1], [1, 7], [5, 1], [3, 5], [7, 9], [6, 4]];
const CINS = [1, 3, 8, 17, 32, 256];
const COUTS = [1, 8, 16, 33, 64];

/** The typical cases of one (k, cin): every cout, sizes and quantization from the seed. */
function typicalCases(k: 1 | 3, cin: number): Array<[string, Case]> {
  return COUTS.map((cout) => {
    const seed = 1000 * k + 10 * cin + cout;
    const [h, w] = SIZES[seed % SIZES.length];
    return [`${h}x${w}x${cin} k${k} -> ${cout} seed ${seed}`, makeCase(seed, h, w, k, cin, cout)];
  });
}

describe('q8_conv2d is bit-identical to convInt8', () => {
  for (const k of [1, 3] as const)
    for (const cin of CINS)
      it(`k=${k} cin=${cin}, cout ${COUTS.join('/')}, seeded sizes and quantization`, () => {
        for (const [label, c] of typicalCases(k, cin)) expectSame(c, label);
      });

  it('a quarter or more of the typical outputs are rounded, not clamped (so the cases test the rounding)', () => {
    let total = 0;
    let interior = 0;
    for (const k of [1, 3] as const)
      for (const cin of CINS)
        for (const [, c] of typicalCases(k, cin)) {
          const ref = convInt8(c.x, c.h, c.w, c.p);
          total += ref.length;
          for (const v of ref) if (v > c.p.actMin && v < c.p.actMax) interior++;
        }
    expect(total).toBeGreaterThan(10_000);
    expect(interior / total).toBeGreaterThan(0.25); // 0.37 now; ReLU cases clamp about half of their outputs by design
  });

  it('wild requantization: any int32 bias and multiplier, shifts −31…31', () => {
    let seed = 50_000;
    for (const k of [1, 3] as const)
      for (const cin of [1, 8, 17])
        for (const cout of [1, 5, 8, 33]) {
          const [h, w] = SIZES[seed % SIZES.length];
          expectSame(makeCase(seed, h, w, k, cin, cout, true), `${h}x${w}x${cin} k${k} -> ${cout} wild seed ${seed}`);
          seed++;
        }
  });

  it('TomoGAN-like layers on a 64×64 tile (32→32 k3, 3→8 k1, 8→32 k3, 16→1 k1)', () => {
    expectSame(makeCase(7, 64, 64, 3, 32, 32), '64x64x32 k3 -> 32');
    expectSame(makeCase(8, 64, 64, 1, 3, 8), '64x64x3 k1 -> 8');
    expectSame(makeCase(9, 64, 64, 3, 8, 32), '64x64x8 k3 -> 32');
    expectSame(makeCase(10, 64, 64, 1, 16, 1), '64x64x16 k1 -> 1');
  });

  it('loadQ8Core returns a working core (SIMD where supported)', async () => {
    const c = makeCase(11, 5, 5, 3, 4, 4);
    expect(firstDiff(convInt8Wasm(await loadQ8Core(), c.x, c.h, c.w, c.p), convInt8(c.x, c.h, c.w, c.p))).toBe(-1);
  });
});

describe('q8_conv2d arguments', () => {
  const c = makeCase(12, 2, 3, 3, 2, 2);

  it('TS rejects bad sizes, short arrays and out-of-range scalars before calling the core', () => {
    expect(() => convInt8Wasm(simd, c.x, 0, c.w, c.p)).toThrow(InvalidInputError);
    expect(() => convInt8Wasm(simd, c.x, 1.5, c.w, c.p)).toThrow(
      'q8_conv2d: h: got 1.5, expected an integer in [1, 1073741824]',
    );
    expect(() => convInt8Wasm(simd, c.x, c.h, c.w, { ...c.p, k: 2 as 3 })).toThrow(
      'q8_conv2d: k: got 2, expected 1 or 3',
    );
    expect(() => convInt8Wasm(simd, c.x.subarray(1), c.h, c.w, c.p)).toThrow(
      'q8_conv2d: x.length: got 11, expected >= n = 12',
    );
    expect(() => convInt8Wasm(simd, c.x, c.h, c.w, { ...c.p, shift: new Int32Array([0, 32]) })).toThrow(
      'q8_conv2d: shift[1]: got 32, expected an integer in [-31, 31]',
    );
    expect(() => convInt8Wasm(simd, c.x, c.h, c.w, { ...c.p, actMin: 5, actMax: 4 })).toThrow(
      'q8_conv2d: actMax: got 4, expected an integer in [5, 127]',
    );
  });

  it('C returns ANYML_E_INVALID_ARG with a message naming the argument', () => {
    withHeap(simd, (h) => {
      const buf = h.alloc(256);
      const call = (k: number, shift: number, x = buf) => {
        h.i32(buf + 128, 2).set([shift, shift]);
        return simd._q8_conv2d(x, 2, 3, 2, k, 2, buf, buf + 64, buf + 64, buf + 128, 0, 0, -128, 127, buf + 192);
      };
      expect(call(2, 0)).toBe(ANYML_STATUS.ANYML_E_INVALID_ARG);
      expect(lastError(simd)).toBe('q8_conv2d: k must be 1 or 3, got 2');
      expect(call(3, -32)).toBe(ANYML_STATUS.ANYML_E_INVALID_ARG);
      expect(lastError(simd)).toBe('q8_conv2d: shift[c] must be in [-31, 31]; it is not for c = 0');
      expect(call(3, 0, 0)).toBe(ANYML_STATUS.ANYML_E_INVALID_ARG);
      expect(lastError(simd)).toBe('q8_conv2d: argument x is NULL');
      expect(call(3, 0)).toBe(ANYML_STATUS.ANYML_OK);
    });
  });

  it('rejects sizes past the C limit before allocating, and a C failure reaches TS as a KernelError', () => {
    // 2^20 pixels × 2^11 output channels: each size is fine, the output (2 GiB) is not.
    const n = 2 ** 11;
    const [bias, multiplier, shift] = [new Int32Array(n), new Int32Array(n), new Int32Array(n)];
    const wide: ConvInt8 = { ...c.p, k: 1, cin: 1, cout: n, bias, multiplier, shift };
    expect(() => convInt8Wasm(simd, new Int8Array(2 ** 20), 2 ** 10, 2 ** 10, wide)).toThrow(
      'q8_conv2d: sizes: got h=1024 w=1024 cin=1 cout=2048',
    );
    // Every C check is also made in TS, so make the C call itself fail: the same arguments with k = 2.
    type Args = Parameters<AnymlCore['_q8_conv2d']>;
    const withK2 = (t: AnymlCore) => (...a: Args) => t._q8_conv2d(...(a.map((v, i) => (i === 4 ? 2 : v)) as Args));
    const failing = new Proxy(simd, { get: (t, key) => (key === '_q8_conv2d' ? withK2(t) : Reflect.get(t, key)) });
    expect(() => convInt8Wasm(failing, c.x, c.h, c.w, c.p)).toThrow(KernelError);
    expect(() => convInt8Wasm(failing, c.x, c.h, c.w, c.p)).toThrow(
      'q8_conv2d failed (status 1): q8_conv2d: k must be 1 or 3, got 2',
    );
  });
});
