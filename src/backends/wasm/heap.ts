// SPDX-License-Identifier: MIT
// Heap helpers for the wasm core: scoped allocations freed in `finally`, copies in and out, status checks.
// Views are made from HEAPU8.buffer at each use, because any call into the module may grow (and detach) memory.
import { KernelError } from '../../errors.js';
import { ANYML_STATUS, type AnymlCore } from './abi.js';

type Typed = Float32Array | Float64Array | Int32Array | Uint32Array;

/** The message of the core's last failure. */
export function lastError(core: AnymlCore): string {
  return core.UTF8ToString(core._anyml_last_error() >>> 0);
}

/** Throws KernelError(fn, rc, message from anyml_last_error()) when rc is not ANYML_OK. */
export function check(core: AnymlCore, fn: string, rc: number): void {
  if (rc !== ANYML_STATUS.ANYML_OK) throw new KernelError(fn, rc, lastError(core) || 'no message');
}

/** A set of heap allocations; `free()` releases them all (call it in `finally`). */
export class HeapScope {
  private readonly allocs: number[] = [];
  constructor(readonly core: AnymlCore) {}

  /** Allocates `bytes` (at least 8, so the pointer is never NULL; emmalloc aligns to 8). */
  alloc(bytes: number): number {
    const ptr = this.core._malloc(Math.max(8, bytes)) >>> 0;
    if (ptr === 0) {
      throw new KernelError('malloc', ANYML_STATUS.ANYML_E_NOMEM, `cannot allocate ${bytes} bytes in the wasm heap (max 4 GiB)`);
    }
    this.allocs.push(ptr);
    return ptr;
  }

  /** Copies `src` into a new allocation and returns its pointer. */
  copyIn(src: Typed): number {
    const ptr = this.alloc(src.byteLength);
    this.u8(ptr, src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    return ptr;
  }

  u8(ptr: number, n: number): Uint8Array {
    return new Uint8Array(this.core.HEAPU8.buffer, ptr, n);
  }
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.core.HEAPU8.buffer, ptr, n);
  }
  f64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.core.HEAPU8.buffer, ptr, n);
  }
  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.core.HEAPU8.buffer, ptr, n);
  }
  u32(ptr: number, n: number): Uint32Array {
    return new Uint32Array(this.core.HEAPU8.buffer, ptr, n);
  }

  /** Frees every allocation (idempotent). */
  free(): void {
    while (this.allocs.length) this.core._free(this.allocs.pop()!);
  }
}

/** Runs `fn` with a fresh HeapScope and frees all its allocations afterwards, even when `fn` throws. */
export function withHeap<T>(core: AnymlCore, fn: (h: HeapScope) => T): T {
  const h = new HeapScope(core);
  try {
    return fn(h);
  } finally {
    h.free();
  }
}
