// SPDX-License-Identifier: MIT
// The slice sources of denoiseVolume (src/tomogan/volume.ts): a random-access volume or an async iterable of
// slices, read through one sequential cursor, and a sliding window that holds at most 3 slices.
import { InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';

/** A volume read one slice at a time: `slice(k)` gives slice k (row-major, width × height values). */
export interface VolumeSource {
  readonly width: number;
  readonly height: number;
  /** The number of slices. */
  readonly depth: number;
  slice(k: number): Promise<Float32Array> | Float32Array;
}

/** What denoiseVolume reads: a {@link VolumeSource}, or slices (depth-1 Images of one size) in order. */
export type VolumeInput = VolumeSource | AsyncIterable<Image> | Iterable<Image>;

/** Slices in order from `start`; `count` is known for volumes, found at the end for iterables. */
export interface Cursor {
  start: number;
  count?: number;
  width?: number;
  height?: number;
  next(): Promise<Float32Array | undefined>;
}

const W = 'denoiseVolume: source';

export function isVolumeSource(s: unknown): s is VolumeSource {
  return !!s && typeof (s as VolumeSource).slice === 'function' && Number.isInteger((s as VolumeSource).depth);
}

/** Checks one slice: its length (or Image size) and finite values; errors name the slice. */
export function checkSlice(data: unknown, k: number, width: number, height: number): Float32Array {
  const where = `${W}: slice ${k}`;
  if (!(data instanceof Float32Array)) throw new InvalidInputError(where, typeof data, 'a Float32Array of width·height values');
  if (data.length !== width * height)
    throw new InvalidInputError(where, `${data.length} values`, `${width}×${height} = ${width * height} like slice 0 (all slices must have one size)`);
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]))
      throw new InvalidInputError(where, `${data[i]} at row ${Math.floor(i / width)}, column ${i % width}`, 'finite pixel values');
  return data;
}

function imageData(img: Image, k: number, size: { width?: number; height?: number }): Float32Array {
  const where = `${W}: slice ${k}`;
  if (!img || !(img.data instanceof Float32Array)) throw new InvalidInputError(where, typeof img, 'an Image { width, height, depth: 1, data: Float32Array }');
  if ((img.depth ?? 1) !== 1) throw new InvalidInputError(`${where}.depth`, String(img.depth), '1 (one slice per item)');
  size.width ??= img.width;
  size.height ??= img.height;
  if (img.width !== size.width || img.height !== size.height)
    throw new InvalidInputError(where, `${img.width}×${img.height}`, `${size.width}×${size.height} like slice 0 (all slices must have one size)`);
  return checkSlice(img.data, k, size.width, size.height);
}

/** A cursor over slices [start, end) of a volume, or over every item of an iterable (skipping those before `start`). */
export function openCursor(src: VolumeInput, start: number, end: number): Cursor {
  if (isVolumeSource(src)) {
    const { width, height, depth } = src;
    for (const [k, v] of [['width', width], ['height', height]] as const)
      if (!Number.isInteger(v) || v <= 0) throw new InvalidInputError(`${W}.${k}`, String(v), 'a positive integer');
    if (depth < 1) throw new InvalidInputError(`${W}.depth`, String(depth), 'at least 1 slice');
    let k = start;
    const stop = Math.min(end, depth);
    return { start, count: depth, width, height, next: async () => (k < stop ? checkSlice(await src.slice(k), k++, width, height) : undefined) };
  }
  const it = Symbol.asyncIterator in (src as object) ? (src as AsyncIterable<Image>)[Symbol.asyncIterator]() : (src as Iterable<Image>)[Symbol.iterator]();
  if (typeof it?.next !== 'function') throw new InvalidInputError(W, typeof src, '{ width, height, depth, slice(k) } or an (async) iterable of slices');
  const cur: Cursor = { start, next: async () => undefined };
  let k = 0;
  cur.next = async () => {
    for (;;) {
      if (k >= end) return undefined;
      const r = await it.next();
      if (r.done) {
        cur.count = k;
        return undefined;
      }
      const data = imageData(r.value, k, cur);
      if (k++ >= start) return data;
    }
  };
  return cur;
}

/**
 * The sliding window over a cursor: `get(k)` gives slice k, reading ahead as needed; `release(j)` drops slices
 * before j. denoiseVolume releases before k − 1 (3-slice) or k (1-slice), so at most 3 input slices are held.
 */
export class SliceWindow {
  private readonly held = new Map<number, Float32Array>();
  private nextIndex: number;
  private ended = false;

  constructor(readonly cursor: Cursor) {
    this.nextIndex = cursor.start;
  }

  /** Slice k, or undefined past the end. */
  async get(k: number): Promise<Float32Array | undefined> {
    while (!this.ended && this.nextIndex <= k) {
      const d = await this.cursor.next();
      if (d === undefined) this.ended = true;
      else this.held.set(this.nextIndex++, d);
    }
    return this.held.get(k);
  }

  release(below: number): void {
    for (const i of this.held.keys()) if (i < below) this.held.delete(i);
  }

  /** How many slices are held now (for the tests of the memory bound). */
  get size(): number {
    return this.held.size;
  }
}
