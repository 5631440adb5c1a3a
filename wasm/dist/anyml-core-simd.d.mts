// SPDX-License-Identifier: MIT
// Hand-written types for the emscripten glue anyml-core-simd.mjs: the same module as anyml-core.mjs, built -msimd128.
export type { AnymlCoreModule, AnymlCoreOptions } from './anyml-core.mjs';
import type { AnymlCoreModule, AnymlCoreOptions } from './anyml-core.mjs';

/** Instantiates the SIMD module (check WebAssembly SIMD support first). */
declare function createAnymlCore(options?: AnymlCoreOptions): Promise<AnymlCoreModule>;
export default createAnymlCore;
