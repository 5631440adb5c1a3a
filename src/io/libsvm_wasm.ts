// SPDX-License-Identifier: MIT
// parseLibsvmWasm: parseLibsvm on the wasm core's incremental parser (cpp/io/libsvm_stream.cc). Same options, same
// results, same error texts: the C side reports where and what went wrong, and the messages are built here with the
// helpers the JS reader uses (src/io/location.ts), from a copy of the offending line.

import { checkKeys } from '../check.js';
import type { AnymlCore } from '../backends/wasm/abi.js';
import { check } from '../backends/wasm/heap.js';
import { hasSimd, loadCore } from '../backends/wasm/loader.js';
import { InvalidInputError } from '../errors.js';
import type { CsrMatrix } from '../types.js';
import { checkFeaturesOption, checkLabelsOption, LabelSet, mapLabels } from './labels.js';
import { DEFAULT_MAX_FEATURES, LIBSVM_OPTION_KEYS, type LibsvmOptions, type LibsvmResult } from './libsvm.js';
import { errorAt, quoteToken } from './location.js';
import { type ByteSource, textChunks } from './source.js';

const FN = 'parseLibsvmWasm';
const MAX_INDEX = 0x7fffffff;
const ANYML_OK = 0;
const ANYML_E_INVALID_ARG = 1;

/** Data error kinds (enum LIBSVM_PARSE_* in cpp/include/anyml/libsvm_parse.h; the tests compare them). */
export const PARSE_ERROR = {
  LIBSVM_PARSE_NONE: 0,
  LIBSVM_PARSE_LABEL_SYNTAX: 1,
  LIBSVM_PARSE_LABEL_RANGE: 2,
  LIBSVM_PARSE_LABEL_SET: 3,
  LIBSVM_PARSE_INDEX: 4,
  LIBSVM_PARSE_VALUE: 5,
  LIBSVM_PARSE_FEATURE: 6,
  LIBSVM_PARSE_NO_ROWS: 7,
} as const;

/** Slots of the error record (enum LIBSVM_PARSE_E_*). */
export const ERROR_SLOT = {
  LIBSVM_PARSE_E_KIND: 0,
  LIBSVM_PARSE_E_LINE: 1,
  LIBSVM_PARSE_E_TOKEN: 2,
  LIBSVM_PARSE_E_LENGTH: 3,
  LIBSVM_PARSE_E_INDEX: 4,
  LIBSVM_PARSE_E_LAST: 5,
  LIBSVM_PARSE_ERROR_SLOTS: 6,
} as const;

/** What a data error was about, read from libsvm_parse_error. */
interface ParseFailure {
  kind: number;
  line: number;
  token: number;
  bytes: Uint8Array;
  index: number;
  last: number;
}

/** Owns one libsvm_parse handle, a staging buffer for chunks and a scratch area for out-parameters. */
class WasmLibsvmParser {
  private handle = 0;
  private scratch = 0; // 128 bytes: the error record (6 doubles), then pointer and shape slots
  private buf = 0;
  private bufCap = 0;

  constructor(
    private readonly core: AnymlCore,
    private readonly name: string,
    private readonly features: number | undefined,
    private readonly forced: number[] | undefined,
    private readonly limit: number,
    keepZeros: boolean,
  ) {
    try {
      this.scratch = this.malloc(128);
      // The forced labels go in a buffer of their own: the parser copies them, so it is freed at once.
      const list = forced ? this.malloc(8 * forced.length) : 0;
      if (forced) new Float64Array(core.HEAPU8.buffer, list, forced.length).set(forced);
      const rc = core._libsvm_parse_create(keepZeros ? 1 : 0, limit, forced?.length ?? 0, list, this.scratch);
      if (list) core._free(list);
      check(core, 'libsvm_parse_create', rc);
      this.handle = this.u32(this.scratch, 1)[0];
    } catch (e) {
      this.destroy();
      throw e;
    }
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (chunk.length > this.bufCap) {
      if (this.buf) this.core._free(this.buf);
      this.buf = 0;
      this.bufCap = Math.max(chunk.length, 2 * this.bufCap, 1 << 16);
      this.buf = this.malloc(this.bufCap);
    }
    new Uint8Array(this.core.HEAPU8.buffer, this.buf, chunk.length).set(chunk);
    this.status('libsvm_parse_push', this.core._libsvm_parse_push(this.handle, this.buf, chunk.length));
  }

  /** The result, copied out of the wasm heap into arrays owned by JS. */
  finish(): LibsvmResult {
    const m = this.core;
    this.status('libsvm_parse_finish', m._libsvm_parse_finish(this.handle));
    const s = this.scratch;
    check(m, 'libsvm_parse_shape', m._libsvm_parse_shape(this.handle, s, s + 16));
    const [rows, nnz, maxIndex] = new Int32Array(m.HEAPU8.buffer, s, 3);
    const set = this.labelSet();
    check(m, 'libsvm_parse_arrays', m._libsvm_parse_arrays(this.handle, s, s + 4, s + 8, s + 12));
    const [ip, ix, vp, rp] = this.u32(s, 4);
    const buffer = m.HEAPU8.buffer;
    const raw = new Float64Array(buffer, rp, rows);
    if (!this.forced) set.scan(raw, rows);
    const cols = this.features ?? maxIndex;
    const x: CsrMatrix = {
      kind: 'csr',
      rows,
      cols,
      indptr: new Int32Array(buffer, ip, rows + 1).slice(),
      indices: new Int32Array(buffer, ix, nnz).slice(),
      values: new Float32Array(buffer, vp, nnz).slice(),
    };
    const { y, labels, seen } = mapLabels(raw, rows, set);
    return { dataset: { x, y, labels }, rows, features: cols, nnz, labelsSeen: seen };
  }

  /** Frees the handle and the buffers (idempotent). */
  destroy(): void {
    const m = this.core;
    if (this.handle) m._libsvm_parse_destroy(this.handle);
    for (const p of [this.buf, this.scratch]) if (p) m._free(p);
    this.handle = this.buf = this.scratch = 0;
  }

  /** The labels accepted so far as a LabelSet (the forced ones, or the first two values the C side met). */
  private labelSet(): LabelSet {
    const set = new LabelSet(this.forced);
    if (this.forced) return set;
    const m = this.core;
    check(m, 'libsvm_parse_shape', m._libsvm_parse_shape(this.handle, this.scratch, this.scratch + 16));
    [set.a, set.b] = new Float64Array(m.HEAPU8.buffer, this.scratch + 16, 2);
    return set;
  }

  /** Throws the JS reader's InvalidInputError for a data error, KernelError for anything else. */
  private status(fn: string, rc: number): void {
    if (rc === ANYML_OK) return;
    const failure = rc === ANYML_E_INVALID_ARG ? this.failure() : undefined;
    if (failure && failure.kind !== PARSE_ERROR.LIBSVM_PARSE_NONE) throw this.invalid(failure);
    check(this.core, fn, rc);
  }

  private failure(): ParseFailure | undefined {
    const m = this.core, s = this.scratch;
    if (m._libsvm_parse_error(this.handle, s, s + 64) !== ANYML_OK) return undefined;
    const [kind, line, token, length, index, last] = new Float64Array(m.HEAPU8.buffer, s, ERROR_SLOT.LIBSVM_PARSE_ERROR_SLOTS);
    const ptr = this.u32(s + 64, 1)[0];
    const bytes = length > 0 ? new Uint8Array(m.HEAPU8.buffer, ptr, length).slice() : new Uint8Array(0);
    return { kind, line, token, bytes, index, last };
  }

  private invalid(f: ParseFailure): InvalidInputError {
    if (f.kind === PARSE_ERROR.LIBSVM_PARSE_NO_ROWS) {
      return new InvalidInputError(`${this.name}:1:1`, 'no data rows', 'at least one line "label index:value ..."');
    }
    const got = quoteToken(f.bytes, f.token, f.bytes.length);
    const at = (expected: string, detail?: string) => errorAt(this.name, f.line, f.bytes, 0, f.token, got, expected, detail);
    switch (f.kind) {
      case PARSE_ERROR.LIBSVM_PARSE_LABEL_SYNTAX:
        return at('a numeric label (e.g. -1, +1, 0, 1) first on the line');
      case PARSE_ERROR.LIBSVM_PARSE_LABEL_RANGE:
        return at('a finite numeric label');
      case PARSE_ERROR.LIBSVM_PARSE_LABEL_SET:
        return at(...this.labelSet().refusal());
      case PARSE_ERROR.LIBSVM_PARSE_INDEX:
        return indexError(got, at);
      case PARSE_ERROR.LIBSVM_PARSE_VALUE:
        return at('a number after the colon');
      default:
        return this.featureError(f, at);
    }
  }

  /** LibsvmParser.badFeature: a repeated or descending index, one above the limit, or a value beyond float32. */
  private featureError(f: ParseFailure, at: (expected: string, detail?: string) => InvalidInputError): InvalidInputError {
    if (f.index <= f.last) {
      return at(`an index above ${f.last}`, f.index === f.last ? 'duplicate index' : 'indices must be strictly ascending');
    }
    if (f.index > this.limit) {
      const why = this.features !== undefined ? 'options.features' : 'the feature limit, options.maxFeatures (--max-features): raise it for wider data';
      return at(`an index of at most ${this.limit} (${why})`);
    }
    return at('a finite value within float32 range after the colon');
  }

  private malloc(bytes: number): number {
    const p = this.core._malloc(bytes) >>> 0;
    if (p === 0) check(this.core, 'malloc', 2);
    return p;
  }

  private u32(ptr: number, n: number): Uint32Array {
    return new Uint32Array(this.core.HEAPU8.buffer, ptr, n);
  }
}

/** LibsvmParser.badIndex: the message depends on the quoted token as the JS reader sees it. */
function indexError(got: string, at: (expected: string, detail?: string) => InvalidInputError): InvalidInputError {
  if (got.startsWith('"qid:')) return at('index:value features', 'ranking files (qid:) are not supported');
  if (!got.includes(':')) return at('a feature written index:value', 'missing ":"');
  return at(`a positive integer index (1 to ${MAX_INDEX}) before the colon`);
}

/**
 * {@link parseLibsvm} on the wasm core: the same input, options, results and error messages (data errors are located
 * `name:line:column` exactly as there; option and source errors name `parseLibsvmWasm`). Chunks are parsed as they
 * arrive, so streams and gzip input work as with parseLibsvm; the CSR arrays are copied out of the wasm heap.
 *
 * @throws InvalidInputError as parseLibsvm; KernelError when the wasm heap runs out (4 GiB); WasmLoadError when the
 *   core cannot be loaded.
 * @example
 * ```ts
 * const train = await parseLibsvmWasm(bytes, { name: 'a9a' });
 * console.log(train.rows, train.features, train.nnz); // 32561 123 451592
 * ```
 */
export async function parseLibsvmWasm(source: ByteSource, options: LibsvmOptions = {}): Promise<LibsvmResult> {
  checkKeys(`${FN}: options`, options, LIBSVM_OPTION_KEYS);
  const features = checkFeaturesOption(options.features, `${FN}: options.features`);
  const forced = checkLabelsOption(options.labels, `${FN}: options.labels`);
  const maxFeatures = checkFeaturesOption(options.maxFeatures, `${FN}: options.maxFeatures`) ?? DEFAULT_MAX_FEATURES;
  const core = await loadCore((await hasSimd()) ? 'simd' : 'scalar');
  const parser = new WasmLibsvmParser(core, options.name ?? '<input>', features, forced, features ?? maxFeatures, options.keepZeros ?? false);
  try {
    for await (const chunk of textChunks(source, options, FN)) parser.push(chunk);
    return parser.finish();
  } finally {
    parser.destroy();
  }
}
