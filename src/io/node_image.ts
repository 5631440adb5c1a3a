// SPDX-License-Identifier: MIT
// Node only: read and write images by path; the byte-level work is in image.ts so browsers can share it.

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { osReason } from './files.js';
import { InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';
import { writeFileAtomic } from './atomic.js';
import { decodeImage, encodeImage, type ImageEncodeFormat, type ImageFormat } from './image.js';

export interface ReadImageOptions {
  /** Expected format; sniffed from the magic bytes when omitted. */
  format?: ImageFormat;
}

export interface WriteImageOptions {
  /**
   * Overrides the format taken from the extension: .tif/.tiff → tiff, .npy → npy (float32, exact), .png → png8 when
   * every value lies in 0…255, else png16.
   */
  format?: ImageEncodeFormat;
  /** png16/png8: the value range mapped linearly to the full code range. Default: the values are the codes (as read). */
  range?: [number, number];
}

/** The extensions writeImage knows. */
export const IMAGE_EXTENSIONS = ['.png', '.tif', '.tiff', '.npy'] as const;

/** png8 when every value fits 0…255 (an 8-bit image stays 8-bit), else png16. */
function pngDepth(image: Image): 'png8' | 'png16' {
  for (const v of image.data) if (!(v >= 0 && v <= 255)) return 'png16';
  return 'png8';
}

/** Reads a PNG, TIFF or NPY file. Errors name the path and, for unreadable files, the OS reason. */
export async function readImage(path: string, options: ReadImageOptions = {}): Promise<Image> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new InvalidInputError(path, `an unreadable file (${osReason(err)})`, 'a readable PNG, TIFF or NPY file', 'cannot read image');
  }
  return decodeImage(bytes, { name: path, format: options.format });
}

/** The encode format implied by a path's extension, or undefined. */
export function imageFormatFromPath(path: string): ImageEncodeFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.png' ? 'png16' : ext === '.tif' || ext === '.tiff' ? 'tiff' : ext === '.npy' ? 'npy' : undefined;
}

/** Writes an image atomically (complete or absent); the format comes from the extension unless given. */
export async function writeImage(path: string, image: Image, options: WriteImageOptions = {}): Promise<void> {
  const fromPath = imageFormatFromPath(path);
  const format = options.format ?? (fromPath === 'png16' && !options.range ? pngDepth(image) : fromPath);
  if (format === undefined) {
    throw new InvalidInputError(path, `extension '${extname(path) || '(none)'}'`, '.png, .tif, .tiff or .npy (or options.format)', 'unknown image format');
  }
  await writeFileAtomic(path, await encodeImage(image, { format, range: options.range }));
}
