// SPDX-License-Identifier: MIT
// Streaming LIBSVM/SVMlight reader: bytes (plain or gzip) in, a CSR Dataset with ±1 labels out. Browser-safe.

import { InvalidInputError } from '../errors.js';
import type { CsrMatrix, Dataset } from '../types.js';
import { checkFeaturesOption, checkLabelsOption, LabelSet, mapLabels } from './labels.js';
import { ChunkedLines } from './lines.js';
import { errorAt, quoteToken } from './location.js';
import { BYTE_CLASS, FLOAT32_OVERFLOW, NumberScanner } from './number.js';
import { checkKeys } from '../check.js';
import { type ByteSource, SOURCE_OPTION_KEYS, type SourceOptions, textChunks } from './source.js';

/** Options of {@link parseLibsvm}. */
export interface LibsvmOptions extends SourceOptions {
  /** Number of feature columns; an index above it is an error. Default: the largest index in the file. */
  features?: number;
  /**
   * Without `features`: the largest feature index accepted (the model width limit), so one corrupt index (say
   * 300000000) is an error at its file:line:column instead of a model hundreds of MB wide. Default 2^25 = 33,554,432
   * (more than kdd2010's 29.9M features); raise it for wider data.
   */
  maxFeatures?: number;
  /**
   * Forces the label coding (e.g. a model's `labels`, for its test file); other label values are errors. Two
   * values are the binary pair [neg, pos]; three or more are the classes, in class order (the data is multiclass
   * even when the file holds fewer of them).
   */
  labels?: number[];
  /** Keep explicit zeros (`5:0`) as stored entries. Default false: they are dropped (they still count for `features`). */
  keepZeros?: boolean;
}

/** What {@link parseLibsvm} returns. */
export interface LibsvmResult {
  /**
   * The data: `x` is CSR with 0-based column indices; two label values: `y` is ±1 and `labels` the original [neg,
   * pos]; three or more: `y` is the class index and `labels` the classes, ascending (see Dataset).
   */
  dataset: Dataset & { x: CsrMatrix };
  rows: number;
  /** Column count: `options.features` or the largest index seen. */
  features: number;
  /** Stored entries (explicit zeros excluded unless `keepZeros`). */
  nnz: number;
  /** Distinct label values found in the file, ascending. */
  labelsSeen: number[];
}

const MAX_INDEX = 0x7fffffff;

/** Every LibsvmOptions key (the compiler keeps this list complete), for checkKeys. */
export const LIBSVM_OPTION_KEYS = [
  ...SOURCE_OPTION_KEYS,
  ...Object.keys({ features: 1, maxFeatures: 1, labels: 1, keepZeros: 1 } satisfies Record<Exclude<keyof LibsvmOptions, keyof SourceOptions>, 1>),
];

/** The default model width limit (LibsvmOptions.maxFeatures). */
export const DEFAULT_MAX_FEATURES = 2 ** 25;

/** Incremental parser: `push` chunks of bytes (lines may span chunks), then `finish`. */
class LibsvmParser extends ChunkedLines {
  private line = 1;
  private rows = 0;
  private nnz = 0;
  private maxIndex = 0;
  private indptr = new Int32Array(0);
  private indices = new Int32Array(0);
  private values = new Float32Array(0);
  private raw = new Float64Array(0);
  private readonly sc = new NumberScanner();
  private readonly labels: LabelSet;
  private readonly limit: number;

  constructor(
    private readonly name: string,
    private readonly features: number | undefined,
    forced: number[] | undefined,
    private readonly keepZeros: boolean,
    maxFeatures: number,
  ) {
    super();
    this.labels = new LabelSet(forced);
    this.limit = features ?? maxFeatures;
  }

  finish(): LibsvmResult {
    this.flush();
    const { rows, nnz } = this;
    if (rows === 0) {
      throw new InvalidInputError(`${this.name}:1:1`, 'no data rows', 'at least one line "label index:value ..."');
    }
    const { y, labels, seen } = mapLabels(this.raw, rows, this.labels);
    const cols = this.features ?? this.maxIndex;
    const x: CsrMatrix = {
      kind: 'csr',
      rows,
      cols,
      indptr: this.indptr.slice(0, rows + 1),
      indices: this.indices.slice(0, nnz),
      values: this.values.slice(0, nnz),
    };
    return { dataset: { x, y, labels }, rows, features: cols, nnz, labelsSeen: seen };
  }

  /** Parses the lines of `b[i, end)`; every line but possibly the last ends with a newline. */
  protected region(b: Uint8Array, i: number, end: number, single: boolean): void {
    this.reserve(end - i, single);
    while (i < end) i = this.parseLine(b, i, end);
  }

  /**
   * Makes room for everything `bytes` more input can hold (a row takes at least 2 bytes, an entry 4), so that the
   * hot loops never grow buffers (and V8 never deoptimises them for it).
   */
  private reserve(bytes: number, single: boolean): void {
    const rows = this.rows + (single ? 1 : bytes >> 1) + 2;
    if (rows > this.indptr.length) {
      const n = Math.max(rows, this.indptr.length * 2);
      const p = new Int32Array(n);
      p.set(this.indptr.subarray(0, this.rows + 1));
      this.indptr = p;
      const r = new Float64Array(n);
      r.set(this.raw.subarray(0, this.rows));
      this.raw = r;
    }
    const entries = this.nnz + (bytes >> 2) + 2;
    if (entries > this.indices.length) {
      const n = Math.max(entries, this.indices.length * 2);
      const ind = new Int32Array(n);
      ind.set(this.indices.subarray(0, this.nnz));
      const val = new Float32Array(n);
      val.set(this.values.subarray(0, this.nnz));
      this.indices = ind;
      this.values = val;
    }
  }

  /** Parses one line starting at `start`; returns the index just past its newline. */
  private parseLine(b: Uint8Array, start: number, end: number): number {
    const cls = BYTE_CLASS; // a local alias: bundlers may turn imports into property loads
    let i = start;
    while (i < end && cls[b[i]] === 1) i++;
    if (i === end || cls[b[i]] !== 0) {
      this.line++;
      return skipLine(b, i, end);
    }
    const j = this.sc.scan(b, i, end);
    const label = this.sc.value;
    if (label !== label || (j < end && cls[b[j]] === 0) || !(Math.abs(label) < Infinity)) {
      throw this.badLabel(b, start, i, end, label !== label || (j < end && cls[b[j]] === 0));
    }
    if (label !== this.labels.a && label !== this.labels.b && !this.labels.admit(label)) {
      const [expected, detail] = this.labels.refusal();
      throw errorAt(this.name, this.line, b, start, i, quoteToken(b, i, end), expected, detail);
    }
    this.raw[this.rows] = label;
    const next = this.readFeatures(b, start, j, end);
    this.indptr[++this.rows] = this.nnz;
    this.line++;
    return next;
  }

  /** The hot loop: `index:value` pairs up to the end of the line. Returns the index just past the newline. */
  private readFeatures(b: Uint8Array, lineStart: number, i: number, end: number): number {
    const sc = this.sc;
    const cls = BYTE_CLASS;
    const f32max = FLOAT32_OVERFLOW;
    const limit = this.limit;
    const keep = this.keepZeros;
    const ind = this.indices;
    const val = this.values;
    let nnz = this.nnz;
    let last = 0;
    for (;;) {
      let c = 0;
      while (i < end && (c = cls[b[i]]) === 1) i++;
      if (i >= end) break;
      if (c === 2) {
        i++;
        break;
      }
      if (c === 3) {
        i = skipLine(b, i, end);
        break;
      }
      const t = i;
      let idx = 0;
      let d = 0;
      while (i < end && (d = b[i] - 48) >= 0 && d <= 9) {
        idx = idx * 10 + d;
        i++;
      }
      if (i === t || i === end || b[i] !== 58 || idx < 1 || idx > MAX_INDEX) throw this.badIndex(b, lineStart, t, end);
      i = sc.scan(b, i + 1, end);
      const v = sc.value;
      if (v !== v || (i < end && cls[b[i]] === 0)) throw this.badValue(b, lineStart, t, end, 'a number after the colon');
      if (idx <= last || idx > limit || !(Math.abs(v) < f32max)) throw this.badFeature(b, lineStart, t, end, idx, last);
      last = idx;
      if (v !== 0 || keep) {
        ind[nnz] = idx - 1;
        val[nnz++] = v;
      }
    }
    this.nnz = nnz;
    if (last > this.maxIndex) this.maxIndex = last;
    return i;
  }

  private badLabel(b: Uint8Array, start: number, t: number, end: number, syntax: boolean): InvalidInputError {
    const expected = syntax ? 'a numeric label (e.g. -1, +1, 0, 1) first on the line' : 'a finite numeric label';
    return errorAt(this.name, this.line, b, start, t, quoteToken(b, t, end), expected);
  }

  private badIndex(b: Uint8Array, start: number, t: number, end: number): InvalidInputError {
    const got = quoteToken(b, t, end);
    const at = (expected: string, detail?: string) => errorAt(this.name, this.line, b, start, t, got, expected, detail);
    if (got.startsWith('"qid:')) return at('index:value features', 'ranking files (qid:) are not supported');
    if (!got.includes(':')) return at('a feature written index:value', 'missing ":"');
    return at(`a positive integer index (1 to ${MAX_INDEX}) before the colon`);
  }

  private badValue(b: Uint8Array, start: number, t: number, end: number, expected: string): InvalidInputError {
    return errorAt(this.name, this.line, b, start, t, quoteToken(b, t, end), expected);
  }

  private badFeature(b: Uint8Array, start: number, t: number, end: number, idx: number, last: number): InvalidInputError {
    if (idx <= last) {
      const detail = idx === last ? 'duplicate index' : 'indices must be strictly ascending';
      return errorAt(this.name, this.line, b, start, t, quoteToken(b, t, end), `an index above ${last}`, detail);
    }
    if (idx > this.limit) {
      const why = this.features !== undefined ? 'options.features' : 'the feature limit, options.maxFeatures (--max-features): raise it for wider data';
      return this.badValue(b, start, t, end, `an index of at most ${this.limit} (${why})`);
    }
    return this.badValue(b, start, t, end, 'a finite value within float32 range after the colon');
  }
}

/** Index just past the newline at or after `i` (or `end`). */
function skipLine(b: Uint8Array, i: number, end: number): number {
  while (i < end && b[i] !== 10) i++;
  return i < end ? i + 1 : end;
}

/**
 * Parses a LIBSVM / SVMlight file (`label index:value ...` per line, 1-based ascending indices) into a CSR dataset.
 * The input is processed chunk by chunk, so files far larger than any string limit work; gzip input is detected by
 * its magic bytes. Labels: two distinct values, the lower becomes −1 and the higher +1; three or more make a
 * multiclass dataset, classes ascending (`labels` overrides either). Explicit
 * zeros are dropped unless `keepZeros`. Blank lines, `# comment` tails, CRLF and rows without features are accepted.
 *
 * @throws InvalidInputError located at `name:line:column` for any malformed token, or naming the input for a
 *   truncated/corrupt gzip stream; AbortError when `signal` fires.
 * @example
 * ```ts
 * const train = await parseLibsvm(await (await fetch('a9a.gz')).arrayBuffer(), { name: 'a9a.gz' });
 * const test = await parseLibsvm(testFile, { features: train.features, labels: train.dataset.labels });
 * console.log(train.rows, train.features, train.nnz); // 32561 123 451592
 * ```
 */
export async function parseLibsvm(source: ByteSource, options: LibsvmOptions = {}): Promise<LibsvmResult> {
  checkKeys('parseLibsvm: options', options, LIBSVM_OPTION_KEYS);
  const name = options.name ?? '<input>';
  const parser = new LibsvmParser(
    name,
    checkFeaturesOption(options.features, 'parseLibsvm: options.features'),
    checkLabelsOption(options.labels, 'parseLibsvm: options.labels'),
    options.keepZeros ?? false,
    checkFeaturesOption(options.maxFeatures, 'parseLibsvm: options.maxFeatures') ?? DEFAULT_MAX_FEATURES,
  );
  for await (const chunk of textChunks(source, options, 'parseLibsvm')) parser.push(chunk);
  return parser.finish();
}
