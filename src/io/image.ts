// SPDX-License-Identifier: MIT
// Image I/O for TomoGAN, bytes in and out (browser-safe): PNG 8/16-bit grey, TIFF stacks, NPY; TomoGAN's scaling.

import { convertIndexedToRgb, decode as decodePng, encode as encodePng } from 'fast-png';
import UTIF from 'utif2';
import { InvalidInputError } from '../errors.js';
import type { Image } from '../tomogan/image.js';
import { formatNpy, parseNpy } from './npy.js';

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
  /** png16/png8 only: the value range mapped to 0…65535 / 0…255 (clipped outside). Default: the image's min–max. */
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
export function decodeImage(input: Uint8Array, options: DecodeImageOptions = {}): Image {
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
  const image = sniffed === 'png' ? decodePngImage(bytes, name) : sniffed === 'tiff' ? decodeTiffImage(bytes, name) : decodeNpyImage(bytes, name);
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
// PNG

function decodePngImage(bytes: Uint8Array, name: string): Image {
  let png;
  try {
    // CRC checking catches truncated or corrupted chunks that would otherwise decode to garbage.
    png = decodePng(bytes, { checkCrc: true });
  } catch (err) {
    throw new InvalidInputError(name, `an unreadable PNG (${errText(err)})`, 'a complete, valid PNG file', 'corrupt or truncated PNG');
  }
  const { width, height } = png;
  if (width === 0 || height === 0) throw new InvalidInputError(name, `a ${width}×${height} PNG`, 'at least 1×1 pixels');
  let data = png.data;
  let channels = png.channels;
  let bitDepth: number = png.depth;
  if (png.palette) {
    // Palette PNGs are expanded to RGB(A) and then must pass the same grey check as RGB images.
    data = convertIndexedToRgb(png);
    channels = data.length / (width * height);
    bitDepth = 8;
  }
  if (bitDepth !== 8 && bitDepth !== 16) {
    throw new InvalidInputError(name, `a ${bitDepth}-bit PNG`, 'an 8- or 16-bit PNG', 'unsupported bit depth');
  }
  const n = width * height;
  if (data.length < n * channels) throw new InvalidInputError(name, `${data.length} samples`, `${n * channels}`, 'truncated PNG data');
  const out = new Float32Array(n);
  if (channels >= 3) {
    // RGB(A) is accepted only when it is really grey; otherwise taking one channel would silently drop information.
    for (let i = 0, j = 0; i < n; i++, j += channels) {
      const r = data[j], g = data[j + 1], b = data[j + 2];
      if (r !== g || r !== b) {
        throw new InvalidInputError(name, `R,G,B = ${r},${g},${b} at pixel index ${i} (row ${Math.floor(i / width)}, column ${i % width})`, 'R == G == B everywhere', 'the image is not grey');
      }
      out[i] = r;
    }
  } else {
    // Grey or grey+alpha: the alpha channel carries no intensity, so it is ignored.
    for (let i = 0, j = 0; i < n; i++, j += channels) out[i] = data[j];
  }
  return { width, height, depth: 1, data: out };
}

function quantise(image: Image, maxCode: number, range: [number, number] | undefined): Uint16Array | Uint8Array {
  const { data } = image;
  let lo: number, hi: number;
  if (range) {
    [lo, hi] = range;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) {
      throw new InvalidInputError('encodeImage: options.range', `[${lo}, ${hi}]`, 'two finite numbers [lo, hi] with lo ≤ hi');
    }
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < data.length; i++) {
      if (data[i] < lo) lo = data[i];
      if (data[i] > hi) hi = data[i];
    }
  }
  const out = maxCode > 255 ? new Uint16Array(data.length) : new Uint8Array(data.length);
  // A flat range maps everything to 0, like TomoGAN's scale2uint8 for max == min.
  const k = hi > lo ? maxCode / (hi - lo) : 0;
  for (let i = 0; i < data.length; i++) {
    const q = Math.round((data[i] - lo) * k);
    out[i] = q < 0 ? 0 : q > maxCode ? maxCode : q;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// TIFF

type UtifIfd = UTIF.IFD & { isLE?: boolean };

function tag(ifd: UtifIfd, t: number): number | undefined {
  const v = ifd[`t${t}`] as number[] | undefined;
  return v === undefined ? undefined : Number(v[0]);
}

function decodeTiffImage(bytes: Uint8Array, name: string): Image {
  if (bytes[2] === 0x2b || bytes[3] === 0x2b) throw new InvalidInputError(name, 'a BigTIFF file', 'a classic TIFF file', 'unsupported TIFF variant');
  const le = bytes[0] === 0x49;
  if (bytes.length < 8) throw new InvalidInputError(name, `${bytes.length} bytes`, 'at least an 8-byte TIFF header', 'truncated TIFF');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const firstIfd = dv.getUint32(4, le);
  // utif2 reads past the end as zeros instead of failing, so truncation is checked here before and after decoding.
  if (firstIfd + 2 > bytes.length) throw new InvalidInputError(name, `first IFD at byte ${firstIfd} of ${bytes.length}`, 'an IFD inside the file', 'truncated TIFF');
  // utif2 wraps its buffer at offset 0 (deflate strips are read through `.buffer`), so give it an exact copy.
  // `new Uint8Array(bytes)` copies even for a Node Buffer, whose slice() would share the pooled memory.
  const buf: ArrayBuffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : new Uint8Array(bytes).buffer;
  let ifds: UtifIfd[];
  try {
    ifds = UTIF.decode(buf) as UtifIfd[];
  } catch (err) {
    throw new InvalidInputError(name, `an unreadable TIFF (${errText(err)})`, 'a complete, valid TIFF file', 'corrupt or truncated TIFF');
  }
  // Pages are the full-resolution images; NewSubfileType bit 0 marks thumbnails/reduced copies, which are skipped.
  const pages = ifds.filter((d) => d['t256'] !== undefined && ((tag(d, 254) ?? 0) & 1) === 0);
  if (pages.length === 0) throw new InvalidInputError(name, 'a TIFF with no image', 'at least one image page', 'empty TIFF');
  const width = tag(pages[0], 256)!;
  const height = tag(pages[0], 257) ?? 0;
  if (!(width > 0) || !(height > 0)) throw new InvalidInputError(name, `a ${width}×${height} TIFF page`, 'at least 1×1 pixels');
  const plane = width * height;
  const out = new Float32Array(plane * pages.length);
  pages.forEach((ifd, z) => {
    const where = pages.length > 1 ? `${name}: page ${z}` : name;
    const w = tag(ifd, 256), h = tag(ifd, 257);
    if (w !== width || h !== height) throw new InvalidInputError(where, `${w}×${h}`, `${width}×${height} like page 0 (all pages of a stack must match)`);
    const spp = tag(ifd, 277) ?? 1;
    if (spp !== 1) throw new InvalidInputError(where, `${spp} samples per pixel`, '1 (a grey TIFF)', 'the image is not grey');
    const bps = tag(ifd, 258) ?? 1;
    const fmt = tag(ifd, 339) ?? 1;
    const photometric = tag(ifd, 262) ?? 1;
    if (photometric !== 1 && photometric !== 0) {
      throw new InvalidInputError(where, `photometric interpretation ${photometric}`, '0 or 1 (grey)', 'the image is not grey');
    }
    const kind = fmt === 1 && bps === 8 ? 'uint8' : fmt === 1 && bps === 16 ? 'uint16' : fmt === 3 && bps === 32 ? 'float32' : fmt === 3 && bps === 64 ? 'float64' : undefined;
    if (kind === undefined) {
      const fmtName = ({ 1: 'unsigned int', 2: 'signed int', 3: 'float', 4: 'undefined' } as Record<number, string>)[fmt] ?? `format ${fmt}`;
      throw new InvalidInputError(where, `${bps}-bit ${fmtName} samples`, 'uint8, uint16, float32 or float64 samples', 'unsupported TIFF sample format');
    }
    const predictor = tag(ifd, 317) ?? 1;
    if (predictor !== 1 && !(predictor === 2 && bps <= 16)) {
      throw new InvalidInputError(where, `predictor ${predictor} with ${bps}-bit samples`, 'no predictor, or horizontal differencing on 8/16-bit', 'unsupported TIFF predictor');
    }
    if (ifd['t322'] === undefined) {
      // Strips must lie inside the file: utif2 would otherwise fill the missing bytes with zeros.
      const offs = (ifd['t273'] as number[] | undefined) ?? [];
      const counts = (ifd['t279'] as number[] | undefined) ?? [];
      if (offs.length === 0) throw new InvalidInputError(where, 'no strip offsets', 'a StripOffsets tag', 'corrupt TIFF');
      for (let s = 0; s < offs.length; s++) {
        const end = offs[s] + (counts[s] ?? 0);
        if (end > bytes.length) throw new InvalidInputError(where, `strip ${s} ending at byte ${end} of ${bytes.length}`, 'strips inside the file', 'truncated TIFF');
      }
    }
    try {
      UTIF.decodeImage(buf, ifd);
    } catch (err) {
      throw new InvalidInputError(where, `undecodable pixel data (${errText(err)})`, 'valid TIFF pixel data', 'corrupt TIFF');
    }
    const bytesPer = bps / 8;
    const raw = ifd.data;
    if (!raw || raw.length < plane * bytesPer) {
      throw new InvalidInputError(where, `${raw ? raw.length : 0} bytes of pixels`, `${plane * bytesPer} (${width}×${height}×${bytesPer})`, 'truncated TIFF');
    }
    const rv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    // utif2 swaps 16-bit samples to little-endian itself but leaves 32/64-bit samples in the file's byte order.
    const fileLE = ifd.isLE ?? le;
    const dst = out.subarray(z * plane, (z + 1) * plane);
    if (kind === 'uint8') for (let i = 0; i < plane; i++) dst[i] = raw[i];
    else if (kind === 'uint16') for (let i = 0; i < plane; i++) dst[i] = rv.getUint16(2 * i, true);
    else if (kind === 'float32') for (let i = 0; i < plane; i++) dst[i] = rv.getFloat32(4 * i, fileLE);
    else for (let i = 0; i < plane; i++) dst[i] = rv.getFloat64(8 * i, fileLE);
    if (photometric === 0) {
      // WhiteIsZero: invert so that larger values are brighter, as for every other format.
      const max = kind === 'uint8' ? 255 : kind === 'uint16' ? 65535 : 1;
      for (let i = 0; i < plane; i++) dst[i] = max - dst[i];
    }
  });
  return { width, height, depth: pages.length, data: out };
}

/**
 * Writes an uncompressed little-endian float32 TIFF, one page per slice, one strip per page. Written here rather
 * than with utif2 because utif2's encoder only writes RGBA8 images and lays IFDs out in a fixed 20 kB buffer
 * (about 140 pages); decoding still goes through utif2.
 */
function encodeTiffFloat32(image: Image): Uint8Array {
  const { width, height, depth, data } = image;
  const entries = 11;
  const ifdSize = 2 + entries * 12 + 4 + 2; // +2 keeps every IFD on a word boundary
  const plane = width * height * 4;
  const dataStart = 8 + depth * ifdSize;
  const total = dataStart + depth * plane;
  if (total > 0xffffffff) throw new InvalidInputError('encodeImage', `${total} bytes`, 'under 4 GiB (classic TIFF offsets are 32-bit)', 'image too large for TIFF');
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out[0] = 0x49; out[1] = 0x49; dv.setUint16(2, 42, true); dv.setUint32(4, 8, true);
  for (let z = 0; z < depth; z++) {
    let p = 8 + z * ifdSize;
    dv.setUint16(p, entries, true); p += 2;
    // Tags in ascending order, as TIFF requires. Types: 3 = SHORT, 4 = LONG.
    const put = (t: number, type: 3 | 4, v: number): void => {
      dv.setUint16(p, t, true); dv.setUint16(p + 2, type, true); dv.setUint32(p + 4, 1, true);
      if (type === 3) dv.setUint16(p + 8, v, true); else dv.setUint32(p + 8, v, true);
      p += 12;
    };
    put(256, 4, width);
    put(257, 4, height);
    put(258, 3, 32); // BitsPerSample
    put(259, 3, 1); // Compression: none
    put(262, 3, 1); // Photometric: BlackIsZero
    put(273, 4, dataStart + z * plane); // StripOffsets
    put(277, 3, 1); // SamplesPerPixel
    put(278, 4, height); // RowsPerStrip
    put(279, 4, plane); // StripByteCounts
    put(284, 3, 1); // PlanarConfiguration: chunky
    put(339, 3, 3); // SampleFormat: IEEE float
    dv.setUint32(p, z + 1 < depth ? 8 + (z + 1) * ifdSize : 0, true);
  }
  for (let i = 0; i < data.length; i++) dv.setFloat32(dataStart + 4 * i, data[i], true);
  return out;
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
 * Encodes an image. png16/png8: one slice, quantised from `range` (default min–max) with rounding and clipping;
 * tiff: float32, one page per slice; npy: float32 with shape [h, w] (depth 1) or [d, h, w].
 */
export function encodeImage(image: Image, options: EncodeImageOptions): Uint8Array {
  checkImage(image, 'encodeImage: image');
  const { format } = options;
  if (format === 'png16' || format === 'png8') {
    if (image.depth !== 1) throw new InvalidInputError('encodeImage: image.depth', String(image.depth), `1 (a PNG holds one slice; use 'tiff' or 'npy' for stacks)`);
    const sixteen = format === 'png16';
    const q = quantise(image, sixteen ? 65535 : 255, options.range);
    return encodePng({ width: image.width, height: image.height, data: q, depth: sixteen ? 16 : 8, channels: 1 });
  }
  if (options.range !== undefined) throw new InvalidInputError('encodeImage: options.range', 'a range', `no range for '${format}' (it stores float32 values as they are)`);
  if (format === 'tiff') return encodeTiffFloat32(image);
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

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
