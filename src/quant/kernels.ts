// SPDX-License-Identifier: MIT
// int8 kernels of the reference inference, NHWC with batch 1, written to match TFLite's reference integer kernels
// element for element (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h ConvPerChannel, pooling.h
// MaxPool, reference/resize_bilinear.h ResizeBilinearInteger, integer_ops/add.h; concatenation with one shared
// scale is a copy). The convolution's C++ twin, q8_conv2d (cpp/kernels/q8_conv2d*.cc, WASM SIMD in the wasm core),
// is what the reference runtime runs; this file is its test oracle.
import { type AddParams, addElement, multiplyByQuantizedMultiplier } from './spec.js';

/** A convolution's int8 operands and its per-channel requantization (TFLite's OpData for CONV_2D). */
export interface ConvInt8 {
  k: 1 | 3;
  cin: number;
  cout: number;
  /** OHWI [cout, k, k, cin]. */
  weights: Int8Array;
  bias: Int32Array;
  multiplier: Int32Array;
  shift: Int32Array;
  inZero: number;
  outZero: number;
  actMin: number;
  actMax: number;
}

/** 'same' convolution, stride 1: out-of-image taps contribute nothing (TFLite skips them; = padding with the zero point). */
export function convInt8(x: Int8Array, h: number, w: number, p: ConvInt8): Int8Array {
  const { k, cin, cout } = p;
  const r = (k - 1) / 2;
  const K = k * k * cin;
  const patch = new Int32Array(K);
  const out = new Int8Array(h * w * cout);
  for (let y = 0; y < h; y++)
    for (let xx = 0; xx < w; xx++) {
      fillPatch(x, h, w, cin, k, r, y, xx, p.inZero, patch);
      const o = (y * w + xx) * cout;
      for (let c = 0; c < cout; c++) {
        let acc = 0;
        const base = c * K;
        for (let j = 0; j < K; j++) acc += patch[j] * p.weights[base + j];
        acc = multiplyByQuantizedMultiplier(acc + p.bias[c], p.multiplier[c], p.shift[c]) + p.outZero;
        out[o + c] = acc < p.actMin ? p.actMin : acc > p.actMax ? p.actMax : acc;
      }
    }
  return out;
}

/** (input − zero point) over the k×k window at (y, x), in [ky][kx][ci] order; 0 outside the image. */
function fillPatch(x: Int8Array, h: number, w: number, cin: number, k: number, r: number, y: number, xx: number, zero: number, patch: Int32Array): void {
  let j = 0;
  for (let dy = -r; dy <= r; dy++)
    for (let dx = -r; dx <= r; dx++) {
      const yy = y + dy;
      const xs = xx + dx;
      const inside = yy >= 0 && yy < h && xs >= 0 && xs < w;
      const src = (yy * w + xs) * cin;
      for (let c = 0; c < cin; c++) patch[j++] = inside ? x[src + c] - zero : 0;
    }
}

/** 2×2 max-pool, stride 2, on even h and w (same scale in and out: a max of codes). */
export function maxPoolInt8(x: Int8Array, h: number, w: number, c: number): Int8Array {
  const ho = h / 2;
  const wo = w / 2;
  const out = new Int8Array(ho * wo * c);
  for (let y = 0; y < ho; y++)
    for (let xx = 0; xx < wo; xx++)
      for (let ch = 0; ch < c; ch++) {
        const a = ((2 * y) * w + 2 * xx) * c + ch;
        const b = a + w * c;
        out[(y * wo + xx) * c + ch] = Math.max(x[a], x[a + c], x[b], x[b + c]);
      }
  return out;
}

/** One output coordinate of ×2 half-pixel resize in 10-bit fixed point: scaled = 512·i − 256 (scale_10 = 512). */
function axis2x(i: number, n: number): [number, number, number] {
  const scaled = 512 * i - 256;
  const lo = Math.max(Math.trunc(scaled / 1024), 0);
  const hi = Math.min(Math.trunc((scaled + 1023) / 1024), n - 1);
  return [scaled, lo, hi];
}

/** Bilinear ×2 with half-pixel centres in integer arithmetic (ResizeBilinearInteger): weights in 1/1024, halves away from zero. */
export function upsample2xInt8(x: Int8Array, h: number, w: number, c: number): Int8Array {
  const out = new Int8Array(4 * h * w * c);
  const W2 = 2 * w;
  for (let y = 0; y < 2 * h; y++) {
    const [sy, y0, y1] = axis2x(y, h);
    const fy = sy - 1024 * y0;
    for (let xx = 0; xx < W2; xx++) {
      const [sx, x0, x1] = axis2x(xx, w);
      const fx = sx - 1024 * x0;
      const a = (y0 * w + x0) * c, b = (y1 * w + x0) * c, d = (y0 * w + x1) * c, e = (y1 * w + x1) * c;
      const o = (y * W2 + xx) * c;
      for (let ch = 0; ch < c; ch++) {
        const v = x[a + ch] * (1024 - fy) * (1024 - fx) + x[b + ch] * fy * (1024 - fx) + x[d + ch] * (1024 - fy) * fx + x[e + ch] * fy * fx;
        out[o + ch] = Math.trunc((v + (v > 0 ? 1 << 19 : -(1 << 19))) / (1 << 20));
      }
    }
  }
  return out;
}

/** Channel concatenation of tensors that share one scale and zero point. */
export function concatInt8(parts: readonly Int8Array[], channels: readonly number[], pixels: number): Int8Array {
  const total = channels.reduce((a, b) => a + b, 0);
  const out = new Int8Array(pixels * total);
  let off = 0;
  parts.forEach((p, i) => {
    const c = channels[i];
    for (let q = 0; q < pixels; q++) out.set(p.subarray(q * c, q * c + c), q * total + off);
    off += c;
  });
  return out;
}

/** Element-wise int8 addition with TFLite's rescaling to a common scale. */
export function addInt8(a: Int8Array, b: Int8Array, p: AddParams, lo: number, hi: number): Int8Array {
  const out = new Int8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = addElement(a[i], b[i], p, lo, hi);
  return out;
}
