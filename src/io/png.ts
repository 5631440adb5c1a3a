// SPDX-License-Identifier: MIT
// PNG 8/16-bit grey through fast-png; loaded by io/image.ts on the first PNG, so importing anyml does not load it.

import { convertIndexedToRgb, decode as decodePng, encode as encodePng } from 'fast-png';
import { InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';
import { errText } from './errors.js';


export function decodePngImage(bytes: Uint8Array, name: string): Image {
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

export function quantise(image: Image, maxCode: number, range: [number, number] | undefined): Uint16Array | Uint8Array {
  const { data } = image;
  // Default: the identity (values are sample codes, as decodeImage returns them), so intensities survive a round
  // trip; `range` maps [lo, hi] linearly onto the codes instead.
  const [lo, hi] = range ?? [0, maxCode];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) {
    throw new InvalidInputError('encodeImage: options.range', `[${lo}, ${hi}]`, 'two finite numbers [lo, hi] with lo ≤ hi');
  }
  const out = maxCode > 255 ? new Uint16Array(data.length) : new Uint8Array(data.length);
  // A flat explicit range maps everything to 0, like TomoGAN's scale2uint8 for max == min.
  const k = hi > lo ? maxCode / (hi - lo) : 0;
  for (let i = 0; i < data.length; i++) {
    const q = Math.round((data[i] - lo) * k);
    out[i] = q < 0 ? 0 : q > maxCode ? maxCode : q;
  }
  return out;
}

/** One slice as an 8- or 16-bit grey PNG, quantised from `range` (see encodeImage). */
export function encodePngImage(image: Image, sixteen: boolean, range: [number, number] | undefined): Uint8Array {
  const q = quantise(image, sixteen ? 65535 : 255, range);
  return encodePng({ width: image.width, height: image.height, data: q, depth: sixteen ? 16 : 8, channels: 1 });
}
