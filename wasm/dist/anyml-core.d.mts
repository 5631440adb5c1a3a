// SPDX-License-Identifier: MIT
// Hand-written types for the emscripten glue anyml-core.mjs (and anyml-core-simd.mjs, same exports).
// The C signatures are in cpp/include/anyml/anyml.h and libsvm_parse.h; pointers are byte offsets into HEAPU8 (wasm32, < 4 GiB).

/** The instantiated core: heap views (re-read them after any call that may grow memory) and the C exports. */
export interface AnymlCoreModule {
  readonly HEAPU8: Uint8Array;
  readonly HEAP32: Int32Array;
  readonly HEAPU32: Uint32Array;
  readonly HEAPF32: Float32Array;
  readonly HEAPF64: Float64Array;
  UTF8ToString(ptr: number, maxBytesToRead?: number): string;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _anyml_last_error(): number;
  _f32_dot(n: number, x: number, y: number, out: number): number;
  _f32_axpy(n: number, alpha: number, x: number, y: number): number;
  _f32_scal(n: number, alpha: number, x: number): number;
  _f32_nrm2(n: number, x: number, out: number): number;
  _f32_spdot(nnz: number, idx: number, val: number, y: number, out: number): number;
  _f32_spaxpy(nnz: number, alpha: number, idx: number, val: number, y: number): number;
  _q8_conv2d(x: number, h: number, w: number, cin: number, k: number, cout: number, weights: number, bias: number,
    multiplier: number, shift: number, inZero: number, outZero: number, actMin: number, actMax: number, out: number): number;
  _sgd_svm_create_csr(rows: number, cols: number, indptr: number, indices: number, values: number, y: number,
    opts: number, out: number): number;
  _sgd_svm_create_dense(rows: number, cols: number, data: number, y: number, opts: number, out: number): number;
  _sgd_svm_begin_epoch(h: number): number;
  _sgd_svm_run(h: number, count: number, processed: number): number;
  _sgd_svm_objective(h: number, out: number): number;
  _sgd_svm_weights(h: number, w: number, bias: number): number;
  _sgd_svm_state_buffers(h: number, v: number, avg: number, perm: number): number;
  _sgd_svm_get_state(h: number, scalars: number): number;
  _sgd_svm_set_state(h: number, scalars: number): number;
  _sgd_svm_destroy(h: number): number;
  _libsvm_parse_create(keepZeros: number, limit: number, forcedCount: number, forced: number, out: number): number;
  _libsvm_parse_push(h: number, bytes: number, len: number): number;
  _libsvm_parse_finish(h: number): number;
  _libsvm_parse_error(h: number, info: number, line: number): number;
  _libsvm_parse_shape(h: number, shape: number, labels: number): number;
  _libsvm_parse_arrays(h: number, indptr: number, indices: number, values: number, raw: number): number;
  _libsvm_parse_destroy(h: number): number;
}

/** Module options the build accepts (-sINCOMING_MODULE_JS_API in wasm/build.sh). */
export interface AnymlCoreOptions {
  /** The .wasm bytes; pass them in Node, where the web-only glue cannot fetch file:// URLs. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Maps 'anyml-core.wasm' to the URL to fetch (browsers, workers). */
  locateFile?: (path: string, scriptDirectory: string) => string;
  instantiateWasm?: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) => unknown;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

/** Instantiates the module. */
declare function createAnymlCore(options?: AnymlCoreOptions): Promise<AnymlCoreModule>;
export default createAnymlCore;
