// SPDX-License-Identifier: MIT
// NumPy .npy reader and writer (format 1.0/2.0/3.0 read, 1.0 write; little-endian, C order), browser-safe.

import { InvalidInputError } from '../errors.js';

// The format is specified in NumPy's NEP 1 ("A simple file format for NumPy arrays") and implemented in
// numpy/lib/format.py: the magic "\x93NUMPY", one byte major and one byte minor version, the header length
// (uint16 LE in 1.0, uint32 LE in 2.0 and 3.0), then an ASCII (3.0: UTF-8) Python dict literal
// {'descr': <dtype str>, 'fortran_order': <bool>, 'shape': <tuple of ints>} padded with spaces and a final '\n'
// so that the payload starts on a multiple of 64 bytes. The payload is the raw array, count = prod(shape).

/** The dtypes anyml reads. `bool` is returned as a Uint8Array of 0/1. */
export type NpyDtype = 'float32' | 'float64' | 'uint8' | 'uint16' | 'bool' | 'int32';

/** The typed array returned for each dtype. */
export type NpyData = Float32Array | Float64Array | Uint8Array | Uint16Array | Int32Array;

/** A parsed .npy array: C-order data with `data.length === shape.reduce((a, b) => a * b, 1)`. */
export interface NpyArray {
  shape: number[];
  dtype: NpyDtype;
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21; // numpy pads the header so the first axis can grow in place
const SUPPORTED_DESCR = "'<f4' (float32), '<f8' (float64), '|u1' (uint8), '<u2' (uint16), '|b1' (bool), '<i4' (int32)";

interface DtypeInfo {
  dtype: NpyDtype;
  size: number;
  descr: string;
}

/** Little-endian or byte-order-free descr kinds, keyed by kind + size ("f4"). */
const KINDS: Record<string, DtypeInfo> = {
  f4: { dtype: 'float32', size: 4, descr: '<f4' },
  f8: { dtype: 'float64', size: 8, descr: '<f8' },
  u1: { dtype: 'uint8', size: 1, descr: '|u1' },
  u2: { dtype: 'uint16', size: 2, descr: '<u2' },
  b1: { dtype: 'bool', size: 1, descr: '|b1' },
  i4: { dtype: 'int32', size: 4, descr: '<i4' },
};

const BY_DTYPE: Record<NpyDtype, DtypeInfo> = {
  float32: KINDS.f4,
  float64: KINDS.f8,
  uint8: KINDS.u1,
  uint16: KINDS.u2,
  bool: KINDS.b1,
  int32: KINDS.i4,
};

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------------------------
// Header dict parser: a tiny reader for the subset of Python literals numpy writes (str, bool, int, tuple).

type PyValue = string | boolean | number | PyValue[];

class HeaderParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly where: string,
  ) {}

  private fail(detail: string): never {
    const near = JSON.stringify(this.s.slice(Math.max(0, this.i - 10), this.i + 20));
    throw new InvalidInputError(`${this.where}: header`, `${detail} at character ${this.i} (near ${near})`, "a Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (64, 64), }");
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  private eat(ch: string): boolean {
    this.ws();
    if (this.s[this.i] === ch) {
      this.i++;
      return true;
    }
    return false;
  }

  private expect(ch: string): void {
    if (!this.eat(ch)) this.fail(`missing '${ch}'`);
  }

  parseDict(): Map<string, PyValue> {
    const out = new Map<string, PyValue>();
    this.expect('{');
    while (!this.eat('}')) {
      this.ws();
      const key = this.value();
      if (typeof key !== 'string') this.fail('a dict key that is not a string');
      this.expect(':');
      if (out.has(key)) this.fail(`duplicate key '${key}'`);
      out.set(key, this.value());
      if (!this.eat(',')) {
        this.expect('}');
        break;
      }
    }
    this.ws();
    if (this.i !== this.s.length) this.fail('trailing characters after the dict');
    return out;
  }

  private value(): PyValue {
    this.ws();
    const c = this.s[this.i];
    if (c === "'" || c === '"') {
      const end = this.s.indexOf(c, this.i + 1);
      if (end < 0) this.fail('an unterminated string');
      const v = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      return v;
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      this.i++;
      const items: PyValue[] = [];
      while (!this.eat(close)) {
        items.push(this.value());
        if (!this.eat(',')) {
          this.expect(close);
          break;
        }
      }
      return items;
    }
    const m = /^(True|False|\d+L?)/.exec(this.s.slice(this.i));
    if (!m) this.fail('an unsupported value');
    this.i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    return Number(m[0].replace('L', ''));
  }
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

function describe(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `(${v.map(describe).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}

function dtypeFromDescr(descr: PyValue | undefined, where: string): DtypeInfo {
  if (typeof descr !== 'string') {
    throw new InvalidInputError(`${where}: header 'descr'`, describe(descr), `a simple dtype string: ${SUPPORTED_DESCR}; structured dtypes are not supported`);
  }
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  const info = m ? KINDS[m[2] + m[3]] : undefined;
  if (!m || !info) {
    throw new InvalidInputError(`${where}: header 'descr'`, `'${descr}'`, `one of ${SUPPORTED_DESCR}`, 'unsupported dtype');
  }
  const order = m[1];
  if (order === '>' && info.size > 1) {
    throw new InvalidInputError(`${where}: header 'descr'`, `'${descr}'`, `little-endian '<' (or '|' for 1-byte types); re-save with arr.astype(arr.dtype.newbyteorder('<'))`, 'big-endian data is not supported');
  }
  if ((order === '' || order === '=') && info.size > 1) {
    throw new InvalidInputError(`${where}: header 'descr'`, `'${descr}'`, `an explicit little-endian '<' byte order`, 'native byte order is ambiguous in a file');
  }
  return info;
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Parses a NumPy `.npy` file. Accepts format versions 1.0, 2.0 and 3.0, C order, little-endian dtypes float32,
 * float64, uint8, uint16, bool (returned as 0/1 bytes in a Uint8Array) and int32. The data is copied, so the
 * result does not alias `bytes`. Bytes after the payload are ignored, as `numpy.load` does.
 *
 * @param name how errors name the input (a file name or URL)
 * @throws InvalidInputError for a bad magic or version, a malformed header, Fortran order, big-endian or other
 *   unsupported dtypes, or a payload shorter than the shape needs.
 */
export function parseNpy(bytes: Uint8Array, name = '<npy>'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const got = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new InvalidInputError(name, `first bytes [${got}] (${bytes.length} bytes in all)`, 'the .npy magic 93 4e 55 4d 50 59 ("\\x93NUMPY") followed by a version and header', 'not a .npy file');
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    throw new InvalidInputError(`${name}: format version`, `${major}.${minor}`, '1.0, 2.0 or 3.0', 'unsupported .npy format version');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  const start = 8 + lenSize;
  if (bytes.length < start) {
    throw new InvalidInputError(name, `${bytes.length} bytes`, `at least ${start} bytes for a version ${major}.0 preamble`, 'truncated header');
  }
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = start + headerLen;
  if (bytes.length < dataStart) {
    throw new InvalidInputError(name, `${bytes.length} bytes`, `at least ${dataStart} bytes (the header declares ${headerLen} bytes)`, 'truncated header');
  }
  const headerBytes = bytes.subarray(start, dataStart);
  const header = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);
  const dict = new HeaderParser(header, name).parseDict();

  const info = dtypeFromDescr(dict.get('descr'), name);
  const fortran = dict.get('fortran_order');
  if (typeof fortran !== 'boolean') {
    throw new InvalidInputError(`${name}: header 'fortran_order'`, describe(fortran), 'True or False');
  }
  const shapeV = dict.get('shape');
  if (!Array.isArray(shapeV) || !shapeV.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new InvalidInputError(`${name}: header 'shape'`, describe(shapeV), 'a tuple of non-negative integers such as (64, 64)');
  }
  const shape = shapeV as number[];
  const count = shape.reduce((a, b) => a * b, 1);
  // A Fortran-order array with at most one axis longer than 1 has the same bytes as C order; numpy still writes
  // fortran_order False for those, but accept them as they are unambiguous.
  if (fortran && shape.filter((d) => d > 1).length > 1) {
    throw new InvalidInputError(`${name}: header 'fortran_order'`, 'True', "False (C order); re-save with np.save(f, np.ascontiguousarray(a))", 'Fortran-order arrays are not supported');
  }
  const need = count * info.size;
  if (!Number.isSafeInteger(need) || bytes.length - dataStart < need) {
    throw new InvalidInputError(
      `${name}: payload`,
      `${bytes.length - dataStart} bytes after the ${dataStart}-byte header`,
      `${need} bytes (${count} × ${info.size}-byte ${info.dtype} for shape ${describe(shape)})`,
      'truncated data',
    );
  }
  return { shape: shape.slice(), dtype: info.dtype, data: readPayload(bytes, dataStart, count, info) };
}

function readPayload(bytes: Uint8Array, offset: number, count: number, info: DtypeInfo): NpyData {
  // Uint8Array.prototype.slice, not bytes.slice: on a Node Buffer .slice() is a view into a shared pool, not a copy.
  const copy = Uint8Array.prototype.slice.call(bytes, offset, offset + count * info.size); // fresh, 8-byte aligned
  const dv = new DataView(copy.buffer);
  switch (info.dtype) {
    case 'uint8':
    case 'bool':
      return copy;
    case 'float32': {
      const out = new Float32Array(copy.buffer);
      if (!HOST_LITTLE_ENDIAN) for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(copy.buffer);
      if (!HOST_LITTLE_ENDIAN) for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true);
      return out;
    }
    case 'uint16': {
      const out = new Uint16Array(copy.buffer);
      if (!HOST_LITTLE_ENDIAN) for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, true);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(copy.buffer);
      if (!HOST_LITTLE_ENDIAN) for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true);
      return out;
    }
  }
}

function dtypeOfArray(data: NpyData): NpyDtype | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  return undefined;
}

/** Python's repr of a tuple of ints: (), (3,), (64, 64). */
function shapeRepr(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Writes a C-order array as a `.npy` file in format 1.0, byte for byte what `numpy.save` (NumPy ≥ 1.24) writes:
 * sorted-key header dict, growth-axis spare spaces, padded with spaces and '\n' to a multiple of 64 bytes.
 *
 * `dtype` defaults from the array type (Uint8Array → uint8); pass `{ dtype: 'bool' }` to write a Uint8Array of
 * 0/1 as numpy bool.
 *
 * @throws InvalidInputError when the shape is not non-negative integers or does not match `data.length`.
 */
export function formatNpy(data: NpyData, shape: number[], options: { dtype?: NpyDtype } = {}): Uint8Array {
  const own = dtypeOfArray(data);
  if (own === undefined) {
    throw new InvalidInputError('formatNpy: data', Object.prototype.toString.call(data), 'a Float32Array, Float64Array, Uint8Array, Uint16Array or Int32Array');
  }
  const dtype = options.dtype ?? own;
  if (dtype !== own && !(dtype === 'bool' && own === 'uint8')) {
    throw new InvalidInputError('formatNpy: options.dtype', `'${dtype}' for a ${own} array`, `'${own}'${own === 'uint8' ? " or 'bool'" : ''}`);
  }
  if (dtype === 'bool') {
    const bad = (data as Uint8Array).findIndex((v) => v > 1);
    if (bad >= 0) throw new InvalidInputError(`formatNpy: data[${bad}]`, String(data[bad]), '0 or 1 for a bool array');
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InvalidInputError('formatNpy: shape', JSON.stringify(shape), 'an array of non-negative integers');
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new InvalidInputError('formatNpy: shape', `${JSON.stringify(shape)} (${count} elements)`, `a shape with data.length = ${data.length} elements`);
  }
  const info = BY_DTYPE[dtype];
  let header = `{'descr': '${info.descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const hlen = header.length + 1;
  const padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ARRAY_ALIGN);
  header += ' '.repeat(padlen) + '\n';
  if (header.length > 0xffff) {
    throw new InvalidInputError('formatNpy: shape', `${shape.length} axes (header ${header.length} bytes)`, 'a header under 65536 bytes for format 1.0');
  }
  const dataStart = 10 + header.length;
  const out = new Uint8Array(dataStart + count * info.size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  dv.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  if (HOST_LITTLE_ENDIAN || info.size === 1) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataStart);
  } else {
    for (let i = 0; i < count; i++) {
      const o = dataStart + i * info.size;
      if (dtype === 'float32') dv.setFloat32(o, data[i], true);
      else if (dtype === 'float64') dv.setFloat64(o, data[i], true);
      else if (dtype === 'uint16') dv.setUint16(o, data[i], true);
      else dv.setInt32(o, data[i], true);
    }
  }
  return out;
}
