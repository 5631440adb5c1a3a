// SPDX-License-Identifier: MIT
// Every kernel × variant (js reference, wasm scalar core, wasm-simd core) at the SIMD tile edges, seeded inputs,
// in-place cases, NaN-prefilled outputs (the wasm runners write NaN into `out` before the call).
import { beforeAll, describe, expect, it } from 'vitest';
import { type AnymlCore } from '../../../src/backends/wasm/abi.js';
import { loadCore } from '../../../src/backends/wasm/loader.js';
import { KERNELS, type KernelCase, type KernelDef } from '../../../src/kernels/index.js';
import { nextU32, seedState } from '../../../src/rng.js';
import { bits32, uniform } from '../../parity/data.js';
import { TOLERANCE } from '../../parity/tolerance.js';

/** eq / lt / gt of the 4-, 8- and 16-wide tiles. */
const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65];

function makeCase(n: number, seed: number, inPlace: boolean): KernelCase {
  const s = seedState(seed);
  const m = 2 * n + 3; // dense length for sparse kernels
  const x = Float32Array.from({ length: Math.max(n, m) }, () => uniform(s) * 4);
  const y = Float32Array.from({ length: Math.max(n, m) }, () => uniform(s) * 4);
  // Distinct ascending indices (a CSR row): keep each of 0..m-1 with probability n/m, topped up to n.
  const picked: number[] = [];
  for (let j = 0; j < m && picked.length < n; j++) if (nextU32(s) % m < n || m - j === n - picked.length) picked.push(j);
  return { n, alpha: uniform(s) * 3, x, y, idx: Int32Array.from(picked), inPlace };
}

/** Σ|terms| of the reduction (the scale of the rounding error). */
function absSum(k: KernelDef, c: KernelCase): number {
  let s = 0;
  for (let i = 0; i < c.n; i++) {
    const yi = k.name === 'f32_spdot' ? c.y[c.idx[i]] : c.inPlace ? c.x[i] : c.y[i];
    s += Math.abs(c.x[i] * yi);
  }
  return s;
}

let scalar: AnymlCore;
let simd: AnymlCore;
beforeAll(async () => {
  [scalar, simd] = await Promise.all([loadCore('scalar'), loadCore('simd')]);
});

describe.each(KERNELS.map((k) => [k.name, k] as const))('%s', (_name, k) => {
  const inPlaceCases = k.name === 'f32_dot' || k.name === 'f32_axpy' ? [false, true] : [false];
  for (const inPlace of inPlaceCases) {
    it.each(SIZES)(`n=%i${inPlace ? ' in place' : ''}: wasm scalar is bit-identical to the js reference`, (n) => {
      const c = makeCase(n, 1000 + n, inPlace);
      const ref = k.ref(c);
      expect(ref.some(Number.isNaN)).toBe(false);
      expect(bits32(k.wasm(scalar, c))).toEqual(bits32(ref));
    });

    it.each(SIZES)(`n=%i${inPlace ? ' in place' : ''}: wasm-simd matches the reference`, (n) => {
      const c = makeCase(n, 2000 + n, inPlace);
      const ref = k.ref(c);
      const got = k.wasm(simd, c);
      if (k.elementwise) return expect(bits32(got)).toEqual(bits32(ref));
      expect(got[0]).not.toBeNaN();
      const tol = TOLERANCE.kernel['wasm-simd'];
      const bound = k.name === 'f32_nrm2' ? tol.nrm2Rel * Math.abs(ref[0]) : tol.sumRel * n * absSum(k, c);
      expect(Math.abs(got[0] - ref[0]), `${k.name} n=${n}: simd ${got[0]} vs ref ${ref[0]}`).toBeLessThanOrEqual(bound);
    });
  }
});

describe('reference semantics', () => {
  it('f32_dot rounds each product and sum to f32 (no FMA, no f64 accumulation)', () => {
    // 1 + 2^-24 is not representable in f32: an f64 accumulator would keep it, f32 steps drop it.
    const x = new Float32Array([1, 2 ** -24, 2 ** -24]), y = new Float32Array([1, 1, 1]);
    const ref = KERNELS.find((k) => k.name === 'f32_dot')!;
    const c = { n: 3, alpha: 0, x, y, idx: new Int32Array(0), inPlace: false };
    expect(ref.ref(c)[0]).toBe(1);
    expect(ref.wasm(scalar, c)[0]).toBe(1);
  });

  it('f32_spaxpy accumulates repeated indices in order, like the scalar C loop', () => {
    const k = KERNELS.find((d) => d.name === 'f32_spaxpy')!;
    const c = { n: 3, alpha: 0.5, x: new Float32Array([1, 2, 3]), y: new Float32Array([1, 1]), idx: new Int32Array([1, 1, 0]), inPlace: false };
    expect(Array.from(k.ref(c))).toEqual([2.5, 2.5]);
    expect(Array.from(k.wasm(scalar, c))).toEqual([2.5, 2.5]);
    expect(Array.from(k.wasm(simd, c))).toEqual([2.5, 2.5]);
  });

  it('f32_nrm2 does not overflow for large f32 values', () => {
    const k = KERNELS.find((d) => d.name === 'f32_nrm2')!;
    const c = { n: 2, alpha: 0, x: new Float32Array([3e38, 4e38]), y: new Float32Array(2), idx: new Int32Array(0), inPlace: false };
    expect(k.ref(c)[0]).toBe(Math.fround(5e38) === Infinity ? Infinity : Math.fround(5e38));
    expect(k.ref(c)[0]).toBe(Infinity); // 5e38 > FLT_MAX: the result, not the sum, overflows
    const c2 = { ...c, x: new Float32Array([3e37, 4e37]) };
    expect(k.ref(c2)[0]).toBe(Math.fround(5e37));
    expect(k.wasm(scalar, c2)[0]).toBe(Math.fround(5e37));
    expect(k.wasm(simd, c2)[0]).toBe(Math.fround(5e37));
  });
});
