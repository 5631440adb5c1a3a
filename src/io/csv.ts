// SPDX-License-Identifier: MIT
// Streaming CSV reader for dense numeric data: one label column, optional ignored columns, optional header. Browser-safe.

import { InvalidInputError } from '../errors.js';
import type { Dataset, DenseMatrix } from '../types.js';
import { checkFeaturesOption, checkLabelsOption, LabelSet, mapLabels } from './labels.js';
import { ChunkedLines } from './lines.js';
import { errorAt, quoteBytes } from './location.js';
import { FLOAT32_OVERFLOW, NumberScanner } from './number.js';
import { checkKeys } from '../check.js';
import { type ByteSource, SOURCE_OPTION_KEYS, type SourceOptions, textChunks } from './source.js';

/** Options of {@link parseCsv}. */
export interface CsvOptions extends SourceOptions {
  /** The label column: 0-based index or header name. Default 0. */
  labelColumn?: number | string;
  /** Columns to skip (0-based indices or header names); their content is not checked. */
  ignoreColumns?: ReadonlyArray<number | string>;
  /**
   * Whether the first row is a header. 'auto' (default): only when none of its fields (ignored columns aside) is a
   * number, so a data row with one bad value is reported, not dropped as a header.
   */
  header?: 'auto' | boolean;
  /** Field separator, one ASCII character. Default ','. */
  delimiter?: string;
  /** Forces the label coding: [neg, pos], or three or more classes in class order (see LibsvmOptions.labels); other label values are errors. */
  labels?: number[];
  /** Expected number of feature columns; a file with another count is an error. */
  features?: number;
}

/** Every CsvOptions key (the compiler keeps this list complete), for checkKeys. */
export const CSV_OPTION_KEYS = [
  ...SOURCE_OPTION_KEYS,
  ...Object.keys({ labelColumn: 1, ignoreColumns: 1, header: 1, delimiter: 1, labels: 1, features: 1 } satisfies Record<Exclude<keyof CsvOptions, keyof SourceOptions>, 1>),
];

/** What {@link parseCsv} returns. */
export interface CsvResult {
  /** The data: `x` is dense row-major; `y` and `labels` as in LibsvmResult (±1 and [neg, pos], or class indices and the classes). */
  dataset: Dataset & { x: DenseMatrix };
  rows: number;
  features: number;
  /** Non-zero feature values. */
  nnz: number;
  /** Distinct label values found in the file, ascending. */
  labelsSeen: number[];
  /** Header names of the feature columns, in order (absent without a header). */
  featureNames?: string[];
}

const LABEL = -1;
const IGNORE = -2;
/** Byte classes of a CSV line: 1 blank (trimmed around fields), 2 newline, 4 delimiter, 5 double quote. */
const BLANK = 1;
const NEWLINE = 2;
const DELIM = 4;
const QUOTE = 5;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface Layout {
  roles: Int32Array<ArrayBuffer>;
  features: number;
  featureNames?: string[];
}

/** Splits one decoded line into trimmed, unquoted fields (cold path: header and first row only). */
function splitFields(text: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') cur += ch;
      else if (text[i + 1] === '"') cur += text[i++];
      else quoted = false;
    } else if (ch === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (ch === delim) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** Resolves a column given by index or header name. */
function resolveColumn(spec: unknown, names: string[] | undefined, ncols: number, where: string): number {
  if (typeof spec === 'number') {
    if (Number.isInteger(spec) && spec >= 0 && spec < ncols) return spec;
    throw new InvalidInputError(where, String(spec), `a column index from 0 to ${ncols - 1} (the file has ${ncols} columns)`);
  }
  if (typeof spec !== 'string') throw new InvalidInputError(where, String(spec), 'a column index or header name');
  if (!names) throw new InvalidInputError(where, JSON.stringify(spec), 'a column index', 'the file has no header row');
  const k = names.indexOf(spec);
  if (k >= 0) return k;
  const list = names.slice(0, 12).map((n) => JSON.stringify(n)).join(', ') + (names.length > 12 ? ', …' : '');
  throw new InvalidInputError(where, JSON.stringify(spec), `one of the header names ${list}`);
}

/** Decides whether `fields` is a header and which role each column plays. */
function makeLayout(fields: string[], opts: CsvOptions): Layout & { header: boolean } {
  const ncols = fields.length;
  const ignore = opts.ignoreColumns ?? [];
  if (!Array.isArray(ignore)) throw new InvalidInputError('parseCsv: options.ignoreColumns', String(ignore), 'an array');
  const byIndex = new Set(ignore.filter((c): c is number => typeof c === 'number'));
  const mode = opts.header ?? 'auto';
  if (mode !== 'auto' && typeof mode !== 'boolean') {
    throw new InvalidInputError('parseCsv: options.header', String(mode), "'auto', true or false");
  }
  const header = mode === 'auto' ? fields.every((f, j) => byIndex.has(j) || !NUMBER_RE.test(f)) : mode;
  const names = header ? fields : undefined;
  const roles = new Int32Array(ncols);
  for (const c of ignore) roles[resolveColumn(c, names, ncols, 'parseCsv: options.ignoreColumns')] = IGNORE;
  const label = resolveColumn(opts.labelColumn ?? 0, names, ncols, 'parseCsv: options.labelColumn');
  if (roles[label] === IGNORE) {
    throw new InvalidInputError('parseCsv: options.labelColumn', String(opts.labelColumn ?? 0), 'a column that is not ignored');
  }
  roles[label] = LABEL;
  let features = 0;
  const featureNames: string[] = [];
  for (let j = 0; j < ncols; j++) {
    if (roles[j] !== 0) continue;
    roles[j] = features++;
    if (names) featureNames.push(names[j]);
  }
  return { roles, features, header, featureNames: names ? featureNames : undefined };
}

/** Incremental CSV parser: `push` chunks of bytes, then `finish`. */
class CsvParser extends ChunkedLines {
  private line = 1;
  private rows = 0;
  private nnz = 0;
  private firstLine = 0;
  private layout: Layout | undefined;
  private roles = new Int32Array(0);
  private cols = 0;
  private data = new Float32Array(0);
  private raw = new Float64Array(1024);
  private readonly cls = new Uint8Array(256);
  private readonly sc = new NumberScanner();
  private readonly labels: LabelSet;
  private readonly features: number | undefined;

  constructor(
    private readonly name: string,
    private readonly opts: CsvOptions,
  ) {
    super();
    const d = opts.delimiter ?? ',';
    if (typeof d !== 'string' || d.length !== 1 || d.charCodeAt(0) > 127 || d === '"' || d === '\n' || d === '\r') {
      throw new InvalidInputError('parseCsv: options.delimiter', JSON.stringify(d), 'one ASCII character other than a quote or newline');
    }
    this.cls[32] = this.cls[9] = this.cls[13] = BLANK;
    this.cls[10] = NEWLINE;
    this.cls[34] = QUOTE;
    this.cls[d.charCodeAt(0)] = DELIM;
    this.labels = new LabelSet(checkLabelsOption(opts.labels, 'parseCsv: options.labels'));
    this.features = checkFeaturesOption(opts.features, 'parseCsv: options.features');
  }

  finish(): CsvResult {
    this.flush();
    const { rows, cols, nnz } = this;
    if (rows === 0) throw new InvalidInputError(`${this.name}:1:1`, 'no data rows', 'at least one row of numbers');
    const { y, labels, seen } = mapLabels(this.raw, rows, this.labels);
    const x: DenseMatrix = { kind: 'dense', rows, cols, data: this.data.slice(0, rows * cols) };
    const result: CsvResult = { dataset: { x, y, labels }, rows, features: cols, nnz, labelsSeen: seen };
    if (this.layout?.featureNames) result.featureNames = this.layout.featureNames;
    return result;
  }

  protected region(b: Uint8Array, i: number, end: number): void {
    while (i < end) i = this.parseLine(b, i, end);
  }

  private parseLine(b: Uint8Array, start: number, end: number): number {
    let i = start;
    while (i < end && this.cls[b[i]] === BLANK) i++;
    if (i === end || b[i] === 10 || (this.layout === undefined && this.setup(b, start, end))) {
      this.line++;
      while (i < end && b[i] !== 10) i++;
      return i < end ? i + 1 : end;
    }
    return this.dataLine(b, start, end);
  }

  /** Reads the first non-blank line's shape; returns true when it is a header (consumed). */
  private setup(b: Uint8Array, start: number, end: number): boolean {
    let e = start;
    while (e < end && b[e] !== 10) e++;
    const fields = splitFields(new TextDecoder().decode(b.subarray(start, e)), this.opts.delimiter ?? ',');
    const layout = makeLayout(fields, this.opts);
    if (this.features !== undefined && layout.features !== this.features) {
      throw new InvalidInputError(`${this.name}:${this.line}:1`, `${layout.features} feature columns`, `${this.features} (options.features)`);
    }
    this.layout = layout;
    this.roles = layout.roles;
    this.cols = layout.features;
    this.firstLine = this.line;
    return layout.header;
  }

  /** The hot loop: one data row. Returns the index just past its newline. */
  private dataLine(b: Uint8Array, start: number, end: number): number {
    const { roles, cls, sc } = this;
    if ((this.rows + 1) * this.cols > this.data.length || this.rows === this.raw.length) this.grow();
    const base = this.rows * this.cols;
    let i = start;
    let col = 0;
    for (;;) {
      while (i < end && cls[b[i]] === BLANK) i++;
      const f = i;
      const role = roles[col];
      if (role === IGNORE) i = skipField(b, i, end, cls);
      else {
        const q = i < end && b[i] === 34;
        i = sc.scan(b, q ? i + 1 : i, end);
        let ok = sc.value === sc.value;
        if (q) ok = ok && i < end && b[i++] === 34;
        while (i < end && cls[b[i]] === BLANK) i++;
        if (!ok || (i < end && cls[b[i]] !== DELIM && cls[b[i]] !== NEWLINE)) throw this.badNumber(b, start, f, end, role);
        this.store(sc.value, role, base, b, start, f, end);
      }
      if (++col === roles.length || i >= end || cls[b[i]] !== DELIM) break;
      i++;
    }
    if (col < roles.length || (i < end && cls[b[i]] === DELIM)) throw this.fieldCount(b, start, i, end, col);
    this.rows++;
    this.line++;
    return i < end ? i + 1 : end;
  }

  private store(v: number, role: number, base: number, b: Uint8Array, start: number, f: number, end: number): void {
    if (role === LABEL) {
      if (!(Math.abs(v) < Infinity)) throw this.badNumber(b, start, f, end, role);
      if (v !== this.labels.a && v !== this.labels.b && !this.labels.admit(v)) {
        const [expected, detail] = this.labels.refusal();
        throw errorAt(this.name, this.line, b, start, f, this.fieldText(b, f, end), expected, detail);
      }
      this.raw[this.rows] = v;
    } else {
      if (!(Math.abs(v) < FLOAT32_OVERFLOW)) throw this.badNumber(b, start, f, end, role, 'a finite number within float32 range');
      this.data[base + role] = v;
      if (v !== 0) this.nnz++;
    }
  }

  private grow(): void {
    const rows = Math.max(1024, this.raw.length * 2);
    const raw = new Float64Array(rows);
    raw.set(this.raw.subarray(0, this.rows));
    this.raw = raw;
    const data = new Float32Array(rows * this.cols);
    data.set(this.data.subarray(0, this.rows * this.cols));
    this.data = data;
  }

  /** The field starting at `f`, quoted for an error message. */
  private fieldText(b: Uint8Array, f: number, end: number): string {
    let e = f;
    while (e < end && this.cls[b[e]] !== DELIM && b[e] !== 10) e++;
    while (e > f && this.cls[b[e - 1]] === BLANK) e--;
    return quoteBytes(b, f, e);
  }

  private badNumber(b: Uint8Array, start: number, f: number, end: number, role: number, expected?: string): InvalidInputError {
    const what = expected ?? (role === LABEL ? 'a finite numeric label' : 'a number');
    return errorAt(this.name, this.line, b, start, f, this.fieldText(b, f, end), what);
  }

  private fieldCount(b: Uint8Array, start: number, i: number, end: number, col: number): InvalidInputError {
    let count = col;
    for (let k = i; k < end && b[k] !== 10; k++) if (this.cls[b[k]] === DELIM) count++;
    const expected = `${this.roles.length} fields, as on line ${this.firstLine}`;
    const at = count > col ? i + 1 : i; // the first extra field, or the end of a short line
    return errorAt(this.name, this.line, b, start, at, `${count} fields`, expected);
  }
}

/** Index of the delimiter, newline or end after the field at `i` (a quoted field may contain delimiters). */
function skipField(b: Uint8Array, i: number, end: number, cls: Uint8Array): number {
  if (i < end && b[i] === 34) {
    for (i++; i < end && b[i] !== 10; i++) {
      if (b[i] === 34) {
        if (i + 1 < end && b[i + 1] === 34) i++;
        else {
          i++;
          break;
        }
      }
    }
  }
  while (i < end && cls[b[i]] !== DELIM && b[i] !== 10) i++;
  return i;
}

/**
 * Parses a delimited text file of numbers (CSV, TSV…) into a dense dataset: one column holds the labels (two
 * values: lower → −1, higher → +1; three or more: multiclass, classes ascending; or `labels` to force), `ignoreColumns` are skipped, every other column is a
 * feature. Input is processed chunk by chunk; gzip is detected by magic bytes. Every row must have as many fields
 * as the first; blank lines are skipped; fields may be padded with blanks and numbers may be double-quoted.
 *
 * @throws InvalidInputError at `name:line:column` for a bad number, label or field count; for bad options it names
 *   the option (`parseCsv: options.labelColumn`).
 * @example
 * ```ts
 * const r = await parseCsv(file, { labelColumn: 'y', ignoreColumns: ['id'] });
 * console.log(r.rows, r.features, r.featureNames?.[0]); // 1000 100 'x1'
 * ```
 */
export async function parseCsv(source: ByteSource, options: CsvOptions = {}): Promise<CsvResult> {
  checkKeys('parseCsv: options', options, CSV_OPTION_KEYS);
  const parser = new CsvParser(options.name ?? '<input>', options);
  for await (const chunk of textChunks(source, options, 'parseCsv')) parser.push(chunk);
  return parser.finish();
}
