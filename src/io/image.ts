// SPDX-License-Identifier: MIT
// Image I/O for TomoGAN, bytes in and out (browser-safe): PNG 8/16-bit grey, TIFF stacks, NPY; TomoGAN's scaling.

import { InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';
import { formatNpy, parseNpy } from './npy.js';

// The PNG and TIFF codecs (fast-png, utif2) load on first use, so that `import 'anyml'` does not pay for them.
const png = () => import('./png.js');
const tiff = () => import('./tiff.js');


export type ImageFormat = 'png' | 'tiff' | 'npy';
export type ImageEncodeFormat = 'png16' | 'png8' | 'tiff' | 'npy';

export interface DecodeImageOptions {
  /** Used in error messages (a path or URL); defaults to 'image'. */
  name?: string;
  /** The expected format; sniffed from the magic bytes when omitted. A mismatch with the bytes is an error. */
  format?: ImageFormat;
}

export interface EncodeImageOptions {
  format: ImageEncodeFormat;
  /**
   * png16/png8 only: the value range mapped linearly to 0…65535 / 0…255. Default: none, the values are the codes
   * (rounded, clipped to 0…65535 / 0…255), so a PNG read by decodeImage writes back unchanged.
   */
  range?: [number, number];
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

function hexHead(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ') || '(nothing)';
}

/** The format named by the file's magic bytes, or undefined. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, PNG_MAGIC)) return 'png';
  if (startsWith(bytes, NPY_MAGIC)) return 'npy';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  // BigTIFF (version 43) is sniffed as TIFF so that the error says BigTIFF rather than "unknown format".
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  return undefined;
}

/**
 * Decodes a PNG, TIFF (multi-page → depth) or NPY file into float32 pixels in the file's own units (no scaling).
 * Throws InvalidInputError for unknown formats, empty or truncated files, colour images, unsupported sample types,
 * and NaN/±Inf pixels.
 */
export async function decodeImage(input: Uint8Array, options: DecodeImageOptions = {}): Promise<Image> {
  const name = options.name ?? 'image';
  // A Node Buffer's slice() shares memory (often a pooled slab) instead of copying; the decoders below rely on
  // Uint8Array.prototype.slice copying, so view the same bytes as a plain Uint8Array (no copy).
  const bytes = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length === 0) throw new InvalidInputError(name, 'an empty file (0 bytes)', 'a PNG, TIFF or NPY file');
  const sniffed = sniffImageFormat(bytes);
  if (sniffed === undefined) {
    throw new InvalidInputError(name, `bytes ${hexHead(bytes)}`, 'a PNG, TIFF or NPY file (magic bytes 89 50 4e 47, 49 49 2a 00, 4d 4d 00 2a or 93 4e 55 4d 50 59)', 'unknown image format');
  }
  if (options.format !== undefined && options.format !== sniffed) {
    throw new InvalidInputError(name, `a ${sniffed.toUpperCase()} file`, `a ${options.format.toUpperCase()} file`, 'format mismatch');
  }
  const image =
    sniffed === 'png' ? (await png()).decodePngImage(bytes, name) : sniffed === 'tiff' ? (await tiff()).decodeTiffImage(bytes, name) : decodeNpyImage(bytes, name);
  checkImage(image, name);
  return image;
}

/** Throws unless the image has a positive integer size, matching data length, and only finite pixels. */
export function checkImage(image: Image, name = 'image'): void {
  const { width, height, depth, data } = image;
  for (const [k, v] of [['width', width], ['height', height], ['depth', depth]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new InvalidInputError(`${name}: ${k}`, String(v), 'a positive integer (0-size images are not allowed)');
  }
  if (!(data instanceof Float32Array)) throw new InvalidInputError(`${name}: data`, typeof data, 'a Float32Array');
  if (data.length !== width * height * depth) {
    throw new InvalidInputError(`${name}: data`, `${data.length} values`, `depth × height × width = ${depth} × ${height} × ${width} = ${width * height * depth}`);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) {
      // Naming the voxel lets the user find a corrupt slice; NaN/Inf would silently poison percentiles and the model.
      const z = Math.floor(i / (width * height));
      const y = Math.floor((i % (width * height)) / width);
      const x = i % width;
      throw new InvalidInputError(name, `${v} at pixel index ${i} (slice ${z}, row ${y}, column ${x})`, 'finite pixel values', 'non-finite pixel');
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// NPY

function decodeNpyImage(bytes: Uint8Array, name: string): Image {
  const arr = parseNpy(bytes, name);
  const { shape } = arr;
  if (shape.length !== 2 && shape.length !== 3) {
    throw new InvalidInputError(name, `shape [${shape.join(', ')}]`, 'a 2-D [height, width] or 3-D [depth, height, width] array');
  }
  const [depth, height, width] = shape.length === 2 ? [1, shape[0], shape[1]] : (shape as [number, number, number]);
  if (depth === 0 || height === 0 || width === 0) throw new InvalidInputError(name, `shape [${shape.join(', ')}]`, 'no zero-length axis', '0-size image');
  const src = arr.data as ArrayLike<number | boolean>;
  const out = new Float32Array(depth * height * width);
  for (let i = 0; i < out.length; i++) out[i] = Number(src[i]);
  return { width, height, depth, data: out };
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/**
 * Encodes an image. png16/png8: one slice, the values as codes or mapped from `range`, rounded and clipped;
 * tiff: float32, one page per slice; npy: float32 with shape [h, w] (depth 1) or [d, h, w].
 */
export async function encodeImage(image: Image, options: EncodeImageOptions): Promise<Uint8Array> {
  checkImage(image, 'encodeImage: image');
  const { format } = options;
  if (format === 'png16' || format === 'png8') {
    if (image.depth !== 1) throw new InvalidInputError('encodeImage: image.depth', String(image.depth), `1 (a PNG holds one slice; use 'tiff' or 'npy' for stacks)`);
    return (await png()).encodePngImage(image, format === 'png16', options.range);
  }
  if (options.range !== undefined) throw new InvalidInputError('encodeImage: options.range', 'a range', `no range for '${format}' (it stores float32 values as they are)`);
  if (format === 'tiff') return (await tiff()).encodeTiffFloat32(image);
  if (format === 'npy') {
    const shape = image.depth === 1 ? [image.height, image.width] : [image.depth, image.height, image.width];
    return formatNpy(image.data, shape);
  }
  throw new InvalidInputError('encodeImage: options.format', String(format), `'png16', 'png8', 'tiff' or 'npy'`);
}

// ---------------------------------------------------------------------------------------------------------------
// TomoGAN scaling

export interface ScaleOptions {
  /** Lower clip percentile, 0…100. TomoGAN: 0.05. */
  lowPercentile?: number;
  /** Upper clip percentile, 0…100. TomoGAN: 99.95. */
  highPercentile?: number;
}

/** numpy.percentile(values, p) with the default 'linear' method (sorts a copy). */
export function percentile(values: Float32Array, p: number): number {
  const sorted = Float64Array.from(values).sort();
  return percentileSorted(sorted, p);
}

function percentileSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const pos = (p / 100) * (n - 1);
  const i = Math.floor(pos);
  const t = pos - i;
  const a = sorted[i];
  const b = sorted[Math.min(i + 1, n - 1)];
  // numpy's _lerp: interpolate from the nearer end so that t = 1 gives exactly b.
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/**
 * TomoGAN's `util.scale2uint8` kept in float32: clip to the [low, high] percentiles of all voxels (numpy linear
 * interpolation), then map linearly to 0…255. No truncation to integers, so `unscale` inverts it inside the clip
 * range. A flat image (lo == hi) maps to 0. Arithmetic is float64, rounded once to float32.
 */
export function scaleToUint8Range(image: Image, options: ScaleOptions = {}): { image: Image; lo: number; hi: number } {
  const { lowPercentile = 0.05, highPercentile = 99.95 } = options;
  if (!(lowPercentile >= 0 && highPercentile <= 100 && lowPercentile < highPercentile)) {
    throw new InvalidInputError('scaleToUint8Range: options', `lowPercentile ${lowPercentile}, highPercentile ${highPercentile}`, '0 ≤ lowPercentile < highPercentile ≤ 100');
  }
  checkImage(image, 'scaleToUint8Range: image');
  const sorted = Float64Array.from(image.data).sort();
  const lo = percentileSorted(sorted, lowPercentile);
  const hi = percentileSorted(sorted, highPercentile);
  const src = image.data;
  const out = new Float32Array(src.length);
  if (hi > lo) {
    const k = 255 / (hi - lo);
    for (let i = 0; i < src.length; i++) {
      const v = src[i] < lo ? lo : src[i] > hi ? hi : src[i];
      out[i] = (v - lo) * k;
    }
  }
  return { image: { width: image.width, height: image.height, depth: image.depth, data: out }, lo, hi };
}

/** Inverse of scaleToUint8Range: 0…255 back to the original units, x · (hi − lo) / 255 + lo. */
export function unscale(image: Image, range: { lo: number; hi: number }): Image {
  const { lo, hi } = range;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) {
    throw new InvalidInputError('unscale: range', `{ lo: ${lo}, hi: ${hi} }`, 'finite lo ≤ hi');
  }
  checkImage(image, 'unscale: image');
  const k = (hi - lo) / 255;
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i] * k + lo;
  return { width: image.width, height: image.height, depth: image.depth, data: out };
}
