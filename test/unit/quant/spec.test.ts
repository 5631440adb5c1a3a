// SPDX-License-Identifier: MIT
// The quantization arithmetic against the specification's formulas: parameters from known ranges, fixed-point
// multipliers of known ratios, gemmlowp's rounding checked against a BigInt transcription of its C code, saturation,
// and an int8 convolution and addition worked by hand.
import { describe, expect, it } from 'vitest';
import { addInt8, convInt8, maxPoolInt8, upsample2xInt8 } from '../../../src/quant/kernels.js';
import { nextU32, seedState } from '../../../src/rng.js';
import {
  activationRange,
  addParams,
  chooseParams,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  quantizeValue,
  roundHalfAway,
  roundingDivideByPOT,
  srdhm,
  weightScale,
} from '../../../src/quant/spec.js';

// gemmlowp fixedpoint.h, transcribed with BigInt: the C semantics (int64 product, truncating division).
function srdhmBig(a: number, b: number): number {
  if (a === -(2 ** 31) && b === -(2 ** 31)) return 2 ** 31 - 1;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as C's does
}
function rdbpBig(x: number, e: number): number {
  const mask = (1 << e) - 1;
  const rem = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > threshold ? 1 : 0);
}

describe('quantization parameters (TFLite 8-bit specification)', () => {
  it('chooses scale and nudged zero point from a range', () => {
    expect(chooseParams(0, 255)).toEqual({ scale: 1, zeroPoint: -128 });
    const p = chooseParams(-1, 1);
    expect(p.scale).toBe(Math.fround(2 / 255));
    // The float32 scale is a hair above 2/255, so the zero point from the max end is −0.49999… → 0.
    expect(p.zeroPoint).toBe(0);
    expect(chooseParams(-2, 6)).toEqual({ scale: Math.fround(8 / 255), zeroPoint: roundHalfAway(-128 + 2 / Math.fround(8 / 255)) });
    // A range that excludes 0 is widened to contain it: 0 must be exactly representable (padding, ReLU).
    const q = chooseParams(3, 10);
    expect(q.zeroPoint).toBe(-128);
    expect(q.scale).toBe(Math.fround(10 / 255));
  });

  it('quantizes values with round-half-away and saturation', () => {
    const p = { scale: 0.5, zeroPoint: 10 };
    expect(quantizeValue(0.25, p)).toBe(11); // 0.5 → 1
    expect(quantizeValue(-0.25, p)).toBe(9); // −0.5 → −1
    expect(quantizeValue(1000, p)).toBe(127);
    expect(quantizeValue(-1000, p)).toBe(-128);
    expect(weightScale(127)).toBe(1);
    expect(weightScale(0)).toBe(1);
    expect(activationRange({ scale: 1, zeroPoint: -20 }, true)).toEqual([-20, 127]);
    expect(activationRange({ scale: 1, zeroPoint: -20 }, false)).toEqual([-128, 127]);
  });

  it('writes known ratios as a Q31 multiplier and a shift', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(3)).toEqual({ multiplier: 1610612736, shift: 2 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 }); // flushed: shift below −31
    // A mantissa that rounds up to 2^31 moves into the next power of two.
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    for (const m of [0.0123, 0.4999, 1.7, 1e-5]) {
      const { multiplier, shift } = quantizeMultiplier(m);
      expect(multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(multiplier).toBeLessThan(2 ** 31);
      expect(Math.abs(multiplier * 2 ** (shift - 31) - m) / m).toBeLessThan(2 ** -30);
    }
  });

  it('SaturatingRoundingDoublingHighMul and RoundingDivideByPOT equal gemmlowp bit for bit', () => {
    expect(srdhm(2 ** 30, 2 ** 30)).toBe(2 ** 29);
    expect(srdhm(-(2 ** 31), -(2 ** 31))).toBe(2 ** 31 - 1);
    expect(roundingDivideByPOT(5, 1)).toBe(3);
    expect(roundingDivideByPOT(-5, 1)).toBe(-3);
    expect(roundingDivideByPOT(6, 2)).toBe(2);
    expect(roundingDivideByPOT(-6, 2)).toBe(-2);
    const s = seedState(5);
    const i32 = () => nextU32(s) | 0;
    for (let n = 0; n < 20000; n++) {
      const a = n % 7 === 0 ? (i32() >> 12) : i32();
      const b = n % 5 === 0 ? -(2 ** 31) : i32();
      expect(srdhm(a, b)).toBe(srdhmBig(a, b));
      const e = nextU32(s) % 31;
      expect(roundingDivideByPOT(a, e)).toBe(rdbpBig(a, e));
    }
  });

  it('MultiplyByQuantizedMultiplier applies left shifts before and right shifts after the high mul', () => {
    expect(multiplyByQuantizedMultiplier(100, 2 ** 30, 0)).toBe(50);
    expect(multiplyByQuantizedMultiplier(100, 2 ** 30, -1)).toBe(25);
    expect(multiplyByQuantizedMultiplier(99, 2 ** 30, -1)).toBe(25); // 24.75
    // 25.25 rounds twice: the high mul gives 51 (50.5 up), then 51 / 2 = 25.5 → 26. gemmlowp does the same.
    expect(multiplyByQuantizedMultiplier(101, 2 ** 30, -1)).toBe(26);
    expect(multiplyByQuantizedMultiplier(-101, 2 ** 30, -1)).toBe(-25); // the high mul's −50.5 → −50, then −25
    expect(multiplyByQuantizedMultiplier(100, 2 ** 30, 2)).toBe(200);
    expect(multiplyByQuantizedMultiplier(2 ** 29, 2 ** 30, 2)).toBe(-(2 ** 30)); // 2^29 << 2 wraps to −2^31 in int32, as in C
  });
});

describe('int8 kernels worked by hand', () => {
  it('a 1×1 convolution with per-channel requantization and a ReLU clamp', () => {
    // Two pixels, cin 2 → cout 2. x − z_in = [3, −1] and [0, 5]; weights channel 0 = [2, 1], channel 1 = [−1, 4].
    // acc0 = 3·2 − 1·1 + 10 = 15 and 0·2 + 5·1 + 10 = 15; acc1 = −3 − 4 − 2 = −9 and 0 + 20 − 2 = 18.
    // Channel 0 multiplier 0.5 (2^30, 0): 7.5 → 8; channel 1 multiplier 0.25 (2^30, −1): −2.25 → −2, 4.5 → 5.
    const p = {
      k: 1 as const, cin: 2, cout: 2, weights: Int8Array.of(2, 1, -1, 4), bias: Int32Array.of(10, -2),
      multiplier: Int32Array.of(2 ** 30, 2 ** 30), shift: Int32Array.of(0, -1), inZero: 4, outZero: -3, actMin: -3, actMax: 127,
    };
    const y = convInt8(Int8Array.of(7, 3, 4, 9), 1, 2, p);
    // Outputs + z_out: 8 − 3 = 5, −2 − 3 = −5 → clamped to the ReLU floor −3; 8 − 3 = 5, 5 − 3 = 2.
    expect(Array.from(y)).toEqual([5, -3, 5, 2]);
  });

  it('a 3×3 convolution treats out-of-image taps as the zero point and saturates', () => {
    // 1×1 image, cin 1: only the centre tap lands in the image, so acc = (x − z)·w_centre.
    const w = new Int8Array(9).fill(100);
    w[4] = 2;
    const p = { k: 3 as const, cin: 1, cout: 1, weights: w, bias: Int32Array.of(0), multiplier: Int32Array.of(2 ** 30), shift: Int32Array.of(1), inZero: -10, outZero: 0, actMin: -128, actMax: 127 };
    expect(Array.from(convInt8(Int8Array.of(20), 1, 1, p))).toEqual([60]); // 30·2 = 60, multiplier 1
    expect(Array.from(convInt8(Int8Array.of(110), 1, 1, p))).toEqual([127]); // 240 saturates
  });

  it('max-pool, half-pixel ×2 resize and addition', () => {
    expect(Array.from(maxPoolInt8(Int8Array.of(1, -5, 7, 3), 2, 2, 1))).toEqual([7]);
    // 1-D ×2 of [0, 100] (as 1×2): half-pixel taps at −0.25, 0.25, 0.75, 1.25 → 0, 25, 75, 100.
    const up = upsample2xInt8(Int8Array.of(0, 100), 1, 2, 1);
    expect(Array.from(up.subarray(0, 4))).toEqual([0, 25, 75, 100]);
    const a = { scale: 0.5, zeroPoint: 0 };
    const b = { scale: 0.25, zeroPoint: 10 };
    const out = { scale: 1, zeroPoint: -5 };
    // real: 0.5·20 + 0.25·(50 − 10) = 20 → q 15; with saturation: 0.5·127 + 0.25·117 = 92.75 → 88.
    expect(Array.from(addInt8(Int8Array.of(20, 127), Int8Array.of(50, 127), addParams(a, b, out), -128, 127))).toEqual([15, 88]);
  });
});
