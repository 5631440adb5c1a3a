// SPDX-License-Identifier: MIT
// Kernel argument errors: TS checks before the boundary, and C status codes + anyml_last_error() behind it.
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, KernelError } from '../../../src/errors.js';
import { ANYML_STATUS, type AnymlCore } from '../../../src/backends/wasm/abi.js';
import { check, lastError, withHeap } from '../../../src/backends/wasm/heap.js';
import { loadCore } from '../../../src/backends/wasm/loader.js';
import { f32DotWasm, f32SpdotWasm } from '../../../src/kernels/index.js';

let core: AnymlCore;
beforeAll(async () => {
  core = await loadCore('simd');
});

describe('C side', () => {
  it('a NULL pointer with n > 0 returns ANYML_E_INVALID_ARG and names kernel and argument', () => {
    withHeap(core, (h) => {
      const out = h.alloc(4);
      expect(core._f32_dot(5, 0, 0, out)).toBe(ANYML_STATUS.ANYML_E_INVALID_ARG);
      expect(lastError(core)).toBe('f32_dot: argument x is NULL with n = 5 > 0');
      expect(core._f32_spaxpy(3, 1, h.alloc(12), 0, h.alloc(12))).toBe(ANYML_STATUS.ANYML_E_INVALID_ARG);
      expect(lastError(core)).toBe('f32_spaxpy: argument val is NULL with n = 3 > 0');
      expect(core._f32_nrm2(0, 0, 0)).toBe(ANYML_STATUS.ANYML_E_INVALID_ARG);
      expect(lastError(core)).toBe('f32_nrm2: argument out is NULL');
    });
  });

  it('NULL data pointers are fine when n = 0', () => {
    withHeap(core, (h) => {
      const out = h.alloc(4);
      for (const rc of [core._f32_dot(0, 0, 0, out), core._f32_axpy(0, 2, 0, 0), core._f32_scal(0, 2, 0),
        core._f32_spdot(0, 0, 0, 0, out), core._f32_spaxpy(0, 1, 0, 0, 0)]) expect(rc).toBe(ANYML_STATUS.ANYML_OK);
      expect(h.f32(out, 1)[0]).toBe(0);
    });
  });

  it('check() turns a status into a KernelError carrying the C message', () => {
    withHeap(core, (h) => {
      const rc = core._f32_scal(2, 1, 0);
      expect(() => check(core, 'f32_scal', rc)).toThrow(KernelError);
      expect(() => check(core, 'f32_scal', rc)).toThrow('f32_scal failed (status 1): f32_scal: argument x is NULL with n = 2 > 0');
      void h;
    });
  });
});

describe('TS side', () => {
  it('rejects a bad n or a short array before calling the core', () => {
    const x = new Float32Array(3);
    expect(() => f32DotWasm(core, -1, x, x)).toThrow(InvalidInputError);
    expect(() => f32DotWasm(core, 1.5, x, x)).toThrow('f32_dot: n: got 1.5, expected an integer in [0, 2^31)');
    expect(() => f32DotWasm(core, 4, x, x)).toThrow('f32_dot: x.length: got 3, expected >= n = 4');
  });

  it('rejects sparse indices outside y', () => {
    const y = new Float32Array(4);
    expect(() => f32SpdotWasm(core, 2, new Int32Array([1, 4]), new Float32Array(2), y)).toThrow(
      'f32_spdot: idx[1]: got 4, expected an index in [0, 4)',
    );
  });
});
