// SPDX-License-Identifier: MIT
// The arithmetic of TFLite's 8-bit quantization specification (tensorflow.org/lite/performance/quantization_spec;
// Jacob et al., "Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference",
// arXiv:1712.05877, §2): real = scale·(q − zero_point); int8 activations asymmetric per tensor in [−128, 127];
// weights symmetric per output channel in [−127, 127] with zero point 0; int32 bias with scale s_in·s_w. The
// requantization helpers are exact integer twins of gemmlowp's fixed-point routines that TFLite's reference and
// optimized int8 kernels use (gemmlowp fixedpoint.h SaturatingRoundingDoublingHighMul, RoundingDivideByPOT;
// TFLite quantization_util QuantizeMultiplier), written in doubles so that every step is exact.

export const QMIN = -128;
export const QMAX = 127;
const TWO31 = 2 ** 31;
const INT32_MIN = -TWO31;
const INT32_MAX = TWO31 - 1;

/** A tensor's affine quantization: real = scale·(q − zeroPoint); scale is a float32 value, as in a .tflite file. */
export interface QParams {
  scale: number;
  zeroPoint: number;
}

/**
 * Asymmetric int8 parameters covering [min, max] (widened to contain 0, which must be exact: zero padding and ReLU
 * rely on it). The zero point is taken from the end with the smaller rounding error and nudged to an integer in
 * [−128, 127] (gemmlowp doc/quantization_example.cc ChooseQuantizationParams, as TFLite's converter does).
 */
export function chooseParams(min: number, max: number): QParams {
  const lo = Math.min(min, 0);
  let hi = Math.max(max, 0);
  if (hi - lo < 1e-8) hi = lo + 1e-8; // a constant tensor: any positive scale represents it
  const scale = Math.fround((hi - lo) / (QMAX - QMIN));
  const fromMin = QMIN - lo / scale;
  const fromMax = QMAX - hi / scale;
  const zp = Math.abs(QMIN) + Math.abs(lo / scale) < Math.abs(QMAX) + Math.abs(hi / scale) ? fromMin : fromMax;
  return { scale, zeroPoint: zp < QMIN ? QMIN : zp > QMAX ? QMAX : roundHalfAway(zp) };
}

/** std::round: halves away from zero. */
export function roundHalfAway(x: number): number {
  return (x < 0 ? -Math.round(-x) : Math.round(x)) + 0; // + 0 turns −0 into 0
}

/** real → q with round-half-away and saturation to [lo, hi] (TFLite reference Quantize). */
export function quantizeValue(x: number, p: QParams, lo = QMIN, hi = QMAX): number {
  const q = roundHalfAway(x / p.scale) + p.zeroPoint;
  return q < lo ? lo : q > hi ? hi : q;
}

/** Symmetric scale of one output channel: max|w| / 127 (1 for an all-zero channel), as a float32. */
export function weightScale(maxAbs: number): number {
  return maxAbs > 0 ? Math.fround(maxAbs / 127) : 1;
}

/** frexp: m = q·2^e with q in [0.5, 1), for m > 0 (powers of two scale doubles exactly). */
function frexp(m: number): [number, number] {
  let e = Math.floor(Math.log2(m)) + 1;
  let q = m / 2 ** e;
  while (q >= 1) (q /= 2), e++;
  while (q < 0.5) (q *= 2), e--;
  return [q, e];
}

/**
 * TFLite QuantizeMultiplier: m ≈ multiplier·2^(shift − 31) with multiplier a Q31 in [2^30, 2^31); m = 0 → (0, 0);
 * a shift below −31 flushes to (0, 0).
 */
export function quantizeMultiplier(m: number): { multiplier: number; shift: number } {
  if (m === 0) return { multiplier: 0, shift: 0 };
  const [q, e] = frexp(m);
  let fixed = Math.round(q * TWO31);
  let shift = e;
  if (fixed === TWO31) (fixed /= 2), shift++;
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: fixed, shift };
}

/** gemmlowp SaturatingRoundingDoublingHighMul: (a·b + nudge) / 2^31 truncated toward zero; a = b = −2^31 saturates. */
export function srdhm(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const bh = Math.floor(b / 65536);
  const bl = b - bh * 65536; // b = bh·2^16 + bl, bl in [0, 2^16): both partial products are exact doubles
  const hi = a * bh;
  const hiq = Math.floor(hi / 32768);
  const nudge = (a >= 0) === (b >= 0) || a === 0 || b === 0 ? 2 ** 30 : 1 - 2 ** 30;
  const rest = (hi - hiq * 32768) * 65536 + a * bl + nudge; // a·b + nudge = hiq·2^31 + rest, exactly
  const fl = Math.floor(rest / TWO31);
  const f = hiq + fl;
  return f < 0 && rest - fl * TWO31 !== 0 ? f + 1 : f;
}

/** gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, halves away from zero. */
export function roundingDivideByPOT(x: number, e: number): number {
  if (e === 0) return x;
  const p = 2 ** e;
  const q = Math.floor(x / p);
  const rem = x - q * p;
  const threshold = Math.floor((p - 1) / 2) + (x < 0 ? 1 : 0);
  return q + (rem > threshold ? 1 : 0);
}

/** TFLite MultiplyByQuantizedMultiplier: x·multiplier·2^(shift−31) with gemmlowp's double rounding. */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(srdhm(wrapInt32(x * 2 ** left), multiplier), right);
}

/** int32 two's-complement wrap of an exact integer (C's x·(1 << left) on int32_t). */
function wrapInt32(x: number): number {
  if (x >= INT32_MIN && x <= INT32_MAX) return x;
  const m = ((x % 2 ** 32) + 2 ** 32) % 2 ** 32;
  return m >= TWO31 ? m - 2 ** 32 : m;
}

/** The [min, max] an output may take: the whole int8 range, or from the zero point up with a fused ReLU. */
export function activationRange(p: QParams, relu: boolean): [number, number] {
  return relu ? [Math.max(QMIN, p.zeroPoint), QMAX] : [QMIN, QMAX];
}

/** The conv requantization of output channel c: s_in·s_w[c] / s_out in double of the float32 scales (TFLite). */
export function convMultiplier(inScale: number, weightScaleC: number, outScale: number): { multiplier: number; shift: number } {
  return quantizeMultiplier((Math.fround(inScale) * Math.fround(weightScaleC)) / Math.fround(outScale));
}

/** ADD's fixed-point parameters (TFLite kernels/add.cc, int8): inputs rescaled to 2·max(s1, s2), 20 bits of headroom. */
export interface AddParams {
  leftShift: number;
  in1: { offset: number; multiplier: number; shift: number };
  in2: { offset: number; multiplier: number; shift: number };
  out: { offset: number; multiplier: number; shift: number };
}

export function addParams(a: QParams, b: QParams, out: QParams): AddParams {
  const leftShift = 20;
  const twiceMax = 2 * Math.max(Math.fround(a.scale), Math.fround(b.scale));
  const m1 = quantizeMultiplier(Math.fround(a.scale) / twiceMax);
  const m2 = quantizeMultiplier(Math.fround(b.scale) / twiceMax);
  const mo = quantizeMultiplier(twiceMax / (2 ** leftShift * Math.fround(out.scale)));
  return {
    leftShift,
    in1: { offset: -a.zeroPoint, ...m1 },
    in2: { offset: -b.zeroPoint, ...m2 },
    out: { offset: out.zeroPoint, ...mo },
  };
}

/** One element of int8 ADD (TFLite reference_integer_ops AddElementwise), clamped to [lo, hi]. */
export function addElement(x1: number, x2: number, p: AddParams, lo: number, hi: number): number {
  const s1 = multiplyByQuantizedMultiplier((x1 + p.in1.offset) * 2 ** p.leftShift, p.in1.multiplier, p.in1.shift);
  const s2 = multiplyByQuantizedMultiplier((x2 + p.in2.offset) * 2 ** p.leftShift, p.in2.multiplier, p.in2.shift);
  const r = multiplyByQuantizedMultiplier(s1 + s2, p.out.multiplier, p.out.shift) + p.out.offset;
  return r < lo ? lo : r > hi ? hi : r;
}
