// SPDX-License-Identifier: MIT
// Node only: read and write images by path; the byte-level work is in image.ts so browsers can share it.

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';
import { writeFileAtomic } from './atomic.js';
import { decodeImage, encodeImage, type ImageEncodeFormat, type ImageFormat } from './image.js';

export interface ReadImageOptions {
  /** Expected format; sniffed from the magic bytes when omitted. */
  format?: ImageFormat;
}

export interface WriteImageOptions {
  /** Overrides the format taken from the extension (.png → png16, .tif/.tiff → tiff, .npy → npy). */
  format?: ImageEncodeFormat;
  /** png16/png8: the value range mapped to the full integer range (default: the image's min–max). */
  range?: [number, number];
}

function osReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e && e.code ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? err);
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
  const format = options.format ?? imageFormatFromPath(path);
  if (format === undefined) {
    throw new InvalidInputError(path, `extension '${extname(path) || '(none)'}'`, '.png, .tif, .tiff or .npy (or options.format)', 'unknown image format');
  }
  const bytes = await encodeImage(image, { format, range: options.range });
  try {
    await writeFileAtomic(path, bytes);
  } catch (err) {
    throw new InvalidInputError(path, `an unwritable path (${osReason(err)})`, 'a writable file path', 'cannot write image');
  }
}
