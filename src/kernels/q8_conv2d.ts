// SPDX-License-Identifier: MIT
// q8_conv2d runner: the wasm core's int8 convolution (cpp/kernels/q8_conv2d*.cc), bit-identical to convInt8 in
// src/quant/kernels.ts (TFLite's reference ConvPerChannel) and 50–70× faster than it in Node (bench/q8_conv2d/run.ts).
import type { AnymlCore } from '../backends/wasm/abi.js';
import { check, type HeapScope, withHeap } from '../backends/wasm/heap.js';
import { hasSimd, loadCore } from '../backends/wasm/loader.js';
import { InvalidInputError } from '../errors.js';
import type { ConvInt8 } from '../quant/kernels.js';
import { checkLength } from './check.js';

const FN = 'q8_conv2d';

function checkInt(arg: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new InvalidInputError(`${FN}: ${arg}`, String(v), `an integer in [${lo}, ${hi}]`);
  }
}

/** The C kernel's argument rules (cpp/include/anyml/anyml.h), checked before crossing the boundary. */
function checkConv(x: Int8Array, h: number, w: number, p: ConvInt8): void {
  checkInt('h', h, 1, 2 ** 30);
  checkInt('w', w, 1, 2 ** 30);
  if (p.k !== 1 && p.k !== 3) throw new InvalidInputError(`${FN}: k`, String(p.k), '1 or 3');
  checkInt('cin', p.cin, 1, 2 ** 30);
  checkInt('cout', p.cout, 1, 2 ** 30);
  // The C limits (the kernel's packed int16 copies index with int32): checked here too, before any allocation.
  const pixels = (h + p.k - 1) * (w + p.k - 1);
  if (pixels * Math.max(p.cin, p.cout) > 2 ** 30 || (p.k * p.cin + 8) * p.k * p.cout > 2 ** 30) {
    const got = `h=${h} w=${w} cin=${p.cin} cout=${p.cout}`;
    throw new InvalidInputError(`${FN}: sizes`, got, '(h+k−1)·(w+k−1)·max(cin, cout) and (k·cin+8)·k·cout ≤ 2^30');
  }
  checkLength(FN, 'x', x, h * w * p.cin);
  checkLength(FN, 'weights', p.weights, p.cout * p.k * p.k * p.cin);
  checkLength(FN, 'bias', p.bias, p.cout);
  checkLength(FN, 'multiplier', p.multiplier, p.cout);
  checkLength(FN, 'shift', p.shift, p.cout);
  for (let c = 0; c < p.cout; c++) checkInt(`shift[${c}]`, p.shift[c], -31, 31);
  checkInt('inZero', p.inZero, -128, 127);
  checkInt('outZero', p.outZero, -128, 127);
  checkInt('actMin', p.actMin, -128, 127);
  checkInt('actMax', p.actMax, p.actMin, 127);
}

/** Copies the bytes of `a` into a new allocation (HeapScope.copyIn takes 32/64-bit arrays only). */
function copyBytes(heap: HeapScope, a: Int8Array): number {
  const ptr = heap.alloc(a.byteLength);
  heap.u8(ptr, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return ptr;
}

/**
 * convInt8 on the wasm core: 'same' convolution, stride 1, of x [h][w][cin] (NHWC, batch 1) with p's OHWI weights and
 * per-channel requantization. Same arguments and result as convInt8 (checked here, then in C).
 * @example const out = convInt8Wasm(await loadQ8Core(), x, 64, 64, conv);
 */
export function convInt8Wasm(core: AnymlCore, x: Int8Array, h: number, w: number, p: ConvInt8): Int8Array {
  checkConv(x, h, w, p);
  const { k, cin, cout } = p;
  const n = h * w * cout;
  return withHeap(core, (heap) => {
    const xp = copyBytes(heap, x.subarray(0, h * w * cin));
    const wp = copyBytes(heap, p.weights.subarray(0, cout * k * k * cin));
    const bp = heap.copyIn(p.bias.subarray(0, cout));
    const mp = heap.copyIn(p.multiplier.subarray(0, cout));
    const sp = heap.copyIn(p.shift.subarray(0, cout));
    const op = heap.alloc(n);
    const rc = core._q8_conv2d(xp, h, w, cin, k, cout, wp, bp, mp, sp, p.inZero, p.outZero, p.actMin, p.actMax, op);
    check(core, FN, rc);
    // The kernel allocates its packed operands, which may grow memory: heap.u8 re-reads the buffer.
    const bytes = heap.u8(op, n);
    return new Int8Array(bytes.buffer, bytes.byteOffset, n).slice();
  });
}

/**
 * The core for convInt8Wasm in Node, browsers and workers (memoised by loadCore): the SIMD build where the engine
 * validates WebAssembly SIMD, else the scalar one (same results, 15–20× slower).
 */
export async function loadQ8Core(): Promise<AnymlCore> {
  return loadCore((await hasSimd()) ? 'simd' : 'scalar');
}
